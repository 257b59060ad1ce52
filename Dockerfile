# Production image: the API served by uvicorn; migrations and reference data run as a one-shot service first.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY api ./api
COPY auth ./auth
COPY core ./core
COPY models ./models
COPY schema ./schema
COPY services ./services
RUN pip install --no-cache-dir . && useradd --system --uid 10001 phananh

USER phananh
ENV APP_ENV=production HOST=0.0.0.0 PORT=8000
EXPOSE 8000
CMD ["phananh", "serve", "--workers", "2"]
