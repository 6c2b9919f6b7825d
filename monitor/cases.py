"""Cases: how the office handled each hot story (the "kết quả xử lý" of the monthly report).

A hot story opens a case (status "mới"); people move it through the statuses, take ownership and add
notes. Every change is kept as an event with who and when, so the history is never overwritten.
Statuses are typed with or without diacritics ("dang xu ly" is "đang xử lý").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from monitor.errors import InputError
from monitor.stories import fold

STATUSES = ("mới", "đã tiếp nhận", "đang xử lý", "đã phản hồi", "đã xử lý")
OPEN_STATUS = STATUSES[0]
SYSTEM_ACTOR = "hệ thống"


@dataclass(frozen=True)
class CaseEvent:
    at: datetime
    by: str
    status: str | None = None  # new status, None when unchanged
    owner: str | None = None  # new owner, None when unchanged
    note: str = ""


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

    @property
    def closed(self) -> bool:
        return self.status == STATUSES[-1]


def parse_status(text: str) -> str:
    """The canonical status for what a person typed; InputError listing the choices otherwise."""
    wanted = fold(text)
    for s in STATUSES:
        if fold(s) == wanted:
            return s
    raise InputError(f"unknown case status {text!r}; use one of: {', '.join(STATUSES)}")


def update_case(app, case_id: int, *, by: str, status: str | None = None, owner: str | None = None,
                note: str = "") -> Case:
    """Change a case's status/owner and/or add a note, recorded with who and when (app.now())."""
    store = app.store
    current = store.case(case_id)
    if current is None:
        raise InputError(f"no case {case_id}; `monitor cases list` shows the cases")
    new_status = parse_status(status) if status else None
    if new_status is None and owner is None and not note.strip():
        raise InputError("nothing to update: give --status, --owner or --note")
    if not by.strip():
        raise InputError("say who is making the change (--by NAME)")
    store.update_case(case_id, app.now(), by=by.strip(), status=new_status,
                      owner=owner.strip() if owner is not None else None, note=note.strip())
    return store.case(case_id)
