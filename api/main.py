"""The module uvicorn imports: `uvicorn api.main:app`. Settings are read from the environment of each worker.

Everything imported so far (the schema, the models, the routes) lives as long as the worker: `gc.freeze()` moves it
out of the collector's generations, so that the collections a request triggers walk only what requests allocate."""

import gc

from api.app import create_app

app = create_app()
gc.collect()
gc.freeze()
