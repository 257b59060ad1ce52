"""The ASGI application, its lifespan, the factories that build every client from settings, and the command line."""
