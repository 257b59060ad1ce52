"""GeoReport v2's two encodings of the same documents: JSON, and the XML the standard was first written in.

The XML follows the standard's examples: a root element per document (`services`, `service_requests`,
`service_definition`, `discovery`, `errors`), one child per item, one element per field; an absent value is an empty
element, a boolean `true`/`false`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, is_dataclass
from typing import Any
from xml.etree import ElementTree

# The root element of each list document, and the element of each of its items.
LIST_ELEMENTS = {"services": "service", "service_requests": "request", "errors": "error", "endpoints": "endpoint",
                 "formats": "format", "attributes": "attribute"}  # fmt: skip


def plain(document: Any) -> Any:
    """Dataclasses as dicts, recursively: what `json` writes."""
    if is_dataclass(document) and not isinstance(document, type):
        return asdict(document)
    if isinstance(document, list | tuple):
        return [plain(item) for item in document]
    return document


def to_xml(root: str, document: Any) -> bytes:
    element = ElementTree.Element(root)
    _fill(element, root, plain(document))
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(element, encoding="utf-8")


def _fill(element: ElementTree.Element, name: str, value: Any) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            _fill(ElementTree.SubElement(element, key), key, item)
    elif isinstance(value, Sequence) and not isinstance(value, str):
        for item in value:
            _fill(ElementTree.SubElement(element, LIST_ELEMENTS.get(name, "item")), "item", item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)
