"""Text from fetched bytes: the BOM, the HTTP charset, the document's own declaration, then
detection (charset-normalizer), then UTF-8 with replacement characters."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_META = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9_.:\-]+)", re.IGNORECASE)
_XML_DECL = re.compile(rb"^\s*<\?xml[^>]+encoding\s*=\s*[\"']([A-Za-z0-9_.:\-]+)", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
DETECT_BYTES = 256 * 1024


def header_charset(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header, if any."""
    if not content_type or "charset=" not in content_type.lower():
        return None
    value = content_type.lower().split("charset=", 1)[1].split(";")[0].strip(" \"'")
    return value or None


def declared_charsets(body: bytes, content_type: str | None = None) -> list[str]:
    """Encodings the bytes declare, strongest first: BOM, HTTP header, meta / XML declaration."""
    out: list[str] = []
    for bom, name in _BOMS:
        if body.startswith(bom):
            out.append(name)
            break
    header = header_charset(content_type)
    if header:
        out.append(header)
    head = body[:4096]
    for pattern in (_XML_DECL, _META):
        match = pattern.search(head)
        if match:
            out.append(match.group(1).decode("ascii", "replace").lower())
    return out


def decode_document(body: bytes, content_type: str | None = None) -> str:
    """Decode a page or feed: declared encodings, then UTF-8, then detection."""
    tried: set[str] = set()
    for enc in [*declared_charsets(body, content_type), "utf-8"]:
        if enc in tried:
            continue
        tried.add(enc)
        try:
            return body.decode(enc)
        except (LookupError, UnicodeDecodeError):
            continue
    best = from_bytes(body[:DETECT_BYTES]).best()
    if best is not None and best.encoding:
        try:
            return body.decode(best.encoding, errors="replace")
        except LookupError:
            pass
    return body.decode("utf-8", errors="replace")
