"""The ASGI application, its settings, lifespan and command line."""
