"""What changed between two classifications of the same articles (pure), for `monitor reclassify`.

Every classification is kept per model version, so a rules edit or a retrained model can be compared
with what was there before, article by article, and rolled back. The diff speaks the analyst's terms:
labels gained and lost per topic, articles that became or stopped being education or hot, tone and
scope changes, and (given before/after story states from triage) stories that became or stopped being hot.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from classifiers.types import Classification


@dataclass(frozen=True)
class VersionDiff:
    old_version: str | None
    new_version: str
    compared: int  # articles classified under both versions
    only_new: tuple[int, ...] = ()  # articles the old version never classified
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

    @property
    def changed_articles(self) -> tuple[int, ...]:
        ids: set[int] = set(self.became_education) | set(self.stopped_education) | set(self.became_hot) | set(self.stopped_hot)
        for group in (self.topics_gained, self.topics_lost):
            for v in group.values():
                ids |= set(v)
        ids |= {i for i, _, _ in self.sentiment_changed} | {i for i, _, _ in self.scope_changed}
        return tuple(sorted(ids))

    @property
    def empty(self) -> bool:
        return not self.changed_articles and not self.stories_severity_changed

    def to_dict(self) -> dict:
        return {
            "old_version": self.old_version, "new_version": self.new_version, "compared": self.compared,
            "only_new": list(self.only_new), "changed_articles": len(self.changed_articles),
            "topics_gained": {k: list(v) for k, v in self.topics_gained.items()},
            "topics_lost": {k: list(v) for k, v in self.topics_lost.items()},
            "became_education": list(self.became_education), "stopped_education": list(self.stopped_education),
            "became_hot": list(self.became_hot), "stopped_hot": list(self.stopped_hot),
            "sentiment_changed": [{"id": i, "old": o, "new": n} for i, o, n in self.sentiment_changed],
            "scope_changed": [{"id": i, "old": o, "new": n} for i, o, n in self.scope_changed],
            "stories_became_hot": list(self.stories_became_hot), "stories_stopped_hot": list(self.stories_stopped_hot),
            "stories_severity_changed": [{"id": i, "old": o, "new": n} for i, o, n in self.stories_severity_changed],
        }


def diff_classifications(old: dict[int, Classification], new: dict[int, Classification], *,
                         old_version: str | None, new_version: str,
                         stories_before: dict[int, str | None] | None = None,
                         stories_after: dict[int, str | None] | None = None) -> VersionDiff:
    """Compare two versions' classifications of the same articles (keyed by article id).

    `stories_before` / `stories_after` map a story id to its severity (None: not hot) under each side.
    """
    gained: dict[str, list[int]] = {}
    lost: dict[str, list[int]] = {}
    edu_in, edu_out, hot_in, hot_out, tone, scope = [], [], [], [], [], []
    both = sorted(set(old) & set(new))
    for i in both:
        a, b = old[i], new[i]
        for t in sorted(set(b.topics) - set(a.topics)):
            gained.setdefault(t, []).append(i)
        for t in sorted(set(a.topics) - set(b.topics)):
            lost.setdefault(t, []).append(i)
        if b.is_education != a.is_education:
            (edu_in if b.is_education else edu_out).append(i)
        if b.hot != a.hot:
            (hot_in if b.hot else hot_out).append(i)
        if b.sentiment != a.sentiment:
            tone.append((i, a.sentiment, b.sentiment))
        if b.scope != a.scope:
            scope.append((i, a.scope, b.scope))
    before, after = stories_before or {}, stories_after or {}
    stories = sorted(set(before) | set(after))
    return VersionDiff(
        old_version=old_version, new_version=new_version, compared=len(both),
        only_new=tuple(sorted(set(new) - set(old))),
        topics_gained={k: tuple(v) for k, v in sorted(gained.items())},
        topics_lost={k: tuple(v) for k, v in sorted(lost.items())},
        became_education=tuple(edu_in), stopped_education=tuple(edu_out),
        became_hot=tuple(hot_in), stopped_hot=tuple(hot_out),
        sentiment_changed=tuple(tone), scope_changed=tuple(scope),
        stories_became_hot=tuple(s for s in stories if after.get(s) and not before.get(s)),
        stories_stopped_hot=tuple(s for s in stories if before.get(s) and not after.get(s)),
        stories_severity_changed=tuple((s, before.get(s), after.get(s)) for s in stories if before.get(s) != after.get(s)),
    )


def stories_of(store, article_ids) -> list[int]:
    """The stories (from triage) the articles belong to; empty when triage is not in this build."""
    if not hasattr(store, "story_of_article"):
        return []
    return sorted({s for s in (store.story_of_article(i) for i in article_ids) if s is not None})


def story_severities(app, story_ids: list[int], version: str | None,
                     override: dict[int, Classification] | None = None) -> dict[int, str | None]:
    """Each story's severity (None: not hot) when its members carry `version`'s classifications (or `override`'s).

    Scored with triage's own `score_story` at one instant for both sides of a comparison, so a
    difference comes from the classifications alone, never from time passing. Reads only.
    """
    try:
        from monitor.triage import MIN_USUAL_STORIES, USUAL_DAYS, score_story
    except ImportError:
        return {}
    from collections import Counter
    from datetime import timedelta

    store, now = app.store, app.now()
    override = override or {}
    out: dict[int, str | None] = {}
    for sid in story_ids:
        members = store.story_members(sid)
        if not members:
            continue
        ids = [m["id"] for m in members]
        classes = store.classifications_for(ids, version) if version else {}
        classes.update({i: override[i] for i in ids if i in override})
        topic = Counter(t for c in classes.values() for t in c.topics[:1]).most_common(1)
        usual, n = store.usual_outlets_per_story(topic[0][0] if topic else "", now - timedelta(days=USUAL_DAYS), now,
                                                 exclude=sid)
        score = score_story(app.config, members, classes, now, usual if n >= MIN_USUAL_STORIES else 1.0)
        out[sid] = score.severity
    return out
