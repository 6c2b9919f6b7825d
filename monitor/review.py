"""The analyst's review queue: the stored articles whose correction would teach the model most.

A label on a case the model already gets right teaches it little; a label where it hesitates teaches it
most. The team's own labels were chosen that way in round 8 of models/edu-nlp/ABLATIONS.md (the items the
model was unsure of, read one by one), and the held-out whole days improved. This module ranks an office's
own articles the same way, so an analyst's ten minutes a day go where they count.

An article's doubt is the model's hesitation over the decisions that reach leadership, each read from its
calibrated score p and the threshold t the decision is made at: 1 at the threshold, falling in a straight line to
0 at a score of 0 or 1 (p / t below it, (1 - p) / (1 - t) above; 2 * min(p, 1 - p) when t is 0.5):
- is it education (the clipping shows it or not): the relevance score and its threshold;
- for an article judged education, is it hot (an alert goes out or not): the hot score and its threshold,
  counted in proportion to how likely the article is education at all.
The hot threshold is low on purpose (0.17 for the shipped model: a missed incident costs more than a false
alarm). Centred on 0.5, as the queue first was, a hot call at 0.20 ranked below one at 0.73 and an article at
0.10-0.16, just missed, never came. Centred on each threshold, on the 27 hand-labelled whole days (bench/review.py,
at most 10 a day; 1.1% of their articles are the model's mistakes) the queue held 9.0 articles a day, 29% of them
the model's mistakes and 62% of all its mistakes, against 8.7, 27% and 56% centred on 0.5. A classification whose
thresholds are not known (stored without its evidence) is read centred on 0.5.
Topics are not ranked on: their errors follow from reading the article, which the analyst does anyway, and
`monitor label --topics` corrects them in the same command.

The queue holds one article per event (story grouping's measure, monitor.stories: a reprint teaches
nothing its original does not), the most doubtful first, none an analyst has labelled already, and none
the model is nearly sure of (doubt under MIN_DOUBT). review_queue is pure; review_candidates reads what it needs
from the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Mapping, Sequence

from classifiers.types import Classification
from monitor.models import Article
from monitor.stories import Idf, StoryIndex, article_doc, article_text

# Round 8's readers labelled the scores between 0.15 and 0.85 (doubt 0.3 centred on 0.5), and that is where their
# labels paid; centred on the shipped thresholds (education 0.51, hot 0.17) the same doubt keeps relevance between
# 0.15 and 0.85 and hot scores between 0.05 and 0.75
MIN_DOUBT = 0.3
# the span the queue, and `monitor status`'s count of it, look at unless told otherwise: a week of news
RECENT_DAYS = 7
# reprints of one event arrive within days of each other; further apart, articles worded alike are other
# events (this year's admissions, last year's)
SAME_EVENT_WINDOW = timedelta(days=3)

DECISION_NAMES = {"education": "giáo dục", "hot": "nóng"}
# a tone as label_command writes it, quoted for the shell (the words of monitor.cli.analyst.SENTIMENT_VI)
TONE_WORDS = {"negative": '"tiêu cực"', "neutral": '"trung tính"', "positive": '"tích cực"'}


@dataclass(frozen=True)
class Thresholds:
    """The scores one model version decides education and hot at (its classifications' evidence records them)."""

    education: float
    hot: float


@dataclass(frozen=True)
class Question:
    """One decision the model made about an article, and how sure it was."""

    decision: str  # education | hot
    call: bool  # what the model decided
    probability: float  # its calibrated score for "yes"
    weight: float = 1.0  # how much the decision counts: a hot call only matters if the article is education
    threshold: float | None = None  # the score the decision is made at; None: not known, read as 0.5

    @property
    def doubt(self) -> float:
        p, t = self.probability, self.centre
        return (p / t if p < t else (1.0 - p) / (1.0 - t)) * self.weight

    @property
    def centre(self) -> float:
        t = self.threshold if self.threshold is not None else 0.5
        return min(max(t, 1e-6), 1 - 1e-6)  # a threshold of 0 or 1 would be a division by zero

    @property
    def label(self) -> str:
        """'nóng: có (điểm 0.20, ngưỡng 0.17)': the decision, the model's call, its score and its threshold. A call
        the score alone did not make says what made it (an incident admitted as education, a story abroad)."""
        p, t = self.probability, self.threshold
        if t is None:
            why = f"điểm {p:.2f}"
        elif self.call and p < t:
            why = f"điểm {p:.2f}, dưới ngưỡng {t:.2f}: nhận vì là sự cố nóng"
        elif not self.call and p >= t:
            why = f"điểm {p:.2f}, ngưỡng {t:.2f}: tin nước ngoài không tính là nóng"
        else:
            why = f"điểm {p:.2f}, ngưỡng {t:.2f}"
        return f"{DECISION_NAMES[self.decision]}: {'có' if self.call else 'không'} ({why})"


@dataclass(frozen=True)
class Doubt:
    article: Article
    classification: Classification
    questions: tuple[Question, ...]

    @property
    def doubt(self) -> float:
        return max(q.doubt for q in self.questions)

    @property
    def unsure_about(self) -> tuple[Question, ...]:
        """The questions worth the reader's attention, the most doubtful first."""
        return tuple(sorted((q for q in self.questions if q.doubt >= MIN_DOUBT), key=lambda q: -q.doubt))

    @property
    def label_command(self) -> str:
        """The model's own call as a `monitor label` command: the reader changes what is wrong and runs it
        (a confirmed doubtful call teaches the model as much as a corrected one)."""
        c = self.classification
        parts = [f"monitor label {self.article.id}"]
        if not c.is_education:
            return " ".join(parts + ["--not-education"])
        # in the words the listings show, which `monitor label` accepts as well as the ids
        parts += ["--education", f"--hot {'có' if c.hot else 'không'}", f"--topics {','.join(c.topics) or '-'}",
                  f"--sentiment {TONE_WORDS.get(c.sentiment, c.sentiment)}"]
        return " ".join(parts)


def questions(c: Classification, thresholds: Thresholds | None = None) -> tuple[Question, ...]:
    return asked(c.is_education, c.relevance, c.hot, c.hot_score, thresholds)


def asked(is_education: bool, relevance: float, hot: bool, hot_score: float,
          thresholds: Thresholds | None = None) -> tuple[Question, ...]:
    """questions() from the four scores they read, which the store gives for a year's articles without decoding
    each whole classification, and the thresholds of the version that made them."""
    out = [Question("education", is_education, relevance, threshold=thresholds.education if thresholds else None)]
    if is_education:
        out.append(Question("hot", hot, hot_score, weight=relevance, threshold=thresholds.hot if thresholds else None))
    return tuple(out)


def doubtful(c: Classification, thresholds: Thresholds | None = None) -> bool:
    """Whether the model hesitates enough over `c` for a reader's label to teach it something."""
    return max(q.doubt for q in questions(c, thresholds)) >= MIN_DOUBT


def review_queue(pairs: Iterable[tuple[Article, Classification]], *, labelled: Iterable[int] = (),
                 background: Sequence[str] = (), limit: int = 20,
                 thresholds: Mapping[str, Thresholds] | None = None) -> list[Doubt]:
    """The `limit` most doubtful articles of `pairs`, one per event, skipping `labelled` ids.

    `background` is the texts (title + sapo) whose document frequencies weigh words when telling events
    apart; by default the candidates' own. `thresholds`: each model version's (a classification of a version not
    in it is read centred on 0.5)."""
    done = set(labelled)
    known = thresholds or {}
    candidates = ((a, c, questions(c, known.get(c.model_version))) for a, c in pairs if a.id not in done)
    ranked = sorted((Doubt(a, c, qs) for a, c, qs in candidates if max(q.doubt for q in qs) >= MIN_DOUBT),
                    key=lambda d: (-d.doubt, -d.article.when.timestamp(), d.article.id))
    if not ranked:
        return []
    idf = Idf(background or [article_text(d.article) for d in ranked])
    picked: list[Doubt] = []
    seen = StoryIndex(idf, SAME_EVENT_WINDOW)
    for d in ranked:
        doc = article_doc(d.article)
        if seen.match(doc) is not None:
            continue
        seen.add(doc, d.article.id)
        picked.append(d)
        if len(picked) == limit:
            break
    return picked


def review_candidates(store, start: datetime, now: datetime, limit: int) -> tuple[list[Doubt], int]:
    """(the review queue of the articles collected from `start` to `now`, at most `limit`; how many classified
    articles of them are unlabelled). `monitor review` lists it and `monitor status` counts it, so the two never
    disagree.

    Over a year's window only the few doubtful articles are read whole: the others are read as the four scores
    their doubt needs, and as their title and sapo for the background that weighs words (every article of the
    window's, in the same order, as review_queue's Idf needs them). Reading every article and decoding every
    classification took 25-55 s for nine months (bench/review_speed.py)."""
    scores = store.scores_between(start, now)
    labelled = store.labelled_ids()
    unlabelled = [s for s in scores if s[0] not in labelled]
    thresholds = {v: Thresholds(*t) for v, t in store.decision_thresholds({s[5] for s in unlabelled}).items()}
    ids = [s[0] for s in unlabelled if max(q.doubt for q in asked(*s[1:5], thresholds.get(s[5]))) >= MIN_DOUBT]
    if not ids:
        return [], len(unlabelled)
    classes = store.classifications_for(ids, evidence=False)
    pairs = [(a, classes[a.id]) for a in store.get_articles(ids) if a.id in classes]
    queue = review_queue(pairs, labelled=labelled, background=store.texts_between(start, now), limit=limit,
                         thresholds=thresholds)
    return queue, len(unlabelled)
