"""Bytes -> text for feeds and pages: the declared encoding is checked against the bytes.

Vietnamese sites still declare ISO-8859-1 over UTF-8 bodies, or windows-1258 over UTF-8, and a few
serve windows-1258 without saying so. A single-byte charset decodes any bytes without error, so
"it decoded" proves nothing: valid multi-byte UTF-8 is almost never produced by accident, so UTF-8 that
validates wins over a single-byte declaration. Everything returned is NFC.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.I)
_SINGLE_BYTE = {"latin-1", "iso8859-1", "cp1252", "ascii", "cp1258", "iso8859-15", "cp1250"}


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # what was actually used
    declared: str | None  # what the header / document claimed
    problem: str | None = None  # a mismatch worth recording


def _norm(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None


def header_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    m = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", content_type, re.I)
    return m.group(1) if m else None


def declared_in_document(body: bytes) -> str | None:
    head = body[:2048]
    m = _XML_DECL.match(head) or _META_CHARSET.search(head)
    return m.group(1).decode("ascii", "replace") if m else None


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# C0 and C1 control characters but tab and line breaks, and DEL: in a title they would drive the terminal of
# whoever lists it (ESC [2J clears the screen, ESC ] sets the window title or hides a link) and ride into
# e-mail headers. And the bidirectional formatting characters (embeddings, overrides, isolates, marks), which no
# Vietnamese text needs: an override left open in a title reverses how what follows it on the line is shown (the
# next related article and its outlet in the clipping), so that a reader sees other text than was collected
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# whole terminal sequences, so that their parameters do not stay behind as text ("[2J", "]8;;http://…"): CSI
# (ESC [ or 0x9b, parameters, a final byte), OSC, DCS and the like when terminated (BEL, ESC \ or 0x9c; an
# unterminated one loses only its introducer, never the rest of a title), and two-byte ESC sequences
_SEQUENCES = re.compile(r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
                        r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"
                        r"|\x1b[@-Z\\-_]")


def printable(text: str) -> str:
    """NFC text without terminal sequences, control or bidirectional formatting characters (tab and line breaks
    kept): what is stored of a feed or a page."""
    if not _CONTROLS.search(text):
        return nfc(text)
    return nfc(_CONTROLS.sub("", _SEQUENCES.sub("", text)))


def decode(body: bytes, content_type: str | None = None) -> Decoded:
    """Decode a document, trusting in order: BOM, valid UTF-8, declarations that fit, detection."""
    raw_declared = header_charset(content_type) or declared_in_document(body)
    declared = _norm(raw_declared)
    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if body.startswith(bom):
            return Decoded(nfc(body.decode(enc, "replace").lstrip("\ufeff")), enc, declared)
    candidates: list[str] = []
    for name in (header_charset(content_type), declared_in_document(body)):
        n = _norm(name)
        if n and n not in candidates:
            candidates.append(n)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        problem = None
        if declared and declared != "utf-8" and not body.isascii():
            problem = f"declared charset {raw_declared} does not match the bytes; read as UTF-8"
        return Decoded(nfc(text), "utf-8", declared, problem)
    for enc in candidates:
        if enc == "utf-8":
            continue
        try:
            return Decoded(nfc(body.decode(enc)), enc, declared)
        except (UnicodeDecodeError, LookupError):
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(body).best()
    if best is not None:
        enc = _norm(best.encoding) or best.encoding
        problem = f"declared charset {raw_declared or 'none'} does not fit the bytes; detected {enc}"
        return Decoded(nfc(str(best)), enc, declared, problem)
    return Decoded(nfc(body.decode("utf-8", "replace")), "utf-8", declared,
                   f"undecodable bytes (declared {raw_declared or 'none'}); read as UTF-8 with replacements")
