"""Statistics: the city's figures, scoped by role (see `services.statistics.figures`)."""
