"""Digest and report -> HTML e-mail, plain text and Markdown through the Jinja2 templates in templates/.

HTML is autoescaped (a title carrying markup or a script is shown as text); links are kept only
for http(s) URLs. Markdown gets its own escaping, since a Markdown viewer would act on brackets,
emphasis marks and raw HTML in a title.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import quote

import jinja2

from monitor.config import score_text
from monitor.digest import HEALTH_LABELS, SEVERITY_SUBJECT_WORDS, TOPICS_NOTE, UNRATED_SEVERITY, Digest, vn_number
from monitor.urls import is_web_url
from monitor.wording import FULL_CASE_LIST

CHART_CID = "xu-huong-7-ngay"
TONE_COLORS = {"negative": "#b42318", "neutral": "#475467", "positive": "#067647"}
SEVERITY_COLORS = {"khẩn cấp": "#b42318", "cao": "#dc6803", "theo dõi": "#b54708"}

# inline Markdown: "&" is escaped only where it would start an entity ("GD&ĐT" stays as it is: a copy pasted into a
# chat reads right)
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])|&(?=#\d+;|#[xX][0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)")
# and what would open a block where a text starts a line (a summary under its title, a title with no link after
# its number): "# ", "- ", "+ ", "1. ", "2) ", a line of "=" or "-" (its mark is escaped: shown the same)
_MD_BLOCK_START = re.compile(r"^(?:(#{1,6}|[-+])(?=\s|$)|(\d{1,9})([.)])(?=\s|$)|([-=])(?=[-=\s]*$))")


def safe_url(url: str) -> str:
    """The URL when it is http(s) with a clean host, else '' (a javascript: or data: link must never be clickable,
    and a control character in a host, which a database filled before feeds' links were checked may hold,
    makes the DOCX unwritable)."""
    url = (url or "").strip()
    return url if is_web_url(url) else ""


def md_text(text: str) -> str:
    """Escape text for Markdown: no emphasis, links, raw HTML, heading or list can come from a title or a summary."""
    text = re.sub(r"\s+", " ", text or "").strip()
    text = _MD_SPECIAL.sub(lambda m: "\\" + m.group(0), text)
    text = _MD_BLOCK_START.sub(lambda m: m.group(2) + "\\" + m.group(3) if m.group(2) else "\\" + m.group(0), text)
    return text.replace("<", "&lt;").replace(">", "&gt;")  # no raw HTML from a title


def md_url(url: str) -> str:
    url = safe_url(url)
    return quote(url, safe=":/?#@!$&'*+,;=%~-._") if url else ""


def number(value: float | int) -> str:
    """Vietnamese number style: 1.234 for thousands."""
    return vn_number(value) if isinstance(value, (int, float)) else str(value)


def percent(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:+.0f}%".replace("-", "−")


@lru_cache(maxsize=None)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("monitor", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=False),
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined,
    )
    env.filters.update(safe_url=safe_url, md=md_text, md_url=md_url, number=number, percent=percent, score=score_text)
    env.globals.update(tone_colors=TONE_COLORS, severity_colors=SEVERITY_COLORS, health_labels=HEALTH_LABELS,
                       topics_note=TOPICS_NOTE, full_case_list=FULL_CASE_LIST)
    return env


def render_template(name: str, **context) -> str:
    return environment().get_template(name).render(**context)


def render_html(digest: Digest, *, chart_src: str | None = None) -> str:
    """The e-mail body. `chart_src` is 'cid:...' in a message, a file name beside a saved .html, None for no chart."""
    return render_template("digest.html", d=digest, chart_src=chart_src)


def render_text(digest: Digest) -> str:
    return tidy(render_template("digest.txt", d=digest))


def render_markdown(digest: Digest, *, chart_src: str | None = None) -> str:
    return tidy(render_template("digest.md", d=digest, chart_src=chart_src))


def tidy(text: str) -> str:
    """At most one blank line in a row: template conditionals leave runs of them."""
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def subject(digest: Digest, prefix: str) -> str:
    """Short enough for a phone, the urgent levels first and the district's own count:
    'Điểm báo GD 27/11/2026: 1 khẩn cấp, 6 mức cao, 3 cần theo dõi (2 tại Long Biên)'."""
    s = digest.summary
    if digest.nothing_collected and digest.never_crawled:
        trouble = "chưa thu thập tin (chưa chạy lấy tin lần nào)"
    elif digest.nothing_collected:
        trouble = "không thu thập được tin, cần kiểm tra"
    else:
        trouble = ""
    if not s.hot_stories:
        return f"{prefix} {digest.day:%d/%m/%Y}: {trouble or 'không có vấn đề nóng'}"
    # a hot issue entered from outside the press is listed on a day the crawl brought nothing: the subject says it
    # first, as on any day, and the crawl's trouble after it
    words = {**SEVERITY_SUBJECT_WORDS, UNRATED_SEVERITY: "vấn đề nóng chưa xếp mức"}
    tail = ", ".join(f"{number(n)} {words.get(level, level)}" for level, n in s.hot_by_severity if n)
    if s.hot_local:
        tail += f" ({number(s.hot_local)} tại {digest.office.district})"
    if s.follow_ups:  # counted with the issue it continues, said apart
        tail += f", {s.follow_up_text}"
    if trouble:
        tail += f"; {trouble}"
    return f"{prefix} {digest.day:%d/%m/%Y}: {tail}"
