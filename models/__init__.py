"""Tortoise models, one module per domain. `MODEL_MODULES` is what Tortoise and the migrations load."""

MODEL_MODULES = [
    "models.reference",
    "models.agencies",
    "models.routing",
    "models.users",
    "models.media",
    "models.reports",
    "models.intake",
    "models.decisions",
    "models.custody",
    "models.events",
    "models.audit",
    "models.outbox",
    "models.handoff",
    "models.notifications",
    "models.statistics",
    "models.limits",
]
