"""Cases: how the office handled each hot story (the "kết quả xử lý" of the monthly report).

A hot story opens a case (status "mới"); people move it through the statuses, take ownership and add
notes. Every change is kept as an event with who and when, so the history is never overwritten.
Statuses are typed with or without diacritics ("dang xu ly" is "đang xử lý").

A hot issue the model missed gets a case by hand (`open_case_by_hand`): the story of the article (one of
its own when the model did not judge it education) opens a case, counts as hot in the clipping and the
report, and the article is labelled education and hot for `monitor train`.

A story the model flagged hot that is not a hot issue is dismissed (`dismiss_case`): the case ends as
"cảnh báo nhầm", the story sends no more alerts (those still waiting in the outbox are cancelled) and
leaves the clipping's hot section, and its articles are labelled not hot (and education or not, as the
person says), so `monitor train` learns from the false alarm. The dismissal is about those articles, at the level
the story had then (Case.dismissed_level): should articles that join the story later raise it, scored with the
labels, above that level and its last alert's (a real incident grouped into it, the press taking it up widely),
triage reopens the case ("mới", with a system line saying why) and its alert says the story had been dismissed
(monitor.triage.dismissed_rise), whether a person or a "not hot" label's carry-over (below) dismissed it. A rewrite
at the same level, or the same articles scored again, bring nothing back.
Moving the case to another status later reopens it, and the alerts its dismissal cancelled wait to be sent
again, as when a corrected label reopens it (`reopen_dismissed`, shared by both); the labels stay until someone
changes them. A case closed as "ngoài địa bàn" (below) that a person moves to an open status is reopened the same
way: leadership never had the alerts its closing cancelled, and the person now says the issue is the office's.

A case closed as handled ("đã xử lý") is about the issue as it stood when it was closed: should its story alert
again (a hot article joins it, more outlets raise its level: monitor.triage.decide_alert), triage reopens the case
("mới", with a system line saying why: monitor.triage.handled_again_note) before the alert, which then tells the
open case, and the clerk has it to take on again. What raises nothing (a reprint, the level unchanged, a cooldown
holding the follow-up) leaves it closed.

A real hot issue that is not the office's business (another province's incident) is closed as "ngoài địa
bàn" (`close_not_ours`, `monitor cases dismiss --not-ours`): no more alerts (those waiting are cancelled), and
no labels, since the model was right that it is hot; the clipping and the monthly report keep it as a hot
issue with that outcome, not as a false alarm. `alerts.min_scope` keeps such stories from alerting at all.
"Not ours" is about the incident as known when the person closed it: should an article on the office's own area
join its story later (a local development, or a local incident grouped into it), triage reopens the case ("mới",
with a system line saying why) and alerts as for a new story (monitor.triage.coming_home). Nothing is merged
into a case closed so (`merge_case` refuses, as for a false alarm): a person reopens it first if the incident is
the office's after all. A dismissed case closed as not ours has the "not hot" labels its dismissal wrote
withdrawn (those whose note `dismissal_label_note` begins), so `monitor train` does not learn a false alarm.

An analyst's `monitor label ID --hot no` (`follow_hot_label`) dismisses an open case as `dismiss_case` does,
without labelling the other articles, only when the labels leave its story no reason to be hot: no article hot
as people read them, and the story scored again with the labels applied below every alert level. A story hot
by its spread, tone and place stays, and the command says why and names `monitor cases dismiss`. A later label
that makes the story hot again (the "not hot" was a mistake: `follow_hot_again`), or that "not hot" label withdrawn
(`monitor label ID --withdraw N`) when the model and the labels left make the story hot, reopens such a case, and the
alerts its dismissal cancelled wait to be sent again; a case a person dismissed with `monitor cases dismiss` stays.

Story grouping is cautious (a new incident merged into an old story would raise no alert), so a development
told in other words (an investigation, a sanction, an official answer) often opens a case of its own
(bench/story_pairs.py: grouped at recall 0.37). Triage names the open cases it may belong to
(`monitor.triage.related_cases`), and a person who agrees merges it (`merge_case`): its articles and the
alerts it sent join the other case's story, alerts of its own still waiting are cancelled, its handling carries
on in the other case, and it ends as "đã gộp". Later articles that match either join the merged story, so its
next alert is an escalation of one story.

What the office did about an issue, as its communication plan asks it to account for ("kết quả xử lý"), is recorded
as handling (`update_case`'s reported_to, answered_press, corrected): reported to a competent authority ("báo cáo
cơ quan có thẩm quyền"), answered the press (its spokesperson, on whose direction: "theo chỉ đạo của Lãnh đạo"),
false information corrected or refuted in public ("đấu tranh chống … thông tin không đúng"). Each act is a line of
the history with who recorded it and when, and the day it was done; the monthly report and the clipping say them.
A case numbers its own records 1, 2, 3 (`numbered`): the number `cases show` gives and `cases update --withdraw` takes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Iterable, Mapping, Sequence

from monitor.errors import InputError
from monitor.stories import fold

STATUSES = ("mới", "đã tiếp nhận", "đang xử lý", "đã phản hồi", "đã xử lý")
OPEN_STATUS = STATUSES[0]
HANDLED = STATUSES[-1]  # closed as handled by people; triage reopens it when its story alerts again
DISMISSED = "cảnh báo nhầm"  # not a hot issue after all: set only by dismiss_case, which also records the labels
MERGED = "đã gộp"  # a follow-up's case joined to the case of its incident: set only by merge_case
NOT_OURS = "ngoài địa bàn"  # a hot issue, but not the office's to handle: set only by close_not_ours (no labels);
# triage reopens it when an article on the office's own area joins its story
SYSTEM_ACTOR = "hệ thống"
# how the history line of a case opened for a hot issue from outside the press begins (monitor.intake): the item
# says where it came from wherever it is shown, so the line is no "việc đã làm"
OUTSIDE_OPENED = "Ghi nhận từ nguồn ngoài báo chí"
# how the history line of a correction to such an item begins (monitor.intake.correct_item): a clerk's typo fixed,
# no "việc đã làm" either
ITEM_CORRECTED = "Sửa thông tin đã ghi nhận"
# how the history line of a case a person opened begins (open_case_by_hand; triage's own begins "Mở tự động"): the
# system's account of the opening, no "việc đã làm"
OPENED_BY_HAND = "Mở thủ công"
LABEL_CARRIED = "nhãn #"  # how the history line of a case a label dismissed (or reopened) begins: "nhãn #12: bài 345 …"
# handled, a false alarm, carried on by another case, or another office's business
CLOSED_STATUSES = (STATUSES[-1], DISMISSED, MERGED, NOT_OURS)
OPEN_STATUSES = STATUSES[:-1]  # taken on or not, not yet handled: what the monthly report and its forecast call open
# how the documents leadership reads (the clipping, the monthly and the period report) name a case's status where it
# differs from the clerk's word (`monitor cases`, --status): "mới" beside the counts' "new" read as "13 new issues",
# and the clipping said "mới" of a case the report of the same day called "chưa tiếp nhận xử lý"
STATUS_WORDS = {OPEN_STATUS: "chưa tiếp nhận xử lý"}


def status_word(status: str) -> str:
    """A case's status as the clipping and the reports name it (STATUS_WORDS)."""
    return STATUS_WORDS.get(status, status)


REPORTED, PRESS, CORRECTED = "reported", "press", "corrected"  # Handling.kind, as stored
# the hot-issue category of classifiers/topics.yaml whose sign marks an issue as false information, and its name
FALSE_INFORMATION_CATEGORY = "tin-sai"
FALSE_INFORMATION = "tin sai sự thật"


@dataclass(frozen=True)
class Handling:
    """One thing the office did about a hot issue (see the module docstring)."""

    kind: str  # REPORTED | PRESS | CORRECTED
    on: date  # the day it was done, in the office's calendar
    party: str = ""  # REPORTED: the authority; PRESS: the outlet; CORRECTED: ""
    spokesperson: str = ""  # PRESS: who spoke for the office
    directed_by: str = ""  # PRESS: on whose direction


@dataclass(frozen=True)
class CaseEvent:
    at: datetime
    by: str
    status: str | None = None  # new status, None when unchanged
    owner: str | None = None  # new owner, None when unchanged
    note: str = ""
    handling: Handling | None = None  # what the office did, recorded on this line
    id: int | None = None  # the line's id in the store (every case's lines share it): what `withdraws` names
    withdraws: int | None = None  # the id of the handling line this one withdraws (recorded by mistake)
    # a handling line's number in its case as people read it and `cases update --withdraw` takes it (numbered)
    record: int | None = None


def numbered(events: Iterable[CaseEvent]) -> tuple[CaseEvent, ...]:
    """A case's history with its handling lines numbered 1, 2, 3 in the order they were recorded (by id): the ids
    count every line of every case, so a person would read one case's records as 3, 7, 12. A withdrawn record keeps
    its number and a new one takes the next, so a number read once never names another record later; the records a
    merge carries in take the next numbers too, where they fall in the history by the day they were done."""
    events = tuple(events)
    order = sorted(e.id for e in events if e.handling is not None)
    number = {i: n for n, i in enumerate(order, 1)}
    return tuple(replace(e, record=number[e.id]) if e.id in number else e for e in events)


@dataclass(frozen=True)
class Case:
    id: int
    story_id: int
    title: str  # the story's title
    status: str
    owner: str
    opened_at: datetime
    updated_at: datetime
    severity: str | None = None
    hot_score: float = 0.0
    outlets: tuple[str, ...] = ()
    events: tuple[CaseEvent, ...] = field(default_factory=tuple)
    merged_into: int | None = None  # MERGED: the case that carries it on (None for a merge stored before 0065)
    # its story's level when it was last dismissed as a false alarm (None: never, or at no level): monitor.triage
    # reopens a case a person dismissed only when news raises its story above it (dismissed_rise)
    dismissed_level: str | None = None

    @property
    def closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def dismissed(self) -> bool:
        return self.status == DISMISSED

    @property
    def merged(self) -> bool:
        return self.status == MERGED

    @property
    def not_ours(self) -> bool:
        return self.status == NOT_OURS

    @property
    def handling(self) -> tuple[CaseEvent, ...]:
        """The history lines that record what the office did, oldest first, but those withdrawn since."""
        return handling_in_force(self.events)


def case_then(case: Case, when: datetime) -> Case | None:
    """The case as its history stood at `when`: the lines recorded by then (a handling line withdrawn only later
    still stands), the status and owner they had set; None when it was opened after. An archive read again later (an
    earlier day's clipping, a month's report) tells its cases so, not as they are now."""
    events = tuple(e for e in case.events if e.at <= when)
    if not events:
        return None
    status = next((e.status for e in reversed(events) if e.status), case.status)
    # every owner given is a line of the history (update_case, merge_case): none by then is no owner then
    owner = next((e.owner for e in reversed(events) if e.owner is not None), "")
    return replace(case, status=status, owner=owner, events=events)


def lists_as_hot(severity: str | None, case_status: str | None) -> bool:
    """Whether the clipping lists a story among its hot issues: it reached an alert level or has a case (a person may
    open one for a story the model missed), unless that case is a false alarm, which is news of its topic."""
    return (severity is not None or case_status is not None) and case_status != DISMISSED


def status_since(shown: str | None, now: str | None, at: datetime, words: Mapping[str, str] | None = None) -> str:
    """What an archive says beside a case's status as it stood then (`shown`, None: no case then) when the status
    `now` differs: "cập nhật đến ngày 28/11/2026: đã xử lý" (`at`: when it is read; `words`: how that document names a
    status); "" when it has not changed, or there is no case now. The archive keeps what it said then, and does not
    leave its reader believing an issue handled since is still waiting."""
    if now is None or now == shown:
        return ""
    word = (words or {}).get(now, now)
    if shown in CLOSED_STATUSES and now not in CLOSED_STATUSES:
        # opened again since (news of a handled issue, a false alarm undone): not "đã xử lý: chưa tiếp nhận xử lý",
        # which reads as handling undone
        return f"cập nhật đến ngày {at:%d/%m/%Y}: mở lại ({word})"
    return f"cập nhật đến ngày {at:%d/%m/%Y}: {word}"


def handling_in_force(events: Iterable[CaseEvent]) -> tuple[CaseEvent, ...]:
    """Of a case's history, the lines recording what the office did, oldest first, but those withdrawn since."""
    events = tuple(events)
    withdrawn = {e.withdraws for e in events if e.withdraws is not None}
    return tuple(e for e in events if e.handling is not None and e.id not in withdrawn)


@dataclass(frozen=True)
class RelatedCase:
    """A case whose story may be the same incident as another story, told earlier in other words."""

    case_id: int
    title: str
    similarity: float  # TF-IDF cosine of the closest pair of their articles


def parse_status(text: str, *, listing: bool = False) -> str:
    """The canonical status for what a person typed; InputError listing the choices otherwise.

    A case becomes "cảnh báo nhầm" only through `dismiss_case` (it records labels too); `listing` accepts it
    for filtering."""
    wanted = fold(text)
    for s in STATUSES:
        if fold(s) == wanted:
            return s
    if fold(DISMISSED) == wanted:
        if listing:
            return DISMISSED
        raise InputError(f"hồ sơ được đánh dấu {DISMISSED!r} bằng `monitor cases dismiss`, lệnh này còn ghi nhãn cho các bài của nó",
                         hint="monitor cases dismiss CASE_ID [--not-education] --note \"why\"")
    if fold(NOT_OURS) == wanted:
        if listing:
            return NOT_OURS
        raise InputError(f"hồ sơ được đánh dấu {NOT_OURS!r} bằng `monitor cases dismiss --not-ours`, lệnh này còn hủy các "
                         "cảnh báo đang chờ gửi của nó", hint="monitor cases dismiss CASE_ID --not-ours --note \"why\"")
    if fold(MERGED) == wanted:
        if listing:
            return MERGED
        raise InputError(f"hồ sơ được đánh dấu {MERGED!r} bằng `monitor cases merge`, lệnh này còn chuyển các bài của nó",
                         hint="monitor cases merge CASE_ID --into OTHER_CASE_ID")
    raise InputError(f"không có trạng thái hồ sơ {text!r}; dùng một trong: {', '.join(STATUSES)}")


def existing_case(store, case_id: int) -> Case:
    """The case numbered `case_id`; an InputError (no_case) when there is none."""
    case = store.case(case_id)
    if case is None:
        raise no_case(store, case_id)
    return case


def no_case(store, case_id: int) -> InputError:
    """The error for a case number that names no case. An article id (from `monitor articles`, the clipping or an
    alert) is easily typed where a case number is asked: when that id is an article in a case, the case is named."""
    story_id = store.story_of_article(case_id)
    case = store.case_of_story(story_id) if story_id is not None else None
    if case is not None:
        return InputError(f"không có hồ sơ số {case_id}; bài số {case_id} thuộc hồ sơ {case.id}: "
                          f"`monitor cases show {case.id}`")
    return InputError(f"không có hồ sơ số {case_id}; `monitor cases list` liệt kê các hồ sơ")


def actor_name(by: str) -> str:
    """Who a person said they are (`--by NAME`), as a case's history records them; an InputError when blank."""
    if not by.strip():
        raise InputError("cho biết ai thực hiện thay đổi (--by TÊN)")
    return by.strip()


def update_case(app, case_id: int, *, by: str, status: str | None = None, owner: str | None = None,
                note: str = "", reported_to: Sequence[str] = (), answered_press: Sequence[str] = (),
                spokesperson: str = "", directed_by: str = "", corrected: bool = False,
                on: date | None = None, withdraw: int | None = None) -> tuple[Case, int]:
    """Change a case's status/owner, add a note and/or record what the office did (`reported_to`: the authorities
    it reported to; `answered_press`: the outlets it answered, with `spokesperson` and `directed_by`; `corrected`:
    false information corrected or refuted in public; all done `on` that day, today by default), each recorded
    with who and when (app.now()); returns the case and how many alert deliveries wait to be sent again.

    A false alarm, or a case closed as another area's, moved to a status still open is reopened as a corrected label
    reopens one (reopen_dismissed): the alerts its closing cancelled wait again (leadership never had them, and the
    person now says the issue is the office's). Moved straight to "đã xử lý", it is handled, and there is nothing to
    tell leadership that it would act on. A case still "mới" that gets a handling record is "đã tiếp
    nhận" (someone took it on), unless `status` says otherwise. `withdraw`: the number in the case (CaseEvent.record,
    as `cases show` gives it) of a handling record made by mistake, withdrawn by a line of its own (the note says
    why); it no longer counts, and both stay in the history."""
    store = app.store
    current = existing_case(store, case_id)
    if current.merged:
        raise InputError(f"hồ sơ {case_id} đã được gộp vào hồ sơ khác, nay giữ các bài của nó",
                         hint=f"`monitor cases show {case_id}` cho biết hồ sơ đó; cập nhật hồ sơ đó thay vì hồ sơ này")
    new_status = parse_status(status) if status else None
    gone = next((e for e in current.handling if e.record == withdraw), None) if withdraw is not None else None
    if withdraw is not None and gone is None:
        in_force = "; ".join(f"số {e.record}: {handling_text(e.handling)}" for e in current.handling)
        raise InputError(f"hồ sơ {case_id} không có ghi nhận số {withdraw} còn hiệu lực để rút lại",
                         hint=(f"chọn một trong các ghi nhận còn hiệu lực ({in_force}); `monitor cases show {case_id}` "
                               "liệt kê chúng ở mục «Kết quả xử lý», mỗi dòng bắt đầu bằng số của ghi nhận"
                               if in_force else f"hồ sơ {case_id} chưa có ghi nhận nào còn hiệu lực, không có gì để "
                               f"rút lại (`monitor cases show {case_id}` cho biết lịch sử của hồ sơ)"))
    acts = handling_records(app, current, reported_to=reported_to, answered_press=answered_press,
                            spokesperson=spokesperson, directed_by=directed_by, corrected=corrected, on=on,
                            besides=gone.id if gone is not None else None)
    if new_status is None and owner is None and not note.strip() and not acts and withdraw is None:
        raise InputError("không có gì để cập nhật: cho --status, --owner, --note, việc đã làm (--reported-to, "
                         "--answered-press, --corrected), hoặc sửa một tin ghi nhận từ ngoài báo chí "
                         "(--title, --source, --summary, ...)")
    owner = owner.strip() if owner is not None else None
    if (current.dismissed or current.not_ours) and new_status is not None and new_status not in CLOSED_STATUSES:
        if withdraw is not None:  # one thing at a time on a closed case: its reopening sends alerts again
            raise InputError(f"hồ sơ {case_id} đã đóng với trạng thái {current.status!r}: mở lại trước, rồi mới rút "
                             f"ghi nhận số {withdraw}", hint=f"monitor cases update {case_id} --status \"{new_status}\"")
        again = reopen_dismissed(app, current, by=actor_name(by), note=note.strip(), status=new_status, owner=owner)
        return store.case(case_id), again
    if acts and new_status is None and current.status == OPEN_STATUS:
        new_status = STATUSES[1]
    store.update_case(case_id, app.now(), by=actor_name(by), status=new_status, owner=owner, note=note.strip(),
                      handling=acts, withdraw=gone.id if gone is not None else None)
    return store.case(case_id), 0


def reopen_dismissed(app, case: Case, *, by: str, note: str, status: str = OPEN_STATUS, owner: str | None = None) -> int:
    """Open a false alarm (or a case closed as another area's) again, as `status`, however it was closed (a person's
    `monitor cases dismiss [--not-ours]`, a label's carry-over) and whichever way it is reopened (`monitor cases
    update`, a corrected label): the one place that decides what the reopening sends, so that the ways cannot drift.
    The deliveries the closing cancelled wait to be sent again (leadership never had them); a delivery that went
    before it stays sent, never sent again. Returns how many wait again."""
    return app.store.reopen_dismissed_case(case.id, app.now(), by=by, note=note, status=status, owner=owner)


def handling_records(app, case: Case, *, reported_to: Sequence[str] = (), answered_press: Sequence[str] = (),
                     spokesperson: str = "", directed_by: str = "", corrected: bool = False,
                     on: date | None = None, besides: int | None = None) -> list[Handling]:
    """The handling records a person asked for, checked: named, dated no later than today, not on a false alarm,
    and not already recorded (the report counts them: the same answer recorded twice would be two answers), but
    as record `besides` (its CaseEvent.id), being withdrawn (a name mistyped, written again)."""
    tz = app.config.office.tz
    today = app.now().astimezone(tz).date()
    wanted = [(REPORTED, p) for p in reported_to] + [(PRESS, p) for p in answered_press]
    if (spokesperson.strip() or directed_by.strip()) and not answered_press:
        raise InputError("--spokesperson và --directed-by mô tả việc trả lời báo chí: cho kèm --answered-press TÊN_BÁO",
                         hint=f'monitor cases update {case.id} --answered-press "Tuổi Trẻ" --spokesperson "Tên"')
    if not wanted and not corrected:
        if on is not None:
            raise InputError("--on ghi ngày của việc đã làm: dùng cùng --reported-to, --answered-press hoặc --corrected",
                             hint=f'monitor cases update {case.id} --reported-to "UBND quận" --on {today.isoformat()}')
        return []
    for kind, party in wanted:
        if not party.strip():
            option = "--reported-to" if kind == REPORTED else "--answered-press"
            what = "cơ quan đã báo cáo" if kind == REPORTED else "tờ báo đã trả lời"
            raise InputError(f"{option} đang để trống: ghi tên {what}", hint=f'{option} "{"UBND quận" if kind == REPORTED else "Tuổi Trẻ"}"')
    day = on or today
    if day > today:
        raise InputError(f"--on {day.isoformat()} là ngày trong tương lai: cho ngày đã làm việc đó (hôm nay là {today:%d/%m/%Y})")
    if case.dismissed:
        raise InputError(f"hồ sơ {case.id} là cảnh báo nhầm đã bỏ qua ({DISMISSED!r}): nếu đúng là vấn đề nóng, "
                         "hãy mở lại trước (mở lại sẽ gửi các cảnh báo đã hủy khi bỏ qua), rồi mới ghi việc đã làm", hint=f"monitor cases update {case.id} --status \"{STATUSES[1]}\"")
    acts: list[Handling] = []
    for kind, party in wanted:
        act = Handling(kind, day, " ".join(party.split()),
                       " ".join(spokesperson.split()) if kind == PRESS else "",
                       " ".join(directed_by.split()) if kind == PRESS else "")
        if not any(_same(act, a) for a in acts):
            acts.append(act)
    if corrected:
        acts.append(Handling(CORRECTED, day))
    for act in acts:
        earlier = next((e for e in case.handling if e.id != besides and _same(act, e.handling)), None)
        if earlier is not None:
            raise InputError(f"hồ sơ {case.id} đã ghi việc này: {handling_text(act)} ({earlier.by} ghi lúc "
                             f"{earlier.at.astimezone(tz):%H:%M %d/%m/%Y})",
                             hint=f"`monitor cases show {case.id}` liệt kê những gì đã ghi")
    return acts


def _same(a: Handling, b: Handling) -> bool:
    return a.kind == b.kind and a.on == b.on and fold(a.party) == fold(b.party)


def handling_text(act: Handling) -> str:
    """One record as the report says it: "đã báo cáo UBND quận Long Biên, ngày 12/11/2026"."""
    day = f"ngày {act.on:%d/%m/%Y}"
    if act.kind == REPORTED:
        return f"đã báo cáo {act.party}, {day}"
    if act.kind == PRESS:
        return f"đã trả lời báo chí: {act.party}, {day}" + press_details(act)
    return f"đã cải chính, bác bỏ thông tin sai sự thật, {day}"


def press_details(act: Handling) -> str:
    """" (người phát ngôn: …; theo chỉ đạo của …)", "" when neither was recorded."""
    parts = [f"người phát ngôn: {act.spokesperson}" if act.spokesperson else "",
             f"theo chỉ đạo của {act.directed_by}" if act.directed_by else ""]
    parts = [p for p in parts if p]
    return f" ({'; '.join(parts)})" if parts else ""


def handling_brief(acts: Iterable[Handling]) -> str:
    """What was done, in a few words for the clipping's case line: "đã báo cáo UBND quận; đã trả lời báo chí:
    Tuổi Trẻ, Dân trí; đã cải chính, bác bỏ"; "" when nothing is recorded."""
    acts = list(acts)
    reported = list(dict.fromkeys(a.party for a in acts if a.kind == REPORTED))
    press = list(dict.fromkeys(a.party for a in acts if a.kind == PRESS))
    parts = [f"đã báo cáo {', '.join(reported)}" if reported else "",
             f"đã trả lời báo chí: {', '.join(press)}" if press else "",
             "đã cải chính, bác bỏ" if any(a.kind == CORRECTED for a in acts) else ""]
    return "; ".join(p for p in parts if p)


def false_information_sign(hot_categories: Iterable) -> bool:
    """Whether a story's hot categories (classifiers.types.HotCategory, as triage stored them with its score)
    include false information (FALSE_INFORMATION_CATEGORY)."""
    return any(c.id == FALSE_INFORMATION_CATEGORY for c in hot_categories)


def dismiss_case(app, case_id: int, *, by: str, education: bool = True, note: str = "") -> tuple[Case, list[int]]:
    """End a case as a false alarm and label its story's articles not hot (education or not, as `education`
    says), in one transaction; returns the case and the labelled article ids."""
    store = app.store
    current = _case_to_close(store, case_id, DISMISSED, "nếu là cảnh báo nhầm thì bỏ qua hồ sơ đó")
    who = actor_name(by)
    articles = [m["id"] for m in store.story_members(current.story_id)]
    # a member someone already judged not education stays so: "not hot" is all this decision adds to it
    judged_not = {r["article_id"] for r in store.labels(articles) if r.get("is_education") is False}
    why = note.strip() or ("không phải vấn đề nóng" if education else "không phải tin giáo dục")
    store.dismiss_case(case_id, app.now(), by=who, status=DISMISSED, note=why,
                       education={a: None if education and a in judged_not else education for a in articles},
                       label_note=dismissal_label_note(case_id) + why)
    return store.case(case_id), articles


def _case_to_close(store, case_id: int, status: str, instead: str) -> Case:
    """The case, open to be closed as `status`: not already so, and not merged (`instead`: what to do then)."""
    current = existing_case(store, case_id)
    if current.status == status:
        raise InputError(f"hồ sơ {case_id} đã được đánh dấu {status!r}")
    if current.merged:
        raise InputError(f"hồ sơ {case_id} đã được gộp vào hồ sơ khác; {instead}",
                         hint=f"`monitor cases show {case_id}` cho biết hồ sơ đó")
    return current


def dismissal_label_note(case_id: int) -> str:
    """How the labels `dismiss_case` writes begin (their note): what identifies them to withdraw them."""
    return f"hồ sơ #{case_id}: {DISMISSED} — "


def close_not_ours(app, case_id: int, *, by: str, note: str = "") -> tuple[Case, list[int]]:
    """Close a case as another office's business (NOT_OURS): its alerts still waiting are cancelled and no
    more go out, and no article is labelled (the story is a hot issue, only not ours to handle). A case dismissed
    before (the wrong button first) has the "not hot" labels its dismissal wrote withdrawn, in the same
    transaction, as `monitor label ID --withdraw N` withdraws one (monitor.corrections.withdraw_label): `monitor
    train` must not learn as a false alarm what is a real hot issue elsewhere, and `monitor labels` keeps who wrote
    them and who withdrew them, and why. A person's own labels stay. Returns the case and the articles whose
    dismissal labels were withdrawn."""
    store = app.store
    _case_to_close(store, case_id, NOT_OURS, "hãy đóng hồ sơ đó")
    who = actor_name(by)
    withdrawn = store.labels_noted(dismissal_label_note(case_id))
    articles = sorted({r["article_id"] for r in withdrawn})
    reason = note.strip() or "không thuộc địa bàn quản lý"
    why = reason
    if withdrawn:
        why += (f" (rút lại {len(withdrawn)} nhãn «không nóng» do lần đánh dấu {DISMISSED} ghi: "
                + ", ".join(f"bài {a}" for a in articles) + ")")
    store.dismiss_case(case_id, app.now(), by=who, status=NOT_OURS, note=why, education={}, label_note="",
                       withdraw_labels=[r["id"] for r in withdrawn],
                       withdrawal_note=f"hồ sơ #{case_id}: {NOT_OURS}, không phải {DISMISSED} — {reason}")
    return store.case(case_id), articles


@dataclass(frozen=True)
class LabelFollowed:
    """What a "not hot" label did to the case of the article's story (follow_hot_label)."""

    case: Case | None  # the story's case, None when it has none
    dismissed: bool = False  # the label dismissed it now
    still_hot: tuple[int, ...] = ()  # the story's articles still hot as people read them
    score: object | None = None  # StoryScore: the story scored with the labels applied, when it stays hot by it
    reopened: bool = False  # the label reopened a case that an earlier label's carry-over had dismissed
    alerts_again: int = 0  # deliveries that dismissal had cancelled, waiting to be sent again


def follow_hot_label(app, article_id: int, *, by: str, label_id: int) -> LabelFollowed:
    """After a label saying `article_id` is not hot (or not education). An open case is dismissed as a false
    alarm (no more alerts, those waiting cancelled, out of the clipping's hot section) only when the labels leave
    its story no reason to be hot: no article hot as people read them, and the story, scored again as triage
    scored it last with the labels applied (a "not hot" article's hot score counted as 0), below the lowest alert
    level. A story hot by its spread, tone and place (five outlets, none over the model's threshold) stays, and
    so does one with another hot article. The other articles get no label, since nobody read them."""
    from monitor.corrections import read_corrected

    store = app.store
    story_id = store.story_of_article(article_id)
    case = store.case_of_story(story_id) if story_id is not None else None
    if case is None:
        return LabelFollowed(None)
    members = [m["id"] for m in store.story_members(case.story_id)]
    classes, _ = read_corrected(store, members)
    labels = {r["article_id"]: r for r in store.labels(members)}
    # an article never classified is hot when a person labelled it so (a case opened by hand)
    hot = tuple(a for a in members if (classes[a].hot if a in classes else bool(labels.get(a, {}).get("hot"))))
    if hot or case.closed:
        return LabelFollowed(case, False, hot)
    score = score_with_labels(app, case.story_id)
    if score is not None and score.severity is not None:
        return LabelFollowed(case, False, (), score)
    store.dismiss_case(case.id, app.now(), by=actor_name(by), status=DISMISSED,
                       note=f"{LABEL_CARRIED}{label_id}: bài {article_id} không nóng, tin không còn bài nóng nào",
                       education={}, label_note="")
    return LabelFollowed(store.case(case.id), True)


def dismissed_by_a_label(case: Case) -> bool:
    """Whether the case is a false alarm because a label's carry-over (follow_hot_label) made it one, rather than a
    person's `monitor cases dismiss` of the whole story."""
    last = next((e for e in reversed(case.events) if e.status is not None), None)
    return case.dismissed and last is not None and last.status == DISMISSED and last.note.startswith(LABEL_CARRIED)


def follow_hot_again(app, article_id: int, *, by: str, label_id: int, withdrawn: int | None = None) -> LabelFollowed:
    """After a label saying `article_id` is hot (or education again): the inverse of follow_hot_label. A case that
    a label's carry-over dismissed (a "not hot" label now corrected, by its author or a colleague) opens again
    when the labels give its story a reason to be hot again (an article hot as people read them, or the story
    scored with the labels applied at an alert level), and the alerts its dismissal cancelled wait to be sent
    again. A case a person dismissed as a whole (`monitor cases dismiss`) stays so: one article's label does not
    overrule that decision, and the command names how to reopen it.

    So too after `label_id` withdrew label `withdrawn` ("not hot", or not education: monitor.corrections.
    withdraw_label): the article is read as the other labels and the model have it, and a case that label's carry-over
    dismissed reopens when that gives the story a reason to be hot, as a later "hot" label correcting it would."""
    from monitor.corrections import read_corrected

    store = app.store
    story_id = store.story_of_article(article_id)
    case = store.case_of_story(story_id) if story_id is not None else None
    if case is None or not dismissed_by_a_label(case):
        return LabelFollowed(case)
    members = [m["id"] for m in store.story_members(case.story_id)]
    classes, labels = read_corrected(store, members)
    hot = tuple(a for a in members if (classes[a].hot if a in classes else bool(labels.get(a, {}).get("hot"))))
    score = None
    if not hot:
        score = score_with_labels(app, case.story_id)
        if score is None or score.severity is None:
            return LabelFollowed(case, False, (), score)
    # the label undoes its carry-over: the case stands as it did before that closed it (taken on, being handled),
    # not back to "mới" as if nobody had handled it
    statuses = [e.status for e in case.events if e.status is not None]
    before = statuses[-2] if len(statuses) >= 2 and statuses[-2] in OPEN_STATUSES else OPEN_STATUS
    why = (f"bài {article_id} là tin nóng, mở lại hồ sơ đã đóng theo nhãn «không nóng» trước đó" if withdrawn is None
           else f"rút lại nhãn #{withdrawn} của bài {article_id}, mở lại hồ sơ đã đóng theo nhãn «không nóng»")
    again = reopen_dismissed(app, case, by=actor_name(by), status=before, note=f"{LABEL_CARRIED}{label_id}: {why}")
    return LabelFollowed(store.case(case.id), still_hot=hot, score=score, reopened=True, alerts_again=again)


def score_with_labels(app, story_id: int):
    """The story's score (monitor.triage's StoryScore) as triage last scored it, with people's labels put over the
    classifications: an article labelled not hot (or not education) brings no hot score of its own. None when the
    story has no members."""
    from monitor.triage import story_score

    store = app.store
    members = store.story_members(story_id)
    if not members:
        return None
    # at the time of its last score: what the label changes, not what the hours since have (velocity fades)
    return story_score(app, story_id, members, classified_with_labels(store, [m["id"] for m in members]),
                       store.story_scored_at(story_id) or app.now())


def classified_with_labels(store, article_ids: list[int]) -> dict:
    """The articles' classifications with people's labels put over them (monitor.corrections), an article labelled
    not hot (or not education) bringing no hot score of its own: how score_with_labels and triage's reading of a
    dismissed story (monitor.triage.dismissed_rise) count them."""
    from dataclasses import replace

    from monitor.corrections import read_corrected

    classes, labels = read_corrected(store, article_ids)
    for a, label in labels.items():
        if a in classes and (label.get("hot") is False or label.get("is_education") is False):
            classes[a] = replace(classes[a], hot=False, hot_score=0.0)
    return classes


def open_case_by_hand(app, article_id: int, *, by: str, note: str = "") -> tuple[Case, bool, int]:
    """A person's case for a hot issue the model missed (see the module docstring); -> (case, whether it
    was opened or reopened now, rather than already open, how many alert deliveries its reopening put back in the
    outbox: as `update_case` reopens a closed one)."""
    store = app.store
    article = store.get_article(article_id)
    if article is None:
        raise InputError(f"không có bài số {article_id}; tìm số bài bằng `monitor articles --all` hoặc `monitor search`")
    who = actor_name(by)
    why = note.strip() or "vấn đề nóng máy chưa nhận ra"
    # a case already open (triage opened it, or a person did before) was not opened now: its history, which the
    # clipping and the report quote as what was last done, gets the person's note as it is, or nothing
    case_id, opened, again = store.open_case_by_hand(article_id, app.now(), by=who, note=f"{OPENED_BY_HAND}: {why}",
                                                     label_note=f"mở hồ sơ thủ công — {why}",
                                                     note_if_open=note.strip() or None)
    return store.case(case_id), opened, again


def merge_case(app, case_id: int, *, into: int, by: str, note: str = "", title: str | None = None) -> Case:
    """Join case `case_id` (a follow-up told in other words) to case `into` (its incident), in one transaction:
    its story's articles and the alerts it sent move to the other story, its alerts still waiting are
    cancelled, it ends as MERGED, and both histories say so. The handling carries on: the notes join the other
    case's history, which takes its status when further along (or, handled, when the merged case is not yet: the
    development reopens it) and its owner when it has none. The merged
    story is scored again, never below a level a person gave an item of it entered from outside the press
    (monitor.triage.keep_entered_level); returns the case that carries on. It keeps its title (a case is named by its
    story's first article or item, and the follow-up may bring an article older than the incident's first report),
    or takes `title` when the person gives one."""
    from monitor.triage import rescore

    store = app.store
    source, target = existing_case(store, case_id), existing_case(store, into)
    who = actor_name(by)
    if case_id == into:
        raise InputError(f"không gộp được hồ sơ {case_id} vào chính nó")
    for c in (source, target):
        if c.merged:
            raise InputError(f"hồ sơ {c.id} đã được gộp vào hồ sơ khác",
                             hint=f"`monitor cases show {c.id}` cho biết hồ sơ tiếp tục theo dõi")
        if c.dismissed:
            raise InputError(f"hồ sơ {c.id} là cảnh báo nhầm đã bỏ qua ({DISMISSED!r}); cảnh báo nhầm không gộp vào vụ việc nào",
                             hint=f"mở lại trước: monitor cases update {c.id} --status \"{OPEN_STATUS}\"")
    if target.not_ours:
        # what joins it would carry on under "not the office's": its alerts cancelled, later ones silenced, the
        # report filing it elsewhere. Whether the incident is the office's after all is a person's call, made first
        raise InputError(f"hồ sơ {into} đã đóng vì thuộc địa bàn khác ({NOT_OURS!r}); hồ sơ {case_id} gộp vào đó sẽ "
                         "không còn cảnh báo và nằm ngoài địa bàn của cơ quan trong báo cáo",
                         hint=f"nếu vụ việc đúng là của cơ quan, mở lại hồ sơ đó trước: monitor cases update {into} "
                              f"--status \"{OPEN_STATUS}\"; nếu không, để hồ sơ {case_id} riêng")
    kept = " ".join((title or "").split()) if title is not None else target.title
    if not kept:
        raise InputError("--title đang để trống; ghi tiêu đề cho hồ sơ sau khi gộp, hoặc bỏ --title để giữ tiêu đề "
                         f"của hồ sơ {into} (“{target.title}”)")
    why = f" — {note.strip()}" if note.strip() else ""
    n = len(store.story_members(source.story_id))
    further = source.status in STATUSES and target.status in STATUSES and \
        STATUSES.index(source.status) > STATUSES.index(target.status)
    # a development not yet handled, merged into an incident handled before it: the incident is open again at the
    # development's status, as triage reopens a handled case its story alerts on again, or the development would
    # leave the open cases and the report would count it handled
    reopened = target.status == HANDLED and source.status in OPEN_STATUSES
    store.merge_case(case_id, into, app.now(), by=who, status=MERGED,
                     source_note=f"Gộp vào hồ sơ số {into} “{target.title}”{why}",
                     target_note=f"Gộp hồ sơ số {case_id} “{source.title}” ({n} bài) vào hồ sơ này{why}"
                     + (f"; tiêu đề hồ sơ: “{target.title}” → “{kept}”" if kept != target.title else "")
                     + (f"; mở lại: diễn biến của hồ sơ số {case_id} chưa xử lý xong (trạng thái “{source.status}”)"
                        if reopened else ""),
                     source_title=source.title, kept_title=kept,
                     carried_status=source.status if further or reopened else None,
                     carried_owner=source.owner if not target.owner else "")
    rescore(app, target.story_id)
    return store.case(into)


def _plain(note: str) -> str:
    """A person's note as leadership reads it: plain quotation marks, "số 13" rather than "#13"."""
    note = re.sub(r"«\s*|\s*»", '"', note)
    return re.sub(r"#(\d+)", r"số \1", note).strip()


def person_notes(events, tz) -> tuple[str, ...]:
    """What people wrote in a case's history, oldest first, as "dd/mm: note": not the system's own lines
    ("Mở tự động: …"), and of a merge only the reason a person gave (the rest is the machine's account)."""
    return tuple(f"{e.at.astimezone(tz):%d/%m}: {note}" for e, note in _person_notes(events))


def outcome_line(events, tz, *, until: date | None = None, not_ours: bool = False, acts_listed: bool = False) -> str:
    """What the clipping and the report say was last done about an issue, from its case's history (`events`) up to
    the day `until` (excluded; a month's report tells nothing of the next month): the latest of what people noted
    and what they recorded doing (handling), so a note is never called the latest beside a record made after it.
    "Việc đã làm gần nhất (ngày 14/11): note"; when a record came after the note, that record first, then the note
    as earlier: "Việc đã làm gần nhất (ngày 20/11): đã báo cáo UBND quận; trước đó (ngày 14/11): note". "" when
    nobody noted anything (the records alone are said where the status is). Of a case closed as another area's
    (`not_ours`) the note says why, not something done: "Ghi chú gần nhất". Where the records are listed with their
    days beside it (`acts_listed`: the monthly report), a note older than the latest record is only dated: "Việc đã
    làm khác (ngày 14/11): note"."""
    events = tuple(events)
    notes = [(e, n) for e, n in _person_notes(events) if until is None or e.at.astimezone(tz).date() < until]
    if not notes:
        return ""
    last, text = notes[-1]
    noted = last.at.astimezone(tz).date()
    acts = [e for e in handling_in_force(events) if until is None or e.handling.on < until]
    latest_day = max((e.handling.on for e in acts), default=None)
    said = "Ghi chú gần nhất" if not_ours else "Việc đã làm gần nhất"
    if latest_day is None or (latest_day, max(e.at for e in acts if e.handling.on == latest_day)) < (noted, last.at):
        return f"{said} (ngày {last.at.astimezone(tz):%d/%m}): {text}"
    if acts_listed:
        return f"{'Ghi chú' if not_ours else 'Việc đã làm khác'} (ngày {noted:%d/%m}): {text}"
    brief = handling_brief(e.handling for e in acts if e.handling.on == latest_day)
    earlier = "trước đó, cùng ngày" if latest_day == noted else f"trước đó (ngày {noted:%d/%m})"
    if not_ours:
        earlier = "ghi chú " + earlier
    return f"Việc đã làm gần nhất (ngày {latest_day:%d/%m}): {brief}; {earlier}: {mid_sentence(text)}"


# an office's notes name the bodies they deal with as official writing does, capitalised even without a proper name
# after them ("Sở đăng thông cáo", "Công an tỉnh đang xác minh", "Trường đã hoàn trả"): the capital is the name's
INSTITUTION_WORDS = ("Sở", "Bộ", "Phòng", "Trường", "Công an", "Ủy ban", "Uỷ ban", "Thanh tra", "Chính phủ",
                     "Thủ tướng", "Tỉnh ủy", "Tỉnh uỷ", "Thành ủy", "Thành uỷ", "Huyện ủy", "Huyện uỷ", "Quận ủy",
                     "Quận uỷ", "Đảng ủy", "Đảng uỷ", "Hội đồng nhân dân", "Viện kiểm sát", "Tòa án", "Toà án")


# but a room of a school is no body: "Phòng học được sửa xong", "Trường học …" lose theirs
ROOMS = tuple(f"{w} {kind}" for w in ("Phòng", "Trường") for kind in ("học", "thi", "họp", "máy", "y tế", "ăn", "ngủ",
                                                                        "vệ sinh", "chức năng", "bộ môn"))


def mid_sentence(text: str) -> str:
    """A note as it reads after a colon inside a sentence: its capital dropped ("…; trước đó, cùng ngày: đã chỉ
    đạo…"), unless its first word is a name: one in capitals ("UBND"), followed by another capitalised word
    ("Nguyễn Văn An", "Sở GD&ĐT"), or an institution's (INSTITUTION_WORDS: "Sở đăng thông cáo")."""
    words = text.split(maxsplit=2)
    if not words or len(words[0]) < 2 or not words[0][0].isupper() or not words[0][1:].islower():
        return text
    if len(words) > 1 and words[1][:1].isupper():
        return text
    head = unicodedata.normalize("NFC", " ".join(text.split()[:4]))
    if any(head == w or head.startswith(w + " ") for w in INSTITUTION_WORDS) and not head.startswith(ROOMS):
        return text
    return text[:1].lower() + text[1:]


def _person_notes(events):
    """(line, what it says as leadership reads it) of the notes people wrote about what was done, oldest first
    (person_notes): a note given with a status change or with a handling record (`monitor cases update --status …
    --note …`, `--reported-to … --note …`), and a person's reason for a merge. A note alone is the clerk's working
    memory (a question, "đã có hồ sơ?", a reminder): it stays in the history, and leadership does not read it as
    something the office did."""
    events = tuple(events)
    # update_case writes a note given with handling records as a line of its own, at the same moment, by the same person
    acted = {(e.at, e.by) for e in events if e.handling is not None}
    for e in events:
        note = (e.note or "").strip()
        # an intake's opening line (OUTSIDE_OPENED), a correction of what was entered (ITEM_CORRECTED), the system's
        # account of an opening (OPENED_BY_HAND; triage's, by SYSTEM_ACTOR) and why a handling record was withdrawn
        # are no "việc đã làm"
        if (not note or e.by == SYSTEM_ACTOR or note.startswith((OUTSIDE_OPENED, ITEM_CORRECTED, OPENED_BY_HAND))
                or e.withdraws is not None):
            continue
        if re.match(r"^Gộp (vào )?hồ sơ\b", note):
            if " — " not in note:
                continue
            note = note.rsplit(" — ", 1)[1]
        elif e.status is None and (e.at, e.by) not in acted:
            continue
        yield e, _plain(note)
