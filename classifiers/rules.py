"""The office-editable rules (topics.yaml): loading, validating and matching, with reasons.

A term is matched on whole syllables of the normalised text (`classifiers.text.normalize`), so "thi"
never fires inside "thiết". A text written without diacritics is matched on folded terms instead
(diacritic-insensitive), and a term written with a capital letter (a place name such as "Anh", "Mỹ")
matches only capitalised text, so "anh" (brother) or "thẩm mỹ" do not make a story foreign.

Matching is a dictionary look-up of the text's syllable n-grams that start with a known first syllable:
one pass over the text whatever the number of terms, which keeps the whole stage fast.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import yaml

from classifiers.text import fold, has_diacritics, nfc, normalize, retone, syllables
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


@dataclass
class Matches:
    hits: list[Hit] = field(default_factory=list)

    def for_group(self, group: str) -> list[Hit]:
        return [h for h in self.hits if h.group == group]

    def score(self, group: str, field_weights: dict[str, float]) -> float:
        """Evidence for a group: each distinct term counts once, at its strongest field."""
        best: dict[str, float] = {}
        for h in self.hits:
            if h.group == group:
                w = h.weight * field_weights.get(h.field, 0.0)
                if w > best.get(h.term, 0.0):
                    best[h.term] = w
        return sum(best.values())

    def terms(self, group: str) -> list[str]:
        seen: dict[str, str] = {}
        for h in self.hits:
            if h.group == group and h.term not in seen:
                seen[h.term] = h.field
        return [f"{t} ({f})" for t, f in seen.items()]


def squash(score: float) -> float:
    """Map summed term evidence to 0-1: one strong term ≈ 0.63, two ≈ 0.86."""
    return 1.0 - math.exp(-max(score, 0.0))


class _Index:
    """n-gram dictionaries for one set of (group, term, weight) entries."""

    def __init__(self) -> None:
        self.exact: dict[tuple[str, ...], list[tuple[str, str, float]]] = {}
        self.folded: dict[tuple[str, ...], list[tuple[str, str, float]]] = {}
        self.cased: dict[tuple[str, ...], list[tuple[str, str, float]]] = {}
        self.cased_folded: dict[tuple[str, ...], list[tuple[str, str, float]]] = {}
        self.maxlen = 1

    def add(self, group: str, term: str, weight: float) -> None:
        written = retone(nfc(term)).strip()
        cased = any(ch.isupper() for ch in written)
        key = tuple(syllables(written if cased else written.lower()))
        if not key:
            return
        entry = (group, term, weight)
        (self.cased if cased else self.exact).setdefault(key, []).append(entry)
        fkey = tuple(fold(k) for k in key)
        (self.cased_folded if cased else self.folded).setdefault(fkey, []).append(entry)
        self.maxlen = max(self.maxlen, len(key))

    def firsts(self, table) -> frozenset[str]:
        return frozenset(k[0] for k in table)

    def freeze(self) -> None:
        self._firsts = {id(t): self.firsts(t) for t in (self.exact, self.folded, self.cased, self.cased_folded)}

    def scan(self, toks: list[str], table, fieldname: str, out: list[Hit]) -> None:
        firsts = self._firsts[id(table)]
        n = len(toks)
        maxlen = self.maxlen
        for i, t in enumerate(toks):
            if t not in firsts:
                continue
            for L in range(1, min(maxlen, n - i) + 1):
                found = table.get(tuple(toks[i:i + L]))
                if found:
                    for group, term, weight in found:
                        out.append(Hit(group, term, fieldname, weight))


@dataclass(frozen=True)
class ScopeRules:
    cities: dict  # city name -> {"aliases": [...], "districts": [...]}
    not_local_alone: tuple[str, ...]
    foreign: tuple[str, ...]
    domestic: tuple[str, ...]


class RuleSet:
    """The parsed rules file plus its matcher. Immutable after loading."""

    def __init__(self, path: Path, data: dict, sha256: str) -> None:
        self.path = path
        self.sha256 = sha256
        self.field_weights: dict[str, float] = {f: float(w) for f, w in (data.get("fields") or {}).items()}
        edu = data.get("education") or {}
        self.education = Group("edu", "education", edu.get("description", ""), _terms(edu.get("terms")),
                               tuple(edu.get("exclusions") or ()))
        self.topics: tuple[Group, ...] = tuple(
            Group(t["id"], t.get("name", ""), t.get("description", ""), _terms(t.get("terms")), tuple(t.get("exclusions") or ()))
            for t in data["topics"]
        )
        self.hot: tuple[Group, ...] = tuple(
            Group(h["id"], h.get("name", ""), "", _terms(h.get("terms"))) for h in (data.get("hot") or ())
        )
        sent = data.get("sentiment") or {}
        self.negative = Group("neg", "negative", "", _terms(sent.get("negative")))
        self.positive = Group("pos", "positive", "", _terms(sent.get("positive")))
        sc = data.get("scope") or {}
        self.scope = ScopeRules(
            cities=sc.get("cities") or {}, not_local_alone=tuple(sc.get("not_local_alone") or ()),
            foreign=tuple(sc.get("foreign") or ()), domestic=tuple(sc.get("domestic") or ()),
        )
        self.topic_ids: tuple[str, ...] = tuple(t.id for t in self.topics)
        self.hot_ids: tuple[str, ...] = tuple(h.id for h in self.hot)
        self._index = _Index()
        for term, w in self.education.terms:
            self._index.add("edu", term, w)
        for term in self.education.exclusions:
            self._index.add("edu-x", term, 1.0)
        for t in self.topics:
            for term, w in t.terms:
                self._index.add(f"topic:{t.id}", term, w)
            for term in t.exclusions:
                self._index.add(f"x:{t.id}", term, 1.0)
        for h in self.hot:
            for term, w in h.terms:
                self._index.add(f"hot:{h.id}", term, w)
        for term, w in self.negative.terms:
            self._index.add("neg", term, w)
        for term, w in self.positive.terms:
            self._index.add("pos", term, w)
        for term in self.scope.foreign:
            self._index.add("foreign", term, 1.0)
        for term in self.scope.domestic:
            self._index.add("domestic", term, 1.0)
        self._index.freeze()

    # ------------------------------------------------------------------ matching

    def match_fields(self, fields: Iterable[tuple[str, str]], extra: "_Index | None" = None) -> Matches:
        out: list[Hit] = []
        for name, text in fields:
            if not text:
                continue
            if name == "body":
                text = text[:BODY_CHARS]
            cased = syllables(retone(nfc(text)))
            lowered = [t.lower() for t in cased]
            accented = has_diacritics(text)
            for index in (self._index, extra) if extra is not None else (self._index,):
                if accented:
                    index.scan(lowered, index.exact, name, out)
                    index.scan(cased, index.cased, name, out)
                else:
                    index.scan([fold(t) for t in lowered], index.folded, name, out)
                    index.scan([fold(t) for t in cased], index.cased_folded, name, out)
        return Matches(out)

    def topic_scores(self, m: Matches) -> dict[str, float]:
        scores = {}
        for t in self.topics:
            if m.for_group(f"x:{t.id}"):
                scores[t.id] = 0.0
            else:
                scores[t.id] = squash(m.score(f"topic:{t.id}", self.field_weights))
        return scores

    def hot_scores(self, m: Matches) -> dict[str, float]:
        return {h.id: squash(m.score(f"hot:{h.id}", self.field_weights)) for h in self.hot}


def _terms(raw) -> tuple[tuple[str, float], ...]:
    if not raw:
        return ()
    if isinstance(raw, dict):
        return tuple((str(k), float(v)) for k, v in raw.items())
    return tuple((str(k), 1.0) for k in raw)


def _validate(data, path: Path) -> list[str]:
    problems: list[str] = []
    if not isinstance(data, dict):
        return ["the file must be a mapping with keys fields, education, topics, hot, sentiment, scope"]
    topics = data.get("topics")
    if not isinstance(topics, list) or not topics:
        return ["topics: must be a list of topics, each with id, name, terms"]
    seen = set()
    for i, t in enumerate(topics):
        if not isinstance(t, dict) or not t.get("id"):
            problems.append(f"topics[{i}]: needs an id (one of the ids in topics.md)")
            continue
        if t["id"] in seen:
            problems.append(f"topics[{i}].id: duplicate id {t['id']!r}")
        seen.add(t["id"])
        terms = t.get("terms")
        if terms is not None and not isinstance(terms, (dict, list)):
            problems.append(f"topics[{i}].terms: write 'term: weight' lines (weight 0-1) or a list of terms")
        if isinstance(terms, dict):
            for k, v in terms.items():
                if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 3:
                    problems.append(f"topics[{i}] ({t['id']}).terms.{k}: weight must be a number 0-3, e.g. 0.8; got {v!r}")
    for key in ("fields",):
        if key in data and not isinstance(data[key], dict):
            problems.append(f"{key}: must map title/sapo/body to a weight")
    return problems


def load_rules(path: str | Path | None = None) -> RuleSet:
    """Read and check a rules file (default: the one shipped beside this module)."""
    p = Path(path) if path else DEFAULT_RULES_PATH
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise InputError(f"rules file {p} cannot be read ({exc.strerror or exc})",
                         hint="pass --rules PATH to an existing topics.yaml") from None
    try:
        data = yaml.safe_load(raw.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise InputError(f"rules file {p} is not valid YAML{where}",
                         hint="check the indentation and quoting there (a term with ':' needs quotes)") from None
    problems = _validate(data, p)
    if problems:
        raise InputError(f"rules file {p} has {len(problems)} problem(s):\n" + "\n".join(f"  - {x}" for x in problems),
                         hint="fix them and run `monitor rules test` again")
    return RuleSet(p.resolve(), data, hashlib.sha256(raw).hexdigest())


def make_index(entries: Iterable[tuple[str, str, float]]) -> _Index:
    """An extra index (e.g. the office's own place names) scanned together with the rules."""
    idx = _Index()
    for group, term, weight in entries:
        idx.add(group, term, weight)
    idx.freeze()
    return idx
