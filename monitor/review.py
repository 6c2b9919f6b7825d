"""The analyst's review queue: the stored articles whose correction would teach the model most.

A label on a case the model already gets right teaches it little; a label where it hesitates teaches it
most. The team's own labels were chosen that way in round 8 of models/edu-nlp/ABLATIONS.md (the items the
model was unsure of, read one by one), and the held-out whole days improved. This module ranks an office's
own articles the same way, so an analyst's ten minutes a day go where they count.

An article's doubt is the model's hesitation over the decisions that reach leadership, each read from its
calibrated score p as 2 * min(p, 1 - p) (0 = sure, 1 = a coin toss):
- is it education (the clipping shows it or not): the relevance score;
- for an article judged education, is it hot (an alert goes out or not): the hot score, counted in
  proportion to how likely the article is education at all.
Topics are not ranked on: their errors follow from reading the article, which the analyst does anyway, and
`monitor label --topics` corrects them in the same command.

The queue holds one article per event (story grouping's measure, monitor.stories: a reprint teaches
nothing its original does not), the most doubtful first, none an analyst has labelled already, and none
the model is nearly sure of (doubt under MIN_DOUBT). Pure: the CLI gathers articles and labels.

On the 27 hand-labelled whole days (bench/review.py), at most 10 a day: 8.7 articles a day, 28% of them the
model's mistakes (against 1.1% of all articles), holding 57% of all its mistakes. A hot call is made from a
low score on purpose (a missed incident costs more than a false alarm), so hot calls fill much of the queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Sequence

from classifiers.types import Classification
from monitor.models import Article
from monitor.stories import Idf, StoryIndex, article_doc, article_text

# A score outside 0.15-0.85 is one the model is mostly right about (its scores are calibrated); round 8's
# readers labelled the band inside it, and that is where their labels paid
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
class Question:
    """One decision the model made about an article, and how sure it was."""

    decision: str  # education | hot
    call: bool  # what the model decided
    probability: float  # its calibrated score for "yes"
    weight: float = 1.0  # how much the decision counts: a hot call only matters if the article is education

    @property
    def doubt(self) -> float:
        return 2 * min(self.probability, 1.0 - self.probability) * self.weight

    @property
    def label(self) -> str:
        """'giáo dục: không (42%)' — the decision, the model's call and its score."""
        return f"{DECISION_NAMES[self.decision]}: {'có' if self.call else 'không'} ({self.probability * 100:.0f}%)"


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


def questions(c: Classification) -> tuple[Question, ...]:
    return asked(c.is_education, c.relevance, c.hot, c.hot_score)


def asked(is_education: bool, relevance: float, hot: bool, hot_score: float) -> tuple[Question, ...]:
    """questions() from the four scores they read, which the store gives for a year's articles without decoding
    each whole classification."""
    out = [Question("education", is_education, relevance)]
    if is_education:
        out.append(Question("hot", hot, hot_score, weight=relevance))
    return tuple(out)


def doubtful(c: Classification) -> bool:
    """Whether the model hesitates enough over `c` for a reader's label to teach it something."""
    return max(q.doubt for q in questions(c)) >= MIN_DOUBT


def review_queue(pairs: Iterable[tuple[Article, Classification]], *, labelled: Iterable[int] = (),
                 background: Sequence[str] = (), limit: int = 20) -> list[Doubt]:
    """The `limit` most doubtful articles of `pairs`, one per event, skipping `labelled` ids.

    `background` is the texts (title + sapo) whose document frequencies weigh words when telling events
    apart; by default the candidates' own."""
    done = set(labelled)
    ranked = sorted((Doubt(a, c, questions(c)) for a, c in pairs if a.id not in done and doubtful(c)),
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
    ids = [s[0] for s in unlabelled if max(q.doubt for q in asked(*s[1:])) >= MIN_DOUBT]
    if not ids:
        return [], len(unlabelled)
    classes = store.classifications_for(ids, evidence=False)
    pairs = [(a, classes[a.id]) for a in store.get_articles(ids) if a.id in classes]
    queue = review_queue(pairs, labelled=labelled, background=store.texts_between(start, now), limit=limit)
    return queue, len(unlabelled)
