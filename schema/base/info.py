"""The `Info` type every resolver receives, typed with our context."""

from __future__ import annotations

from typing import TypeAlias

import strawberry

from schema.base.context import Context

Info: TypeAlias = strawberry.Info[Context, None]
