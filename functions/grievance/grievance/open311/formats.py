"""Open311 replies in the specification's two formats (GeoReport v2, Service Discovery): XML with the
examples' element names and nesting (`<services><service>…`, `<service_requests><request>…`,
`<errors><error>…`), JSON as its mapping (a list where XML has a list root). Absent values are left out of
both. XML is built with the standard library's ElementTree, which escapes every text."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from starlette.responses import Response

if TYPE_CHECKING:
    from xml.etree import ElementTree

Format = Literal["json", "xml"]
MEDIA_TYPES: dict[str, str] = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# The element of each member of a list, by the list's element name (as the specification's examples have them)
MEMBERS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


def split_format(name: str) -> tuple[str, Format] | None:
    """`services.json` -> ("services", "json"); None without a `.json` or `.xml` suffix."""
    stem, dot, suffix = name.rpartition(".")
    if not dot or suffix not in ("json", "xml"):
        return None
    return stem, suffix  # type: ignore[return-value]


def _present(value: Any) -> bool:
    return value is not None and value != ""


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(parent: ElementTree.Element, name: str, value: Any) -> None:
    from xml.etree import ElementTree

    if isinstance(value, list):
        container = ElementTree.SubElement(parent, name)
        for member in value:
            _fill(container, MEMBERS[name], member)
    elif isinstance(value, Mapping):
        element = ElementTree.SubElement(parent, name)
        for key, item in value.items():
            if _present(item):
                _fill(element, key, item)
    else:
        ElementTree.SubElement(parent, name).text = _text(value)


def xml(root: str, payload: Any) -> bytes:
    """`payload` (a list for a list root, else a mapping) as an XML document under `root`, UTF-8, with the
    XML declaration the specification asks for. ElementTree is imported here, by the first XML answer: about
    3 ms that a cold start serving anything else does not pay."""
    from xml.etree import ElementTree

    document = ElementTree.Element(root)
    if isinstance(payload, list):
        for member in payload:
            _fill(document, MEMBERS[root], member)
    else:
        for key, item in payload.items():
            if _present(item):
                _fill(document, key, item)
    body: bytes = ElementTree.tostring(document, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body


def _pruned(value: Any) -> Any:
    if isinstance(value, list):
        return [_pruned(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _pruned(v) for k, v in value.items() if _present(v)}
    return value


def reply(
    fmt: Format, root: str, payload: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """The answer in the format asked: JSON is the payload itself, XML the payload under `root`."""
    body = (
        json.dumps(_pruned(payload), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        if fmt == "json"
        else xml(root, payload)
    )
    return Response(body, status_code=status, headers=dict(headers or {}), media_type=MEDIA_TYPES[fmt])


def errors(fmt: Format, code: int, description: str, headers: Mapping[str, str] | None = None) -> Response:
    """The specification's error reply: a list of {code, description}, with the HTTP status of the code."""
    return reply(fmt, "errors", [{"code": code, "description": description}], code, headers)
