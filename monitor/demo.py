"""The offline demo: the whole pipeline on invented sample news served from 127.0.0.1.

`monitor demo` starts a local news site with the articles of `demo_data/articles.yaml` laid out like
the real outlets' feeds and pages, points a copy of the configuration at it, runs crawl -> classify ->
stories/triage into a fresh SQLite file, does what `demo_data/cases.yaml` says a clerk did (a hot issue
entered from outside the press, what was done about the cases), writes that day's digest and the month's
report and prints a short summary. Nothing reaches the internet; the real feeds.yaml is only read (its
office and outlets), never changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Callable

import yaml

from classifiers.text import fold
from monitor.app import App, system_clock
from monitor.digest import digest_window, latest_complete_day
from monitor.errors import InputError

DEMO_FORMATS = ("html", "txt", "md", "docx")


@dataclass(frozen=True)
class DemoResult:
    folder: Path
    database: Path
    config_path: Path
    day: date
    articles: int  # collected by the demo's crawl
    education: int  # of them, judged education
    hot_stories: int  # in the clipping
    digest_education: int = 0  # education articles in the clipping's window (24 hours before the cut-off)
    digest_paths: dict[str, Path] = field(default_factory=dict)
    lines: tuple[str, ...] = ()
    report_paths: dict[str, Path] = field(default_factory=dict)  # the month's report, with the demo's cases


def demo_articles(cutoff_at: datetime) -> list[dict]:
    """The bundled sample, with publication times placed relative to the digest cut-off."""
    text = (resources.files("monitor") / "demo_data" / "articles.yaml").read_text(encoding="utf-8")
    out = []
    for item in yaml.safe_load(text):
        out.append({
            "outlet": item["outlet"], "feed": item["source"], "extra_feeds": item.get("also_in") or [],
            "slug": item["slug"], "title": item["title"], "sapo": item.get("sapo", ""),
            "paragraphs": item.get("paragraphs") or [], "author": item.get("author", ""),
            "published": cutoff_at - timedelta(hours=float(item["hours_before_cutoff"])),
            "related_links": [(t, "#") for t in item.get("related") or []],
            "image_caption": item.get("image_caption", ""),
        })
    return out


def expected_labels() -> dict[str, dict]:
    """slug -> the hand labels written with the sample (used by the demo's tests)."""
    text = (resources.files("monitor") / "demo_data" / "articles.yaml").read_text(encoding="utf-8")
    return {item["slug"]: item["expected"] | {"hours_before_cutoff": item["hours_before_cutoff"], "key": item["key"]}
            for item in yaml.safe_load(text)}


def run_demo(folder: Path, *, base_config: Path | None = None, clock: Callable[[], datetime] = system_clock,
             echo: Callable[[str], None] = lambda line: None) -> DemoResult:
    """Serve the sample, run the pipeline into `folder`/monitor.sqlite3, write the day's digest there."""
    from monitor import sample_site
    from monitor.config import load_config
    from monitor.digest_delivery import build_and_deliver_digest
    from monitor.pipeline import run_once
    from monitor.report import build_and_deliver_report

    base = load_config(base_config or _shipped_config())
    folder = folder.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / "monitor.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(str(database) + suffix).unlink(missing_ok=True)

    tz = base.office.tz
    day = latest_complete_day(clock(), base.digest.cutoff, tz)
    _, cutoff_at = digest_window(day, base.digest.cutoff, tz)
    site = sample_site.build_site(demo_articles(cutoff_at))
    server, base_url = sample_site.serve(site)
    try:
        echo(f"trang tin mẫu: {base_url} ({len(site.feeds)} nguồn tin, {len(site.article_paths)} trang bài)")
        if fold(base.office.district) != fold(SAMPLE_DISTRICT):
            echo(f"lưu ý: tin mẫu là tin về Hà Nội, phần lớn về quận {SAMPLE_DISTRICT}; điểm báo của "
                 f"{base.office.short_name} có thể không có tin trên địa bàn")
        config_path = folder / "feeds.yaml"
        config = sample_site.sample_config(site, folder, config_path=config_path, **_office_sections(base))
        app = App(config, clock=clock, models_dir=base.storage.models_dir)
        try:
            report = run_once(app, force=True, deliver=False)
            echo(f"thu thập: {report.crawl.summary()}")
            c = report.classify
            echo(f"phân loại: {c.classified} bài ({c.education} giáo dục, {c.hot} nóng), mô hình {c.model_version}")
            if report.triage is not None:
                echo(f"gộp tin, chấm điểm: {_summary(report.triage)}")
            for line in record_demo_cases(app, site, cutoff_at):
                echo(f"hồ sơ: {line}")
            result = build_and_deliver_digest(app, day, send=False, formats=DEMO_FORMATS, out_dir=folder / "digest")
            echo(f"điểm báo: {result.message}")
            monthly = build_and_deliver_report(app, day.year, day.month, out_dir=folder / "report", send=False)
            report_paths = dict(monthly.paths)
            hot_stories = result.hot
            digest_education = result.education
            articles = app.store.count_articles()
        finally:
            app.close()
    finally:
        sample_site.stop(server)
    return DemoResult(folder=folder, database=database, config_path=config_path, day=day, articles=articles,
                      education=c.education, hot_stories=hot_stories, digest_education=digest_education,
                      digest_paths=dict(result.paths), report_paths=report_paths)


SAMPLE_DISTRICT = "Long Biên"  # where most of the sample news happens (demo_data/articles.yaml)


def _office_sections(base) -> dict:
    """The sections of the given configuration the demo runs with: its office (the clipping's letterhead, its
    area's section, the report's signer and recipients are that office's, not the shipped Long Biên), its cut-off
    (the demo's day is computed with it) and its alert levels (the demo's cases name one)."""
    raw = yaml.safe_load(base.path.read_text(encoding="utf-8")) if base.path.is_file() else None
    raw = raw if isinstance(raw, dict) else {}
    alerts = raw.get("alerts") if isinstance(raw.get("alerts"), dict) else {}
    return {"office": raw.get("office") if isinstance(raw.get("office"), dict) else None,
            "digest": {"cutoff": base.digest.cutoff},
            "alerts": {"thresholds": alerts["thresholds"]} if "thresholds" in alerts else None}


def office_words(office, preferred_ward: str = "") -> dict[str, str]:
    """The words of the demo's clerk that depend on the office (demo_data/cases.yaml's {placeholders}): the ward a
    parents' group is named after (`preferred_ward` when the office watches it, else its first watched ward, else
    its area), the people's committee it reports to, its deputy head's title and the committee's chair."""
    from classifiers.scope import ward_entry, ward_kinds

    kinds = ward_kinds(office.area, office.is_department)
    wards = [ward_entry(w, kinds) for w in office.watchlist.wards]
    wards = [(name, its) for name, its in wards if its]
    pick = next((w for w in wards if fold(w[0]) == fold(preferred_ward)), wards[0] if wards else None)
    ward = f"{pick[1][0]} {pick[0]}" if pick else office.area
    area_kind = next((k for k in ("thành phố", "thị xã", "thị trấn", "đặc khu", "quận", "huyện", "tỉnh", "phường", "xã")
                      if office.area.lower().startswith(k + " ")), "")
    return {"ward": ward, "ward_slug": fold(pick[0] if pick else office.district).lower().replace(" ", ""),
            "area": office.area,
            "governing_body": office.governing_body,
            "deputy": "Phó Giám đốc Sở" if office.is_department else "Phó Trưởng phòng",
            "chair": f"Chủ tịch UBND {area_kind or office.area}"}


def demo_cases(office=None) -> dict:
    """The clerk's part of the demo (demo_data/cases.yaml): items from outside the press and handling records, its
    {placeholders} filled with `office`'s words (office_words; the shipped office's when None)."""
    text = (resources.files("monitor") / "demo_data" / "cases.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if office is None:
        from monitor.config import load_config

        with resources.as_file(resources.files("monitor") / "templates" / "feeds.example.yaml") as p:
            office = load_config(p).office
    words = office_words(office, data.get("ward", ""))

    def fill(value):
        if isinstance(value, str):
            for key, word in words.items():
                value = value.replace("{" + key + "}", word)
            return value
        if isinstance(value, list):
            return [fill(v) for v in value]
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        return value

    return fill(data)


def record_demo_cases(app: App, site, cutoff_at: datetime) -> list[str]:
    """Do what demo_data/cases.yaml says a clerk did: enter the hot issues that reached the office outside the press
    (each at its time before the cut-off, so that the demo day's clipping holds it) and record what was done about
    the cases (now, after the crawl that opened them). A case whose article the demo's crawl did not collect or
    triage did not rate hot is left out (the sample is classified by the model, which may change). -> one line per
    thing done, for the demo's output."""
    from monitor.cases import handling_text, update_case
    from monitor.intake import open_from_outside

    data = demo_cases(app.config.office)
    tz = app.config.office.tz
    levels = [n for n, _ in app.config.alerts.thresholds]
    cases: dict[str, int] = {}
    lines = []
    clock = app.clock
    try:
        for item in data.get("outside_press") or []:
            happened = cutoff_at - timedelta(hours=float(item["hours_before_cutoff"]))
            app.clock = lambda at=cutoff_at - timedelta(hours=float(item["entered_hours_before_cutoff"])): at
            done = open_from_outside(
                app, title=item["title"], source_kind=item["source_kind"], source=item["source"], by=item["by"],
                url=item.get("url"), at=f"{happened.astimezone(tz):%H:%M %d/%m/%Y}", summary=item.get("summary", ""),
                topic=item.get("topic"), level=item["level"] if item.get("level") in levels else None,
                scope=item.get("scope"))
            if done.item is not None:
                cases[item["key"]] = done.case.id
                lines.append(f"hồ sơ #{done.case.id} ghi nhận từ {done.item.source_label}: {done.item.title}")
    finally:
        app.clock = clock
    plan, to_close = _handling_plan(app, site, data, cases)
    for case_id, act in plan:
        before = {e.id for e in app.store.case(case_id).handling}
        c, _ = update_case(app, case_id, by=act["by"], status=act.get("status"), owner=act.get("owner"),
                           note=act.get("note", ""), reported_to=act.get("reported_to") or (),
                           answered_press=act.get("answered_press") or (), spokesperson=act.get("spokesperson", ""),
                           directed_by=act.get("directed_by", ""), corrected=bool(act.get("corrected")))
        done = [handling_text(e.handling) for e in c.handling if e.id not in before] or [act.get("note", "")]
        lines.append(f"hồ sơ #{c.id} ({c.status}), {act['by']}: " + "; ".join(d for d in done if d))
    if to_close:
        from monitor.cases import close_not_ours

        closing = (data.get("elsewhere") or {}).get("not_ours") or {}
        area = app.config.office.area
        for case_id in to_close:
            c, _ = close_not_ours(app, case_id, by=closing.get("by", ""), note=closing.get("note", ""))
            lines.append(f"hồ sơ #{c.id} ({c.status}), {closing.get('by', '')}: {closing.get('note', '')} — tin mẫu "
                         f"không có vấn đề nóng nào trên địa bàn {area} để ghi việc đã làm")
    return lines


def _handling_plan(app: App, site, data: dict, entered: dict[str, int]) -> tuple[list[tuple[int, dict]], list[int]]:
    """(case id, what was done) for each of cases.yaml's handling records the office running the demo would make,
    and the press cases to close as another area's. A press case off the office's area (the sample's Long Biên
    incident for a Sở of Nghệ An) gets none of them: its records go, reworded (`elsewhere.own_area_handling`), on
    the hottest press case of the office's own area when the crawl opened one; else it is to close
    (`elsewhere.not_ours`). Items entered from outside the press are the office's own (their {ward} is its ward)."""
    office = app.config.office
    elsewhere = data.get("elsewhere") or {}
    plan: list[tuple[int, dict]] = []
    off_area: dict[int, None] = {}  # the press cases not the office's, in the order the records name them
    for act in data.get("handling") or []:
        case_id = entered.get(act["case"])
        if case_id is None:
            case_id = _case_of_article(app, site, act["case"])
            if case_id is None:
                continue
            if not office.is_own_area(app.store.story(app.store.case(case_id).story_id).scope):
                off_area[case_id] = None
                continue
        plan.append((case_id, act))
    if not off_area:
        return plan, []
    own = _own_area_press_case(app, exclude={*entered.values(), *(c for c, _ in plan)})
    if own is not None:
        outlet = (app.store.case(own).outlets or ("",))[0]
        fill = lambda v: [x.replace("{outlet}", outlet) for x in v] if isinstance(v, list) else v  # noqa: E731
        return plan + [(own, {k: fill(v) for k, v in act.items()})
                       for act in elsewhere.get("own_area_handling") or []], []
    return plan, list(off_area)


def _own_area_press_case(app: App, exclude: set[int]) -> int | None:
    """The open case of the hottest press story on the office's own area (severity first, then score), or None."""
    office = app.config.office
    order = [name for name, _ in app.config.alerts.thresholds]
    rank = lambda c: (order.index(c.severity) if c.severity in order else len(order), -c.hot_score, c.id)  # noqa: E731
    own = [c for c in app.store.cases(limit=10_000) if not c.closed and c.id not in exclude
           and office.is_own_area(app.store.story(c.story_id).scope)]
    return min(own, key=rank).id if own else None


def _case_of_article(app: App, site, key: str) -> int | None:
    """The case of the story of the sample article `key` (articles.yaml), None when it has none."""
    text = (resources.files("monitor") / "demo_data" / "articles.yaml").read_text(encoding="utf-8")
    slug = next((a["slug"] for a in yaml.safe_load(text) if a["key"] == key), None)
    article = app.store.find_article_by_url(site.article_url(slug)) if slug in site.article_paths else None
    story = app.store.story_of_article(article.id) if article is not None else None
    case = app.store.case_of_story(story) if story is not None else None
    return case.id if case is not None and not case.closed else None


def _summary(report) -> str:
    summary = getattr(report, "summary", None)
    return summary() if callable(summary) else str(report)


def _shipped_config() -> Path:
    """feeds.yaml of the working directory when there is one, else the packaged example."""
    here = Path("feeds.yaml")
    if here.is_file():
        return here
    with resources.as_file(resources.files("monitor") / "templates" / "feeds.example.yaml") as p:
        if not p.is_file():
            raise InputError("không có feeds.yaml ở đây, và bản cài đặt thiếu tệp cấu hình mẫu đi kèm",
                             hint="chạy `monitor init` trước, hoặc cài lại gói")
        return p
