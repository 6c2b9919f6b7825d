"""Hot-issue triage: group classified articles into stories, score each story 0-100 with an explanation,
open a case for hot stories and queue one alert per story (plus a follow-up when it escalates, which takes news: an
article joining it, or a member's page text arriving, since its last alert; the same articles scored again by a
reclassification, edited rules or a new model tell leadership nothing new).

The article-level judgement (incident vocabulary, tone, scope, the classifier's reasons) comes from the
classifier's stored output; this module keeps only story-level signals: how many distinct outlets
carry it and how fast compared with the topic's usual spread, their reach, whether they disagree in
tone, and whether the office's watchlist names appear. Every decision uses app.now().
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Container, Iterable

from classifiers.plan_topics import strongest_first
from classifiers.scope import provinces_named, ward_kinds
from monitor.cases import DISMISSED, HANDLED, NOT_OURS, OPEN_STATUS, SYSTEM_ACTOR, mid_sentence
from monitor.config import ALERT_SCOPES, Config, OutletNames, score_text
from monitor.stories import (FOLLOW_UP, MAX_TEXT_CHARS, Doc, Idf, StoryIndex, apart, cosine, fold, is_round_up,
                             specific_names)

# Points per signal; they add up to 100.
WEIGHTS = {"incident": 40, "negativity": 15, "locality": 20, "velocity": 10, "reach": 10, "controversy": 5}
SCOPE_LOCALITY = {"local": 1.0, "city": 0.35, "national": 0.2, "foreign": 0.0}
VELOCITY_HOURS = 6  # "recent" spread: distinct outlets over the last hours
USUAL_DAYS = 30  # a topic's usual spread is measured over this many days of stories
MIN_USUAL_STORIES = 5  # fewer stories than this: assume one outlet per story is usual
NATIONAL_REACH = 0.8  # outlets with at least this reach are national
UNKNOWN_REACH = 0.5  # an outlet not in feeds.yaml
BACKGROUND_DAYS = 30  # IDF background for grouping
# What a run's grouping indexes of the stories around its articles, so that its cost stays bounded whatever a
# feed sends (monitor.stories bounds each comparison's candidates; these bound the index built for them). A feed
# of near-copies under new links at every poll made one story of thousands of members, and a feed of unrelated
# items would fill the window with stories: the latest members of a story are enough to join it (a reprint's
# copies are near-copies of each other), and no real feed comes near the feed cap (the busiest outlet in the RSS
# archive published 622 items, of every kind, in its busiest 72 hours). The cap is per feed, not per outlet name: a
# feed named like a real outlet must not push that outlet's own feeds' articles out of the index.
INDEXED_PER_STORY = 100
INDEXED_PER_FEED = 3000
# Below grouping's threshold, a story this close to an open case's story is named as possibly the same incident
# (a follow-up told in other words): on the labelled follow-up pairs the grouping leaves apart, 80% of those at
# this cosine or above are the same story, and they are 35% of such follow-ups (bench/story_pairs.py, 2026-11-27).
RELATED_COSINE = 0.18
# Past the window, a development told weeks after its incident (the inquiry's findings, the sanction, the trial) is
# named with an earlier case up to RELATED_LOOK_BACK back when, as close as RELATED_COSINE, it also names the same
# school (with its level), commune or ward, or titled person (monitor.stories.specific_names), at most the
# RELATED_PAST_WINDOW closest of those cases, a handled one too. On the year's store (2026-11-28), the cosine alone
# over 60 days named 480 cases, of which 27 of 44 read were other incidents (another school's violence, another
# province's exam); with a shared name, 174, the 20 read all right. The hint only: grouping never looks this far.
RELATED_LOOK_BACK = timedelta(days=60)
RELATED_PAST_WINDOW = 2

_PARENTHESES = re.compile(r"\s*\([^)]*\)")
NON_HOT_REASON_PREFIXES = ("giáo dục ", "chủ đề ", "sắc thái ")  # classifier reason lines left out of alerts

SIGNAL_LABELS = {
    "incident": "Sự cố/vi phạm (theo bộ phân loại)",
    "negativity": "Sắc thái tiêu cực",
    "locality": "Mức độ liên quan địa bàn",
    "velocity": "Tốc độ lan truyền",
    "reach": "Độ phủ của các báo",
    "controversy": "Báo chí đưa tin trái chiều",
}


@dataclass(frozen=True)
class Signal:
    name: str
    points: float
    max_points: float
    detail: dict

    def as_dict(self) -> dict:
        return {"name": self.name, "label": SIGNAL_LABELS[self.name], "points": round(self.points, 1),
                "max": self.max_points, "detail": self.detail}


@dataclass(frozen=True)
class StoryScore:
    total: float  # 0-100
    severity: str | None
    signals: tuple[Signal, ...]
    reasons: tuple[str, ...]  # Vietnamese, for people
    main_topic: str  # the topic whose stories' usual spread the velocity signal measures (stored; part of scoring)
    outlets: tuple[str, ...]
    national_outlets: tuple[str, ...]
    local: bool
    shown_topic: str = ""  # the topic the clipping names first for the story (its lead article's strongest)
    # (level, who gave it, the press score's own severity) when a level given to an item entered from outside the
    # press holds the story above what its press articles score (keep_entered_level)
    entered_level: tuple[str, str, str | None] | None = None
    # its articles' hot rule groups (classifiers.types.HotCategory), hottest article first, each once: stored with
    # the score, read by the clipping, the alerts, the cases and the report instead of the reasons' wording
    hot_categories: tuple = ()
    # the member its alerts tell (title, summary, first source): the first the classifier judged hot, None when none
    # is (its first member then). A hot complaint joining the news of the exam it is about, within the window, makes
    # that story hot: leadership is told the complaint, not the exam's schedule the story began with
    lead_id: int | None = None
    # its later articles that report the office's or an education authority's response (monitor.responses): listed
    # with the story, left out of its score
    responses: tuple[int, ...] = ()

    @property
    def scope(self) -> str:
        """Where the story happens, as its locality signal judged it: local, city, national or foreign."""
        return next((s.detail.get("scope", "national") for s in self.signals if s.name == "locality"), "national")

    def explanation(self) -> dict:
        """The machine-readable explanation stored with the story and sent to webhooks. Its main_topic is the
        topic people see first (the clipping's), not the scoring key, which a story of several articles may
        choose otherwise."""
        kept = self.entered_level
        return {"score": round(self.total, 1), "severity": self.severity, "main_topic": self.shown_topic or self.main_topic,
                "local": self.local, "outlets": list(self.outlets), "national_outlets": list(self.national_outlets),
                "signals": [s.as_dict() for s in self.signals]} | (
            {"entered_level": {"level": kept[0], "by": kept[1], "press_severity": kept[2]}} if kept else {}) | (
            {"responses": list(self.responses)} if self.responses else {})


def explained_scope(exp: dict) -> str | None:
    """A stored story explanation's scope (StoryScore.scope, read back from StoryScore.explanation), None when it
    has none."""
    if exp.get("local"):
        return "local"
    return next((s.get("detail", {}).get("scope") for s in exp.get("signals", ()) if s.get("name") == "locality"), None)


def nearest_scope(*scopes: str | None) -> str | None:
    """The nearest of `scopes` to the office (ALERT_SCOPES' order), None when none is known: a story's place when it
    holds hot issues entered from outside the press (IntakeItem.scope) beside what triage judged of its articles, so
    a story is on the office's area when any of what it holds is, as one article there makes all of it."""
    known = [s for s in scopes if s in ALERT_SCOPES]
    return min(known, key=ALERT_SCOPES.index) if known else next((s for s in scopes if s), None)


@dataclass
class TriageReport:
    assigned: int = 0  # articles placed in a story
    new_stories: int = 0
    joined: int = 0  # articles that joined an existing story
    reprints: int = 0
    rescored: list[int] = field(default_factory=list)  # story ids
    cases_opened: list[int] = field(default_factory=list)  # case ids
    alerts_queued: list[int] = field(default_factory=list)  # alert ids
    # of those, the alerts queued while feeds.yaml names no channel: they reach nobody, now or once one is added
    alerts_nowhere: list[int] = field(default_factory=list)
    alerts_off: bool = False  # alerts.enabled is false: those reach nobody because the office turned alerts off

    @property
    def idle(self) -> bool:
        """Nothing was grouped, scored, opened or queued: `monitor serve`'s job log leaves the stage out."""
        return not (self.assigned or self.rescored or self.cases_opened or self.alerts_queued)

    @property
    def alerts_waiting(self) -> int:
        """The alerts queued for at least one channel: those `monitor alerts --send` or `monitor serve` sends."""
        return len(self.alerts_queued) - len(self.alerts_nowhere)

    def summary(self) -> str:
        """One line for the demo, `monitor serve`'s job log and the CLI."""
        return str(self)

    def __str__(self) -> str:
        # a story is a "sự việc" as the clipping and the cases call it ("tin" is an article); a count of none is
        # left out, and a run that did nothing says so in words
        how = [f"{self.new_stories} sự việc mới" if self.new_stories else "",
               f"{self.joined} bài vào sự việc đã có" if self.joined else "",
               f"{self.reprints} trong số đó là bài đăng lại" if self.reprints else ""]
        how = [h for h in how if h]
        parts = [f"gom {self.assigned} bài vào sự việc" + (f" ({', '.join(how)})" if how else "") if self.assigned else "",
                 f"chấm điểm lại {len(self.rescored)} sự việc" if self.rescored else "",
                 f"mở {len(self.cases_opened)} hồ sơ" if self.cases_opened else "",
                 f"{self.alerts_waiting} cảnh báo chờ gửi" if self.alerts_waiting else "",
                 (f"{len(self.alerts_nowhere)} cảnh báo đã lưu, không gửi vì cảnh báo đang tắt (alerts.enabled: false)"
                  if self.alerts_off else
                  f"{len(self.alerts_nowhere)} cảnh báo không gửi được cho ai: chưa cấu hình kênh nhận (alerts.channels "
                  "trống; cảnh báo tạo ra sau khi thêm kênh mới được gửi)") if self.alerts_nowhere else ""]
        return ", ".join(p for p in parts if p) or "không có bài mới để gom vào sự việc"


def outlet_reach(config: Config, outlet: str) -> float:
    o = config.outlet(outlet)
    return o.reach if o is not None else UNKNOWN_REACH


def severity_for(config: Config, score: float) -> str | None:
    for name, minimum in config.alerts.thresholds:  # highest first
        if score >= minimum:
            return name
    return None


def alerts_cover(config: Config, scope: str | None) -> bool:
    """Whether alerts go out for a story of this scope (alerts.min_scope: local, city, national, foreign)."""
    limit = config.alerts.min_scope
    if scope not in ALERT_SCOPES or limit not in ALERT_SCOPES or config.office.is_own_area(scope):
        return True  # the office's own area is always covered: a Sở's "city" under min_scope: local
    return ALERT_SCOPES.index(scope) <= ALERT_SCOPES.index(limit)


def severity_rank(config: Config, severity: str | None) -> int:
    """0 for the highest severity; larger is milder; None is below every level."""
    names = [n for n, _ in config.alerts.thresholds]
    return names.index(severity) if severity in names else len(names)


def watchlist_hits(config: Config, title: str, sapo: str = "") -> list[str]:
    """The watchlist entries a title and sapo name, as the classifier's scope reads the office's places
    (classifiers.scope.watchlist_named): a ward after the kinds its entry is read with ("phường Hải Châu" is not
    "quận Hải Châu (cũ)", Long Biên's bare "Đức Giang" not Hoài Đức's "xã Đức Giang"), alone only where the
    city's list names it too and capitalised ("lộ bộ đề", an exam set, is not the ward Bồ Đề); other names as
    written; none of a namesake placed in another province. So a story's locality and its reason agree with its
    articles' scope."""
    return Watchlist(config).hits(title, sapo)


class Watchlist:
    """The office's watchlist read once for many texts (each member of a story at each rescoring: a story of
    thousands of near-copies took seconds per poll reading every name's kinds again for each)."""

    def __init__(self, config: Config) -> None:
        from classifiers.scope import office_places, watchlist_reader

        self.reader = watchlist_reader(_rules(config.storage.rules_file), office_places(config.office))

    def hits(self, title: str, sapo: str = "") -> list[str]:
        """watchlist_hits of a title and sapo."""
        return self.reader.named(title or "", sapo or "")


def _rules(path):
    """The rules the office's scope reads (storage.rules_file, else the shipped topics.yaml), read again when the
    file changes: their scope.cities list the city's places."""
    from pathlib import Path

    from classifiers.rules import DEFAULT_RULES_PATH

    p = Path(path) if path else DEFAULT_RULES_PATH
    try:
        stamp = p.stat().st_mtime_ns
    except OSError:
        stamp = None  # load_rules says what is wrong with it
    return _rules_at(str(p), stamp)


@lru_cache(maxsize=4)
def _rules_at(path: str, stamp):
    from classifiers.rules import load_rules

    return load_rules(path)


# How a ward's name already says it is one ("phường Ngọc Thụy", "P. Sài Đồng", a commune after the 2025 reform)
WARD_KINDS = ("phường ", "p.", "xã ", "thị trấn ", "thị xã ", "đặc khu ")


def watchlist_label(config: Config, name: str) -> str:
    """A watchlist name as a reason shows it: a ward with its kind ("phường Ngọc Thụy") unless the entry says
    it already or is the district's own name (which "phường" would misname); schools, officials and other names
    as written."""
    wards = {fold(w) for w in config.office.watchlist.wards}
    folded = fold(name)
    if folded not in wards or folded == fold(config.office.district) \
            or unicodedata.normalize("NFC", name).lower().startswith(WARD_KINDS):
        return name
    kinds = ward_kinds(config.office.area, config.office.is_department)
    # the kind only when the office's area has one kind of ward: a huyện's may be a xã or a thị trấn
    return f"{kinds[0]} {name}" if len(kinds) == 1 else name


def _fmt(x: float) -> str:
    return f"{x:.1f}".replace(".", ",")


def response_ids(config: Config, members: list[dict]) -> tuple[int, ...]:
    """The members after the story's first (oldest first, as the store gives them) that report the office's or an
    education authority's response to the incident (monitor.responses.is_response)."""
    from monitor.responses import is_response, office_names

    own = office_names(config)
    department = config.office.is_department
    return tuple(m["id"] for m in members[1:] if is_response(m["title"], m.get("sapo", ""), own, department))


def score_story(config: Config, members: list[dict], classifications: dict, now: datetime,
                usual_outlets: float) -> StoryScore:
    """Score a story from its members (dicts with id, outlet, title, sapo, when) and their classifications."""
    # one outlet however its feeds spell it ("VNExpress", "vnexpress.net"): a story one outlet told is not spread
    names = OutletNames(config)
    members = [m | {"outlet": names(m["outlet"])} for m in members]
    # the office's (or its superior's) answer to the incident joins the story, and the clipping and the case list it,
    # but it is no sign the issue grows: leadership gave it. Its outlet, reach, tone and scores would raise the level
    # and alert leadership with "Mức độ tăng" about their own answer. The story's first article always counts: it is
    # how the incident came to the monitor, whatever its headline says
    responses = response_ids(config, members)
    members = [m for m in members if m["id"] not in responses]
    outlets: list[str] = []
    for m in members:
        if m["outlet"] not in outlets:
            outlets.append(m["outlet"])
    # reprints are counted once: spread, reach and tone come from the articles outlets wrote themselves
    own = [m for m in members if not m.get("reprint")] or members[:1]
    own_outlets: list[str] = []
    for m in own:
        if m["outlet"] not in own_outlets:
            own_outlets.append(m["outlet"])
    classified = [(m, classifications[m["id"]]) for m in members if m["id"] in classifications]
    signals: list[Signal] = []
    reasons: list[str] = []

    # incident: the classifier's own hot judgement of the hottest article, with its reasons
    top = max(classified, key=lambda mc: mc[1].hot_score, default=None)
    # half the classifier's score, half its own calibrated yes/no: a flagged article weighs at least 0.5
    incident = (0.5 * top[1].hot_score + 0.5 * float(any(c.hot for _, c in classified))) if top else 0.0
    clf_reasons: list[str] = []
    seen_reasons: set[str] = set()
    for _, c in sorted(classified, key=lambda mc: -mc[1].hot_score):
        for r in c.reasons:
            # relevance, topic and tone lines explain the article, not why the story is hot (tone is scored below)
            key = _PARENTHESES.sub("", r).strip()  # the same finding seen in another article or field
            if key not in seen_reasons and not r.startswith(NON_HOT_REASON_PREFIXES):
                seen_reasons.add(key)
                clf_reasons.append(r)
    signals.append(Signal("incident", WEIGHTS["incident"] * incident, WEIGHTS["incident"],
                          {"hot_score": round(top[1].hot_score, 3) if top else 0.0,
                           "flagged_hot": any(c.hot for _, c in classified), "article_id": top[0]["id"] if top else None,
                           "classifier_reasons": clf_reasons[:8]}))
    reasons += clf_reasons[:5]
    judged_hot = [c for _, c in classified if c.hot_categories is not None]
    hot_categories: list = []
    for _, c in sorted(classified, key=lambda mc: -mc[1].hot_score):
        hot_categories += [h for h in c.hot_categories or () if h not in hot_categories]
    if top and judged_hot and not hot_categories:
        # the model alone judged it hot, with no rule sign: say so in plain words, with what kind of issue it is
        # (the clipping and the alerts show it; monitor.digest.display_reasons leaves the raw line out)
        from classifiers.plan_topics import topic_name
        from monitor.digest import SENTIMENT_LABELS, model_only_reason

        c = top[1]
        strongest = max(c.topics, key=lambda t: c.topic_scores.get(t, 0.0), default="")
        reasons.append(model_only_reason(c.hot_score, topic_name(strongest) if strongest else "",
                                         SENTIMENT_LABELS.get(c.sentiment, "")))

    # tone per outlet (a reprint does not make a story more negative)
    tone: dict[str, Counter] = {}
    for m, c in classified:
        if m.get("reprint"):
            continue
        tone.setdefault(m["outlet"], Counter())[c.sentiment] += 1
    outlet_tone = {o: t.most_common(1)[0][0] for o, t in tone.items()}
    neg = sum(1 for t in outlet_tone.values() if t == "negative")
    pos = sum(1 for t in outlet_tone.values() if t == "positive")
    share = neg / len(outlet_tone) if outlet_tone else 0.0
    signals.append(Signal("negativity", WEIGHTS["negativity"] * share, WEIGHTS["negativity"],
                          {"negative_outlets": neg, "outlets_judged": len(outlet_tone)}))
    if neg:
        reasons.append(f"Sắc thái tiêu cực ({neg}/{len(outlet_tone)} báo)")

    # locality: the classifier's scope, and the office's watchlist names in the story's own text
    scopes = [c.scope for _, c in classified]
    best_scope = max(scopes, key=lambda s: SCOPE_LOCALITY.get(s, 0.0), default="national")
    hits: list[str] = []
    watchlist = Watchlist(config)
    for m in members:
        for h in watchlist.hits(m["title"], m.get("sapo", "")):
            if h not in hits:
                hits.append(h)
    hits = [h for h in hits if not any(h != o and fold(h) in fold(o) for o in hits)]  # "Long Biên" ⊂ "quận Long Biên"
    # the office's own area (Office.is_own_area): a Phòng's district; a Sở's whole province, its districts too
    office = config.office
    local = office.is_own_area(best_scope) or bool(hits)
    locality = 1.0 if local else SCOPE_LOCALITY.get(best_scope, 0.0)
    signals.append(Signal("locality", WEIGHTS["locality"] * locality, WEIGHTS["locality"],
                          {"scope": "local" if local else best_scope, "watchlist": hits}
                          | ({"classified_scope": best_scope} if local and best_scope != "local" else {})))
    if local:
        where = (f": {', '.join(watchlist_label(config, h) for h in hits[:4])}" if hits else
                 f" {office.area}" if office.is_department else "")
        reasons.append("Tin trên địa bàn" + where)
    elif best_scope == "city":
        reasons.append(f"Tin trong {config.office.city_area}")

    # velocity: distinct outlets in the last hours against the topic's usual outlets per story
    recent_since = now - timedelta(hours=VELOCITY_HOURS)
    recent = {m["outlet"] for m in own if recent_since <= m["when"] <= now}
    usual = max(usual_outlets, 1.0)
    ratio = len(recent) / usual
    velocity = min(max((ratio - 1.0) / 2.0, 0.0), 1.0)
    signals.append(Signal("velocity", WEIGHTS["velocity"] * velocity, WEIGHTS["velocity"],
                          {"recent_outlets": len(recent), "hours": VELOCITY_HOURS, "usual_outlets": round(usual, 2),
                           "ratio": round(ratio, 2)}))
    if velocity > 0:
        reasons.append(f"Lan nhanh: {len(recent)} báo trong {VELOCITY_HOURS} giờ (thường {_fmt(usual)} báo/tin)")

    # reach: audience of the distinct outlets, saturating
    reach_sum = sum(outlet_reach(config, o) for o in own_outlets)
    reach = 1.0 - math.exp(-reach_sum / 2.0)
    national = tuple(o for o in outlets if outlet_reach(config, o) >= NATIONAL_REACH)
    signals.append(Signal("reach", WEIGHTS["reach"] * reach, WEIGHTS["reach"],
                          {"outlets": len(own_outlets), "reprinted_by": len(outlets) - len(own_outlets), "reach_sum": round(reach_sum, 2), "national": list(national)}))
    if len(outlets) > 1:
        reprinted = len(outlets) - len(own_outlets)
        reasons.append(f"{len(outlets)} báo đưa tin: {', '.join(outlets[:6])}"
                       + (f" ({reprinted} báo chỉ đăng lại)" if reprinted else ""))

    # controversy: outlets disagreeing in tone
    controversy = (2 * min(neg, pos) / (neg + pos)) if neg and pos else 0.0
    signals.append(Signal("controversy", WEIGHTS["controversy"] * controversy, WEIGHTS["controversy"],
                          {"negative_outlets": neg, "positive_outlets": pos}))
    if controversy:
        reasons.append(f"Báo chí đưa tin trái chiều ({neg} tiêu cực, {pos} tích cực)")

    if responses:
        reasons.append(f"{len(responses)} bài đưa tin cơ quan quản lý giáo dục phản hồi, xử lý vụ việc: không tính vào mức độ")
    total = round(min(100.0, sum(s.points for s in signals)), 1)
    severity = severity_for(config, total)
    if severity is not None and all(is_round_up(f"{m['title']} {m.get('sapo', '')}") for m in members):
        # a news round-up tells several items at once: it alerts with the story of the item it tells (grouping joins
        # it there), never as a story of its own; the clipping still lists it
        severity = None
        reasons.append("Bản tin tổng hợp nhiều tin: không cảnh báo riêng")
    topic_counts = Counter(t for _, c in classified for t in c.topics[:1])
    main_topic = topic_counts.most_common(1)[0][0] if topic_counts else ""
    # the label: what the clipping shows first, the lead (first) article's topics ordered by score
    lead = classifications.get(members[0]["id"]) or (classified[0][1] if classified else None)
    shown = strongest_first(lead.topics, lead.topic_scores) if lead is not None else ()
    return StoryScore(total=total, severity=severity, signals=tuple(signals),
                      reasons=tuple(reasons), main_topic=main_topic, outlets=tuple(outlets),
                      national_outlets=national, local=local, shown_topic=shown[0] if shown else main_topic,
                      hot_categories=tuple(hot_categories), responses=responses,
                      lead_id=next((m["id"] for m, c in classified
                                    if c.hot and not is_round_up(f"{m['title']} {m.get('sapo', '')}")), None))


def coming_home(app, case) -> list[tuple[dict, str]]:
    """Of a case closed as another area's (NOT_OURS), the articles that joined its story after it was closed and are
    on the office's own area (Office.is_own_area of their scope, or a watchlist name in their text, as triage's
    locality reads them), each with where: what makes the story the office's own after all. Those there when a
    person closed it were judged with it."""
    closed_at = next((e.at for e in reversed(case.events) if e.status == NOT_OURS), None)
    if closed_at is None:
        return []
    joined = app.store.story_members_joined_after(case.story_id, closed_at)
    if not joined:
        return []
    classes = app.store.classifications_for([m["id"] for m in joined])
    out = []
    watchlist = Watchlist(app.config)
    for m in joined:
        hits = watchlist.hits(m["title"], m.get("sapo", ""))
        hits = [h for h in hits if not any(h != o and fold(h) in fold(o) for o in hits)]  # as score_story reads them
        c = classes.get(m["id"])
        if hits:
            out.append((m, ", ".join(watchlist_label(app.config, h) for h in hits[:3])))
        elif c is not None and c.is_education and app.config.office.is_own_area(c.scope):
            out.append((m, app.config.office.area))
    return out


def home_note(config: Config, home: list[tuple[dict, str]]) -> str:
    """The system's line in a reopened case's history (and the alert's "Thay đổi"): why it is the office's now."""
    m, where = home[0]
    more = f" và {len(home) - 1} bài khác" if len(home) > 1 else ""
    return (f"Mở lại: có tin trên địa bàn ({where}) nhập vào tin đã đóng «{NOT_OURS}»: "
            f"bài {m['id']} ({m['outlet']}){more}")


def handled_again_note(score: StoryScore, decision: "AlertDecision", members: list[dict]) -> str:
    """The system's line in the history of a case closed as handled that its story's alert reopens: what is new since
    (the level's rise, the national press, or, for a story never alerted, its level and the article it tells)."""
    if decision.why:
        what = decision.why
    else:
        lead = next((m for m in members if m["id"] == score.lead_id), None)
        what = (f"tin được đánh giá nóng, mức {score.severity}, điểm {score_text(score.total)}"
                + (f" (bài {lead['id']}, {lead['outlet']})" if lead is not None else ""))
    return f"Mở lại: có diễn biến mới sau khi đã xử lý: {what}"


def dismissed_rise(app, story_id: int, case, members: list[dict], last, now: datetime
                   ) -> tuple[StoryScore, "AlertDecision"] | None:
    """Of a case dismissed as a false alarm (`monitor cases dismiss`, or a "not hot" label's carry-over), what brings it
    back: its story, scored with people's labels (the dismissal's "not hot" on the articles it judged, so only those
    that joined since bring a hot score of their own), at a level above the one it was dismissed at (the higher of
    its last alert's, as `told`, and the story's when dismissed: Case.dismissed_level) through articles that joined
    after the dismissal.
    -> (that score, the alert telling it, saying it had been dismissed and why it is back), None when nothing rose.
    A rescoring of the same articles (a reclassification, a new model) brings nothing back, nor a rewrite of the
    false alarm at the same level: at most one re-alert per level above the dismissed one."""
    from monitor.cases import classified_with_labels

    config = app.config
    # a label's carry-over is undone by a label too (monitor.cases.follow_hot_again); news since is news either way
    dismissal = next((e for e in reversed(case.events) if e.status is not None), None)
    if dismissal is None or dismissal.status != DISMISSED:
        return None
    joined = app.store.story_members_joined_after(story_id, dismissal.at)
    if not joined:
        return None
    if now - members[-1]["when"] > timedelta(hours=config.alerts.window_hours):
        return None  # an old story met late (backfill), as decide_alert
    score = story_score(app, story_id, members, classified_with_labels(app.store, [m["id"] for m in members]), now)
    if score.severity is None:
        return None
    levels = [lv for lv in (last.severity if last is not None else None, case.dismissed_level) if lv]
    was = min(levels, key=lambda lv: severity_rank(config, lv)) if levels else None
    if was is not None and severity_rank(config, score.severity) >= severity_rank(config, was):
        return None
    if held_by_cooldown(config, score.severity, was, last.created_at if last is not None else None, now):
        return None  # inside the cooldown: the next triage run after it ends reopens it and sends the follow-up
    # told by the article that brought it back: the one it is now told by when that joined since, else the first
    lead = next((m for m in joined if m["id"] == score.lead_id), joined[0])
    lead = next((m for m in members if m["id"] == lead["id"]), lead)  # the outlet as the alert names it
    why = (f"Sự việc đã được đánh dấu «{DISMISSED}» ngày {dismissal.at.astimezone(config.office.tz):%d/%m/%Y}"
           + (f" ở mức «{was}»" if was else "") + f", nay lên mức «{score.severity}» (điểm {score_text(score.total)})"
           f" qua {len(joined)} bài mới từ đó: bài {lead['id']} ({lead['outlet']})"
           + (f" và {len(joined) - 1} bài khác" if len(joined) > 1 else ""))
    return score, AlertDecision("escalation" if last is not None else "new", why, raised=True)


@dataclass(frozen=True)
class AlertDecision:
    kind: str  # new | escalation
    why: str  # Vietnamese, shown in a follow-up
    raised: bool = False  # an escalation because the severity rose (else: a local story reached the national press)


def decide_alert(config: Config, score: StoryScore, last, now: datetime, last_seen: datetime) -> AlertDecision | None:
    """Whether this story needs an alert now, given its last alert (None when it never had one)."""
    if score.severity is None:
        return None
    if now - last_seen > timedelta(hours=config.alerts.window_hours):
        return None  # an old story met late (backfill): nothing to alert about any more
    if last is None:
        return AlertDecision("new", "")
    why = ""
    raised = severity_rank(config, score.severity) < severity_rank(config, last.severity)
    if raised:
        why = f"Mức độ tăng từ {last.severity} lên {score.severity}"
    elif score.local and last.n_national == 0 and score.national_outlets:
        why = f"Tin địa bàn đã lên báo toàn quốc: {', '.join(score.national_outlets)}"
    if not why:
        return None
    if held_by_cooldown(config, score.severity, last.severity, last.created_at, now):
        return None  # inside the cooldown: the next triage run after it ends sends the follow-up
    return AlertDecision("escalation", why, raised=raised)


def raised_by(app, story_id: int, since: datetime, score: StoryScore, members: list[dict]) -> str:
    """": bài mới của Tuổi Trẻ “…” (và 2 bài khác)": what joined the story since its last alert (sent at `since`) and
    raised its level, for the escalation's "Thay đổi" line; "" when no article joined (a member's page text came).
    The rise alone does not say what to read: the sources list every member, old and new alike. The article named is
    the one the story is told by when it joined since, else the hottest of those that did; `members` are the story's,
    its outlets named as the alert names them."""
    # the office's own answers joined too but raised nothing (score_story leaves them out)
    joined = [m for m in app.store.story_members_joined_after(story_id, since) if m["id"] not in score.responses]
    if not joined:
        return ""
    hot = app.store.classifications_for([m["id"] for m in joined], evidence=False)
    lead = next((m for m in joined if m["id"] == score.lead_id), None) or max(
        joined, key=lambda m: hot[m["id"]].hot_score if m["id"] in hot else -1.0)  # max keeps the first of equals
    lead = next((m for m in members if m["id"] == lead["id"]), lead)
    title = (lead.get("title") or "").strip() or lead.get("url", "")
    more = f" (và {len(joined) - 1} bài khác)" if len(joined) > 1 else ""
    return f": bài mới của {lead['outlet']} “{title}”{more}"


def held_by_cooldown(config: Config, level: str, before: str | None, last_at: datetime | None, now: datetime) -> bool:
    """A follow-up at `level` (the story was at `before`) waits out alerts.cooldown_minutes after the last alert
    (sent at `last_at`, None: none), unless it reaches the top level from below it."""
    urgent = severity_rank(config, level) == 0 and (before is None or severity_rank(config, before) != 0)
    return last_at is not None and not urgent and now - last_at < timedelta(minutes=config.alerts.cooldown_minutes)


# ---------------------------------------------------------------------- the pipeline step


def _doc(d: dict, hot: dict[int, frozenset[str]] | None = None) -> Doc:
    return Doc(article_id=d["id"], outlet=d["outlet"], when=d["when"], text=f"{d['title']} {d['sapo']}",
               hot=hot.get(d["id"]) if hot else None)


def _hot_judgements(store, docs: list[dict], followed: Container[int] = ()) -> dict[int, frozenset[str]]:
    """The hot categories' names of those of `docs` the classifier judged hot, of the few that name something
    specific (only they may join a story by a name: monitor.stories.SAME_NAME) or are members of a `followed` story
    (only a member judged hot takes in a follow-up past the window: FOLLOW_UP_FROM_HOT) or not yet in a story."""
    ids = [d["id"] for d in docs if d.get("story_id") is None or d["story_id"] in followed
           or specific_names(f"{d['title']} {d['sapo']}")]
    return {i: frozenset(h.name for h in c.hot_categories or ())
            for i, c in store.classifications_for(ids, evidence=False).items() if c.hot}


# Building the IDF reads a month of articles (seconds); document frequencies move slowly, so one build
# serves until the background has grown by a tenth or the span moves to another day.
_IDF_CACHE: dict[tuple, tuple[int, Idf]] = {}


def _background_idf(store, since: datetime, until: datetime) -> Idf:
    key = (str(store.path), since.date(), until.date())
    n = store.count_articles_between(since, until)
    cached = _IDF_CACHE.get(key)
    if cached is not None and n <= cached[0] * 1.1 + 20:
        return cached[1]
    idf = Idf(store.background_texts(since, until))
    if len(_IDF_CACHE) > 16:
        _IDF_CACHE.clear()
    _IDF_CACHE[key] = (n, idf)
    return idf


def assign_articles(app, article_ids: list[int], report: TriageReport) -> set[int]:
    """Place each article in the story of its closest match (or a new story); return the stories touched."""
    store = app.store
    docs = store.article_docs(article_ids)
    if not docs:
        return set()
    window = timedelta(hours=app.config.alerts.window_hours)
    lo, hi = docs[0]["when"] - window, docs[-1]["when"] + window
    idf = _background_idf(store, lo - timedelta(days=BACKGROUND_DAYS), hi)
    reach = max(FOLLOW_UP - window, timedelta(0))
    # a strong match takes an article in past the window into a story rated hot, the stories whose developments
    # alerted again; routine news (admissions, rankings, a tournament) is told on for weeks in words as alike
    followed = set(store.hot_story_ids_since(lo - reach))
    index = StoryIndex(idf, window, follow_up=FOLLOW_UP, followed=followed)
    members = store.member_docs_between(lo - reach, hi + reach, per_story=INDEXED_PER_STORY, per_feed=INDEXED_PER_FEED)
    hot = _hot_judgements(store, members + docs, followed)
    for m in members:
        index.add(_doc(m, hot), m["story_id"])
    touched: set[int] = set()
    now = app.now()
    for d in docs:
        doc = _doc(d, hot)
        match = index.match(doc)
        if match is None:
            story_id = store.create_story(d["id"], now)
            report.new_stories += 1
        else:
            story_id = match.story_id
            store.add_story_member(story_id, d["id"], now, similarity=round(match.similarity, 4),
                                   matched_id=match.article_id, reprint=match.reprint)
            report.joined += 1
            report.reprints += int(match.reprint)
        index.add(doc, story_id)
        touched.add(story_id)
        report.assigned += 1
    return touched


class RelatedCases:
    """The articles of open cases (neither dismissed nor merged) around now, indexed once: triage asks it for
    each new alert of a run (a first crawl or a recovery may bring hundreds), `monitor cases show` once. Past the
    window, the names of their articles over RELATED_LOOK_BACK (_NamedPast)."""

    def __init__(self, app, around: datetime | None = None) -> None:
        self.app = app
        self.store = app.store
        self.around = around
        self._index: StoryIndex | None = None  # built at the first question: most runs ask none
        self._past: _NamedPast | None = None

    def _span(self) -> tuple[timedelta, datetime, datetime, Idf]:
        window = timedelta(hours=self.app.config.alerts.window_hours)
        around = self.around or self.app.now()
        lo, hi = around - 2 * window, around + window
        return window, lo, hi, _background_idf(self.store, lo - timedelta(days=BACKGROUND_DAYS), hi)

    @property
    def index(self) -> StoryIndex:
        if self._index is None:
            window, lo, hi, idf = self._span()
            self._index = StoryIndex(idf, window, threshold=RELATED_COSINE)
            for m in self.store.open_case_member_docs_between(lo, hi, per_case=INDEXED_PER_STORY,
                                                              per_feed=INDEXED_PER_FEED):
                self._index.add(_doc(m), m["case_id"])
            # and the hot issues entered from outside the press (monitor.intake): the press often tells later what
            # a parents' group or the hotline brought first, and the clerk merges it into that case
            for m in self.store.open_case_intake_docs_between(lo, hi):
                self._index.add(_doc(m), m["case_id"])
        return self._index

    @property
    def past(self) -> "_NamedPast":
        if self._past is None:
            window, lo, hi, idf = self._span()
            self._past = _NamedPast(idf, window)
            for article_id, text, when, case_id in self.store.open_case_texts_between(
                    lo - RELATED_LOOK_BACK, hi, per_case=INDEXED_PER_STORY):
                self._past.add(Doc(article_id, "", when, text), case_id)
            for m in self.store.open_case_intake_docs_between(lo - RELATED_LOOK_BACK, hi):
                self._past.add(_doc(m), m["case_id"])
        return self._past

    def add(self, case_id: int, members: list[dict]) -> None:
        """A case opened during the run: later stories of the run may continue it."""
        for m in members:
            self.index.add(_doc(m), case_id)
            if self._past is not None:
                self._past.add(_doc(m), case_id)

    def find(self, case_id: int | None, members: list[dict]) -> list:
        """Other cases whose articles come close to these (the story of case `case_id`), closest first: within the
        window by the cosine alone, past it (up to RELATED_LOOK_BACK earlier) the RELATED_PAST_WINDOW closest that
        also share a specific name with them."""
        from monitor.cases import RelatedCase

        best: dict[int, float] = {}
        for m in members:
            match = self.index.match(_doc(m), exclude_story=case_id)  # the index's "stories" are case ids
            if match is not None and match.similarity > best.get(match.story_id, -1.0):
                best[match.story_id] = match.similarity
        docs = [_doc(m) for m in members]
        # past the window only a name makes a case near: a story naming none does not read two months of them
        past = {cid: sim for cid, sim in self.past.earlier(case_id, docs).items()
                if cid not in best} if any(_names_of(d) for d in docs) else {}
        found = []
        for cid, sim in sorted(best.items(), key=lambda kv: -kv[1]):
            case = self.store.case(cid)
            if case is not None and not (case.dismissed or case.merged):
                found.append(RelatedCase(cid, case.title, round(sim, 3)))
        kept = 0
        for cid, sim in sorted(past.items(), key=lambda kv: -kv[1]):
            case = self.store.case(cid)
            if kept < RELATED_PAST_WINDOW and case is not None and not (case.dismissed or case.merged):
                found.append(RelatedCase(cid, case.title, round(sim, 3)))
                kept += 1
        return sorted(found, key=lambda r: -r.similarity)


class _NamedPast:
    """Cases' articles over the look-back, by the specific names they hold (monitor.stories.specific_names, as
    SAME_NAME reads them): only those naming one are kept, and of those only their names, case, date and text; the
    TF-IDF vector and the provinces of one are read when a story names what it names. So two months of cases cost
    little more than the window's index (RelatedCases)."""

    def __init__(self, idf: Idf, window: timedelta) -> None:
        self.idf = idf
        self.window = window
        self.named: dict[str, list[int]] = {}
        self.kept: dict[int, tuple[int, datetime, str]] = {}  # article id -> case id, when, text
        self._read: dict[int, tuple[dict[str, float], frozenset[str]]] = {}  # id -> vector, provinces, once read

    def add(self, doc: Doc, case_id: int) -> None:
        names = _names_of(doc)
        if not names:
            return
        if doc.article_id not in self.kept:
            for name in names:
                self.named.setdefault(name, []).append(doc.article_id)
        self.kept[doc.article_id] = (case_id, doc.when, doc.text)

    def _vector(self, article_id: int, text: str) -> tuple[dict[str, float], frozenset[str]]:
        read = self._read.get(article_id)
        if read is None:
            read = self._read[article_id] = (self.idf.vector(text), provinces_named(text[:MAX_TEXT_CHARS]))
        return read

    def earlier(self, case_id: int | None, docs: list[Doc]) -> dict[int, float]:
        """Case id -> the highest cosine (RELATED_COSINE or more) between one of `docs` and an article of that case
        published past the window before it, up to RELATED_LOOK_BACK, naming a name it names and placed in no other
        province (monitor.stories.apart), `case_id`'s own left out."""
        best: dict[int, float] = {}
        for doc in docs:
            names = _names_of(doc)
            candidates = {o for name in names for o in self.named.get(name, ())}
            candidates = [o for o in candidates if o != doc.article_id and self.kept[o][0] != case_id
                          and self.window < doc.when - self.kept[o][1] <= RELATED_LOOK_BACK]
            if not candidates:
                continue
            vec, places = self.idf.vector(doc.text), provinces_named(doc.text[:MAX_TEXT_CHARS])
            for other in candidates:
                cid, _, text = self.kept[other]
                other_vec, other_places = self._vector(other, text)
                if apart(places, other_places):
                    continue
                c = cosine(vec, other_vec)
                if c >= RELATED_COSINE and c > best.get(cid, -1.0):
                    best[cid] = c
        return best


# an article's specific names by its id, kept from one run's RelatedCases to the next: two months of cases' articles
# are more than specific_names' own cache holds, and reading them all again took most of the look-back's time
_NAMES: dict[int, tuple[int, frozenset[str]]] = {}  # id -> hash of its text, names
_NAMES_KEPT = 200_000


def _names_of(doc: Doc) -> frozenset[str]:
    known = _NAMES.get(doc.article_id)
    if known is not None and known[0] == hash(doc.text):  # its text unchanged
        return known[1]
    names = specific_names(doc.text)
    if len(_NAMES) >= _NAMES_KEPT:
        _NAMES.clear()
    _NAMES[doc.article_id] = (hash(doc.text), names)
    return names


def related_cases(app, case_id: int | None, members: list[dict]) -> list:
    """Cases (neither dismissed nor merged) of other stories whose articles come close to these, closest first
    (RelatedCases.find: within the grouping window, or up to RELATED_LOOK_BACK before with a name in common): what a
    person may merge the story into (`monitor cases merge`)."""
    if not members:
        return []
    return RelatedCases(app, around=members[-1]["when"]).find(case_id, members)


def story_score(app, story_id: int, members: list[dict], classifications: dict, now: datetime) -> StoryScore:
    """The story's score at `now` from these classifications of its members (rescore's, without saving it), at no
    lower a level than a person gave an item of it entered from outside the press (keep_entered_level)."""
    topic = Counter(t for c in classifications.values() for t in c.topics[:1]).most_common(1)
    usual, n = app.store.usual_outlets_per_story(topic[0][0] if topic else "", now - timedelta(days=USUAL_DAYS), now,
                                                 exclude=story_id)
    score = score_story(app.config, members, classifications, now, usual if n >= MIN_USUAL_STORIES else 1.0)
    items = app.store.intake_of_story(story_id)
    return keep_entered_area(app.config, keep_entered_level(app.config, score, items), items)


def keep_entered_area(config: Config, score: StoryScore, items) -> StoryScore:
    """The score of a story holding a hot issue entered from outside the press that is on the office's area
    (IntakeItem.scope: its own text, or the person, placed it there) reads as on the area too, as the clipping and the
    report read the story (Story.scope): its alerts carry the area's tag and alerts.min_scope covers it. The points
    stay the press's; the locality signal says whose reading it is."""
    if score.local or not any(config.office.is_own_area(i.scope) for i in items):
        return score
    signals = tuple(replace(s, detail=s.detail | {"scope": "local", "entered_scope": True}) if s.name == "locality"
                    else s for s in score.signals)
    return replace(score, local=True, signals=signals,
                   reasons=(*score.reasons, "Sự việc trên địa bàn (theo thông tin ghi nhận ngoài báo chí)"))


def keep_entered_level(config: Config, score: StoryScore, items) -> StoryScore:
    """The score of a story holding hot issues entered from outside the press (IntakeItem, with the level the
    person gave): never below the highest of those levels. The person heard of the issue where the press does not
    look (a parents' group, the hotline) and judged it; press articles merged in later (monitor.cases.merge_case)
    say how far the press has carried it, not that it matters less. So their score may raise the level, never lower
    it, and the reasons say whose level it is. The points stay the press's (the explanation keeps both)."""
    given = [i for i in items if i.level in {n for n, _ in config.alerts.thresholds}]
    if not given:
        return score
    top = min(given, key=lambda i: severity_rank(config, i.level))
    if severity_rank(config, score.severity) <= severity_rank(config, top.level):
        return score
    reason = f"Mức «{top.level}» do {top.entered_by} đánh giá khi ghi nhận ({press_level(score)})"
    return replace(score, severity=top.level, reasons=(reason, *score.reasons),
                   entered_level=(top.level, top.entered_by, score.severity))


def press_level(score: StoryScore) -> str:
    """"điểm báo chí 55: mức «theo dõi»" of a score held up by keep_entered_level."""
    press = score.entered_level[2] if score.entered_level else score.severity
    return f"điểm báo chí {score_text(score.total)}: " + (f"mức «{press}»" if press else "dưới các mức cảnh báo")


def told(app, story_id: int, last):
    """The story's last alert (None when it had none) as what leadership has been told of its level: no lower than a
    level a person gave an item of it entered from outside the press. The item's own alert told them that level (or
    the person said they knew: --no-alert), so a story held at it by keep_entered_level, after the merge of a press
    story whose alert said less, has not risen: no escalation for it."""
    if last is None:
        return None
    levels = [i.level for i in app.store.intake_of_story(story_id)
              if severity_rank(app.config, i.level) < severity_rank(app.config, last.severity)]
    return replace(last, severity=min(levels, key=lambda lv: severity_rank(app.config, lv))) if levels else last


def rescore(app, story_id: int) -> tuple[StoryScore, list[dict]] | None:
    store, now = app.store, app.now()
    names = OutletNames(app.config)  # the alert names each outlet as the score counts it
    members = [m | {"outlet": names(m["outlet"])} for m in store.story_members(story_id)]
    if not members:
        return None
    classifications = store.classifications_for([m["id"] for m in members])
    score = story_score(app, story_id, members, classifications, now)
    note = ""
    if score.entered_level and "entered_level" not in store.story_explanation(story_id):
        # the case says why its level is not its articles' from the rescoring that first keeps it (a merge, mostly);
        # not again at every rescoring while it holds
        level, by, _ = score.entered_level
        note = (f"Giữ mức «{level}» do {by} đánh giá khi ghi nhận ({press_level(score)}): mức người ghi nhận đặt là "
                "mức sàn, điểm báo chí chỉ nâng lên, không hạ xuống")
    _save_score(store, story_id, now, score, case_note=note)
    return score, members


def _save_score(store, story_id: int, at: datetime, score: StoryScore, case_note: str = "") -> None:
    """Store `score` as the story's, scored at `at` (with `case_note` a line of its case's history)."""
    store.save_story_score(story_id, at, main_topic=score.main_topic, n_outlets=len(score.outlets),
                           hot_score=score.total, severity=score.severity, reasons=list(score.reasons),
                           explanation=score.explanation(), case_note=case_note, hot_categories=score.hot_categories,
                           lead_id=score.lead_id)


def rescore_history(app, story_ids: Iterable[int]) -> None:
    """Score stories again with their members' current classifications, each as of the instant its stored score
    describes (its scored_at: the outlets of the last hours and the topic's usual spread as they were then), and
    save that score at that instant. For a reclassification of history (`monitor reclassify`, a rollback): the
    clipping and the report read a story's stored locality, level and reasons, which otherwise keep the former
    classification's (an office set after its store was filled saw another province's stories as its own area).
    Nothing is acted on: no case is opened or noted, no alert goes out, since what leadership was told then stands.
    (`monitor reclassify` says which stories' levels change: monitor.reclassify scores them at the same instants.)"""
    store = app.store
    for story_id in story_ids:
        at = store.story_scored_at(story_id)
        members = store.story_members(story_id)
        if at is None or not members:
            continue  # never scored: triage scores it (and acts on it) as it does any new story
        _save_score(store, story_id, at, story_score(app, story_id, members,
                                                     store.classifications_for([m["id"] for m in members]), at))


def _act_on(app, story_id: int, score: StoryScore, members: list[dict], report: TriageReport,
            related: RelatedCases | None = None) -> None:
    from monitor.notify import compose_alert, delivery_plan

    store, now = app.store, app.now()
    if score.severity is None:
        return
    case_id, opened = store.open_case(story_id, now, note=f"Mở tự động: mức {score.severity}, điểm {score_text(score.total)}")
    if opened:
        report.cases_opened.append(case_id)
    case = store.case(case_id)
    home = coming_home(app, case) if case.not_ours else []
    if home:
        # closed as another area's incident, and an article on the office's own area has joined it since: the
        # story is the office's now (a local development, or a local incident grouped into it), so it opens again
        # and alerts as a new story would
        store.update_case(case_id, now, by=SYSTEM_ACTOR, status=OPEN_STATUS, note=home_note(app.config, home))
        case = store.case(case_id)
    back = None
    if case.dismissed:
        # a person judged the articles no hot issue: only news since raising the story above that level brings it back
        back = dismissed_rise(app, story_id, case, members, told(app, story_id, store.last_alert(story_id)), now)
        if back is None:
            return
    elif case.not_ours:
        return  # not the office's (monitor cases dismiss --not-ours): no alert
    if not alerts_cover(app.config, score.scope):
        # outside the scopes the office handles (alerts.min_scope): the case and the clipping keep it, no alert;
        # should the story come nearer (an article naming the district joins it), its first alert goes out then
        if opened:
            store.update_case(case_id, now, by=SYSTEM_ACTOR, note=f"Không gửi cảnh báo: tin phạm vi «{app.config.office.scope_name(score.scope)}», "
                                                               f"ngoài phạm vi cảnh báo (alerts.min_scope: {app.config.alerts.min_scope})")
        return
    last = told(app, story_id, store.last_alert(story_id))
    if back is not None:
        score, decision = back  # told at the level the labels give it: the dismissed articles' hot scores stay 0
    elif home:
        # alerted as a new story (whatever was sent before it was closed), saying why it is back
        decision = decide_alert(app.config, score, None, now, members[-1]["when"])
        decision = decision and AlertDecision("new", home_note(app.config, home))
    else:
        decision = decide_alert(app.config, score, last, now, members[-1]["when"])
        if decision is not None and decision.kind == "escalation" and not store.story_news_since(story_id, last.created_at):
            # the same articles scored again (a `monitor reclassify`, edited rules or a retrained model the service
            # picked up): what leadership was told has not changed, so it is not told again. The higher level
            # goes out with the next article or page text that joins the story.
            return
        if decision is not None and decision.raised:
            decision = replace(decision, why=decision.why + raised_by(app, story_id, last.created_at, score, members))
    if decision is None:
        return
    if case.status == HANDLED:
        # handled, rightly, as the issue stood then (not a closing undone, as follow_hot_again puts a mistaken one
        # back to the status before it): what the alert tells is news since, which nobody has taken on. So "mới", as
        # for a case the alert opens and as coming_home reopens one (the owner is kept), set before composing: the
        # alert names the status the clerk acts on, and `monitor cases list --status "mới"` shows it. A run stopping
        # before the alert is queued leaves it open, and the next run's follow-up loop sends the alert. Only while it
        # is so closed: a run triaging at the same time may have reopened it, and a person taken it on, since read
        store.reopen_handled_case(case_id, now, note=handled_again_note(score, decision, members))
        case = store.case(case_id)
    elif back is not None:
        # dismissed rightly as its articles stood: what rose is news since, nobody's yet ("mới", as for handled)
        store.reopen_handled_case(case_id, now, note=f"Mở lại: {mid_sentence(decision.why)}", closed_as=DISMISSED)
        case = store.case(case_id)
    near = []
    if decision.kind == "new":
        related = related if related is not None else RelatedCases(app, around=members[-1]["when"])
        near = related.find(case_id, members)
        if not any(m["id"] in related.index for m in members):  # opened in this run, after the index was built
            related.add(case_id, members)
    subject, body, payload = compose_alert(app.config, story_id, score, members, decision, case, related=near)
    plan = delivery_plan(app.config, score.severity, now)
    alert_id = store.queue_alert(
        story_id=story_id, kind=decision.kind, severity=score.severity, hot_score=score.total,
        n_national=len(score.national_outlets), created_at=now, subject=subject, body=body, payload=payload,
        channels=plan, after=last.id if last is not None else None)
    if alert_id is None:
        return  # another run triaging at the same time queued the story's alert since `last` was read: it stands
    report.alerts_queued.append(alert_id)
    if not plan:
        report.alerts_nowhere.append(alert_id)
        report.alerts_off = not app.config.alerts.enabled


def run_triage(app, article_ids: list[int] | None = None) -> TriageReport:
    """Assign newly classified education articles to stories, rescore the stories they touched, open cases
    and queue alerts; also sends follow-ups that waited for a cooldown to end. Safe to run repeatedly."""
    store = app.store
    report = TriageReport()
    # this run's articles, and every education article collected lately and still outside a story: a run killed
    # after classifying left its articles unplaced, and nothing else would place them (or alert on them). Lately:
    # within the alert window (whatever its publication date); one collected long ago and only now judged
    # education (a reclassification of history) is placed by `monitor triage`, when asked
    window = timedelta(hours=app.config.alerts.window_hours)
    if article_ids is None:
        new_ids = store.unassigned_education_articles()
    else:
        new_ids = sorted(set(store.unassigned_education_articles(ids=article_ids))
                         | set(store.unassigned_education_articles(seen_since=app.now() - window)))
    touched = assign_articles(app, new_ids, report) if new_ids else set()
    if article_ids is not None:
        # articles already placed earlier but reclassified since: their stories need a new score too
        touched |= {s for s in (store.story_of_article(a) for a in article_ids) if s is not None}
    touched |= set(store.unscored_story_ids())  # grouped by a run that stopped before scoring them
    related = RelatedCases(app)
    for story_id in sorted(touched):
        result = rescore(app, story_id)
        if result is None:
            continue
        report.rescored.append(story_id)
        _act_on(app, story_id, result[0], result[1], report, related)
    # follow-ups held back by a cooldown: stories not touched now, judged on their stored score
    since = app.now() - window
    for story_id in store.hot_story_ids_since(since):
        if story_id in touched:
            continue
        last = told(app, story_id, store.last_alert(story_id))
        case = store.case_of_story(story_id)
        # a case closed as another area's that an own-area article joined, by a run that stopped before acting on it
        home = case is not None and case.not_ours and bool(coming_home(app, case))
        if last is None and not home:
            # rated hot, yet never alerted: a run stopped between scoring it (or opening its case) and queueing
            # its alert. A dismissed or merged case needs none, nor one closed as not the office's
            if case is not None and (case.dismissed or case.merged or case.not_ours):
                continue
        exp = store.story_explanation(story_id)
        if last is None and not home and not alerts_cover(app.config, explained_scope(exp)):
            continue  # outside alerts.min_scope: it joins nothing new, so nothing changes until an article joins it
        if home or last is None or severity_rank(app.config, exp.get("severity")) < severity_rank(app.config, last.severity) or (
                exp.get("local") and last.n_national == 0 and exp.get("national_outlets")):
            result = rescore(app, story_id)
            if result is not None:
                report.rescored.append(story_id)
                _act_on(app, story_id, result[0], result[1], report, related)
    return report
