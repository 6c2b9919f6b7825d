"""Turn what an analyst types into a safe FTS5 query over the folded full-text index.

The index (`articles_fts`) holds titles, sapos and bodies folded the same way (`classifiers.text`:
NFC, one tone-mark placement, diacritics removed, đ→d), so the query is folded identically: "bao luc
hoc duong", "bạo lực học đường" and "BẠO LỰC HỌC ĐƯỜNG" are one query, and "hoà" finds "hòa". Every
word becomes a quoted FTS5 string, so nothing the user types (a stray quote, a colon, AND, NEAR, a
hyphen) can be read as FTS syntax and fail: the worst a query can do is match nothing.

    bao luc "hoc duong"      ->  "bao" AND "luc" AND "hoc duong"   (all must match; quotes keep a phrase)
    học phí OR khoản thu     ->  ("hoc" AND "phi") OR ("khoan" AND "thu")
    hoc*  -mam               ->  ("hoc"*) NOT "mam"                (prefix match; a leading - excludes)

`OR` (upper case, between two groups) is the one operator kept, because that is how people search
press clippings; everything else is a word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from classifiers.text import fold, normalize

_WORD = re.compile(r"[^\W_]+\*?", re.UNICODE)
_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class SearchQuery:
    """A parsed query: groups joined by OR; each group's terms all required; excluded words."""

    groups: tuple[tuple[str, ...], ...]  # each term is a folded word or a folded multi-word phrase
    excluded: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not any(self.groups)


def fold_text(text: str) -> str:
    """The folding used for the index and for queries: normalised, lower case, no diacritics."""
    return fold(normalize(text or ""))


def _words(text: str) -> list[str]:
    return _WORD.findall(fold_text(text))


def parse_query(text: str) -> SearchQuery:
    groups: list[list[str]] = [[]]
    excluded: list[str] = []
    for m in _TOKEN.finditer(text or ""):
        phrase, bare = m.group(1), m.group(2)
        if phrase is not None:
            words = [w.rstrip("*") for w in _words(phrase)]
            if words:
                groups[-1].append(" ".join(words))
            continue
        if bare == "OR":
            if groups[-1]:
                groups.append([])
            continue
        negate = bare.startswith("-") and len(bare) > 1
        words = _words(bare[1:] if negate else bare)
        if negate:
            excluded.extend(w.rstrip("*") for w in words)
        else:
            groups[-1].extend(words)
    return SearchQuery(tuple(tuple(g) for g in groups if g), tuple(excluded))


def _quote(term: str) -> str:
    prefix = term.endswith("*")
    term = term.rstrip("*").replace('"', '""')
    return f'"{term}"' + ("*" if prefix else "")


def to_fts(query: SearchQuery) -> str | None:
    """The FTS5 MATCH expression, or None when the query has no searchable word."""
    if query.empty:
        return None
    parts = []
    for group in query.groups:
        expr = " AND ".join(_quote(t) for t in group)
        parts.append(f"({expr})" if len(group) > 1 and len(query.groups) > 1 else expr)
    expr = " OR ".join(parts)
    if query.excluded:
        expr = f"({expr})" + "".join(f" NOT {_quote(w)}" for w in query.excluded)
    return expr


def fts_query(text: str) -> str | None:
    """User text -> FTS5 expression over folded text (None when nothing searchable was typed)."""
    return to_fts(parse_query(text))


def highlight_terms(text: str) -> list[str]:
    """Folded words of a query, for marking matches in a snippet."""
    q = parse_query(text)
    return [w for g in q.groups for t in g for w in t.rstrip("*").split()]


def snippet(text: str, query: str, width: int = 160) -> str:
    """The passage of `text` around the first word of `query` it contains (diacritics-insensitive), or ''."""
    from classifiers.text import nfc

    original = " ".join(nfc(text or "").split())
    folded = fold_text(original)
    if len(folded) != len(original):  # a case mapping changed the length: no safe way to map back
        return ""
    q = parse_query(query)
    # the words in the order typed first (a phrase beats a lone common word like "học"), then each term
    candidates = [" ".join(t.rstrip("*") for t in g) for g in q.groups] + [t.rstrip("*") for g in q.groups for t in g]
    candidates += highlight_terms(query)
    for term in dict.fromkeys(candidates):
        m = re.search(r"(?<![^\W_])" + re.escape(term), folded)
        if m is None:
            continue
        start = max(0, m.start() - width // 3)
        end = min(len(original), start + width)
        start = max(0, min(start, end - width))
        if start > 0:
            start = original.find(" ", start) + 1 or start
        cut = original[start:end]
        if end < len(original) and " " in cut:
            cut = cut[: cut.rfind(" ")]
        return ("…" if start > 0 else "") + cut + ("…" if end < len(original) else "")
    return ""
