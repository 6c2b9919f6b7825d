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
its members judged hot (FOLLOW_UP_FROM_HOT): its developments are often told days later in the incident's own words,
and each had alerted anew; routine news that joined the story within the window carries it no further.

Within the window, two articles judged hot that name the same school, commune or person (specific_names) and a kind
of incident are one story whatever their cosine (SAME_NAME): an incident's sides told the same days in other words.
A news round-up (is_round_up) joins a story but carries no other article into it.
"""

from __future__ import annotations

import gc
import math
import re
import unicodedata
import zlib
from collections import Counter, defaultdict, deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
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
# Past the window, the member matched must itself be judged hot (Doc.hot), not any member of the followed story: the
# incident's developments are told in its own words, while routine news that joined its story within the window (an
# admissions test's schedule beside a cheating case, a city's school-year dates beside a Sở's warning) carried the
# story on, a week at a time, taking in later news of the routine and with it a new incident that raised no alert.
# On the year's store (bench/story_splits.py --change follow-up-hot, 2026-11-28), replayed before this rule: of the
# 248 hot stories of 2+ articles, median span (first to last member's publication) 0.9 days, 41 of 3-7 days, 5 of
# 7-14, one of 25 (the store's own grouping, made before the follow-up reach: 16, 2, none, at most 12.5). Of the 40
# longest-spanning and the 20 largest hot stories (45), read one by one: 36 one incident and its developments (a
# two-week exam-cheating saga among them), 5 debatable (a controversy's op-eds, an exam's coverage), 4 chains of
# distinct news, of which one hid an incident: an admissions test's news over 25 days, joined past the window through
# a routine member, took in a hot complaint about the test's venues (the others: the Sở's warning and the dates, a
# minister's two statements, two cities' lớp 10 scores, hiding none). Of the 50 joins past the window, 5 matched a
# member not judged hot, read again beside those chains (the reading above, FOLLOW_UP's, had counted one of the 50
# wrong): 2 wrong (links of the chains), 2 debatable, 1 right (a lawyer's view, not hot, of the law the story told: a
# story of its own now); the rule stops those 5 and no other: 1,033 -> 1,034 hot stories
# (the complaint alerts), longest hot span 25 -> 14 days. Not adopted: a cap on a story's span (10 days would cut the
# exam saga and a crash inquiry, both right, for the one chain), and institutions' names not counting as rare words
# (one such chain in the 45, hiding no incident).
FOLLOW_UP_FROM_HOT = True
# Same incident, other words: the press tells one incident's sides on the same days (the poisoning, the parents'
# anger, the school's answer, the sanction) in words too far apart for SAME_EVENT_COSINE, and lowering it merged other
# incidents of the same kind (bench/story_pairs.py). What names the incident does carry over: the school ("Trường
# THCS Đại Kim"), the commune or ward ("xã Đá Bạc"), the person ("ông Trần Văn A"). Two articles both judged hot,
# within the window, sharing such a name (specific_names) and a hot category (or one judged by the model alone) are
# one story under the threshold, unless placed in different provinces. A name is specific by its kind: a Sở, a Bộ or
# a university ("Sở GD-ĐT TP.HCM", "Trường ĐH Y Hà Nội") is in the news for many things at once and names none.
# On the year's store (bench/story_splits.py, 2026-11-28): 20 joins by a name, read one by one as 17 right (a school's
# incident and its sanction or trial, a commune's child abuse case, one principal's trial), 3 debatable (an essay
# prompted by the incident, two developments of a months-long exam scandal) and none wrong; with the round-ups below,
# 1,054 -> 1,033 hot stories, 33 pairs of stored hot stories brought together, none kept apart. It stays a narrow
# rule: of a sample of 100 hot stories (seed 21), about 16 had a twin within days, none sharing such a name (the
# twins share words like "kim tiêm", "cổng trường", a company's name, which name no incident by themselves). Tried
# and not kept: two hot articles of a hot category in common joining from cosine 0.15 (963 hot stories; of 30 of its
# 78 joins read, 13 right: other beatings of a province, op-eds on school violence, another contest's cheating), and
# underthesea's NER for persons (48 ms an article; its PER and LOC tags caught "lớp 10", "Viện KSND").
SAME_NAME = True
# News round-ups ("Xem nhanh 20h ngày …", "Điểm tin 6h: …", "Toàn cảnh 17h: …") tell several items in one text: one
# alone opened a hot story and alerted beside the story of the item it tells. A round-up joins a story (by its words
# or a name), never opens a hot one (triage.score_story) nor carries others into its story. Known by its heading: a
# title of items joined by " | " is as often one item of a series ("… | Môn sinh học | Chuyên đề 2": 30 of the 37
# such titles of the year's store).
_ROUND_UP = re.compile(r"^\s*(?:xem nhanh|điểm tin|toàn cảnh|bản tin|tin nóng|thời sự)\s*\d{1,2}\s*(?:h|giờ)\b",
                       re.IGNORECASE)
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


# Word overlap (Jaccard) of two folded headlines from which they are one article reprinted, lightly edited ("Clip: …",
# a word changed): the clipping's "Tin liên quan" and the report's "Diễn biến" list a story's articles whose headline
# says something else, each once
SAME_HEADLINE = 0.6


def headline_words(title: str) -> frozenset[str]:
    """A headline's folded words, as same_headline compares them."""
    return frozenset(re.findall(r"\w+", ascii_fold(title)))


def same_headline(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two headlines (headline_words) are one reprinted, lightly edited (SAME_HEADLINE)."""
    return bool(a | b) and len(a & b) / len(a | b) >= SAME_HEADLINE


def is_round_up(text: str) -> bool:
    """Whether a title (or title + sapo) is a news round-up of several unrelated items (_ROUND_UP)."""
    return bool(_ROUND_UP.search(unicodedata.normalize("NFC", text[:MAX_TEXT_CHARS])))


_NAME_WORDS = re.compile(r"[^\W_]+(?:[&.][^\W_]+)*\.?|\S")  # "TH&THCS", initials "T.V." and "TP.HCM" whole
_INITIALS = re.compile(r"^(?:[^\W_]\.)+$")
_SCHOOL_LEVELS = tuple(tuple(k.split()) for k in (
    "mầm non", "mẫu giáo", "tiểu học", "trung học cơ sở", "trung học phổ thông", "phổ thông dân tộc nội trú",
    "phổ thông dân tộc bán trú", "liên cấp", "mn", "th", "thcs", "thpt", "ptdtnt", "ptdtbt", "th&thcs", "thcs&thpt"))
# A school is named by its level and its name together: a ward's kindergarten, primary and lower-secondary schools
# often share the ward's name ("Trường Tiểu học Gia Thụy", "Trường THCS Gia Thụy"), so a primary teacher's insult and a
# lower-secondary pupil's stabbing two days later, both judged violence, were one story by the name alone and the
# stabbing raised no alert. Each level is read as one word whether spelt out or abbreviated, and a school of two
# levels ("TH&THCS") is named at each.
_LEVEL_OF = {tuple(k.split()): v for k, v in (
    ("mầm non", ("mn",)), ("mẫu giáo", ("mn",)), ("mn", ("mn",)), ("tiểu học", ("th",)), ("th", ("th",)),
    ("trung học cơ sở", ("thcs",)), ("thcs", ("thcs",)), ("trung học phổ thông", ("thpt",)), ("thpt", ("thpt",)),
    ("phổ thông dân tộc nội trú", ("ptdtnt",)), ("ptdtnt", ("ptdtnt",)), ("phổ thông dân tộc bán trú", ("ptdtbt",)),
    ("ptdtbt", ("ptdtbt",)), ("liên cấp", ("lien cap",)), ("th&thcs", ("th", "thcs")),
    ("thcs&thpt", ("thcs", "thpt")))}
_PLACE_KINDS = tuple(tuple(k.split()) for k in ("xã", "phường", "thị trấn", "thôn", "ấp"))
_PERSON_TITLES = tuple(tuple(k.split()) for k in (
    "ông", "bà", "thầy", "cô", "em", "cháu", "bé", "anh", "chị", "thầy giáo", "cô giáo", "nữ sinh", "nam sinh",
    "học sinh", "sinh viên", "hiệu trưởng", "hiệu phó", "bị cáo", "bị can"))
# capitalised words that start no specific name after such a word: institutions (a university or college
# abbreviated: "sinh viên ĐH Bách khoa"), the exam, the city
_NOT_A_NAME = frozenset("trường sở bộ ubnd phòng công tp tp. tp.hcm thành quốc quận huyện tỉnh ban hội học đh cđ"
                        .split())
# after a role ("học sinh", "sinh viên"), a school's level is the school's name, not a person's ("học sinh THCS Đại
# Kim": the school marker reads it), and the country is everyone's ("học sinh Việt Nam" in two incidents' texts)
_SCHOOL_WORDS = frozenset(k[0] for k in _SCHOOL_LEVELS)


# each kind's words by their first word, the longest first: a text's words are looked up once each
_MARKERS: dict[str, list[tuple[tuple[str, ...], str, int]]] = defaultdict(list)
for _kind, _kinds, _least in (("school", _SCHOOL_LEVELS, 1), ("place", _PLACE_KINDS, 1), ("person", _PERSON_TITLES, 2)):
    for _k in _kinds:
        _MARKERS[_k[0]].append((_k, _kind, _least))
for _v in _MARKERS.values():
    _v.sort(key=lambda m: -len(m[0]))


# triage reads an article's names when it asks for its hot judgement, again when it indexes the article and again
# when it matches it: once each, as provinces_named
@lru_cache(maxsize=16384)
def specific_names(text: str) -> frozenset[str]:
    """The names in a text that single out one incident (SAME_NAME), folded and tagged by kind: a school with its
    level ("school:thcs dai kim"), a commune, ward or hamlet ("place:da bac"), a person's full name after a title or a
    role ("person:tran van a"). Names of provinces, institutions and the exam are none of these."""
    words = _NAME_WORDS.findall(unicodedata.normalize("NFC", text[:MAX_TEXT_CHARS]))
    low = [w.lower() for w in words]
    out: set[str] = set()
    for i, w in enumerate(low):
        for marker, kind, least in _MARKERS.get(w, ()):
            n = len(marker)
            if n > 1 and tuple(low[i:i + n]) != marker:
                continue
            j = i + n
            special = kind == "school" and j < len(words) and low[j] == "chuyên"  # "THPT chuyên Hà Tĩnh" is a school
            j += special
            name = []
            while j < len(words) and words[j][:1].isupper() and len(name) < 5:
                name.append(words[j])
                j += 1
                if words[j - 1].endswith(".") and (len(name) > 1 or not _INITIALS.match(words[j - 1])):
                    # the sentence ends, also after a name's closing initial ("bị can Lê Văn H. Ngày 5/3"):
                    # initials open a name ("T.V. Nam") but close the press's shortened ones
                    break
            key = fold(" ".join(["chuyên"] * special + name))
            if (len(name) >= least and len(key) >= 3 and low[i + n + special] not in _NOT_A_NAME
                    and not (kind == "person" and (low[i + n] in _SCHOOL_WORDS or (key + " ").startswith("viet nam ")))
                    and low[i + n + special:i + n + special + 2] != ["đại", "học"]
                    and (special or not provinces_named(" ".join(name)))):
                if kind == "school":
                    out.update(f"school:{level} {key}" for level in _LEVEL_OF[marker])
                else:
                    out.add(f"{kind}:{key}")
            break
    return frozenset(out)


def _same_kind(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two hot judgements may be of one incident: a hot category in common, or one made by the model alone."""
    return not a or not b or not a.isdisjoint(b)


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
    # the classifier's hot judgement: None when not judged hot, else the names of its hot categories (empty when the
    # learnt model alone judged it hot); only a hot article is joined by a specific name (SAME_NAME)
    hot: frozenset[str] | None = None


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
    named: str = ""  # the specific name that joined it under the threshold (SAME_NAME), else empty


class StoryIndex:
    """Members of the stories of a time span, searchable by reprint and by same-event similarity."""

    def __init__(self, idf: Idf, window: timedelta, *, threshold: float = SAME_EVENT_COSINE,
                 reprint_jaccard: float = REPRINT_JACCARD, centroid: bool = CENTROID,
                 places: bool = PLACE_VETO, follow_up: timedelta | None = None,
                 follow_up_cosine: float = FOLLOW_UP_COSINE, followed: Container[int] | None = None,
                 follow_up_from_hot: bool = FOLLOW_UP_FROM_HOT, same_name: bool = SAME_NAME,
                 round_ups: bool = True) -> None:
        """`follow_up`: how far apart, past `window`, a member as close as `follow_up_cosine` still takes an
        article in (FOLLOW_UP: 7 days from the member, not 7 days after the window), when its story is one of
        `followed` (None: any story), and with `follow_up_from_hot` only when that member is judged hot
        (FOLLOW_UP_FROM_HOT); None keeps every match within `window`. `same_name`: hot articles sharing a specific
        name join under the threshold (SAME_NAME); `round_ups`: a round-up member takes in no article but its copies,
        nor counts its provinces among its story's (_ROUND_UP)."""
        self.idf = idf
        self.same_name = same_name
        self.round_ups = round_ups
        # the hot categories of each member judged hot: those a follow-up past the window may match, and a hot
        # article naming what one names joins
        self.hot: dict[int, frozenset[str]] = {}
        self.from_hot = follow_up_from_hot
        self.named: dict[str, deque[int]] = defaultdict(lambda: deque(maxlen=POSTINGS_CAP))  # hot members by name
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
        # a round-up names the provinces of the other items it tells: counted among its story's, they would let an
        # article of one of those provinces join the story past the place veto
        round_up = self.round_ups and is_round_up(doc.text)
        if doc.article_id in self.docs:
            self.story[doc.article_id] = story_id
            if not round_up:
                self.story_places[story_id].update(self.places[doc.article_id])
            return
        self.docs[doc.article_id] = doc
        self.story[doc.article_id] = story_id
        if doc.hot is not None:
            self.hot[doc.article_id] = doc.hot
        self.places[doc.article_id] = named = self._places(doc)
        if not round_up:
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
        if round_up:
            return  # it tells other items too: an article like one of them is not this story's by it (its copies are)
        for t in vec:
            if self.idf.rare(t):
                self.postings[t].append(doc.article_id)
        if self.same_name and doc.hot is not None:
            for name in specific_names(doc.text):
                self.named[name].append(doc.article_id)

    def _in_window(self, a: Doc, b: Doc) -> bool:
        return abs(a.when - b.when) <= self.window

    def _in_reach(self, doc: Doc, other: int, c: float) -> bool:
        """Whether `doc` and member `other`, of cosine `c`, are near enough in time: within the window, or within the
        follow-up reach when that close, `other`'s story is followed and `other` judged hot (c=1.0: whether it could
        be, whatever c)."""
        b = self.docs[other]
        return self._in_window(doc, b) or (c >= self.follow_up_cosine and abs(doc.when - b.when) <= self.reach
                                           and (self.followed is None or self.story[other] in self.followed)
                                           and (not self.from_hot or other in self.hot))

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
        if best is None and self.same_name and doc.hot is not None:
            best = self._by_name(doc, vec, sh, named, exclude_story)
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

    def _by_name(self, doc: Doc, vec: dict[str, float], sh: set[str], named: frozenset[str],
                 exclude_story: int | None) -> Match | None:
        """The closest hot member within the window sharing a specific name and a kind of incident with `doc`
        (SAME_NAME), placed in no other province."""
        best: Match | None = None
        for name in sorted(specific_names(doc.text)):
            for other in self.named.get(name, ()):
                if (other == doc.article_id or self.story[other] == exclude_story
                        or not self._in_window(doc, self.docs[other]) or not _same_kind(doc.hot, self.hot[other])):
                    continue
                if named and self._apart(named, other):
                    self.vetoed += 1
                    continue
                self.compared += 1
                c = cosine(vec, self.vectors[other])
                if best is None or c > best.similarity:
                    best = Match(self.story[other], other, c, False, jaccard(sh, self.shingles[other]), named=name)
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
