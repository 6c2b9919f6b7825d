"""Near-duplicates and story grouping: which articles, across outlets, are about the same event.

Vietnamese outlets reprint each other (a third of the news or more) and rewrite each other's scoops, so
two signals are used on the folded (lower-case, diacritics-free) title + sapo:

* reprints: MinHash over character shingles, looked up in an LSH index (NearCopies); a high Jaccard
  similarity means a near-copy, counted once wherever it appears;
* same event, own wording: cosine similarity of TF-IDF vectors over syllables and syllable pairs,
  where the IDF comes from the store's own recent articles, so that names, places and numbers (rare)
  weigh more than the words every education story shares ("học sinh", "nhà trường").

An article joins the story of its most similar earlier-or-nearby member when that similarity reaches
the threshold and the two are within the window (config.alerts.window_hours); otherwise it starts a
story. Thresholds were chosen on hand-labelled pairs (data/labels/reprint-pairs.jsonl,
bench/story_pairs.py). Everything here is pure: the store feeds it documents, triage persists results.

Similarity alone does not join articles placed in different provinces (PLACE_VETO): the press tells each
province's exam plan, tuition decision or school-year opening in the same words, so "Đà Nẵng công bố phương
án tuyển sinh lớp 10" came within the threshold of Hà Nội's, and the story, on a Sở of Đà Nẵng's area, carried
Hà Nội's articles into its report, alerts and clipping. An article naming provinces (title and sapo,
classifiers.scope.provinces_named: "Thủ đô" is Hà Nội, "Hội An" Đà Nẵng) does not join a member naming none of
them, nor a story whose members together name none of them (a third article naming no province does not chain
them). Naming no province leaves it to similarity, and a national story listing several shares one with each.
Triage assigns an article once and keeps it there: the rule applies to articles grouped after it, and a story
stored with members of two provinces keeps them.

A story rated hot takes in, past the window (up to FOLLOW_UP), an article as close as FOLLOW_UP_COSINE to one of
its members: its developments are often told days later in the incident's own words, and each had alerted anew.
"""

from __future__ import annotations

import gc
import math
import re
import zlib
from collections import Counter, defaultdict, deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Container, Iterable

from datasketch import MinHash, MinHashLSH

from classifiers.scope import provinces_named
from classifiers.text import ascii_fold

SHINGLE_CHARS = 5
NUM_PERM = 128
REPRINT_JACCARD = 0.5  # character-shingle Jaccard at which an article is a near-copy of another
SAME_EVENT_COSINE = 0.25  # TF-IDF cosine at which two articles tell the same event (bench/story_pairs.py)
CENTROID = False  # also match against a story's centroid (see bench/story_pairs.py for the measurement)
MIN_SHARED_RARE = 1  # candidates must share at least this many informative tokens
PLACE_VETO = True  # two articles placed in different provinces are not one story by similarity alone (apart())
# A hot incident's developments (the inquiry, the sanction, the verdict) come days after it, often past the alert
# window, and each then opened a story and an alert of its own. An article as close as FOLLOW_UP_COSINE to a member
# of a story triage follows (one rated hot) joins it up to FOLLOW_UP apart (StoryIndex's follow_up and followed).
# On the year's store (bench/story_splits.py, 2026-11-28; 1,066 hot stories): of 100 hot stories read, 23 had a
# hot twin of the same incident, 7 of them a close one (cosine 0.30-0.85) 3-9 days away; the replayed grouping
# makes 1,054 hot stories rather than 1,079, joining 34 pairs of stored hot stories (32 of one incident, 1 debatable,
# 1 wrong: a chain of the same exam's news) by 50 joins past the window, 45 of them read as right, 4 debatable, 1
# wrong. Routine news (admissions, cut-off scores, a tournament) is told on for weeks in words as alike: for any
# story, 183 joins past the window, about 55% of those read right, hence only hot stories are followed.
FOLLOW_UP = timedelta(days=7)
FOLLOW_UP_COSINE = 0.35
# Bounds on the work one article costs grouping, whatever the feeds do. A feed of 500 near-copies under new links
# at every poll piled thousands of copies into the window, each new one compared with every earlier one (500 more
# comparisons per article at each poll, and each poll 8-20 s slower than the last: bench/hostile_stories.py). On
# the real education streams of the labelled pairs' months they cut 107 (and 550) candidate lists and changed no
# story: the same stories, the same pairs grouped (bench/story_pairs.py, 2026-11-27).
MAX_TEXT_CHARS = 2000  # of title + sapo compared (real ones: under 450)
BUCKET_CAP = 16  # members kept in each LSH bucket, the latest
POSTINGS_CAP = 128  # members kept under each rare token, the latest
MAX_NEAR_COPIES = 16  # members checked for a reprint of an article: those in the most of its LSH buckets
MAX_CANDIDATES = 64  # members compared with an article for the same event: those sharing the most rare tokens
# Document frequencies count a group of near-copies once (Idf): texts whose syllables and syllable pairs are this
# alike (Jaccard), each checked against the latest SKETCH_BUCKET texts sharing two of its three smallest token hashes.
NEAR_COPY_TOKENS = 0.7
SKETCH_BUCKET = 4
SKETCH_HEAD = 16  # syllable pairs of a text's start its near-copy sketch is made of

# Function syllables that carry no event identity; dropping them keeps a young store's IDF (few
# documents) from treating "của" or "được" as distinctive.
_STOP = frozenset(
    "va cua la co duoc cho trong voi nhung mot cac da khong nay khi ve tai sau tu den theo de ra vao nam ngay "
    "thang nhu se dang bi tren duoi nen thi ma rat hon con cung moi nhieu it lai neu vi do o hay".split()
)
_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Diacritics-free lower-case words and digits, whatever the input's normal form or tone placement."""
    return _NON_WORD.sub(" ", ascii_fold(text)).strip()


def tokens(text: str) -> list[str]:
    """Syllables (stop syllables dropped) and adjacent syllable pairs of the folded text."""
    syllables, pairs = _token_parts(text)
    return syllables + pairs


def _token_parts(text: str) -> tuple[list[str], list[str]]:
    words = fold(text[:MAX_TEXT_CHARS]).split()
    pairs = [f"{a}_{b}" for a, b in zip(words, words[1:]) if not (a in _STOP and b in _STOP)]
    return [w for w in words if w not in _STOP], pairs


def shingles(text: str, k: int = SHINGLE_CHARS) -> set[str]:
    t = fold(text[:MAX_TEXT_CHARS])
    if len(t) <= k:
        return {t} if t else set()
    return {t[i:i + k] for i in range(len(t) - k + 1)}


_SEEDED = MinHash(num_perm=NUM_PERM)  # its permutations, drawn once: each MinHash drawing them again took half its time


def minhash(shingle_set: Iterable[str]) -> MinHash:
    m = MinHash(num_perm=NUM_PERM, permutations=_SEEDED.permutations, scheme=_SEEDED.scheme)
    m.update_batch([s.encode("utf-8") for s in shingle_set])
    return m


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _near_copy(a: set[str], b: set[str], at_least: float) -> bool:
    """Whether two token sets overlap by `at_least` (Jaccard), their sizes checked first."""
    if min(len(a), len(b)) < at_least * max(len(a), len(b)):
        return False
    common = len(a & b)
    return common >= at_least * (len(a) + len(b) - common)


class Idf:
    """Inverse document frequencies from a background of texts (the store's recent articles).

    Near-copies count once: a text whose tokens are NEAR_COPY_TOKENS alike (Jaccard) with a text already counted
    adds nothing to the document frequencies nor to the number of documents. A feed of hundreds of near-copies at
    every poll (bench/hostile_stories.py) had made its words common and every other word rarer, so that ordinary
    pairs of the same story fell under the threshold while it lasted. Candidates are the texts sharing two of the
    three smallest hashes of a text's tokens (near-copies do), the latest few under each pair checked."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.df: Counter[str] = Counter()
        self.n = 0
        self.near_copies = 0  # texts counted as a copy of an earlier one
        # the sketch keeps a token set per text (30,000 of them for a background): the cycle collector walked them
        # again and again while nothing here can form a cycle, a third of the build's time
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._count(texts)
        finally:
            if collecting:
                gc.enable()

    def _count(self, texts: Iterable[str]) -> None:
        hashes: dict[str, int] = {}
        under: dict[tuple, list[set[str]]] = {}
        for t in texts:
            syllables, pairs = _token_parts(t)
            toks = set(syllables)
            toks.update(pairs)
            # the sketch is of the text's first syllable pairs (its headline's): near-copies share them, they are
            # rarer than single syllables, and hashing every token of every text had doubled the time of a
            # background's counts (1.4 s -> 3.3 s for 30,000 texts)
            head = set(pairs[:SKETCH_HEAD])
            for x in head.difference(hashes):  # (a dict given as it is: looked up, not copied)
                hashes[x] = zlib.crc32(x.encode())
            low = sorted(map(hashes.__getitem__, head))[:3]
            # pairs of the three smallest: a near-copy shares at least two of them, an unrelated text rarely two
            keys = [(low[0], low[1]), (low[0], low[2]), (low[1], low[2])] if len(low) == 3 else [tuple(low)]
            if any(_near_copy(toks, other, NEAR_COPY_TOKENS) for k in keys for other in under.get(k, ())):
                self.near_copies += 1
                continue
            for k in keys:
                bucket = under.get(k)
                if bucket is None:
                    under[k] = [toks]  # most keys hold one text: a list, not a deque, for each of ~90,000
                else:
                    bucket.append(toks)
                    if len(bucket) > SKETCH_BUCKET:
                        del bucket[0]
            self.df.update(toks)
            self.n += 1

    def weight(self, token: str) -> float:
        return math.log((self.n + 1) / (self.df.get(token, 0) + 1)) + 1.0

    def vector(self, text: str) -> dict[str, float]:
        counts = Counter(tokens(text))
        v = {t: (1 + math.log(c)) * self.weight(t) for t, c in counts.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {t: x / norm for t, x in v.items()}

    def rare(self, token: str) -> bool:
        """Informative enough to retrieve candidates with: seen in under 5% of the background (or, in a young store, in a handful of articles)."""
        return self.df.get(token, 0) <= max(10, 0.05 * self.n)


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(t, 0.0) for t, x in a.items())


class NearCopies:
    """MinHash LSH with datasketch's banding for a Jaccard threshold, whose buckets keep their latest members only:
    a query returns at most bands x BUCKET_CAP members, each with the number of bands it shares with the query
    (the more, the likelier a near-copy), however many copies of one text the index holds."""

    def __init__(self, threshold: float, num_perm: int = NUM_PERM, cap: int = BUCKET_CAP) -> None:
        banding = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self.bands, self.rows = banding.b, banding.r
        self.tables: list[dict[bytes, deque[int]]] = [{} for _ in range(self.bands)]
        self.cap = cap

    def _keys(self, m: MinHash) -> list[bytes]:
        hv = m.hashvalues
        return [hv[i * self.rows:(i + 1) * self.rows].tobytes() for i in range(self.bands)]

    def insert(self, key: int, m: MinHash) -> None:
        for table, k in zip(self.tables, self._keys(m)):
            bucket = table.get(k)
            if bucket is None:
                bucket = table[k] = deque(maxlen=self.cap)
            bucket.append(key)

    def query(self, m: MinHash) -> Counter[int]:
        hits: Counter[int] = Counter()
        for table, k in zip(self.tables, self._keys(m)):
            bucket = table.get(k)
            if bucket:
                hits.update(bucket)
        return hits


@dataclass(frozen=True)
class Doc:
    """An article as grouping sees it."""

    article_id: int
    outlet: str
    when: datetime  # published (first seen when unknown)
    text: str  # title + sapo


def article_text(article) -> str:
    """What grouping compares of a stored article: its title and sapo."""
    return f"{article.title} {article.sapo}"


def article_doc(article) -> Doc:
    """A stored article (monitor.models.Article) as grouping sees it."""
    return Doc(article.id, article.outlet, article.when, article_text(article))


@dataclass(frozen=True)
class Match:
    story_id: int
    article_id: int  # the closest member
    similarity: float  # TF-IDF cosine to it
    reprint: bool  # near-copy (character-shingle Jaccard >= REPRINT_JACCARD)
    jaccard: float


class StoryIndex:
    """Members of the stories of a time span, searchable by reprint and by same-event similarity."""

    def __init__(self, idf: Idf, window: timedelta, *, threshold: float = SAME_EVENT_COSINE,
                 reprint_jaccard: float = REPRINT_JACCARD, centroid: bool = CENTROID,
                 places: bool = PLACE_VETO, follow_up: timedelta | None = None,
                 follow_up_cosine: float = FOLLOW_UP_COSINE, followed: Container[int] | None = None) -> None:
        """`follow_up`: how far past `window` a member as close as `follow_up_cosine` still takes an article in
        (FOLLOW_UP), when its story is one of `followed` (None: any story); None keeps every match within
        `window`."""
        self.idf = idf
        self.centroid = centroid
        self.by_place = places
        self.places: dict[int, frozenset[str]] = {}  # the provinces each member names
        self.story_places: dict[int, set[str]] = defaultdict(set)  # those its members name together
        self.vetoed = 0  # candidates within the thresholds that apart() left out
        self.story_sum: dict[int, dict[str, float]] = defaultdict(dict)  # sum of member vectors per story
        self.story_size: Counter[int] = Counter()
        self.window = window
        self.reach = max(window, follow_up) if follow_up is not None else window
        self.follow_up_cosine = follow_up_cosine
        self.followed = followed
        self.threshold = threshold
        self.reprint_jaccard = reprint_jaccard
        self.lsh = NearCopies(reprint_jaccard)
        self.docs: dict[int, Doc] = {}
        self.story: dict[int, int] = {}
        self.vectors: dict[int, dict[str, float]] = {}
        self.shingles: dict[int, set[str]] = {}
        self.postings: dict[str, deque[int]] = defaultdict(lambda: deque(maxlen=POSTINGS_CAP))
        self.compared = 0  # similarities computed by match() (what the bounds above keep in check)
        self.capped = 0  # candidate lists a bound cut short

    def __contains__(self, article_id: int) -> bool:
        return article_id in self.docs

    def add(self, doc: Doc, story_id: int) -> None:
        if doc.article_id in self.docs:
            self.story[doc.article_id] = story_id
            self.story_places[story_id].update(self.places[doc.article_id])
            return
        self.docs[doc.article_id] = doc
        self.story[doc.article_id] = story_id
        self.places[doc.article_id] = named = self._places(doc)
        self.story_places[story_id].update(named)
        vec = self.idf.vector(doc.text)
        self.vectors[doc.article_id] = vec
        acc = self.story_sum[story_id]
        for t, x in vec.items():
            acc[t] = acc.get(t, 0.0) + x
        self.story_size[story_id] += 1
        sh = shingles(doc.text)
        self.shingles[doc.article_id] = sh
        if sh:
            self.lsh.insert(doc.article_id, minhash(sh))
        for t in vec:
            if self.idf.rare(t):
                self.postings[t].append(doc.article_id)

    def _in_window(self, a: Doc, b: Doc) -> bool:
        return abs(a.when - b.when) <= self.window

    def _in_reach(self, doc: Doc, other: int, c: float) -> bool:
        """Whether `doc` and member `other`, of cosine `c`, are near enough in time: within the window, or within the
        follow-up reach when that close and `other`'s story is followed (c=1.0: whether it could be, whatever c)."""
        b = self.docs[other]
        return self._in_window(doc, b) or (c >= self.follow_up_cosine and abs(doc.when - b.when) <= self.reach
                                           and (self.followed is None or self.story[other] in self.followed))

    def _places(self, doc: Doc) -> frozenset[str]:
        return provinces_named(doc.text[:MAX_TEXT_CHARS]) if self.by_place else frozenset()

    def _apart(self, named: frozenset[str], other: int) -> bool:
        """Whether an article naming the provinces `named` is kept from member `other`'s story (apart())."""
        return apart(named, self.places[other]) or apart(named, self.story_places[self.story[other]])

    def _candidates(self, doc: Doc, shared: Counter[int], exclude_story: int | None, most: int,
                    least: int = 1) -> list[int]:
        """The `most` members sharing the most with `doc` (nearest in time first among equals), leaving out itself,
        `exclude_story`'s members and those out of reach (the window; past it, the follow-up reach of a followed
        story, so that other stories' older members do not crowd the list)."""
        eligible = [(-n, abs(doc.when - self.docs[other].when), other) for other, n in shared.items()
                    if n >= least and other != doc.article_id and self.story[other] != exclude_story
                    and self._in_reach(doc, other, 1.0)]
        if len(eligible) > most:
            self.capped += 1
            eligible = sorted(eligible)[:most]
        return [other for *_, other in eligible]

    def match(self, doc: Doc, exclude_story: int | None = None) -> Match | None:
        """The best story for `doc` among indexed members (itself, and the members of `exclude_story`,
        excluded), or None for a new story."""
        vec = self.idf.vector(doc.text)
        sh = shingles(doc.text)
        named = self._places(doc)
        best: Match | None = None
        # near-copies first: a reprint belongs to its original's story whatever the cosine says (but not across
        # provinces: two provinces' notices of one template are near-copies of each other)
        if sh:
            for other in self._candidates(doc, self.lsh.query(minhash(sh)), exclude_story, MAX_NEAR_COPIES):
                self.compared += 1
                j = jaccard(sh, self.shingles[other])
                if j >= self.reprint_jaccard and (best is None or j > best.jaccard):
                    c = cosine(vec, self.vectors[other])
                    if not self._in_reach(doc, other, c):
                        continue
                    if named and self._apart(named, other):
                        self.vetoed += 1
                        continue
                    best = Match(self.story[other], other, c, True, j)
        if best is not None:
            return best
        shared: Counter[int] = Counter()
        for t in vec:
            if self.idf.rare(t):
                for other in self.postings.get(t, ()):
                    shared[other] += 1
        nearest = self._candidates(doc, shared, exclude_story, MAX_CANDIDATES, MIN_SHARED_RARE)
        for other in nearest:
            self.compared += 1
            c = cosine(vec, self.vectors[other])
            if c >= self.threshold and (best is None or c > best.similarity) and self._in_reach(doc, other, c):
                if named and self._apart(named, other):
                    self.vetoed += 1
                    continue
                best = Match(self.story[other], other, c, False, jaccard(sh, self.shingles[other]))
        if best is None and self.centroid:
            # a follow-up often shares a little with each earlier article and more with all of them together
            checked: set[int] = set()
            for other in nearest:
                sid = self.story[other]
                if (not self._in_window(doc, self.docs[other]) or sid in checked or self.story_size[sid] < 2
                        or apart(named, self.story_places[sid])):
                    continue
                checked.add(sid)
                self.compared += 1
                acc = self.story_sum[sid]
                norm = math.sqrt(sum(x * x for x in acc.values())) or 1.0
                c = cosine(vec, acc) / norm
                if c >= self.threshold and (best is None or c > best.similarity):
                    best = Match(sid, other, c, False, jaccard(sh, self.shingles[other]))
        return best

    def similarity(self, a: Doc, b: Doc) -> tuple[float, float]:
        """(TF-IDF cosine, shingle Jaccard) of two documents, for measurement."""
        return cosine(self.idf.vector(a.text), self.idf.vector(b.text)), jaccard(shingles(a.text), shingles(b.text))

    def same_event(self, a: Doc, b: Doc) -> bool:
        c, j = self.similarity(a, b)
        near = self._in_window(a, b) or (self.reach > self.window and c >= self.follow_up_cosine
                                         and abs(a.when - b.when) <= self.reach)
        return ((j >= self.reprint_jaccard or c >= self.threshold) and near
                and not apart(self._places(a), self._places(b)))


def apart(a: frozenset[str] | set[str], b: frozenset[str] | set[str]) -> bool:
    """Whether two sets of provinces named place two articles (or an article and a story) apart: each names some
    and they share none. Naming none says nothing; a national story naming several shares one with each."""
    return bool(a) and bool(b) and a.isdisjoint(b)


def matches_among(known: Iterable[Doc], queries: Iterable[Doc], idf: Idf, window: timedelta) -> dict[int, Match]:
    """Each query that tells the same event as one of `known`, with its closest match (whose story_id is that
    known article's id); queries matching none are left out. The thresholds are story grouping's own."""
    index = StoryIndex(idf, window)
    for doc in known:
        index.add(doc, doc.article_id)
    return {q.article_id: m for q in queries if (m := index.match(q)) is not None}


def growth(members: Iterable[tuple[datetime, str]]) -> list[tuple[datetime, int]]:
    """(time, distinct outlets so far) at each time a new outlet joined: how a story spread."""
    seen: set[str] = set()
    out: list[tuple[datetime, int]] = []
    for when, outlet in sorted(members):
        if outlet not in seen:
            seen.add(outlet)
            out.append((when, len(seen)))
    return out
