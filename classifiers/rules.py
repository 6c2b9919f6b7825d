"""The office-editable rules (topics.yaml): loading, validating and matching, with reasons.

A term is matched on whole syllables of the normalised text (`classifiers.text.normalize`), so "thi"
never fires inside "thiết". A text written without diacritics is matched on folded terms instead
(diacritic-insensitive) where that is unambiguous: terms of two or more syllables and words no Vietnamese
syllable folds to ("covid"); other one-syllable terms only on a syllable the writer did mark (see
`_Index.add` and `RuleSet.match_prepared`). A term written with a capital letter (a place name such as
"Anh", "Mỹ") matches only capitalised text, so "anh" (brother) or "thẩm mỹ" do not make a story foreign.

Matching is a dictionary look-up of the text's syllable n-grams that start with a known first syllable:
one pass over the text whatever the number of terms, which keeps the whole stage fast. An office's place name
never matches across punctuation that ends a clause or sentence (`BREAK`): "an sinh xã hội, an ninh" does not
name "Hội An" (the plan's rule terms match as the trained models learnt them).
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import yaml

from classifiers.text import ACCENTED_SHARE, fold, marked_share, nfc, retone, syllables, vietnamese_shaped
from monitor.config import duplicate_key_problems, load_yaml, tab_fix
from monitor.errors import InputError

DEFAULT_RULES_PATH = Path(__file__).with_name("topics.yaml")
FIELDS = ("title", "sapo", "body")
BODY_CHARS = 4000  # the lead of the body carries the topic; the rest adds time, not signal


@dataclass(frozen=True)
class Group:
    """A named list of weighted terms: a topic, a hot category, a cue list."""

    id: str
    name: str = ""
    description: str = ""
    terms: tuple[tuple[str, float], ...] = ()  # (term as written, weight)
    exclusions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    group: str  # "topic:tuyen-sinh", "edu", "hot:bao-luc", "neg", "pos", "foreign", ...
    term: str  # as written in the rules file
    field: str  # title | sapo | body
    weight: float
    at: int = 0  # the syllable of its field the term starts at (classifiers.scope reads the body's lead by it)


class Matches:
    """The hits of one article, aggregated once per group: each distinct term at its strongest field."""

    def __init__(self, hits: list[Hit], field_weights: dict[str, float]) -> None:
        self.hits = hits
        self.field_weights = field_weights
        groups: dict[str, dict[str, tuple[str, float]]] = {}
        for h in hits:
            terms = groups.setdefault(h.group, {})
            w = h.weight * field_weights.get(h.field, 0.0)
            if h.term not in terms:
                terms[h.term] = (h.field, w)
            elif w > terms[h.term][1]:
                terms[h.term] = (terms[h.term][0], w)
        self._groups = groups

    def groups(self) -> dict[str, dict[str, tuple[str, float]]]:
        """group -> term -> (field of first mention, strongest weighted evidence)."""
        return self._groups

    def has(self, group: str) -> bool:
        return group in self._groups

    def count(self, group: str) -> int:
        return sum(1 for h in self.hits if h.group == group)

    def score(self, group: str) -> float:
        """Evidence for a group: each distinct term counts once, at its strongest field."""
        g = self._groups.get(group)
        return sum(w for _, w in g.values()) if g else 0.0

    def terms(self, group: str) -> list[str]:
        """'term (field of first mention)' for each distinct term of the group, in text order."""
        g = self._groups.get(group)
        return [f"{t} ({f})" for t, (f, _) in g.items()] if g else []


def squash(score: float) -> float:
    """Map summed term evidence to 0-1: one strong term ≈ 0.63, two ≈ 0.86."""
    return 1.0 - math.exp(-max(score, 0.0))


def _case_variants(key: tuple[str, ...]) -> set[tuple[str, ...]]:
    """A capitalised term as written, with its lowercase words capitalised too ("Phường Bồ Đề" opening a
    sentence), and in capitals (an all-caps headline)."""
    variants = {key, tuple(k.upper() for k in key)}
    lower = [i for i, k in enumerate(key) if k.islower()]
    for mask in range(1, 2 ** min(len(lower), 3)):
        v = list(key)
        for bit, i in enumerate(lower[:3]):
            if mask >> bit & 1:
                v[i] = v[i].capitalize()
        variants.add(tuple(v))
    return variants


# "sinh viên" (a university student) is one word: a term ending in "sinh" (nam sinh, nữ sinh: a pupil) must not
# match inside "nam sinh viên", and the models read it as one token (classifiers.features.join_student), or a
# student in crime news would count as a schoolchild. Sets of the written forms rather than .lower() calls:
# the check sits in the matcher's inner loop.
STUDENT_FIRST = frozenset({"sinh", "Sinh", "SINH"})
STUDENT_SECOND = frozenset({"viên", "vien", "Viên", "Vien", "VIÊN", "VIEN"})


class _Index:
    """n-gram dictionaries for one set of (group, term, weight) entries."""

    def __init__(self) -> None:
        self.bounded: frozenset[str] = frozenset()  # groups whose terms never span clause punctuation
        # the terms naming the office's district itself (classifiers.scope.build_scope_index, judge_scope)
        self.district_terms: frozenset[str] = frozenset()
        # the city's terms naming a place below its province, which another province may have too ("Sơn Tây")
        self.city_places: frozenset[str] = frozenset()
        # the office's watchlist entries each of its place terms names (build_scope_index, watchlist_named)
        self.watchlist_terms: dict[str, tuple[str, ...]] = {}
        self.watchlist: tuple[str, ...] = ()  # the entries in the order feeds.yaml lists them
        # Terms scanned only for a text whose hits call for them (LazyTerms: classifiers.scope's guards of the
        # other provinces' names), kept out of this index because building them costs more than they are used
        self.lazy: "LazyTerms | None" = None
        self.exact: dict[tuple[str, ...], list[tuple[str, str, float]]] = {}
        self.folded: dict[tuple[str, ...], list[tuple[str, str, float]]] = {}
        self.cased: dict[tuple[str, ...], list[tuple[str, str, float]]] = {}
        self.cased_folded: dict[tuple[str, ...], list[tuple[str, str, float]]] = {}

    def add(self, group: str, term: str, weight: float, cased_only: bool = False) -> None:
        written = retone(nfc(term)).strip()
        cased = any(ch.isupper() for ch in written)
        key = tuple(syllables(written if cased else written.lower()))
        if not key:
            return
        entry = (group, term, weight)
        # Folded forms only where they are unambiguous. Folding merges up to a dozen Vietnamese syllables
        # (tát/tất/tạt -> tat, sập/sắp -> sap, cháy/chạy -> chay, sởi/soi -> soi), so one folded syllable names
        # no word, while a neighbour fixes the reading: "tat ca" can only be "tất cả". So: terms of two or more
        # syllables, and one-syllable terms that no Vietnamese word folds to, being of another shape ("covid",
        # "Singapore", "2030") or an acronym ("AI"). Other one-syllable terms still match unmarked text where
        # the writer marked that syllable (RuleSet.match_prepared).
        fold_ok = len(key) >= 2 or not vietnamese_shaped(key[0]) or (len(key[0]) > 1 and key[0].isupper())
        if not cased:
            self.exact.setdefault(key, []).append(entry)
            if fold_ok:
                self.folded.setdefault(tuple(fold(k) for k in key), []).append(entry)
        else:
            for variant in _case_variants(key):
                self.cased.setdefault(variant, []).append(entry)
                if fold_ok:
                    self.cased_folded.setdefault(tuple(fold(k) for k in variant), []).append(entry)
            if len(key) >= 2 and not cased_only:
                # typed without diacritics, names are often lowercase too; two syllables are specific enough
                self.folded.setdefault(tuple(fold(k.lower()) for k in key), []).append(entry)

    def freeze(self) -> None:
        # first syllable -> the term lengths starting with it: a token that starts no term costs one look-up
        self._starts = {}
        for table in (self.exact, self.folded, self.cased, self.cased_folded):
            starts: dict[str, tuple[int, ...]] = {}
            for key in table:
                starts[key[0]] = tuple(sorted(set(starts.get(key[0], ())) | {len(key)}))
            self._starts[id(table)] = starts

    def scan(self, toks: list[str], table, fieldname: str, out: list[Hit], only_at=None,
             breaks: frozenset[int] = frozenset()) -> None:
        """Append the hits of `table` in `toks`; with `only_at`, one-syllable hits only at those positions
        and no longer ones (see RuleSet.match_prepared); no hit spans a token index of `breaks` (a clause or
        sentence starts there: Prepared.breaks)."""
        starts = self._starts[id(table)]
        n = len(toks)
        for i, t in enumerate(toks):
            lengths = starts.get(t)
            if lengths is None:
                continue
            for L in lengths:
                if i + L > n:
                    break
                found = table.get(tuple(toks[i:i + L])) if L > 1 else table.get((t,))
                if found and toks[i + L - 1] in STUDENT_FIRST and i + L < n and toks[i + L] in STUDENT_SECOND:
                    continue  # "nam sinh" inside "nam sinh viên": see STUDENT_FIRST
                if found and only_at is not None and (L > 1 or not only_at[i]):
                    continue
                if found and breaks and L > 1 and any(k in breaks for k in range(i + 1, i + L)):
                    # only the office's place names stop at punctuation: the plan's rule terms feed the trained
                    # models, which learnt them matched as they always were
                    found = [f for f in found if f[0] not in self.bounded]
                if found:
                    for group, term, weight in found:
                        out.append(Hit(group, term, fieldname, weight, i))


class LazyTerms:
    """Entries kept out of an index (`_Index.lazy`: classifiers.scope's guards of the other provinces' names) and
    matched only in a text whose hits `wanted` says need them, each of `groups` (words every entry of the group
    holds, its entries) only when the text holds those words' syllables: an entry matches nowhere else, so the
    hits are those the entries would have had in the index itself (after its own hits). The few groups a text
    may match are indexed on demand, in a small index kept for the next text naming the same ones."""

    def __init__(self, rules: "RuleSet", groups: list[tuple[str, list[tuple[str, str, float]]]], wanted) -> None:
        self._rules, self.wanted = rules, wanted
        self._groups = [(_syllable_set(words), g) for words, g in groups if g]
        self._indexes: dict[tuple[int, ...], _Index] = {}

    def index_for(self, fields: list[tuple[str, "Prepared"]]) -> "_Index | None":
        # a term's syllable matches a text's as written, in another case or folded (_Index.add): compared folded
        text = {fold(t).lower() for _, p in fields for t in p.cased}
        chosen = tuple(i for i, (needed, _) in enumerate(self._groups) if needed <= text)
        if not chosen:
            return None
        if chosen not in self._indexes:
            if len(self._indexes) >= 256:
                self._indexes.clear()
            self._indexes[chosen] = self._rules.index_with([e for i in chosen for e in self._groups[i][1]],
                                                           rules_too=False)
        return self._indexes[chosen]


def _syllable_set(term: str) -> frozenset[str]:
    return frozenset(fold(k).lower() for k in syllables(retone(nfc(term)).strip()))


@dataclass(frozen=True)
class Prepared:
    """One field's text, normalised once and shared by rule matching and the model features."""

    cased: list[str]  # syllables, NFC + one tone placement, case kept
    lowered: list[str]
    accented: bool  # written with diacritics: classifiers.text.ACCENTED_SHARE of the syllables marked
    breaks: frozenset[int] = frozenset()  # indices of the syllables that follow clause or sentence punctuation


# Punctuation that ends a clause or a sentence: no place name is matched across it ("xã hội, An ninh" is no "xã Hội An",
# "gia đình và xã hội. An toàn" neither). A full stop after one to three capitals is an abbreviation's, part of
# the name that follows ("P. Sài Đồng", "TT.Sông Đốc", "TP.HCM"); one between digits is a number's ("1.000").
# Hyphens, slashes and "&" join ("Bà Rịa-Vũng Tàu", "GD&ĐT").
BREAK = re.compile(r"[,;:!?…()\[\]{}\"“”«»|–—\n]|\.(?<!\b[A-ZĐ]\.)(?<!\b[A-ZĐ]{2}\.)(?<!\b[A-ZĐ]{3}\.)(?!\d)")


def prepare(text: str, name: str = "") -> Prepared:
    if name == "body":
        text = text[:BODY_CHARS]
    norm = retone(nfc(text))
    parts = BREAK.split(norm)
    if len(parts) == 1:
        cased, breaks = syllables(norm), frozenset()
    else:
        # the same syllables as syllables(norm) (the punctuation split on is no part of a syllable), and where
        # each clause starts
        cased, starts = [], []
        for part in parts:
            starts.append(len(cased))
            cased.extend(syllables(part))
        breaks = frozenset(starts[1:]) - {0, len(cased)}
    return Prepared(cased, [t.lower() for t in cased], marked_share(cased) >= ACCENTED_SHARE, breaks)


@dataclass(frozen=True)
class ScopeRules:
    cities: dict  # city name -> {"aliases": [...], "districts": [...]}
    not_local_alone: tuple[str, ...]
    institutions_before: tuple[str, ...]
    institutions_after: tuple[str, ...]
    foreign: tuple[tuple[str, float], ...]
    domestic: tuple[tuple[str, float], ...]


class RuleSet:
    """The parsed rules file plus its matcher. Immutable after loading."""

    def __init__(self, path: Path, data: dict, sha256: str) -> None:
        self.path = path
        self.sha256 = sha256
        self.field_weights: dict[str, float] = {f: float(w) for f, w in (data.get("fields") or {}).items()}
        edu = data.get("education") or {}
        self.education = Group("edu", "education", edu.get("description") or "", _terms(edu.get("terms")),
                               _words(edu.get("exclusions")))
        self.topics: tuple[Group, ...] = tuple(
            Group(t["id"], t.get("name") or "", t.get("description") or "", _terms(t.get("terms")),
                  _words(t.get("exclusions")))
            for t in data["topics"]
        )
        self.hot: tuple[Group, ...] = tuple(
            Group(h["id"], h.get("name") or "", "", _terms(h.get("terms"))) for h in (data.get("hot") or ())
        )
        sent = data.get("sentiment") or {}
        self.negative = Group("neg", "negative", "", _terms(sent.get("negative")))
        self.positive = Group("pos", "positive", "", _terms(sent.get("positive")))
        sc = data.get("scope") or {}
        self.scope = ScopeRules(
            cities=_cities(sc.get("cities")), not_local_alone=_words(sc.get("not_local_alone")),
            institutions_before=_words(sc.get("institutions_before")),
            institutions_after=_words(sc.get("institutions_after")),
            foreign=_terms(sc.get("foreign")), domestic=_terms(sc.get("domestic")),
        )
        self.topic_ids: tuple[str, ...] = tuple(t.id for t in self.topics)
        self.hot_ids: tuple[str, ...] = tuple(h.id for h in self.hot)
        self._entries: list[tuple[str, str, float]] = []
        add = lambda g, t, w: self._entries.append((g, t, w))  # noqa: E731
        for term, w in self.education.terms:
            add("edu", term, w)
        for term in self.education.exclusions:
            add("edu-x", term, 1.0)
        for t in self.topics:
            for term, w in t.terms:
                add(f"topic:{t.id}", term, w)
            for term in t.exclusions:
                add(f"x:{t.id}", term, 1.0)
        for h in self.hot:
            for term, w in h.terms:
                add(f"hot:{h.id}", term, w)
        for term, w in self.negative.terms:
            add("neg", term, w)
        for term, w in self.positive.terms:
            add("pos", term, w)
        for term, w in self.scope.foreign:
            add("foreign", term, w)
        for term, w in self.scope.domestic:
            add("domestic", term, w)
        self._index = self.index_with(())

    # ------------------------------------------------------------------ matching

    def index_with(self, entries: Iterable[tuple[str, str, float]], cased_only: Iterable[str] = (),
                   rules_too: bool = True) -> "_Index":
        """The rules' index plus extra entries (the office's place names), scanned in one pass; without
        `rules_too`, the extra entries alone (the watchlist and story grouping's provinces: classifiers.scope).
        Capitalised terms of the `cased_only` groups do not match in
        lowercase unmarked text (see _Index.add)."""
        idx = _Index()
        for group, term, weight in self._entries if rules_too else ():
            idx.add(group, term, weight)
        cased_only = frozenset(cased_only)
        entries = list(entries)
        for group, term, weight in entries:
            idx.add(group, term, weight, group in cased_only)
        idx.bounded = frozenset(g for g, _, _ in entries)
        idx.freeze()
        return idx

    def match_fields(self, fields: Iterable[tuple[str, str]], index: "_Index | None" = None) -> Matches:
        return self.match_prepared([(name, prepare(text, name)) for name, text in fields if text], index)

    def match_prepared(self, fields: list[tuple[str, "Prepared"]], index: "_Index | None" = None) -> Matches:
        index = index or self._index
        out: list[Hit] = []
        self._scan_fields(fields, index, out)
        if index.lazy is not None and index.lazy.wanted(out):
            extra = index.lazy.index_for(fields)
            if extra is not None:
                self._scan_fields(fields, extra, out)
        return Matches(out, self.field_weights)

    @staticmethod
    def _scan_fields(fields: list[tuple[str, "Prepared"]], index: "_Index", out: list[Hit]) -> None:
        for name, p in fields:
            b = p.breaks
            if p.accented:
                index.scan(p.lowered, index.exact, name, out, breaks=b)
                index.scan(p.cased, index.cased, name, out, breaks=b)
            else:
                # Unmarked text, or one with a few marked words ("… trai quy dinh o Hà Nội"): the folded index
                # (terms of two or more syllables, and one-syllable ones no Vietnamese word folds to) on the
                # folded text, and the other one-syllable terms exactly, only on the syllables the writer
                # marked: "tát" is violence wherever it is written so, "tat" may be "tất".
                folded_cased = [fold(t) for t in p.cased]
                index.scan([t.lower() for t in folded_cased], index.folded, name, out, breaks=b)
                index.scan(folded_cased, index.cased_folded, name, out, breaks=b)
                marks = [not t.isascii() for t in p.cased]
                if any(marks):
                    index.scan(p.lowered, index.exact, name, out, only_at=marks)
                    index.scan(p.cased, index.cased, name, out, only_at=marks)

    def topic_scores(self, m: Matches) -> dict[str, float]:
        scores = {}
        for t in self.topics:
            scores[t.id] = 0.0 if m.has(f"x:{t.id}") else squash(m.score(f"topic:{t.id}"))
        return scores


def _terms(raw) -> tuple[tuple[str, float], ...]:
    if not raw:
        return ()
    if isinstance(raw, dict):
        return tuple((str(k), float(v)) for k, v in raw.items())
    return tuple((str(k), 1.0) for k in raw)


def _words(raw) -> tuple[str, ...]:
    """A list of words or names as written (a number is read as its digits, as a term is)."""
    return tuple(str(x) for x in raw or ())


def _cities(raw) -> dict:
    """scope.cities with every entry a mapping of lists of names: an entry or a list written empty is none."""
    return {str(name): {key: list(_words(names)) for key, names in (cfg or {}).items()}
            for name, cfg in (raw or {}).items()}


def load_rules(path: str | Path | None = None) -> RuleSet:
    """Read and check a rules file (default: the one shipped beside this module)."""
    p = Path(path) if path else DEFAULT_RULES_PATH
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise InputError(f"không đọc được tệp quy tắc {p}: {exc.strerror or exc}",
                         hint="chỉ --rules PATH tới một tệp topics.yaml có thật") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise InputError(f"tệp quy tắc {p} không phải văn bản UTF-8 (byte {raw[exc.start]:#04x} ở dòng {line})",
                         hint="lưu lại tệp dạng UTF-8 (trong hầu hết trình soạn thảo: Save As, chọn encoding UTF-8)"
                         ) from None
    try:
        data, duplicates = load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" ở dòng {mark.line + 1}, cột {mark.column + 1}" if mark else ""
        raise InputError(f"tệp quy tắc {p} không phải YAML hợp lệ{where}",
                         hint=tab_fix(exc, text) or "kiểm tra thụt lề và dấu ngoặc kép ở chỗ đó (từ khóa có dấu ':' "
                                                    "phải đặt trong ngoặc kép)") from None
    from classifiers.rules_check import problems_of  # it reads this module's FIELDS

    problems = [str(d) for d in duplicate_key_problems(duplicates)] + problems_of(data)
    if problems:
        raise InputError(f"tệp quy tắc {p} có {len(problems)} lỗi:\n" + "\n".join(f"  - {x}" for x in problems),
                         hint="sửa các lỗi đó rồi chạy lại `monitor rules test`")
    return RuleSet(p.resolve(), data, hashlib.sha256(raw).hexdigest())


