"""The daily clipping's edges: read the store, render every format, write files, e-mail it once.

Exactly once per day: before the message leaves, the day is claimed in the store ('sending'); after
the SMTP server accepted it the row becomes 'sent'. A rerun finds 'sent' and does nothing; a row left
'sending' after the message was handed over (the process died between the two writes, so it may or may
not have gone) or made 'in-doubt' (the server took the whole message but its answer never came:
monitor.mail.MessageInDoubt) is reported as in doubt and needs an explicit --resend (a 'sending' row
only minutes old is another process delivering it now, and is reported as that); a failed attempt (the
server refused, nothing was accepted), or one whose process stopped before the hand-over (while
connecting, logging in, naming the recipients: the attempt records the moment it hands the message
over), is simply retried. Recipients the server refused while taking the message for the others
are recorded with the delivery (and its message says so); they are not sent to again automatically, as
resending would give the others a second copy. Without SMTP the message and its files go to the outbox folder,
which counts as delivered the same way. With SMTP but no digest.recipients the files are written all the same, and
the attempt fails (recorded as failed, so retried like a refused one once recipients are added): an office that set
up its mail server means the clipping to be mailed, and a day recorded as kept in the folder was never mailed.

A clipping is only as good as the crawl behind it: one sent before any crawl, or while the crawler was
down, tells leadership "no education news" and, recorded as delivered, keeps the real one from going
out. So sending refuses (CrawlNotFresh: nothing claimed, nothing recorded) when no source has answered
recently enough before the window's end, or the crawler was not running up to it (crawl_gap); `force` sends it
all the same. crawl_gap reads the sources' state now, which a crawl after an outage makes fresh again: a past day's
clipping is refused as well (CutoffNotCovered) when the fetch log shows that nothing was collected across its
cut-off (crawl_silence), as that time's news is missing or went to a later clipping as late arrivals. A clipping
built over such a gap, whether sent (the latest day's after a catch-up crawl, or forced) or only written, says so at
the top of its summary (Digest.collection_warning).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Iterable

from monitor.app import App
from monitor.cases import case_then
from monitor.config import OutletNames
from monitor.corrections import merged, read_corrected
from monitor.digest import (AlertTold, CollectionGap, Digest, add_outside_press, alerted_line, build_digest,
                            digest_window, latest_complete_day, note_alerted, note_follow_ups, note_handling,
                            note_outcomes, note_status_since, trend_from_rows,
                            TREND_DAYS, vn_number)
from monitor.errors import InputError, MessageInDoubt, MonitorError, NotifyError, StoreError
from monitor.models import Story
from monitor.store.digests import SENDING_NOW

log = logging.getLogger(__name__)

FORMATS = ("html", "txt", "md", "docx")
DOCX_TYPE = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")
# Articles published this long before the window and collected inside it still make the clipping.
LATE_ARRIVAL = timedelta(days=2)
# A clipping is sent only when the crawl has filled it (crawl_gap), judged on two things. The news: some source
# answered within this long before the cut-off (or after it), or within twice its own polling interval when that
# is longer (a feed polled every 6 hours that answered 4 hours before is fresh). The crawler: it was running up to
# the cut-off, i.e. it polled some source (whatever the answer) within this long before the cut-off, or no source
# had been left waiting longer than this past its due time. One daily source's success does not hide a crawler
# stopped for 40 hours (its other sources were due long before), and a frequent source failing since yesterday
# (backing off, so not due) does not hold the clipping while the others answer.
CRAWL_FRESH = timedelta(hours=3)


class CrawlNotFresh(NotifyError):
    """The clipping would be sent without the news: no source has been polled successfully up to its cut-off."""


def crawl_gap(app: App, day: date, end: datetime) -> CrawlNotFresh | None:
    """Why the clipping of `day` (its window ending at `end`) would miss the news, or None when the crawl is
    fresh: the crawler was running up to `end` and some source answered recently enough (see CRAWL_FRESH)."""
    cfg = app.config
    configured = {s.name: s.interval_minutes for s in cfg.sources}
    polls = app.store.poll_times()
    interval = lambda p: timedelta(minutes=configured.get(p["name"]) or p["interval_minutes"] or 30)  # noqa: E731
    successes = [p["last_success_at"] for p in polls if p["last_success_at"]]
    last = max(successes, default=None)
    news = any(p["last_success_at"] and p["last_success_at"] >= end - max(CRAWL_FRESH, 2 * interval(p)) for p in polls)
    last_poll = max((p["last_fetch_at"] for p in polls if p["last_fetch_at"]), default=None)
    overdue = sorted((due, p["name"]) for p in polls
                     if (due := p["next_due_at"] or (p["last_fetch_at"] and p["last_fetch_at"] + interval(p)))
                     and due < end - CRAWL_FRESH)
    running = (last_poll is not None and last_poll >= end - CRAWL_FRESH) or not overdue
    if news and running:
        return None
    tz = cfg.office.tz
    at = lambda t: f"{t.astimezone(tz):%H:%M %d/%m/%Y}"  # noqa: E731
    covers = f"điểm báo ngày {day:%d/%m/%Y} gồm 24 giờ đến {at(end)}"
    if last is None:
        why = (f"chưa thu thập thành công từ nguồn nào, nên điểm báo sẽ báo với lãnh đạo là không có tin giáo dục "
               f"({covers})")
    elif not news:
        why = (f"không thu thập thành công từ nguồn nào kể từ {at(last)}, nên điểm báo sẽ thiếu tin từ lúc đó "
               f"({covers})")
    else:
        when = f"kể từ {at(last_poll)}" if last_poll else "từ trước tới nay"
        why = (f"bộ thu thập không lấy tin từ nguồn nào {when}, dù nguồn {overdue[0][1]} đến hạn lúc {at(overdue[0][0])}: "
               f"nó không chạy, nên điểm báo sẽ thiếu tin từ lúc đó ({covers})")
    return CrawlNotFresh(
        f"chưa gửi điểm báo ngày {day:%d/%m/%Y} và chưa ghi nhận gì: {why}",
        hint=f"chạy `monitor crawl --all` (và `monitor status` để xem nguồn bị lỗi), rồi "
             f"`monitor digest --date {day.isoformat()} --send`; muốn gửi nguyên như vậy, thêm --force")


class CutoffNotCovered(CrawlNotFresh):
    """A past day's clipping would be sent although the crawler collected nothing across its cut-off: the crawl
    is fresh now, but what was published then is missing or went to a later clipping (crawl_silence)."""


def crawl_silence(app: App, day: date, end: datetime) -> CollectionGap | None:
    """Whether the crawler collected across `end` (the cut-off of `day`), judged from the fetch log and the crawl
    jobs' runs rather than from the sources' state now (crawl_gap), which a crawl after an outage makes fresh.

    Covered, as crawl_gap judges it at the cut-off: some feed answered within CRAWL_FRESH before it (or within twice
    its own polling interval when that is longer), and the crawler polled something (or ran its crawl job) within
    CRAWL_FRESH plus the shortest polling interval before it. Otherwise the gap: from the last poll a feed answered
    before the cut-off to the first after it. None when covered, when the log holds no feed poll at all (nothing
    was ever crawled: crawl_gap says so), or for a new install's first clipping: the latest day's, with nothing
    polled before its cut-off, filled by the first crawl after it as crawl_gap allows (no crawler was there to fall
    silent; an older day before the install is a gap), or for a cut-off older than the log's oldest poll when articles
    were collected before it (the log was pruned: it cannot tell)."""
    cfg = app.config
    intervals = {s.name: timedelta(minutes=s.interval_minutes) for s in cfg.sources}
    shortest = min((intervals[s.name] for s in cfg.sources if s.enabled), default=timedelta(minutes=30))
    fresh = lambda name: max(CRAWL_FRESH, 2 * intervals.get(name, shortest))  # noqa: E731
    history = app.store.crawl_history(end, max([fresh(name) for name in intervals], default=CRAWL_FRESH))
    if history is None:
        return None
    news = any(t >= end - fresh(name) for name, t in history["answered"].items())
    running = history["last_poll"] is not None and history["last_poll"] >= end - CRAWL_FRESH - shortest
    if news and running:
        return None
    if history["last_poll"] is None and day >= latest_complete_day(app.now(), cfg.digest.cutoff, cfg.office.tz):
        return None
    if history["last_feed_poll"] is None and history["last_answer"] is None and app.store.collected_by(end):
        # the log is pruned after LOG_RETENTION (monitor.service housekeeping) while the articles stay: a cut-off older
        # than its oldest poll, with articles collected before it, was crawled, and the log no longer says how well.
        # Read as a gap, every clipping older than that said the system had collected nothing until the log's first
        # poll, above the articles it had collected. A crawl job's run is no sign of the log then: the job history
        # keeps each job's latest run for good (a job of a polling interval no feed has any more), and articles
        # collected with no feed poll logged before them mean the log was pruned.
        return None
    since, until = history["last_answer"], history["next_answer"]
    carried_by = latest_complete_day(until, cfg.digest.cutoff, cfg.office.tz) + timedelta(days=1) if until else None
    return CollectionGap(cutoff=end, since=since, until=until, carried_by=carried_by,
                         failed_polls=app.store.failed_feed_polls(since, until))


def cutoff_not_covered(app: App, day: date, gap: CollectionGap) -> CutoffNotCovered:
    """Why a past day's clipping is not sent: when the crawler was silent, where that time's news went, how to send
    it all the same."""
    cfg = app.config
    tz = cfg.office.tz
    at = lambda t: f"{t.astimezone(tz):%H:%M %d/%m/%Y}"  # noqa: E731
    start, _ = digest_window(day, cfg.digest.cutoff, tz)
    how = (f"cả {gap.failed_polls} lần lấy tin trong thời gian đó đều lỗi" if gap.failed_polls
           else "bộ thu thập không lấy tin từ nguồn nào trong thời gian đó: nó không chạy, hoặc mọi nguồn đều đang "
                "lỗi, chờ thử lại")
    if gap.since is not None:
        silent = (f"không thu thập thành công từ nguồn nào từ {at(gap.since)} đến {at(gap.until) if gap.until else 'nay'}"
                  f" ({how}); chỉ những gì thu thập trước {at(gap.since)} có trong điểm báo này")
    else:
        silent = (f"chưa nguồn nào trả lời lần lấy tin nào trước {at(gap.until) if gap.until else 'nay'} "
                  + (f"({how})" if gap.failed_polls else "(nhật ký lấy tin không có lần lấy tin nào trước đó: hệ thống "
                     "được cài sau, hoặc nhật ký thời gian đó đã bị xóa bớt)"))
    if gap.carried_by is not None:
        later_start, _ = digest_window(gap.carried_by, cfg.digest.cutoff, tz)
        oldest = later_start - LATE_ARRIVAL
        went = (f"tin của thời gian đó mà bộ thu thập tìm được khi nguồn trả lời lại sẽ vào điểm báo ngày "
                f"{gap.carried_by:%d/%m/%Y}, ghi là 'nhận muộn'"
                + (f", nhưng chỉ tin đăng sau {at(oldest)}: phần còn lại không vào điểm báo nào nếu bản này không được "
                   "gửi" if oldest > start else "")
                + "; những gì các nguồn đã bỏ khỏi tin RSS trong lúc đó thì không bao giờ thu thập được")
    else:
        went = "những gì đăng từ đó sẽ vào điểm báo đầu tiên sau khi bộ thu thập lấy tin trở lại"
    return CutoffNotCovered(
        f"chưa gửi điểm báo ngày {day:%d/%m/%Y} và chưa ghi nhận gì: bộ thu thập không chạy qua giờ chốt "
        f"{at(gap.cutoff)}: {silent}. Vì vậy điểm báo sẽ thiếu tin của thời gian đó: {went}",
        hint=f"để vẫn gửi (điểm báo khi đó ghi rõ thời gian hệ thống không thu thập được tin): "
             f"`monitor digest --date {day.isoformat()} --send --force`")


@dataclass(frozen=True)
class DigestResult:
    day: date
    status: str  # sent | outbox | written | already-delivered | in-doubt | sending (by another run, now)
    message: str  # one line for a person (Vietnamese / English mix like the CLI)
    paths: dict[str, Path] = field(default_factory=dict)
    recipients: tuple[str, ...] = ()
    message_id: str | None = None
    education: int = 0
    items: int = 0
    hot: int = 0
    refused: dict = field(default_factory=dict)  # recipient -> the SMTP server's refusal

    @property
    def ok(self) -> bool:
        return self.status in ("sent", "outbox", "written", "already-delivered")

    def summary(self) -> str:
        return self.message


@dataclass(frozen=True)
class Rendered:
    """Every rendering of one digest, in memory; files and the e-mail are made from these."""

    html_email: str  # the chart as cid:
    html_file: str  # the chart as a file beside the .html
    text: str
    markdown: str
    chart_png: bytes
    docx: bytes | None
    chart_cid: str
    chart_name: str
    stem: str

    def document(self, fmt: str) -> bytes | None:
        """One format's file as bytes (None: a DOCX not rendered)."""
        if fmt == "docx":
            return self.docx
        return {"html": self.html_file, "txt": self.text, "md": self.markdown}[fmt].encode("utf-8")


def file_stem(day: date) -> str:
    return f"diem-bao-{day.isoformat()}"


# --------------------------------------------------------------------------- reading the store


def load_digest(app: App, day: date) -> Digest:
    """Gather everything the day's clipping needs from the store and build it (see monitor.digest)."""
    cfg = app.config
    tz = cfg.office.tz
    store = app.store
    start, end = digest_window(day, cfg.digest.cutoff, tz)
    articles = list(store.articles_between(start, end))
    seen = {a.id for a in articles}
    late = [a for a in store.late_articles(start, end, start - LATE_ARRIVAL) if a.id not in seen]
    # collected after the last cut-off yet before that day's clipping was built (a few minutes late, or a
    # catch-up hours later): that clipping held them, so they are not late news today
    held = store.articles_in_earlier_digests(day, [a.id for a in late])
    late = [a for a in late if a.id not in held]
    articles += late
    # sent after a later day's clipping (a day held after an outage and sent by hand, a resend): what that one
    # delivered, as late arrivals, is not repeated
    later = store.articles_in_later_digests(day, [a.id for a in articles])
    articles = [a for a in articles if a.id not in later]
    late = [a for a in late if a.id not in later]
    # what leadership reads follows the analysts' corrections at once (monitor.corrections)
    classifications, _ = read_corrected(store, [a.id for a in articles])
    edu_ids = [i for i, c in classifications.items() if c.is_education]
    stories = stories_for(store, edu_ids, start, end)
    articles, stories = outlets_named(cfg, articles, stories)
    previous_days = [day - timedelta(days=n) for n in range(7, 0, -1)]
    trend_start = digest_window(previous_days[0], cfg.digest.cutoff, tz)[0]
    trend = trend_from_rows(corrected_tones(store, store.tone_rows(trend_start, start)), previous_days, cfg.digest.cutoff, tz)
    # the feeds' state is now's: it tells of the latest clipping, not of an earlier day's built again (a preview, a
    # resend), which crawl_silence judges from the fetch log; there it named months later's silent feeds under an
    # old day ("lấy được gần nhất" after the window, "5/6 nguồn tin im lặng" at the top)
    current = day >= latest_complete_day(app.now(), cfg.digest.cutoff, tz)
    health = store.source_health(app.now()) if current else []
    # an earlier day's clipping built again (a preview, a resend) is an archive leadership may re-read: its hot
    # issues' cases as they stood then (when it was delivered, else at its cut-off), the status since said beside
    as_of = None if current else cases_as_of(app, day, end)
    then = CasesThen(store, as_of) if as_of is not None else None
    if then is not None:
        stories = {aid: then.story(s) for aid, s in stories.items()}
    digest = build_digest(
        office=cfg.office, day=day, window=(start, end), articles=articles, classifications=classifications,
        stories=stories, late_ids=[a.id for a in late], trend=trend, source_health=health,
        severity_order=[name for name, _ in cfg.alerts.thresholds], max_items=cfg.digest.max_items_per_topic,
        borderline_min_relevance=cfg.digest.borderline_min_relevance, borderline_max_items=cfg.digest.borderline_max_items,
        generated_at=app.now(), collection_gap=crawl_silence(app, day, end), never_crawled=not store.ever_crawled(),
        monitored_from=store.first_collection_time(),
    )
    entered = outside_press(app, start, end)
    if then is not None:
        entered = [(item, then.story(story)) for item, story in entered]
    digest = add_outside_press(digest, entered, severity_order=[name for name, _ in cfg.alerts.thresholds])
    cases = hot_cases(app, digest)
    if then is not None:
        now_cases = cases
        cases = {sid: c for sid, c in ((sid, case_then(c, as_of)) for sid, c in now_cases.items()) if c is not None}
    digest = note_outcomes(note_follow_ups(digest, earlier_cases(app, digest, cases)), latest_actions(app, cases))
    digest = note_handling(digest, handled(cases))
    digest = note_alerted(digest, alerted_lines(app, digest, as_of or app.now()))
    if then is not None:
        digest = note_status_since(digest, {sid: c.status for sid, c in now_cases.items()}, app.now().astimezone(tz))
    return digest


def cases_as_of(app: App, day: date, end: datetime) -> datetime:
    """When an earlier day's clipping is read as of: when it was delivered, else its cut-off."""
    record = app.store.digest_record(day)
    return record.sent_at if record is not None and record.delivered and record.sent_at else end


class CasesThen:
    """Stories with their case's status at one moment (case_then), each story's case read once."""

    def __init__(self, store, when: datetime) -> None:
        self.store, self.when, self._status = store, when, {}

    def story(self, story: Story) -> Story:
        if story.case_status is None:  # no case now, so none then
            return story
        if story.id not in self._status:
            case = self.store.case_of_story(story.id)
            then = case_then(case, self.when) if case is not None else None
            self._status[story.id] = then.status if then is not None else None
        status = self._status[story.id]
        return story if status == story.case_status else replace(story, case_status=status)


def corrected_tones(store, rows: list[tuple]) -> list[tuple]:
    """The week's (when, is_education, sentiment, article id) rows with the analysts' corrections put over them, as
    each day's own clipping reads its articles (read_corrected): else a day's bar and that day's clipping disagreed by
    the articles an analyst had judged not education, or of another tone, since."""
    labels = {r["article_id"]: r for r in store.labels([r[3] for r in rows])} if rows else {}
    if not labels:
        return rows
    out = []
    for when, is_edu, tone, aid in rows:
        if aid in labels:
            fixed = merged({"is_education": is_edu, "sentiment": tone, "topics": (), "hot": False, "scope": ""}, labels[aid])
            is_edu, tone = fixed["is_education"], fixed["sentiment"]
        out.append((when, is_edu, tone, aid))
    return out


def outside_press(app: App, start: datetime, end: datetime) -> list:
    """(item, its story) of the hot issues entered from outside the press in [start, end) (monitor.intake): each is
    in the one clipping whose window holds its entry, whenever it happened."""
    store = app.store
    out = []
    for item in store.intake_entered_between(start, end):
        story = store.story(item.story_id)
        if story is not None:
            out.append((item, story))
    return out


def hot_cases(app: App, digest: Digest) -> dict:
    """story id -> the case of each hot item that has one: asked once for both things said under an item."""
    store = app.store
    out = {}
    for item in digest.hot.items:
        if item.story_id is not None and (case := store.case_of_story(item.story_id)) is not None:
            out[item.story_id] = case
    return out


def alerted_lines(app: App, digest: Digest, until: datetime) -> dict[int, str]:
    """story id -> what the clipping says of the alerts that reached leadership before `until` (monitor.digest.
    alerted_line), for the hot items that read lower now than they were told."""
    store = app.store
    hot = {i.story_id: i for i in digest.hot.items if i.story_id is not None}
    told = store.alerts_told(hot, until)
    order = [name for name, _ in app.config.alerts.thresholds]

    def points(explanation: dict) -> dict[str, float]:
        return {s["name"]: s["points"] for s in explanation.get("signals", ())}

    out = {}
    for story_id, alerts in told.items():
        item = hot[story_id]
        out[story_id] = alerted_line(
            [AlertTold(a.severity, a.hot_score, at, points(a.payload.get("explanation", {}))) for a, at in alerts],
            item.severity, item.hot_score, points(store.story_explanation(story_id)), order, app.config.office.tz)
    return out


def latest_actions(app: App, cases: dict) -> dict[int, str]:
    """story id -> what was last done about its case (monitor.cases.outcome_line), for the hot items whose case has
    a person's note."""
    from monitor.cases import outcome_line

    tz = app.config.office.tz
    return {sid: line for sid, case in cases.items() if (line := outcome_line(case.events, tz, not_ours=case.not_ours))}


def handled(cases: dict) -> dict[int, str]:
    """story id -> what its case records the office did, in a few words, for the hot items whose case has any."""
    from monitor.cases import handling_brief

    return {sid: brief for sid, case in cases.items() if (brief := handling_brief(e.handling for e in case.handling))}


def earlier_cases(app: App, digest: Digest, cases: dict) -> dict[int, list[tuple[int, int, str]]]:
    """story id -> the earlier open cases (case id, its story id, title) its articles come close to, for the hot
    items that have a case (`cases`, hot_cases): the alerts' related-case hint (monitor.triage.RelatedCases)."""
    if not cases:
        return {}
    from monitor.triage import RelatedCases

    store = app.store
    related = RelatedCases(app, around=digest.window_end)
    out: dict[int, list[tuple[int, int, str]]] = {}
    for story_id, case in cases.items():
        members = store.story_members(story_id)
        if not members:
            continue
        found = []
        for r in related.find(case.id, members):
            other = store.case(r.case_id)
            if r.case_id < case.id and other is not None:  # opened earlier: this story may continue it
                found.append((r.case_id, other.story_id, r.title))
        if found:
            out[story_id] = found
    return out


def outlets_named(config, articles, stories: dict[int, Story]) -> tuple[list, dict[int, Story]]:
    """The articles and stories with each outlet under one name (monitor.config.OutletNames), so that the clipping
    counts an outlet once however its feeds spelt it, in rows stored before feeds.yaml named it that way too."""
    names = OutletNames(config)
    articles = [a if names(a.outlet) == a.outlet else replace(a, outlet=names(a.outlet)) for a in articles]
    return articles, names.stories(stories)[0]


def stories_for(store, article_ids: Iterable[int], start: datetime, end: datetime) -> dict[int, Story]:
    """article id -> its story, from the triage stage's tables (empty when triage has not run)."""
    wanted = set(article_ids)
    out: dict[int, Story] = {}
    if not wanted:
        return out
    for story in store.stories_between(start, end):
        for aid in story.article_ids:
            if aid in wanted:
                out[aid] = story
    for aid in sorted(wanted - out.keys()):
        if aid in out:
            continue
        story_id = store.story_of_article(aid)
        story = store.story(story_id) if story_id is not None else None
        if story is not None:
            for member in story.article_ids:
                if member in wanted:
                    out[member] = story
    return out


# --------------------------------------------------------------------------- rendering


def render_all(digest: Digest, formats: Iterable[str], *, domain: str = "localhost", inline_chart: bool = False) -> Rendered:
    """Render the formats asked for plus what the e-mail always carries (text, HTML, chart). `inline_chart`: the
    HTML and Markdown files carry the chart inside them (standard output has no folder to put it beside)."""
    from monitor.charts import trend_png
    from monitor.render import render_html, render_markdown, render_text

    formats = set(formats)
    stem = file_stem(digest.day)
    chart_name = f"{stem}-xu-huong.png"
    chart_cid = f"xu-huong-{digest.day.isoformat()}@{domain}"
    png = trend_png(digest.trend, title=digest.trend_title, slots=TREND_DAYS)
    file_chart = data_uri(png) if inline_chart else chart_name
    docx_bytes = None
    if "docx" in formats:
        from monitor.docx_render import render_docx

        docx_bytes = render_docx(digest, chart_png=png)
    return Rendered(
        html_email=render_html(digest, chart_src=f"cid:{chart_cid}"), html_file=render_html(digest, chart_src=file_chart),
        text=render_text(digest), markdown=render_markdown(digest, chart_src=file_chart) if "md" in formats else "",
        chart_png=png, docx=docx_bytes, chart_cid=chart_cid, chart_name=chart_name, stem=stem,
    )


def write_files(rendered: Rendered, formats: Iterable[str], folder: Path) -> dict[str, Path]:
    """Write the chosen formats into `folder`; the chart goes beside the HTML and Markdown that show it."""
    formats = list(formats)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        paths: dict[str, Path] = {}
        for fmt in formats:
            path = folder / f"{rendered.stem}.{fmt}"
            data = rendered.document(fmt)
            if data is None:
                continue
            atomic_write(path, data)
            paths[fmt] = path
        if {"html", "md"} & set(formats):
            chart = folder / rendered.chart_name
            atomic_write(chart, rendered.chart_png)
            paths["chart"] = chart
    except OSError as exc:
        raise StoreError(f"không ghi được điểm báo vào {folder}: {exc}",
                         hint="kiểm tra thư mục có tồn tại và người dùng này được ghi vào đó, hoặc cho --out THƯ_MỤC") from None
    return paths


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` whole: a reader (a mail client, a person opening the folder) never sees half a file."""
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)


def build_message(app: App, digest: Digest, rendered: Rendered, recipients: tuple[str, ...], message_id: str) -> EmailMessage:
    """multipart/mixed: [alternative: text, related: (HTML, chart)], DOCX attachment. UTF-8 headers."""
    from monitor.render import subject

    cfg = app.config
    from monitor.mail import MAIL_POLICY

    msg = EmailMessage(policy=MAIL_POLICY)
    msg["Subject"] = subject(digest, cfg.digest.subject_prefix)
    msg["From"] = cfg.smtp.sender or f"diem-bao@{_domain(app)}"
    msg["To"] = ", ".join(recipients) if recipients else "undisclosed-recipients:;"
    msg["Date"] = format_datetime(app.now().astimezone(cfg.office.tz))
    msg["Message-ID"] = message_id
    msg.set_content(rendered.text, subtype="plain", charset="utf-8")
    msg.add_alternative(rendered.html_email, subtype="html", charset="utf-8")
    html_part = msg.get_payload()[1]
    html_part.add_related(rendered.chart_png, "image", "png", cid=f"<{rendered.chart_cid}>",
                          filename=rendered.chart_name, disposition="inline")
    if rendered.docx is not None:
        msg.add_attachment(rendered.docx, maintype=DOCX_TYPE[0], subtype=DOCX_TYPE[1], filename=f"{rendered.stem}.docx")
    return msg


def _domain(app: App) -> str:
    sender = app.config.smtp.sender
    return sender.rsplit("@", 1)[1].rstrip(">").strip() if "@" in sender else "localhost"


# --------------------------------------------------------------------------- the one entry point


def outbox_folder(app: App, day: date) -> Path:
    return app.config.storage.data_dir / app.config.digest.outbox_dir / day.isoformat()


def default_folder_writable(folder: Path, what: str, example: str) -> None:
    """Refuse, before anything is built, to write `what` (the digest, the report) into `folder`, the default under
    storage.data_dir, when this user cannot write there: a copy of the data on a read-only share is read by the
    commands that only read (the preview among them), and the files then go where the person says (--out), never
    somewhere they did not choose."""
    import tempfile

    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise StoreError(f"không ghi được {what} vào {folder}, thư mục mặc định của nó (trong storage.data_dir): "
                         f"{exc.strerror or exc}; chưa ghi gì",
                         hint=f"dùng --out DIR để ghi {what} vào một thư mục được phép ghi, ví dụ --out {example}") from None


def build_and_deliver_digest(app: App, day: date | None = None, *, send: bool = True, resend: bool = False,
                             formats: Iterable[str] | None = None, out_dir: str | Path | None = None,
                             force: bool = False) -> DigestResult:
    """Build the clipping of `day` (default: the latest day whose cut-off has passed) and deliver it.

    send=False only writes the files (into `out_dir`, default the outbox folder of the day) and
    records nothing. send=True e-mails it to digest.recipients, or puts it in the outbox when SMTP is
    not configured (with SMTP and no recipients: NotifyError after writing the files); a day already
    delivered is not delivered again unless `resend`. Sending
    raises CrawlNotFresh, recording nothing, when no source has been polled successfully up to the window's
    end (crawl_gap), or, for a day before the latest cut-off, CutoffNotCovered when the crawler collected
    nothing across that day's cut-off (crawl_silence); not with `force`.
    """
    cfg = app.config
    tz = cfg.office.tz
    day = day or latest_complete_day(app.now(), cfg.digest.cutoff, tz)
    formats = tuple(formats or cfg.digest.formats)
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise InputError(f"không có dạng điểm báo {unknown[0]!r}; dùng một trong {', '.join(FORMATS)}")
    start, end = digest_window(day, cfg.digest.cutoff, tz)
    if not send and not out_dir:
        default_folder_writable(outbox_folder(app, day), "điểm báo", "~/diem-bao")
    if send and end > app.now():
        raise InputError(f"điểm báo ngày {day:%d/%m/%Y} gồm 24 giờ đến {end:%H:%M %d/%m/%Y}, thời điểm này chưa qua",
                         hint="gửi sau giờ chốt, hoặc xem trước không kèm --send")
    store = app.store

    if send and not resend:
        record = store.digest_record(day)
        if record is not None and record.delivered:
            where = f"tới {', '.join(record.recipients)}" if record.channel == "smtp" else f"vào thư mục outbox {Path(next(iter(record.paths.values()), '.')).parent}"
            return DigestResult(day, "already-delivered",
                                f"Điểm báo ngày {day:%d/%m/%Y} đã gửi {where} lúc "
                                f"{record.sent_at.astimezone(tz):%H:%M %d/%m/%Y}; lần này không gửi gì (gửi lại: thêm --resend)",
                                paths={k: Path(v) for k, v in record.paths.items()}, recipients=record.recipients,
                                message_id=record.message_id, items=record.items)
        if record is not None and record.in_doubt and not record.stopped_before_hand_over(app.now()):
            return _in_doubt(day, record, tz, app.now())
    if send and not force:
        gap = crawl_gap(app, day, end)
        if gap is not None:
            raise gap
        # a past day never sent: the crawl being fresh now says nothing about its cut-off, long gone. (The latest
        # day's may be caught up by a crawl right after it: the clipping, built then, holds what the feeds still
        # carry, and says that the system collected nothing for a while. A day with a record was judged when first
        # sent: a failed attempt is retried, a resend repeats what went out.)
        if (day < latest_complete_day(app.now(), cfg.digest.cutoff, tz) and store.digest_record(day) is None
                and (silence := crawl_silence(app, day, end))):
            raise cutoff_not_covered(app, day, silence)

    digest = load_digest(app, day)
    mail_formats = set(formats) | ({"docx"} if send and "docx" in cfg.digest.formats else set())
    rendered = render_all(digest, mail_formats, domain=_domain(app))
    # the hot issues as the clipping's summary counts them (a likely follow-up with the issue it continues)
    counts = dict(education=digest.summary.education, items=digest.item_count, hot=digest.summary.hot_issues)

    if not send:
        folder = Path(out_dir) if out_dir else outbox_folder(app, day)
        paths = write_files(rendered, formats, folder)
        return DigestResult(day, "written", f"Điểm báo ngày {day:%d/%m/%Y} đã ghi vào {folder} "
                            f"({_figures(digest)}; chưa gửi đi: thêm --send để gửi)" + _gap_note(digest),
                            paths=paths, **counts)

    recipients = cfg.digest.recipients
    use_smtp = cfg.smtp.configured and bool(recipients)
    channel = "smtp" if use_smtp else "outbox"
    previous = store.digest_record(day) if resend else None
    # sending again what may already be in the mailboxes: the same Message-ID marks it as the same message
    message_id = (previous.message_id if previous is not None and previous.in_doubt and previous.message_id
                  else make_msgid(idstring=f"diem-bao-{day.isoformat()}", domain=_domain(app)))
    # everything that can fail before the hand-over is done before the claim, so a 'sending' row
    # really means "the message may be out"
    message = build_message(app, digest, rendered, recipients if use_smtp else (), message_id)
    claim = store.claim_digest(day, window_start=start, cutoff_at=end, channel=channel,
                               recipients=recipients if use_smtp else (), formats=formats, message_id=message_id,
                               items=counts["items"], now=app.now(), resend=resend, article_ids=digest.article_ids)
    if not claim.granted:  # another process got there between our check and now
        if claim.reason == "in-doubt":
            return _in_doubt(day, claim.record, tz, app.now())
        return DigestResult(day, "already-delivered", f"Điểm báo ngày {day:%d/%m/%Y} đã được một lần chạy khác gửi đi; "
                                                     "lần này không gửi gì")

    try:
        if use_smtp:
            paths = write_files(rendered, formats, Path(out_dir)) if out_dir else {}
            from monitor.mail import send_message

            def handing_over() -> None:
                # from here on the message may arrive: a run that stops now leaves the day in doubt, not retried
                if not store.digest_handing_over(claim.delivery_id, app.now()):
                    raise NotifyError(f"điểm báo ngày {day:%d/%m/%Y} đã được một lần chạy khác nhận gửi, vì lần này "
                                      f"bị treo quá {int(SENDING_NOW.total_seconds() // 60)} phút trước khi chuyển thư "
                                      "cho máy chủ thư; lần này không gửi gì",
                                      hint="`monitor status` cho biết lần chạy kia gửi thế nào")

            try:
                refused = send_message(cfg.smtp, message, on_hand_over=handing_over)
            except MessageInDoubt as exc:
                # the server has the whole message and never said whether it took it: recorded in doubt, so
                # neither the service nor a rerun sends it again by itself (a person checks, then --resend)
                store.finish_digest(day, claim.delivery_id, status="in-doubt", now=app.now(), error=str(exc))
                record = store.digest_record(day)
                return _in_doubt(day, record, tz, app.now())
            store.finish_digest(day, claim.delivery_id, status="sent", now=app.now(), paths=paths, refused=refused,
                                error=_refused_text(refused) or None)
            got = tuple(r for r in recipients if r not in refused)
            return DigestResult(day, "sent", f"Điểm báo ngày {day:%d/%m/%Y} đã gửi tới {', '.join(got)} "
                                f"({_figures(digest)})"
                                + (f"; {_refused_text(refused)}" if refused else "") + _gap_note(digest),
                                paths=paths, recipients=got, message_id=message_id, refused=refused, **counts)
        folder = Path(out_dir) if out_dir else outbox_folder(app, day)
        paths = write_files(rendered, formats, folder)
        if cfg.smtp.configured:
            # an office that set up its mail server means the clipping to go by e-mail: kept in the folder as if
            # delivered, the day was never sent again once recipients were added. The files stay (nothing
            # collected is lost); the attempt is recorded as failed, so the service retries it like a refused one
            raise NotifyError(
                f"chưa gửi điểm báo ngày {day:%d/%m/%Y}: smtp.host đã đặt ({cfg.smtp.host}) nhưng digest.recipients "
                f"trống, nên thư không có người nhận; các tệp điểm báo đã ghi vào {folder} ({_figures(digest)}), "
                "ngày này chưa được ghi nhận là đã gửi",
                hint=f"thêm địa chỉ vào digest.recipients trong {cfg.path}, ví dụ recipients: [lanhdao@<tên miền của "
                     f"đơn vị>], rồi chạy `monitor digest --date {day.isoformat()} --send` (hoặc cho dịch vụ đọc "
                     "lại tệp: systemctl reload edu-monitor, nó tự gửi lại); nếu đơn vị chỉ lưu điểm báo vào thư mục "
                     "outbox, xóa smtp.host")
        eml = folder / f"{rendered.stem}.eml"
        atomic_write(eml, message.as_bytes())
        paths["eml"] = eml
        store.finish_digest(day, claim.delivery_id, status="outbox", now=app.now(), paths=paths)
        return DigestResult(day, "outbox", f"chưa cấu hình máy chủ thư (smtp): điểm báo ngày {day:%d/%m/%Y} được lưu "
                            f"vào thư mục outbox {folder} "
                            f"({_figures(digest)}; thư điện tử: {eml.name})" + _gap_note(digest), paths=paths,
                            message_id=message_id, **counts)
    except (MonitorError, OSError) as exc:
        # the server refused or the files could not be written: nothing went out, so a retry is safe
        store.finish_digest(day, claim.delivery_id, status="failed", now=app.now(), error=str(exc))
        if isinstance(exc, MonitorError):
            raise
        raise NotifyError(f"không gửi được điểm báo ngày {day:%d/%m/%Y}: {exc}") from None


def data_uri(png: bytes) -> str:
    """The chart inside the document itself: on standard output there is no folder to put its file beside."""
    import base64

    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def digest_document(app: App, day: date | None, fmt: str) -> tuple[bytes, str]:
    """One format of the clipping of `day` (default: the latest day whose cut-off has passed) as bytes that stand
    alone (the chart inside the HTML and Markdown), for standard output; and the line a person reads about it.
    Like the preview, it only reads the store and records nothing."""
    cfg = app.config
    day = day or latest_complete_day(app.now(), cfg.digest.cutoff, cfg.office.tz)
    if fmt not in FORMATS:
        raise InputError(f"không có dạng điểm báo {fmt!r}; dùng một trong {', '.join(FORMATS)}")
    digest = load_digest(app, day)
    data = render_all(digest, [fmt], inline_chart=True).document(fmt)
    return data, (f"Điểm báo ngày {day:%d/%m/%Y} đã ghi ra đầu ra chuẩn, dạng {fmt} ({_figures(digest)}; "
                  "chưa gửi đi: thêm --send để gửi)" + _gap_note(digest))


def _figures(digest: Digest) -> str:
    """'33 tin, bài về giáo dục, 10 vấn đề nóng': the clipping's own figures (its summary's), not a count of its
    printed items, which matched neither its articles nor its stories."""
    s = digest.summary
    return f"{vn_number(s.education)} tin, bài về giáo dục, {vn_number(s.hot_issues)} vấn đề nóng"


def _gap_note(digest: Digest) -> str:
    """'; bản điểm báo ghi rõ hệ thống không thu thập được tin từ ... đến ...' when the clipping carries that warning,
    or what to run first on a new install whose clipping is empty because nothing was ever crawled."""
    if digest.nothing_collected and digest.never_crawled:
        return "; hệ thống chưa thu thập tin nào: chạy `monitor crawl` (lấy tin một lần) hoặc `monitor serve` trước"
    gap = digest.collection_gap
    if gap is None:
        return ""
    tz = digest.office.tz
    span = (f"từ {gap.since.astimezone(tz):%H:%M %d/%m/%Y} " if gap.since else "") + (
        f"đến {gap.until.astimezone(tz):%H:%M %d/%m/%Y}" if gap.until else "đến nay")
    return f"; bản điểm báo ghi rõ hệ thống không thu thập được tin {span}, qua giờ chốt"


def _refused_text(refused: dict[str, str]) -> str:
    """Who the server refused and why, for the delivery record and the CLI."""
    if not refused:
        return ""
    from monitor.mail import refusals

    return "máy chủ từ chối người nhận: " + refusals(refused)


def sending_now(record, now: datetime) -> bool:
    """A 'sending' claim recent enough to be another live process delivering the day at this moment (not
    one left by a process that stopped mid-delivery: that one is in doubt)."""
    return record is not None and record.sending_now(now)


def _in_doubt(day: date, record, tz, now: datetime) -> DigestResult:
    """Why the day is not delivered by this run: another run is sending it now, or it may have gone out."""
    if sending_now(record, now):
        minutes = int(SENDING_NOW.total_seconds() // 60)
        return DigestResult(
            day, "sending",
            f"một lần chạy khác đang gửi điểm báo ngày {day:%d/%m/%Y} (nhận gửi ngày này lúc "
            f"{record.started_at.astimezone(tz):%H:%M:%S %d/%m/%Y}, Message-ID {record.message_id}); lần này không gửi "
            f"gì. Một phút nữa xem `monitor status`: ngày này phải hiện là đã gửi. Nếu sau {minutes} phút ngày này "
            f"vẫn chưa hiện là đã gửi, lần chạy kia đã dừng giữa chừng và điểm báo có thể đã đi: kiểm tra hộp thư, rồi chạy "
            f"`monitor digest --date {day.isoformat()} --send --resend`",
            recipients=record.recipients, message_id=record.message_id)
    if record.status == "in-doubt":
        why = (f"máy chủ thư (SMTP) đã nhận điểm báo ngày {day:%d/%m/%Y} lúc {record.started_at.astimezone(tz):%H:%M %d/%m/%Y} "
               f"nhưng không xác nhận ({record.error}), nên có thể thư đã đi")
    else:
        why = (f"điểm báo ngày {day:%d/%m/%Y} đang được gửi lúc {record.started_at.astimezone(tz):%H:%M %d/%m/%Y} "
               "thì tiến trình dừng, nên có thể thư đã đi")
    return DigestResult(
        day, "in-doubt",
        f"Chưa rõ đã gửi hay chưa: {why} (Message-ID {record.message_id}); kiểm tra hộp thư, nếu chưa nhận được thì "
        f"chạy `monitor digest --date {day.isoformat()} --send --resend` để gửi lại",
        recipients=record.recipients, message_id=record.message_id)
