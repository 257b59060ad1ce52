"""Whether an operation asks for a field below the one resolving: so that a list's resolver can read what its items
will need with the page (one statement per relation, as the loaders would) and their fields resolve at once.

A console's page of 20 reports with their photos and decisions otherwise starts a coroutine, a loader call and a
future per report and relation; read with the page, each of those fields is a plain attribute. `@skip`/`@include`
are not evaluated: a field they leave out is read for nothing, never missed.
"""

from __future__ import annotations

from collections.abc import Iterable

from graphql import FieldNode, FragmentDefinitionNode, FragmentSpreadNode, InlineFragmentNode, SelectionNode

from schema.base.info import Info


def selects(info: Info, *path: str) -> bool:
    """True when `path` (schema names, e.g. `"edges", "node", "media"`) is selected below the resolving field, through
    any fragments and under any alias."""
    fragments = info._raw_info.fragments
    level: list[FieldNode] = list(info._raw_info.field_nodes)
    for name in path:
        level = [
            child
            for node in level
            if node.selection_set is not None
            for child in _fields(node.selection_set.selections, fragments)
            if child.name.value == name
        ]
        if not level:
            return False
    return True


def _fields(selections: Iterable[SelectionNode], fragments: dict[str, FragmentDefinitionNode]) -> list[FieldNode]:
    found: list[FieldNode] = []
    for selection in selections:
        if isinstance(selection, FieldNode):
            found.append(selection)
        elif isinstance(selection, InlineFragmentNode):
            found += _fields(selection.selection_set.selections, fragments)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                found += _fields(fragment.selection_set.selections, fragments)
    return found
