# Production image: the API served by uvicorn; migrations and reference data run as a one-shot service first.
# Dependencies come from requirements.lock (every transitive package, pinned with its hashes: `make lock` regenerates
# it from pyproject.toml), then the project itself without resolving anything again, so that two builds of the same
# commit install the same bytes. The base image is pinned to an exact release.
FROM python:3.11.14-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

COPY pyproject.toml README.md ./
COPY api ./api
COPY auth ./auth
COPY core ./core
COPY models ./models
COPY schema ./schema
COPY services ./services
RUN pip install --no-deps . && useradd --system --uid 10001 phananh

USER phananh
# WEB_CONCURRENCY: uvicorn workers per container (`phananh serve` reads it; see README, Running in production).
ENV APP_ENV=production HOST=0.0.0.0 PORT=8000 WEB_CONCURRENCY=2
EXPOSE 8000
CMD ["phananh", "serve"]
