"""The module uvicorn imports: `uvicorn api.main:app`. Settings are read from the environment of each worker."""

from api.app import create_app

app = create_app()
