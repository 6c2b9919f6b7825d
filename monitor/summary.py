"""What an article says, in a sentence or two, for people who will read it later: the clipping's items, an
alert, the monthly report's hot issues (the one extractive summary all three use).

The sentences are the outlet's own, chosen by how much of the headline they cover. Two things keep a copied
sentence true when read out of its article and on another day: a "." after an abbreviation or an initial does
not end a sentence ("Theo ThS. Lê Văn C, Trưởng phòng GD&ĐT, …" would lose who is speaking), and relative time
words are dated ("trưa nay" of yesterday's article is "trưa 26/11" in this morning's clipping).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta

from classifiers.text import ascii_fold as fold

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)]*\s+(?=[\"“‘(]?[A-ZÀ-Ỹ0-9Đ])")
_WORD = re.compile(r"\w+", re.UNICODE)
# Datelines, bylines and photo credits open many bodies; they say nothing about the event.
_BOILERPLATE = re.compile(r"^(\(?[A-ZĐ][\w\s]{0,30}\)?\s*[-–—]\s*$|ảnh\s*:|nguồn\s*:|video\s*:|theo\s+\w+\s*$)", re.I)
# A "." after these (or after a single capital initial, "Nguyễn Thị B.") abbreviates a title, a degree or an
# administrative unit and the name that follows belongs to the same sentence: "HĐND TP. Hồ Chí Minh", "Theo ThS.
# Lê Văn C", "PGS.TS. Trần A". Compared case-folded, each dot-separated part ("PGS.TS." is PGS and TS).
ABBREVIATIONS = frozenset(a.casefold() for a in (
    "TP", "Tp", "Q", "P", "H", "X", "TX", "TT", "GS", "PGS", "TS", "TSKH", "ThS", "Th", "CN", "KS", "BS", "BSCKI",
    "BSCKII", "DS", "LS", "NGƯT", "NGND", "NSƯT", "NSND", "St", "Mr", "Mrs", "Ms", "Dr"))


def _abbreviation_before(text: str, end: int) -> bool:
    """Whether the "." just before `end` closes an abbreviation or an initial rather than a sentence."""
    start = max(text.rfind(" ", 0, end), text.rfind("(", 0, end), text.rfind("\"", 0, end), text.rfind("“", 0, end)) + 1
    token = text[start:end].rstrip(".\"”’)")
    if not token or not text[start:end].rstrip("\"”’)").endswith("."):
        return False
    parts = token.split(".")
    return all(p.casefold() in ABBREVIATIONS or (len(p) == 1 and p.isupper()) for p in parts)


def split_sentences(text: str) -> list[str]:
    """Sentences of a sapo or body; a "." after an abbreviation or a capital initial does not end one."""
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text or "")).strip()
    if not text:
        return []
    out, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        if _abbreviation_before(text, m.start()):
            continue
        out.append(text[start:m.start()])
        start = m.end()
    out.append(text[start:])
    return [s.strip() for s in out if s.strip()]


# Relative time words are the article's own day: in the next morning's clipping "trưa nay" is wrong, "trưa 26/11" right.
# (?!\w): whole words only, or "tối quan trọng" would read "tối qua" + "n trọng"
_RELATIVE_TODAY = re.compile(r"\b(?:(?P<part>sáng|trưa|chiều|tối) nay|(?:ngày )?(?P<today>hôm nay))(?!\w)"
                             r"(?P<given>\s*\(\s*(?:ngày\s*)?\d{1,2}/\d{1,2}(?:/\d{2,4})?\s*\))?", re.I)
_RELATIVE_YESTERDAY = re.compile(r"\b(?:(?P<part>đêm|tối) qua|(?:ngày )?(?P<today>hôm qua))(?!\w)"
                                 r"(?P<given>\s*\(\s*(?:ngày\s*)?\d{1,2}/\d{1,2}(?:/\d{2,4})?\s*\))?", re.I)


def dated_relative_words(text: str, published: datetime, day: date | None = None) -> str:
    """'trưa nay' -> 'trưa 26/11' (and 'hôm nay', 'sáng/chiều/tối nay', 'đêm qua', 'hôm qua') when the article
    was published on another day than the clipping's `day`; the same day's words stay as written. Without a
    `day` (a text read on a day not known yet: an alert held overnight, the monthly report) they are always dated."""
    if not text or published.date() == day:
        return text

    def with_date(when: date):
        def sub(m: re.Match) -> str:
            word = m.group("part") or "ngày"
            out = f"{word.lower()} {when.day:02d}/{when.month:02d}"
            return out[0].upper() + out[1:] if m.group(0)[0].isupper() else out
        return sub

    text = _RELATIVE_TODAY.sub(with_date(published.date()), text)
    return _RELATIVE_YESTERDAY.sub(with_date(published.date() - timedelta(days=1)), text)


def extract_summary(title: str, sapo: str, body: str, *, max_sentences: int = 2, max_chars: int = 320) -> str:
    """One or two sentences from the sapo (or the body's opening) that best cover the title's words.

    Sentences are scored by how many of the title's words they contain, with a preference for
    earlier ones (news puts the essentials first); the chosen sentences keep their original order.
    """
    candidates = split_sentences(sapo)
    if len(candidates) < max_sentences:
        candidates += split_sentences(body)[:8]
    candidates = [s for s in candidates if len(s) >= 25 and not _BOILERPLATE.search(s)]
    seen: set[str] = set()
    unique = []
    for s in candidates:
        key = fold(s)
        if key not in seen and key != fold(title):
            seen.add(key)
            unique.append(s)
    if not unique:
        return ""
    title_words = {w for w in _WORD.findall(fold(title)) if len(w) > 1}

    def score(item: tuple[int, str]) -> float:
        pos, sentence = item
        words = set(_WORD.findall(fold(sentence)))
        overlap = len(words & title_words) / (len(title_words) or 1)
        return overlap + 1.0 / (1 + pos)

    ranked = sorted(enumerate(unique), key=score, reverse=True)
    chosen: list[tuple[int, str]] = []
    total = 0
    for pos, sentence in ranked:
        if len(chosen) == max_sentences:
            break
        if chosen and total + len(sentence) > max_chars:
            continue
        chosen.append((pos, sentence))
        total += len(sentence) + 1
    text = " ".join(s for _, s in sorted(chosen))
    if len(text) > max_chars:
        cut = text[:max_chars].rsplit(" ", 1)[0].rstrip(",;:")
        text = cut + "…"
    return text


def dated_summary(title: str, sapo: str, body: str, published: datetime | None, day: date | None = None) -> str:
    """extract_summary with its relative time words dated (dated_relative_words): what the clipping (`day`: its
    own), an alert and the monthly report (no `day`: read later than written) print."""
    text = extract_summary(title, sapo, body)
    return dated_relative_words(text, published, day) if text and published is not None else text
