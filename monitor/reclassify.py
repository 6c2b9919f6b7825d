"""`monitor reclassify`: what changed between two classifications of the same articles, and the runs that find it.

Every classification is kept per model version, so a rules edit or a retrained model can be compared
with what was there before, article by article, and rolled back. The diff speaks the analyst's terms:
labels gained and lost per topic, articles that became or stopped being education or hot, tone and
scope changes, and (given before/after story states from triage) stories that became or stopped being hot.

A year is ~150,000 articles: they are read, classified, saved and compared a page at a time, in id order, and
what is kept is only what the report shows. Of each kind of change, its count and, for the text report (which
names a few examples), the first ids; the JSON report lists every changed article, so it keeps their ids (the
unchanged ones are never kept). Stories are scored only when a member's classification changed, once all of
their members in the range have been seen; those whose level changed are kept (a year has a few thousand stories).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Mapping

from classifiers.types import Classification
from monitor.corrections import label_agrees

PAGE = 256  # articles read, classified, saved and compared at a time

_FLAT = ("only_new", "became_education", "stopped_education", "became_hot", "stopped_hot", "sentiment_changed",
         "scope_changed")


@dataclass(frozen=True)
class VersionDiff:
    old_version: str | None
    new_version: str
    # articles classified under both sides; a reclassification's old side is each article as it is read now (the
    # current version's, else the newest of an earlier one: monitor.store.classifications.current_classification)
    compared: int
    only_new: tuple[int, ...] = ()  # articles the old side never classified
    # of `compared`, those whose old side is an earlier version's (old_version never classified them: a partial
    # reclassify before), so that "old_version → new" does not claim more than it compared
    compared_earlier: int = 0
    topics_gained: dict[str, tuple[int, ...]] = field(default_factory=dict)
    topics_lost: dict[str, tuple[int, ...]] = field(default_factory=dict)
    became_education: tuple[int, ...] = ()
    stopped_education: tuple[int, ...] = ()
    became_hot: tuple[int, ...] = ()
    stopped_hot: tuple[int, ...] = ()
    sentiment_changed: tuple[tuple[int, str, str], ...] = ()
    scope_changed: tuple[tuple[int, str, str], ...] = ()
    stories_became_hot: tuple[int, ...] = ()
    stories_stopped_hot: tuple[int, ...] = ()
    stories_severity_changed: tuple[tuple[int, str | None, str | None], ...] = ()
    # when the article lists above keep only their first ids: how many each holds in all ("topics_gained/<topic>"
    # for a topic's), and how many articles changed at all; a list not named here is complete
    totals: dict[str, int] = field(default_factory=dict)
    changed: int | None = None
    # of each kind of change (the names of `totals`), how many were on articles an analyst labelled and agree with
    # the label, and how many disagree (monitor.corrections.label_agrees); kinds with neither are left out
    against_labels: dict[str, tuple[int, int]] = field(default_factory=dict)

    def total(self, name: str, topic: str | None = None) -> int:
        key = f"{name}/{topic}" if topic is not None else name
        if key in self.totals:
            return self.totals[key]
        value = getattr(self, name)
        return len(value.get(topic, ())) if topic is not None else len(value)

    @property
    def complete(self) -> bool:
        return not self.totals

    @property
    def changed_articles(self) -> tuple[int, ...]:
        """The ids of every changed article, known only when the lists are complete (n_changed counts them always)."""
        ids: set[int] = set(self.became_education) | set(self.stopped_education) | set(self.became_hot) | set(self.stopped_hot)
        for group in (self.topics_gained, self.topics_lost):
            for v in group.values():
                ids |= set(v)
        ids |= {i for i, _, _ in self.sentiment_changed} | {i for i, _, _ in self.scope_changed}
        return tuple(sorted(ids))

    @property
    def n_changed(self) -> int:
        return self.changed if self.changed is not None else len(self.changed_articles)

    @property
    def empty(self) -> bool:
        return not self.n_changed and not self.stories_severity_changed

    def to_dict(self) -> dict:
        return {
            "old_version": self.old_version, "new_version": self.new_version, "compared": self.compared,
            "compared_with_earlier_versions": self.compared_earlier,
            "only_new": list(self.only_new), "changed_articles": self.n_changed,
            "topics_gained": {k: list(v) for k, v in self.topics_gained.items()},
            "topics_lost": {k: list(v) for k, v in self.topics_lost.items()},
            "became_education": list(self.became_education), "stopped_education": list(self.stopped_education),
            "became_hot": list(self.became_hot), "stopped_hot": list(self.stopped_hot),
            "sentiment_changed": [{"id": i, "old": o, "new": n} for i, o, n in self.sentiment_changed],
            "scope_changed": [{"id": i, "old": o, "new": n} for i, o, n in self.scope_changed],
            "stories_became_hot": list(self.stories_became_hot), "stories_stopped_hot": list(self.stories_stopped_hot),
            "stories_severity_changed": [{"id": i, "old": o, "new": n} for i, o, n in self.stories_severity_changed],
            "against_labels": {k: {"agree": a, "disagree": d} for k, (a, d) in self.against_labels.items()},
        } | ({} if self.complete else {"totals": dict(self.totals)})

    def agreeing(self) -> tuple[int, int]:
        """How many changes, of every kind, agree with the analysts' labels of their articles, and how many do not."""
        return (sum(a for a, _ in self.against_labels.values()), sum(d for _, d in self.against_labels.values()))


class _Examples:
    """A list of changes that counts them all but keeps only the first `keep` (all, when None)."""

    __slots__ = ("keep", "items", "count")

    def __init__(self, keep: int | None):
        self.keep, self.items, self.count = keep, [], 0

    def add(self, item) -> None:
        self.count += 1
        if self.keep is None or len(self.items) < self.keep:
            self.items.append(item)


class DiffBuilder:
    """A VersionDiff made article by article, in ascending id order (so the ids kept are the lowest, as a
    complete list sorted by id would show first), and story by story in any order."""

    def __init__(self, old_version: str | None, new_version: str, keep: int | None = None,
                 labels: Mapping[int, Mapping] | None = None):
        self.old_version, self.new_version, self.keep = old_version, new_version, keep
        self.labels = labels or {}  # article id -> its analysts' label (store.labels), to count changes against
        self.against: dict[str, list[int]] = {}
        self.compared = self.changed = self.compared_earlier = 0
        self.lists = {name: _Examples(keep) for name in _FLAT}
        self.gained: dict[str, _Examples] = {}
        self.lost: dict[str, _Examples] = {}
        self.stories: list[tuple[int, str | None, str | None]] = []  # only those whose severity differs
        self._last = -1

    def add(self, i: int, old: Classification | None, new: Classification) -> None:
        if i <= self._last:
            raise ValueError(f"articles must come in ascending id order ({i} after {self._last})")
        self._last = i
        if old is None:
            self.lists["only_new"].add(i)
            return
        self.compared += 1
        self.compared_earlier += old.model_version != self.old_version
        changed = False
        label = self.labels.get(i)

        def against(kind: str, call: str, value) -> None:
            verdict = label_agrees(label, call, value) if label is not None else None
            if verdict is not None:
                self.against.setdefault(kind, [0, 0])[0 if verdict else 1] += 1

        for t in sorted(set(new.topics) - set(old.topics)):
            self.gained.setdefault(t, _Examples(self.keep)).add(i)
            against(f"topics_gained/{t}", f"topic {t}", True)
            changed = True
        for t in sorted(set(old.topics) - set(new.topics)):
            self.lost.setdefault(t, _Examples(self.keep)).add(i)
            against(f"topics_lost/{t}", f"topic {t}", False)
            changed = True
        if new.is_education != old.is_education:
            kind = "became_education" if new.is_education else "stopped_education"
            self.lists[kind].add(i)
            against(kind, "education", new.is_education)
            changed = True
        if new.hot != old.hot:
            kind = "became_hot" if new.hot else "stopped_hot"
            self.lists[kind].add(i)
            against(kind, "hot", new.hot)
            changed = True
        if new.sentiment != old.sentiment:
            self.lists["sentiment_changed"].add((i, old.sentiment, new.sentiment))
            against("sentiment_changed", "sentiment", new.sentiment)
            changed = True
        if new.scope != old.scope:
            self.lists["scope_changed"].add((i, old.scope, new.scope))
            against("scope_changed", "scope", new.scope)
            changed = True
        self.changed += changed

    def add_story(self, story_id: int, before: str | None, after: str | None) -> None:
        if before != after:
            self.stories.append((story_id, before, after))

    def result(self) -> VersionDiff:
        totals: dict[str, int] = {}
        if self.keep is not None:
            totals = {name: ex.count for name, ex in self.lists.items()}
            totals |= {f"topics_gained/{t}": ex.count for t, ex in self.gained.items()}
            totals |= {f"topics_lost/{t}": ex.count for t, ex in self.lost.items()}
        stories = sorted(self.stories)
        lists = {name: tuple(ex.items) for name, ex in self.lists.items()}
        return VersionDiff(
            old_version=self.old_version, new_version=self.new_version, compared=self.compared,
            compared_earlier=self.compared_earlier, topics_gained={k: tuple(v.items) for k, v in sorted(self.gained.items())},
            topics_lost={k: tuple(v.items) for k, v in sorted(self.lost.items())},
            stories_became_hot=tuple(s for s, b, a in stories if a and not b),
            stories_stopped_hot=tuple(s for s, b, a in stories if b and not a),
            stories_severity_changed=tuple(stories), totals=totals,
            changed=self.changed if self.keep is not None else None,
            against_labels={k: (a, d) for k, (a, d) in sorted(self.against.items())}, **lists,
        )


def diff_classifications(old: dict[int, Classification], new: dict[int, Classification], *,
                         old_version: str | None, new_version: str,
                         stories_before: dict[int, str | None] | None = None,
                         stories_after: dict[int, str | None] | None = None,
                         labels: Mapping[int, Mapping] | None = None) -> VersionDiff:
    """Compare two versions' classifications of the same articles (keyed by article id).

    `stories_before` / `stories_after` map a story id to its severity (None: not hot) under each side; `labels`,
    the analysts' labels by article id, to count the changes against.
    """
    builder = DiffBuilder(old_version, new_version, labels=labels)
    for i in sorted(new):
        builder.add(i, old.get(i), new[i])
    before, after = stories_before or {}, stories_after or {}
    for s in sorted(set(before) | set(after)):
        builder.add_story(s, before.get(s), after.get(s))
    return builder.result()


def analysts_labels(store) -> dict[int, dict]:
    """Every labelled article's label (merged field by field), by article id: an office's labels, not its year of
    articles, so they are read once rather than page by page."""
    return {r["article_id"]: r for r in store.labels()}


def _scored(c: Classification) -> tuple:
    """What of a classification a story's score reads (all but which version made it and its evidence)."""
    return (c.is_education, c.relevance, c.topics, c.topic_scores, c.sentiment, c.hot, c.hot_score, c.scope, c.reasons)


class _Severities:
    """Stories' severities (None: not hot) from given member classifications, both sides of a story at one instant,
    so a difference between them comes from the classifications alone, never from time passing: the instant its
    stored score describes (monitor.triage.rescore_history scores history so), now for a story never scored. Reads
    only."""

    def __init__(self, app, story_score):
        self.app, self.now, self._story_score = app, app.now(), story_score

    @classmethod
    def of(cls, app) -> _Severities | None:
        """None when triage is not in this build."""
        try:
            from monitor.triage import story_score
        except ImportError:
            return None
        return cls(app, story_score)

    def severity(self, story_id: int, members: list[dict], classes: dict[int, Classification]) -> str | None:
        at = self.app.store.story_scored_at(story_id) or self.now
        return self._story_score(self.app, story_id, members, classes, at).severity


class _HeldStories:
    """The stories whose members a reclassification changed, held (with the changed members' old and new
    classifications) until every member in the range has been classified, then scored on both sides.

    Only stories whose members straddle the page being read are held at once. Members outside the range keep
    their current classification on both sides; so do members whose classification is unchanged (read from
    the store, where the same version's rows may already be the new ones: they score the same).
    """

    def __init__(self, severities: _Severities, builder: DiffBuilder, since: datetime | None, until: datetime | None):
        self.sev, self.builder = severities, builder
        self.since, self.until = since, until
        self.held: dict[int, dict[int, tuple[Classification | None, Classification]]] = {}
        self.last: dict[int, int] = {}  # held story -> its highest member id in the range

    def page(self, old: dict[int, Classification], new: dict[int, Classification], read_up_to: int) -> None:
        store = self.sev.app.store
        story_of = store.stories_of_articles(sorted(new))
        for i, sid in story_of.items():
            o = old.get(i)
            if o is None or _scored(o) != _scored(new[i]):
                self.held.setdefault(sid, {})[i] = (o, new[i])
        fresh = [s for s in self.held if s not in self.last]
        if fresh:
            self.last.update(store.story_members_in_window(fresh, self.since, self.until))
        for sid in [s for s in self.held if self.last.get(s, -1) <= read_up_to]:
            self._score(sid)

    def finish(self) -> None:
        for sid in list(self.held):  # a member removed while the run went on: scored with what was seen
            self._score(sid)

    def _score(self, sid: int) -> None:
        held = self.held.pop(sid)
        self.last.pop(sid, None)
        store = self.sev.app.store
        members = store.story_members(sid)
        if not members:
            return
        base = store.classifications_for([m["id"] for m in members], evidence=False)
        before, after = dict(base), dict(base)
        for i, (o, n) in held.items():
            if o is None:
                before.pop(i, None)
            else:
                before[i] = o
            after[i] = n
        self.builder.add_story(sid, self.sev.severity(sid, members, before), self.sev.severity(sid, members, after))


def reclassify(app, clf, since: datetime | None, until: datetime | None, *, dry_run: bool, keep: int | None = None,
               progress: Callable[[int], None] | None = None) -> VersionDiff:
    """Classify the articles of [since, until) with `clf`, a page at a time, and compare with each article's current
    classification (the current version's, else an earlier version's for an article it never saw).

    Unless `dry_run`, each page's classifications are saved under clf's version as it goes, and the version is
    made current (and any rollback's pin lifted) only once every page is saved: a run stopped halfway leaves
    the version that was current, current, with the pages done kept under the new version beside it (listed by
    --versions); running the command again classifies everything again. Alerts are not this function's: the
    caller rescores recent stories afterwards (triage never alerts again on the same news).
    """
    from monitor.pipeline import article_text
    from monitor.search import fold_text

    store = app.store
    old_version = store.active_model_version()
    builder = DiffBuilder(old_version, clf.version, keep, labels=analysts_labels(store))
    sev = _Severities.of(app)
    stories = _HeldStories(sev, builder, since, until) if sev else None
    if not dry_run:
        store.register_model_version(clf.version, app.now(), activate=False)
    for page in store.article_id_pages(since, until, PAGE):
        # stamped with the time the text was read, not saved (as monitor.pipeline.classify_articles)
        read_at = app.now()
        articles = store.get_articles(page)
        new = {a.id: c for a, c in zip(articles, clf.classify_many([article_text(a) for a in articles]))} if articles else {}
        # read before this page is saved: reclassifying with the current version itself replaces these rows. Each
        # article as it is read now: one older than the last --since keeps an earlier version's classification,
        # and is compared with that rather than listed as never classified
        old = store.classifications_for(list(new), evidence=False) if new else {}
        if not dry_run and new:
            store.save_classifications(new.items(), read_at)
            # the text is unchanged and already indexed; only an article never indexed is (as classify_articles)
            indexed = store.indexed_among(list(new))
            store.index_articles([(a.id, fold_text(a.title), fold_text(a.sapo), fold_text(a.body))
                                  for a in articles if a.id not in indexed])
        for i in sorted(new):
            builder.add(i, old.get(i), new[i])
        if stories is not None:
            stories.page(old, new, page[-1])
        if progress:
            progress(len(page))
    if stories is not None:
        stories.finish()
    if not dry_run:
        store.activate_model_version(clf.version)
    return builder.result()


def compare(app, v1: str, v2: str, since: datetime | None, until: datetime | None, *,
            keep: int | None = None) -> VersionDiff:
    """Compare two stored versions over the articles of [since, until), a page at a time. A story is compared
    (every member under v1, then under v2; one that a version did not classify, as it is read now) once, at the
    page of its first member in the range that either version classified, and scored only when its members'
    classifications differ."""
    store = app.store
    builder = DiffBuilder(v1, v2, keep, labels=analysts_labels(store))
    sev = _Severities.of(app)
    for page in store.article_id_pages(since, until, PAGE):
        old, new = store.classifications_for(page, v1, evidence=False), store.classifications_for(page, v2, evidence=False)
        for i in sorted(new):
            builder.add(i, old.get(i), new[i])
        if sev is None:
            continue
        story_of = store.stories_of_articles([i for i in page if i in old or i in new])
        sids = sorted(set(story_of.values()))
        first = store.story_members_in_window(sids, since, until, last=False, classified_by=(v1, v2)) if sids else {}
        for sid in sids:
            if first.get(sid, page[0]) < page[0]:
                continue  # compared at an earlier page
            members = store.story_members(sid)
            if not members:
                continue
            ids = [m["id"] for m in members]
            c1, c2 = store.classifications_for(ids, v1, evidence=False), store.classifications_for(ids, v2, evidence=False)
            if set(c1) != set(c2):
                # a member only one version classified (one side's --since began after it) keeps its current
                # classification on the other side, as a reclassification leaves members outside its range: the
                # story is not rated as if that side had never seen the article
                current = store.classifications_for([i for i in ids if i not in c1 or i not in c2], evidence=False)
                c1, c2 = current | c1, current | c2
            if {i: _scored(c) for i, c in c1.items()} != {i: _scored(c) for i, c in c2.items()}:
                builder.add_story(sid, sev.severity(sid, members, c1), sev.severity(sid, members, c2))
    return builder.result()
