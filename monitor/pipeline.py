"""One run of the monitor: crawl -> classify -> triage -> deliver alerts. Returns what happened.

The scheduler, the demo and `monitor crawl` call these functions; each step commits as it goes, so an
interrupted run loses nothing and the next run picks up what is left (unclassified articles, queued alerts).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Callable, Iterable

from classifiers.types import ArticleText
from monitor.app import App

log = logging.getLogger(__name__)

# Articles first seen this recently are (re)classified automatically when the model changes; older ones
# wait for an explicit `monitor reclassify`, so a rules edit never silently rewrites history.
AUTO_CLASSIFY_DAYS = 8
BATCH = 256


@dataclass(frozen=True)
class ClassifyReport:
    model_version: str
    classified: int
    education: int
    hot: int
    article_ids: tuple[int, ...] = ()

    @property
    def idle(self) -> bool:
        """Nothing was classified: `monitor serve`'s job log leaves the stage out."""
        return not self.classified

    def counts(self) -> str:
        """'phân loại 40 bài (5 về giáo dục, 1 nóng)', "0 bài" said: `monitor crawl`'s line, which goes on to say
        which articles were classified rather than with which version."""
        return f"phân loại {self.classified} bài ({self.education} về giáo dục, {self.hot} nóng)"

    def summary(self) -> str:
        """One line for `monitor serve`'s job log, with the classifier's version (which IT compares after a model
        change); a run that classified nothing says so in words."""
        if not self.classified:
            return "không có bài nào cần phân loại"
        return f"{self.counts()} bằng {self.model_version}"


@dataclass(frozen=True)
class PipelineReport:
    crawl: object | None
    classify: ClassifyReport
    triage: object | None = None
    delivery: object | None = None
    errors: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.errors and getattr(self.crawl, "ok", True)


def article_text(article) -> ArticleText:
    return ArticleText(
        id=str(article.id), title=article.title, sapo=article.sapo, body=article.body, url=article.url,
        outlet=article.outlet, published=article.published.isoformat() if article.published else "",
    )


def classify_articles(app: App, article_ids: Iterable[int], *, classifier=None, activate: bool = True,
                      progress: Callable[[int], None] | None = None) -> ClassifyReport:
    """Classify the given stored articles, keep the result under the classifier's version, index them for search."""
    from monitor.search import fold_text

    clf = classifier or app.classifier
    store = app.store
    store.register_model_version(clf.version, app.now(), activate=activate)
    ids = sorted(set(article_ids))
    education = hot = 0
    for start in range(0, len(ids), BATCH):
        # stamped with the time the text was read, not saved: a page stored while the classifier runs is
        # newer than this classification, and the next pass redoes it (article_ids_needing_classification)
        read_at = app.now()
        chunk = [a for a in (store.get_article(i) for i in ids[start:start + BATCH]) if a is not None]
        results = clf.classify_many([article_text(a) for a in chunk])
        store.save_classifications(((a.id, c) for a, c in zip(chunk, results)), read_at)
        store.index_articles([(a.id, fold_text(a.title), fold_text(a.sapo), fold_text(a.body)) for a in chunk])
        education += sum(c.is_education for c in results)
        hot += sum(c.hot for c in results)
        if progress:
            progress(len(chunk))
    return ClassifyReport(clf.version, len(ids), education, hot, tuple(ids))


def classify_pending(app: App, extra_ids: Iterable[int] = ()) -> ClassifyReport:
    """Classify recent articles the current classifier has not seen or saw before their page text arrived,
    plus `extra_ids` (e.g. pages just fetched)."""
    version = app.classifier.version
    since = app.now() - timedelta(days=AUTO_CLASSIFY_DAYS)
    pending = set(app.store.article_ids_needing_classification(version, since=since))
    return classify_articles(app, pending | set(extra_ids))


def run_once(app: App, *, sources: list[str] | None = None, force: bool = False, deliver: bool = True,
             poll: list[str] | None = None) -> PipelineReport:
    """Crawl what is due, classify what is new or changed, group into stories, queue and deliver alerts.
    `poll`: the feeds to poll among `sources` (see monitor.crawl.crawl); their due pages are fetched either way."""
    from monitor.crawl import run_crawl

    errors: list[str] = []
    crawl_report = run_crawl(app, sources=sources, force=force, poll=poll)
    classify_report, triage_report = classify_and_triage(app, crawl_report)
    delivery = None
    if triage_report is not None and deliver and app.config.alerts.enabled:
        from monitor.notify import deliver_outbox

        delivery = deliver_outbox(app)
    return PipelineReport(crawl_report, classify_report, triage_report, delivery, tuple(errors))


def classify_and_triage(app: App, crawl_report) -> tuple[ClassifyReport, object | None]:
    """After a crawl: classify what is new or changed (and anything an earlier run left unclassified), then
    group into stories and queue alerts. Shared by `run_once` and `monitor crawl`, which delivers nothing."""
    changed = set(getattr(crawl_report, "new_article_ids", ())) | set(getattr(crawl_report, "updated_article_ids", ()))
    current = app.store.active_model_version()
    classify_report = classify_pending(app, changed)
    try:
        from monitor.triage import run_triage
    except ImportError:  # triage not installed in this build
        return classify_report, None
    rescore = set(classify_report.article_ids)
    if app.store.active_model_version() != current:
        # another version is current without classifying anything: models or rules put back to a version that had
        # classified these articles already (storage.models_dir switched back, a `git checkout`). Their stories
        # were scored with the other one; the clipping reads their levels
        rescore |= set(app.store.article_ids_between(app.now() - timedelta(days=AUTO_CLASSIFY_DAYS), None))
    return classify_report, run_triage(app, sorted(rescore))
