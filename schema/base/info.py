"""The `Info` every resolver receives, typed with our context for the type checker.

At run time it is strawberry's own `Info`, so that the domains, which all name it, never import the context: the
context gathers the domains' loaders and sits above them (`schema/context.py`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

import strawberry

if TYPE_CHECKING:
    from schema.context import Context

    Info: TypeAlias = strawberry.Info[Context, None]
else:
    Info = strawberry.Info
