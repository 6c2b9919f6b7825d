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

Folding merges syllables that differ only by their marks ("lạm" and "làm", "thu" and "thứ"), and a
Vietnamese word is two syllables, so a folded AND of "lam" and "thu" finds "làm thêm … thứ hai". A word
typed *with* diacritics therefore means those words (exact_rank): the folded index finds the candidates,
then each word or phrase must appear as typed (one tone placement, any case), and the articles holding
the words typed together as that exact phrase come first. A query typed without any mark matches any
marks: "lạm thu" is exact, "lam thu" loose. A query of plain words (no quotes, OR, -word or word*) needs them next
to each other in the order typed when it is read without marks (together_query): typed without, and as the
fallback of one typed with marks that nothing matches as typed; "lam thu" finds "lạm thu", not "làm … thứ".
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from classifiers.text import OLD_TONE_PAIRS, fold, nfc, nfc_already, normalize, retone

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


def together_query(text: str) -> str | None:
    """The FTS5 expression of a query's words standing next to each other in the order typed (folded, as a quoted
    phrase), when it is two or more words and nothing else: no quotes, OR, -word or word*. Folded, "lam" and "thu"
    apart are "làm … thứ" in almost any long article, so a plain query's words must stand together ("lam thu" is
    "lạm thu", "Lạm-thu") when typed without marks, or typed with them and nothing matches as typed (the fallback);
    whoever writes an operator says what they mean (each word quoted, '"lam" "thu"', finds them anywhere). None
    otherwise."""
    words: list[str] = []
    for m in _TOKEN.finditer(text or ""):
        bare = m.group(2)
        if bare is None or bare == "OR" or (bare.startswith("-") and len(bare) > 1):
            return None
        for w in _words(bare):
            if w.endswith("*"):
                return None
            words.append(w)
    return _quote(" ".join(words)) if len(words) > 1 else None


# what may stand between two words typed together: spaces (not a line: title, sapo and body are apart) and hyphens or
# underscores ("lạm-thu", "lạm_thu"); not a comma or full stop, which the index's phrase steps over ("vừa làm, thu
# nhập" is no "lam thu")
_TOGETHER_GAP = r"(?:[^\S\n]|[-\u2010_])+"


def together_ranker(query: str):
    """For together_query's matches, a text's tier as exact_ranker gives it: 0 when the query's words (folded) stand
    together in the text without punctuation between them, else None."""
    words = _words(query)
    first = re.escape(words[0])
    pattern = re.compile(first + r"(?<![^\W_]" + first + ")" + "".join(_TOGETHER_GAP + re.escape(w) for w in words[1:])
                         + r"(?![^\W_])")
    return lambda text: 0 if pattern.search(fold(_key(text))) else None


def apart_hint(text: str) -> str:
    """The query with each of its words quoted and folded: found anywhere in an article, in any order, any marks."""
    return " ".join(f'"{w}"' for w in _words(text))


def highlight_terms(text: str) -> list[str]:
    """Folded words of a query, for marking matches in a snippet."""
    q = parse_query(text)
    return [w for g in q.groups for t in g for w in t.rstrip("*").split()]


def _pattern(words: list[str], prefix: bool = False) -> re.Pattern:
    """Whole words in a row, anything but letters and digits between them; the last one a word beginning if `prefix`.

    The word boundary before the first word is checked after it (a lookbehind over that word and the character
    before it), so that the pattern starts with the word itself, which `re` scans for at C speed: led by the
    lookbehind, it tried a match at every character, twenty times slower over a page of 5,000 texts."""
    first = re.escape(words[0])
    body = first + r"(?<![^\W_]" + first + ")" + "".join(r"[\W_]+" + re.escape(w) for w in words[1:])
    return re.compile(body + ("" if prefix else r"(?![^\W_])"))


@dataclass(frozen=True)
class _Term:
    text: str  # as typed, normalised (lower case, one tone placement)
    pattern: re.Pattern
    exact: bool  # matched against the text with its diacritics (typed with marks), else against the folded text


@dataclass(frozen=True)
class _ExactGroup:
    terms: tuple[_Term, ...]
    phrase: re.Pattern | None  # the unquoted words typed together, as an exact phrase (ranking only)


def _marked(word: str) -> bool:
    return fold_text(word) != normalize(word)


def _exact_groups(text: str) -> list[_ExactGroup]:
    """The query as parse_query reads it, each term kept as typed. A group (the words between two ORs) typed with
    diacritics (any word outside the exclusions has a mark: an input method was on) has every term exact, its
    unmarked words too ("thu" is then "thu", not "thứ"); typed without, every term matches the folded text, as
    the index does."""
    groups: list[tuple[list[tuple[list[str], bool]], list[str]]] = [([], [])]
    for m in _TOKEN.finditer(text or ""):
        phrase, bare = m.group(1), m.group(2)
        if phrase is not None:
            words = [w.rstrip("*") for w in _WORD.findall(normalize(phrase))]
            if words:
                groups[-1][0].append((words, False))
            continue
        if bare == "OR":
            if groups[-1][0]:
                groups.append(([], []))
            continue
        if bare.startswith("-") and len(bare) > 1:
            continue  # exclusions stay folded (the FTS expression applies them)
        for w in _WORD.findall(normalize(bare)):
            groups[-1][0].append(([w.rstrip("*")], w.endswith("*")))
            groups[-1][1].append(w.rstrip("*"))
    out = []
    for terms, words in groups:
        # each OR group on its own: "Long Bien OR Hà Đông" is a loose group and an exact one
        exact = any(_marked(w) for ws, _ in terms for w in ws)
        if terms:
            out.append(_ExactGroup(
                tuple(_Term(" ".join(ws) + "*" * prefix, _pattern(ws if exact else [fold(w) for w in ws], prefix), exact)
                      for ws, prefix in terms),
                _pattern(words) if exact and len(words) > 1 else None))
    return out


def exact_terms(query: str) -> list[str]:
    """The words and phrases that must appear as typed: all of them when the query has diacritics, else none."""
    return [t.text for g in _exact_groups(query) for t in g.terms if t.exact]


def has_marks(query: str) -> bool:
    """Whether the query (outside exclusions) was typed with diacritics, so that it matches exactly."""
    return any(t.exact for g in _exact_groups(query) for t in g.terms)


def exact_rank(query: str, text: str) -> int | None:
    """How an article (its title, sapo and body as `text`) matches a query typed with diacritics: 0 when a group's
    words typed together appear as that exact phrase (or the group has no such phrase), 1 when they appear only
    apart, None when no group matches with the marks typed (the folded index found it through other words)."""
    return exact_ranker(query)(text)


def _key(text: str) -> str:
    """normalize(nfc(text)), reading the text fewer times: normalize's own nfc leaves nfc's output as it is unless
    an escaped character reference is left in it (a third level of escaping, "&amp;amp;nbsp;")."""
    once = nfc(text or "")
    return normalize(once) if "&" in once else retone(once).lower()


def _spellings(word: str, prefix: bool) -> tuple[str, ...]:
    """What the lower-cased text must hold where `word` (normalised) is in its normalised form: the word itself, or
    with any of its tone marks where the old placement put them ("hòa" was "hoà"). A word beginning that ends on
    the first vowel of such a pair ("hò*", "hòa" written "hoà") is looked for without that vowel."""
    if prefix and any(p.startswith(word[-1:]) for p in OLD_TONE_PAIRS):
        word = word[:-1]
    spots = [j for j in range(len(word) - 1) if word[j:j + 2] in OLD_TONE_PAIRS]
    out = []
    for chosen in itertools.product((False, True), repeat=len(spots)):
        w = word
        for j, old in zip(spots, chosen):
            if old:
                w = w[:j] + OLD_TONE_PAIRS[w[j:j + 2]] + w[j + 2:]
        out.append(w)
    return tuple(out)


def _needed(groups: list[_ExactGroup]):
    """A test of a text, cheaper than normalising it, that is false only when no group can match it as typed: each
    group typed with diacritics needs each of its words in the text, lower-cased, in one of its spellings. None when
    a group is loose (the folded text decides)."""
    if not groups or not all(t.exact for g in groups for t in g.terms):
        return None
    needs = [[_spellings(w, t.text.endswith("*") and k == len(ws) - 1)
              for t in g.terms for ws in [t.text.rstrip("*").split()] for k, w in enumerate(ws)] for g in groups]
    if any(not s for g in needs for sp in g for s in sp):  # a word of one vowel, its beginning is nothing
        return None

    def may_match(text: str) -> bool:
        # only a text whose normalised form is its lower case, character for character: no character reference to
        # decode, no invisible character to drop, already NFC (retone only moves marks within a pair of letters)
        if not nfc_already(text):
            return True
        low = text.lower()
        if len(low) != len(text):
            return True
        return any(all(any(s in low for s in sp) for sp in g) for g in needs)

    return may_match


def exact_ranker(query: str):
    """exact_rank for one query over many texts: the query read once, and a text folded only when a group typed
    without marks needs it (search checks thousands of a year's articles against one query). A text without the
    words typed is told apart first without being normalised: a word like "ngươi", whose folded form is mostly
    another word ("người"), has thousands of candidates and a few matches."""
    groups = _exact_groups(query)
    needs_folded = any(not t.exact for g in groups for t in g.terms)
    may_match = _needed(groups)

    def rank(text: str) -> int | None:
        if may_match is not None and not may_match(text):
            return None
        key = _key(text)
        folded = fold(key) if needs_folded else key
        best = None
        for g in groups:
            if all(t.pattern.search(key if t.exact else folded) for t in g.terms):
                tier = 0 if g.phrase is None or g.phrase.search(key) else 1
                best = tier if best is None else min(best, tier)
        return best

    return rank


def snippet(text: str, query: str, width: int = 160) -> str:
    """The passage of `text` around the first word of `query` it contains (diacritics-insensitive, though a
    word typed with diacritics is looked for with them first), or ''."""
    original = " ".join(nfc(text or "").split())
    folded = fold_text(original)
    if len(folded) != len(original):  # a case mapping changed the length: no safe way to map back
        return ""
    q = parse_query(query)
    # the words typed with diacritics, as typed (the exact phrase first), then
    # the words in the order typed (a phrase beats a lone common word like "học"), then each term
    marked = [p for g in _exact_groups(query) for p in ([g.phrase] if g.phrase else []) + [t.pattern for t in g.terms if t.exact]]
    key = normalize(original)
    candidates = [" ".join(t.rstrip("*") for t in g) for g in q.groups] + [t.rstrip("*") for g in q.groups for t in g]
    candidates += highlight_terms(query)
    found = [(p, key) for p in marked] if len(key) == len(original) else []
    found += [(re.compile(r"(?<![^\W_])" + re.escape(term)), folded) for term in dict.fromkeys(candidates)]
    for pattern, haystack in found:
        m = pattern.search(haystack)
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
