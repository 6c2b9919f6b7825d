"""How the documents a person reads (the clipping, the reports, the alerts) write a time, a quoted name and a
list of topics, and where a signed report sends its reader for what it does not list: one wording for all of
them. Light on purpose (no third-party import): the CLI's `explain` writes times so too.
"""

from __future__ import annotations

from datetime import datetime


def time_label(when: datetime) -> str:
    """'15:30 ngày 26/11/2026': a time as every document and alert writes it (the clipping, the report, the alert
    e-mails and the notes they quote); `when` already in the office's time zone. The CLI keeps its shorter forms."""
    return f"{when:%H:%M} ngày {when:%d/%m/%Y}"


# where a report signed by leadership sends its reader for the issues it does not list: the case register the
# clerk keeps in the system (`monitor cases list`), not a command, which the signer and the recipients do not run
FULL_CASE_LIST = "danh sách đầy đủ xem trong sổ theo dõi hồ sơ vụ việc của hệ thống"


# a hot issue with no alert level (a case a person opened for a story below every threshold): one name wherever a
# level is said (the clipping, the reports, `monitor cases`), never "nóng" (every hot issue is) nor a dash
NO_LEVEL = "chưa xếp mức"


# how an alert, the clipping and `monitor cases show` mark an article of a story that tells the office's own answer
# to the incident or a lower authority's (monitor.responses), which its level leaves out: one name in all three
RESPONSE_TAG = "phản hồi của cơ quan"


def level_text(severity: str | None) -> str:
    """'mức cao', or NO_LEVEL for a hot issue with no level."""
    return f"mức {severity}" if severity else NO_LEVEL


def quoted(name: str) -> str:
    """'“Học phí, các khoản thu”': a name (a topic, a part of the document) as an official text quotes it, in the
    prose of the clipping, the report and their e-mails; never in ids, commands or machine output."""
    return f"“{name}”"


def topic_list(names) -> str:
    """Topics named in a line of the clipping or the report: each quoted, as a topic's own name may hold a comma
    or a semicolon ("Đổi mới căn bản, toàn diện; chất lượng giáo dục"), commas between them."""
    return ", ".join(quoted(n) for n in names)
