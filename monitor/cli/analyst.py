"""The analyst's commands: articles, search, explain, label, labels, reclassify (the review queue: monitor.cli.review)."""

from __future__ import annotations

import getpass
import os
import re
import sys
from datetime import datetime, timedelta
from pathlib import Path

import click

from classifiers.plan_topics import TOPIC_IDS, topic_name
from classifiers.types import SCOPE_NAMES_VI, SCOPE_WORDS_VI, SCOPES, SENTIMENTS, Classification
from monitor.app import App
from monitor.cli import cli
from monitor.cli.common import (LABEL_ID, STORED_ID, clip, echo_json, get_app, local_day_end, local_day_start, once,
                                parse_date, shown)
from monitor.config import score_text
from monitor.corrections import (in_force, learnt_articles, office_topic_ids, parse_topics, read_corrected,
                                 unlearnt_warning, unlearnt_words, withdraw_label)
from monitor.errors import HINT_PREFIX, InputError, ModelError, MonitorError
from monitor.models import Article
from monitor.wording import time_label

SENTIMENT_VI = {"negative": "tiêu cực", "neutral": "trung tính", "positive": "tích cực"}
LABEL_FIELDS = ("is_education", "topics", "hot", "sentiment", "scope")  # a label's fields, in the order they are said
# what --sentiment and --scope also accept for each id, with or without diacritics: the words every listing
# shows (above), and for the scopes those every command taking one accepts (classifiers.types.SCOPE_WORDS_VI)
CHOICE_WORDS = {
    **{k: (v,) for k, v in SENTIMENT_VI.items()},
    **SCOPE_WORDS_VI,
    # --hot: the listings' column is "nóng"
    "yes": ("có", "nóng"), "no": ("không", "không nóng"),
}


# the scope cues' groups of the rules file (classifiers.scope) as `monitor explain` names them, in the listings' words
SCOPE_CUES_VI = {"local": "địa bàn", "district-bare": "tên quận, huyện", "city": "thành phố",
                 "elsewhere": "tỉnh, thành khác", "foreign": "nước ngoài", "domestic": "trong nước"}

# `monitor explain` in the listings' words: where in the article a rule term was found (the classifier writes the
# field's name after each term, as stored), the models' heads and their rule features (classifiers.features)
FIELDS_VI = {"title": "tiêu đề", "sapo": "đoạn mở đầu", "body": "thân bài", "URL": "địa chỉ bài"}
_FIELD = re.compile(r"\((title|sapo|body|URL)\)")
_TONE_WORD = re.compile(r"\bsắc thái (negative|neutral|positive)\b")
HEADS_VI = {"relevance": "giáo dục", "hot": "nóng", "foreign": "nước ngoài"}
FEATURES_VI = {"edu": "từ khóa giáo dục", "edu-x": "từ loại trừ giáo dục", "neg": "từ tiêu cực", "pos": "từ tích cực",
               "foreign": "dấu hiệu nước ngoài", "domestic": "dấu hiệu trong nước", "has_sapo": "có đoạn mở đầu",
               "has_body": "có thân bài"}

MAX_QUERY_CHARS = 500  # a query is a few words or phrases; a title pasted whole is under 300
# search reads the matches a page at a time when a filter drops some; it stops after SEARCH_MAX of them (a year of
# national news holds about 35,000 articles with "người"), saying there may be more
SEARCH_PAGE, SEARCH_MAX = 5000, 20000
# a query typed with diacritics whose best SEARCH_CHECK matches passing the filters hold none with the words as typed
# is a mark left off or mistyped: the matches without the marks are shown (the year's other matches took seconds to
# read and held none)
SEARCH_CHECK = 5000

# --------------------------------------------------------------------------- shared helpers


def _check_choice(value: str | None, allowed: tuple[str, ...], name: str) -> str | None:
    """The id for `value`: an id itself, or a Vietnamese word the listings show for it ("tiêu cực", "tieu cuc",
    "Địa phương"); anything else is an InputError naming both."""
    from classifiers.text import ascii_fold

    if value is None or value in allowed:
        return value
    key = " ".join(ascii_fold(value).split())
    for choice in allowed:
        if key == choice or key in (" ".join(ascii_fold(w).split()) for w in CHOICE_WORDS.get(choice, ())):
            return choice
    shown = ", ".join(f"{c} ({CHOICE_WORDS[c][0]})" if c in CHOICE_WORDS else c for c in allowed)
    raise InputError(f"{name} {value!r} không phải một trong: {shown}")


def article_dict(a: Article, c: Classification | None, tz, label: dict | None = None) -> dict:
    return {
        "id": a.id, "published": a.when.astimezone(tz).isoformat(timespec="minutes"), "outlet": a.outlet,
        "title": a.title, "url": a.url,
        "is_education": c.is_education if c else None, "topics": list(c.topics) if c else [],
        "sentiment": c.sentiment if c else None, "hot": c.hot if c else None,
        "hot_score": round(c.hot_score, 3) if c else None, "scope": c.scope if c else None,
        "model_version": c.model_version if c else None,
        "corrected_by": label.get("labelled_by") if label else None,
    }


def _scope_vi(scope: str) -> str:
    """A scope as the listings name it when no office is at hand (Office.scope_name names "city" by its kind)."""
    return SCOPE_NAMES_VI.get(scope, scope)


def print_table(rows: list[dict], *, scope_name, extra: str | None = None, details: str | None = None,
                count: bool = True) -> None:
    """The listing, ending with how many it shows and `extra`; `count=False` when `extra` says it itself (the first
    N of more)."""
    if not rows:
        click.echo("(không có bài nào)" + (f" — {extra}" if extra else ""))
        return
    click.echo(f"{'id':>6}  {'giờ đăng':<11} {'báo':<14} {'nóng':<5} {'sắc thái':<10} {'phạm vi':<10} {'chủ đề':<28} tiêu đề")
    for r in rows:
        when = datetime.fromisoformat(r["published"]).strftime("%d/%m %H:%M")
        hot = "—" if r["hot"] is None else ("🔥" if r.get("hot_issue", r["hot"]) else "")
        tone = SENTIMENT_VI.get(r["sentiment"], "—") if r["sentiment"] else "—"
        scope = scope_name(r["scope"]) if r["scope"] else "—"
        topics = ",".join(r["topics"]) or ("—" if r["is_education"] is None else ("(giáo dục)" if r["is_education"] else "(khác)"))
        line = (f"{r['id']:>6}  {when:<11} {clip(r['outlet'], 14):<14} {hot:<5} {tone:<10} {scope:<10} "
                f"{clip(topics, 28):<28} {'✎ ' if r.get('corrected_by') else ''}{clip(r['title'], 70)}")
        click.echo(line)
        if details and r.get(details):
            click.echo(f"{'':>8}{r[details]}")
    if not count:
        click.echo(f"\n{extra}")
        return
    click.echo(f"\n{len(rows)} bài" + (f" — {extra}" if extra else ""))


def _scopes_listed(office, scope: str | None) -> tuple[str, ...] | None:
    """The stored scopes a --scope filter lists: the one named, or the office's whole area when it names part of it
    (Office.is_own_area). A Sở's province stories are "city" and only its watchlist makes one "local": its clerk
    typing local (địa phương) means the office's own area, and "tỉnh" the same place, as alerts.min_scope reads
    them; listing "local" alone showed a Sở nothing. A Phòng's own area is "local" alone: nothing changes there."""
    if scope is None:
        return None
    return office.own_scopes if office.is_own_area(scope) else (scope,)


def _filter(c: Classification | None, *, topic: str | None, hot: bool, scopes: tuple[str, ...] | None,
            include_all: bool, hot_issue: bool | None = None) -> bool:
    """Whether an article passes the listing's filters; `hot_issue` (hot_issues), when given, is what --hot means."""
    if not include_all and not (c and c.is_education):
        return False
    if topic and not (c and topic in c.topics):
        return False
    if hot and not (c and (c.hot if hot_issue is None else hot_issue)):
        return False
    if scopes and not (c and c.scope in scopes):
        return False
    return True


def hot_issues(store, classes: dict[int, Classification]) -> tuple[dict[int, bool], dict[int, int]]:
    """(article id -> whether it belongs to a hot issue as the clipping's "Vấn đề nóng" lists them, article id -> its
    story). A story is one by monitor.cases.lists_as_hot, as the clipping reads it; an article of no story (not
    triaged yet) by its own hot judgement, as the clipping shows such an article. The article's own flag alone ("🔥"
    on an article of a story at no level) counted more hot issues than the clipping had."""
    from monitor.cases import lists_as_hot

    story_of = store.stories_of_articles(list(classes))
    # the level and the case alone, read together: a Story built for each (its members, its intake) took most of
    # `search --hot`, whose pages of candidates hold thousands of stories
    levels = store.story_levels(sorted(set(story_of.values())))
    hot_story = {sid: lists_as_hot(severity, status) for sid, (severity, status) in levels.items()}
    return ({a: hot_story.get(story_of[a], False) if a in story_of else c.hot for a, c in classes.items()},
            story_of)


# --------------------------------------------------------------------------- articles


def _one_topic(text: str, app) -> str:
    """The id of the one topic a filter names, by id or by the plan's name (monitor.corrections.resolve_topic)."""
    found = parse_topics([text], office_topic_ids(app))
    if len(found) != 1:
        raise InputError(f"--topic {shown(text)} nêu {len(found)} chủ đề; lọc theo một chủ đề mỗi lần",
                         hint="ví dụ --topic an-toan-truong-hoc hoặc --topic \"an toàn trường học\"")
    return found[0]


@cli.command()
@click.option("--date", "day", help="Ngày đăng (DD/MM/YYYY hoặc YYYY-MM-DD, theo múi giờ của cơ quan; mặc định: "
              "hôm nay).")
@click.option("--topic", help="Chỉ các bài có chủ đề này: mã (ví dụ an-toan-truong-hoc) hoặc tên chủ đề của kế "
                               "hoạch, gõ có dấu hay không dấu đều được.")
@click.option("--hot", is_flag=True, help="Chỉ các bài thuộc một vấn đề nóng, như mục Vấn đề nóng của điểm báo "
              "(sự việc đạt một mức cảnh báo hoặc có hồ sơ xử lý, trừ cảnh báo nhầm).")
@click.option("--scope", help="Chỉ các bài thuộc phạm vi này: local (địa phương), city (thành phố, tỉnh), "
              "national (toàn quốc) hoặc foreign (nước ngoài); gõ có dấu hay không dấu đều được. Với Sở, "
              "local và city đều liệt kê cả tỉnh hoặc thành phố, tức toàn bộ địa bàn của Sở.")
@click.option("--all", "include_all", is_flag=True, help="Liệt kê cả các bài không về giáo dục.")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dưới dạng JSON (cho máy đọc).")
@click.pass_context
def articles(ctx: click.Context, day: str | None, topic: str | None, hot: bool, scope: str | None,
             include_all: bool, as_json: bool) -> None:
    """Liệt kê các bài đăng trong một ngày kèm kết quả phân loại.

    Mỗi bài kèm chủ đề, sắc thái, phạm vi; cột "nóng" có 🔥 khi bài thuộc một vấn đề nóng như điểm báo liệt kê
    (`monitor explain ID` cho điểm nóng riêng của bài). Mặc định chỉ liệt kê các bài về giáo dục.

    \b
    Ví dụ:
      monitor articles --date 2026-11-26 --topic an-toan-truong-hoc
      monitor articles --hot --json
    """
    app = get_app(ctx, reads_only=True)
    if topic:
        topic = _one_topic(topic, app)
    scope = _check_choice(scope, SCOPES, "--scope")
    office = app.config.office
    scopes = _scopes_listed(office, scope)
    d = parse_date(day, "--date") or app.local_now().date()
    found = list(app.store.articles_between(local_day_start(app, d), local_day_end(app, d)))
    classes, labels = read_corrected(app.store, [a.id for a in found])
    tz = app.config.office.tz
    issue, story_of = hot_issues(app.store, classes)
    rows = [{**article_dict(a, classes.get(a.id), tz, labels.get(a.id)), "hot_issue": issue.get(a.id)} for a in found
            if _filter(classes.get(a.id), topic=topic, hot=hot, scopes=scopes, include_all=include_all,
                       hot_issue=issue.get(a.id))]
    if as_json:
        echo_json({"date": d.isoformat(), "model_version": app.store.active_model_version(), "articles": rows})
        return
    unclassified = sum(1 for a in found if a.id not in classes)
    # what the listed articles are, then what the day holds besides: "7 bài — 9 bài trong ngày" left the reader
    # guessing which two were left out and why
    what = ("bài" + (" thuộc vấn đề nóng" if hot else "") + ("" if include_all else " về giáo dục")
            + (f", chủ đề {topic}" if topic else "")
            + ((f", trên địa bàn {office.area}" if len(scopes) > 1 else f", phạm vi {office.scope_name(scope)}")
               if scope else ""))
    if hot:  # the clipping counts issues, not articles: reprints are articles of one issue
        issues = {story_of.get(r["id"], -r["id"]) for r in rows}
        what += f" ({len(issues)} sự việc)"
    note = f"{len(rows)} {what} trong tổng số {len(found)} bài đăng ngày {d:%d/%m/%Y}"
    # what --all would add to this listing: the articles not on education that pass its other filters
    other = sum(1 for a in found if a.id in classes and not classes[a.id].is_education
                and _filter(classes[a.id], topic=topic, hot=hot, scopes=scopes, include_all=True,
                            hot_issue=issue.get(a.id)))
    if other and not include_all:
        note += f"; thêm --all để xem cả {other} bài không về giáo dục"
    if unclassified:
        note += f"; {unclassified} bài chưa phân loại (chạy `monitor reclassify`)"
    print_table(rows, extra=note, count=False, scope_name=app.config.office.scope_name)


# --------------------------------------------------------------------------- search


@cli.command()
@click.argument("query")
@click.option("--since", help="Chỉ các bài đăng từ ngày này trở đi (DD/MM/YYYY hoặc YYYY-MM-DD).")
@click.option("--topic", help="Chỉ các bài có chủ đề này (mã hoặc tên chủ đề của kế hoạch).")
@click.option("--hot", is_flag=True, help="Chỉ các bài thuộc một vấn đề nóng, như mục Vấn đề nóng của điểm báo "
              "(sự việc đạt một mức cảnh báo hoặc có hồ sơ xử lý, trừ cảnh báo nhầm) và `monitor articles --hot`.")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True,
              help="Số bài tối đa.")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dưới dạng JSON (cho máy đọc).")
@click.pass_context
def search(ctx: click.Context, query: str, since: str | None, topic: str | None, hot: bool,
           limit: int, as_json: bool) -> None:
    """Tìm kiếm trong các bài đã lưu, gõ có dấu hay không dấu.

    Tìm trên toàn văn bài (tiêu đề, đoạn mở đầu, thân bài). Gõ không dấu thì khớp với mọi cách bỏ dấu: "bao
    luc hoc duong" tìm ra "bạo lực học đường"; gõ không dấu vài từ liền (không ngoặc kép, OR, -từ hay từ*)
    thì các bài có các từ đứng liền nhau đúng thứ tự đã gõ được tìm trước: "lam thu" tìm ra "lạm thu", không ra
    "làm … thứ"; chỉ khi không bài nào có như vậy, lệnh mới hiện các bài có đủ các từ ở rải rác và nói rõ như
    vậy. Gõ có dấu thì các từ phải xuất hiện đúng như đã gõ (không phân biệt chữ hoa, chữ thường; "hoà" cũng là
    "hòa"), nên "lạm thu" không tìm ra "làm thêm … thứ hai"; bài có các từ đứng liền nhau đúng thành cụm đã gõ
    được xếp trước. Khi không bài nào khớp đúng như đã gõ, lệnh hiện các bài khớp nếu bỏ qua dấu (vài từ liền
    thì vẫn phải đứng liền nhau) và nói rõ như vậy; không có bài nào thì lệnh nói vậy và gợi ý cách tìm khác.
    Mọi từ đều phải có trong bài; đặt cụm từ trong ngoặc kép; đặt từng từ trong ngoặc kép ('"lam" "thu"') thì
    các từ ở đâu trong bài cũng được; OR nằm giữa hai nhóm (bài có nhóm này hoặc nhóm kia), và mỗi nhóm khớp
    đúng dấu hay không là tùy nhóm đó có gõ dấu hay không; dấu * ở cuối một từ khớp mọi từ bắt đầu như thế;
    -từ loại các bài có từ đó (câu tìm bắt đầu bằng -từ thì đặt sau --, như với mọi lệnh). Cột "nóng" có 🔥
    khi bài thuộc một vấn đề nóng như điểm báo liệt kê, như ở `monitor articles` (`monitor explain ID` cho
    điểm nóng riêng của bài).

    \b
    Ví dụ:
      monitor search "bao luc hoc duong" --since 2026-11-01
      monitor search "lạm thu"                 # đúng dấu: không ra "làm thêm", "thứ"
      monitor search '"học phí" OR "khoản thu"' --topic hoc-phi-thu-chi --json
      monitor search -- "-tuyen sinh lop 10"
    """
    from monitor.search import apart_hint, exact_ranker, exact_terms, fts_query, has_marks, together_query, together_ranker

    app = get_app(ctx, reads_only=True)
    if topic:
        topic = _one_topic(topic, app)
    d_since = parse_date(since, "--since")
    if len(query) > MAX_QUERY_CHARS:
        # a pasted article: every word becomes a term to match (40,000 characters took 20 s) and is echoed back
        raise InputError(f"câu tìm dài {len(query)} ký tự; hãy tìm bằng vài từ hoặc một cụm từ "
                         f"(tối đa {MAX_QUERY_CHARS} ký tự), ví dụ \"lạm thu\" \"Long Biên\"")
    expr = fts_query(query)
    if expr is None:
        raise InputError(f"câu tìm {shown(query)} không có từ nào để tìm; gõ ít nhất một từ")
    store = app.store
    _index_missing(app)
    marked = has_marks(query)
    # plain words read without their marks must stand together: typed so, and the fallback of a query typed with them
    together = together_query(query)
    if together and not marked:
        expr = together
    tz = app.config.office.tz
    start = local_day_start(app, d_since) if d_since else None
    # the day is the query's own condition; what only the article's classification or text can tell (a topic, hot,
    # the words as typed with their marks) is checked on the best-ranked matches a page at a time, paging on until
    # `limit` pass: a common word matches tens of thousands of a year's articles, and those passing may rank anywhere
    page = SEARCH_PAGE if (topic or hot or marked or together) else limit + 1
    rows: list[dict] = []
    # the first matches passing the filters, shown without the marks when none has them as typed
    loose_hits: list[tuple[int, float]] = []
    any_exact = more = False  # `more`: something matched beyond what is shown
    as_typed = exact_ranker(query) if marked else together_ranker(query) if together else None
    # candidates passing the filters checked for the words as typed: the first SEARCH_CHECK of them, whatever the
    # pages the filters were applied to (a filter keeps a few of each page: the matches as typed may all be on a later
    # page than the first loose ones, which the listing showed as if nothing matched as typed)
    checked = offset = 0
    while True:
        hits = store.search_ids(expr, limit=page, since=start, offset=offset)
        offset += len(hits)
        last = len(hits) < page
        if topic or hot:  # the classification first: it drops most, and reading the text is the dearer check
            classes, labels = read_corrected(store, [i for i, _ in hits])
            hits = _passing(store, hits, classes, topic=topic, hot=hot)
        if as_typed is not None:
            if not any_exact and len(loose_hits) <= limit:
                loose_hits += hits[:limit + 1 - len(loose_hits)]
            # the folded index found the candidates; the words typed with diacritics must appear with them, and the
            # exact phrase comes first (bm25 order within each tier)
            wanted = limit - len(rows) + 1
            head = hits if any_exact else hits[:SEARCH_CHECK - checked]
            kept, found, read = _as_typed(store, head, as_typed, want=wanted)
            if kept and len(head) < len(hits):  # the first as typed among the last allowed: the page as a whole
                kept, found, read = _as_typed(store, hits, as_typed, want=wanted)
            hits = kept
            checked += read
            any_exact = any_exact or bool(hits)
        else:
            found = {a.id: a for a in store.get_articles([i for i, _ in hits])}
        if not (topic or hot):  # only those to be shown
            classes, labels = read_corrected(store, [i for i, _ in hits[:limit - len(rows) + 1]])
        more = _search_rows(store, hits, found, classes, labels, rows, tz, query=query, limit=limit)
        if more or last or (as_typed is not None and not any_exact and checked >= SEARCH_CHECK):
            break
        if offset >= SEARCH_MAX:
            more = True  # not read further: there may be more
            break
    # nothing as typed, but something without the marks: a mark left off ("Hà Noi") or a typo in one; say so and
    # show those rather than an empty list that reads as "never written about"
    if marked and not any_exact and together:
        loose_hits = _first_passing(store, together, together_ranker(query), since=start, topic=topic, hot=hot,
                                    want=limit + 1)
    loose = marked and not any_exact and bool(loose_hits)
    if loose:
        classes, labels = read_corrected(store, [i for i, _ in loose_hits])
        found = {a.id: a for a in store.get_articles([i for i, _ in loose_hits])}
        more = _search_rows(store, loose_hits, found, classes, labels, rows, tz, query=query, limit=limit) or more
    # the words were looked for together: typed without marks, or with them and nothing matched as typed
    next_to = bool(together) and not (marked and any_exact)
    if next_to and not rows and not marked:
        # typed without marks, and no article has the words together: those that have them apart, said to be so
        # ("hoc phi long bien" asks for two things, not one phrase); typed with marks, the marks say the phrase meant
        if not as_json:
            click.echo(f"Không có bài nào có các từ «{query}» đứng liền nhau theo thứ tự đã gõ (bỏ qua dấu); dưới đây là "
                       "các bài có đủ các từ ấy ở rải rác trong bài.")
        return ctx.invoke(search, query=apart_hint(query), since=since, topic=topic, hot=hot, limit=limit,
                          as_json=as_json)
    if as_json:
        echo_json({"query": query, "fts": together if next_to else expr, "exact": [] if loose else exact_terms(query),
                   "matched_without_diacritics": loose, "words_together": next_to, "results": rows})
        return
    if loose and rows:
        click.echo(f"Không có bài nào có đúng các từ «{query}» như đã gõ (kể cả dấu); dưới đây là các bài khớp khi "
                   + ("bỏ qua dấu, các từ đứng liền nhau theo thứ tự đã gõ." if together else "bỏ qua dấu."))
    if next_to and not rows:
        # the words may be in articles apart: say which rule found nothing and how to ask for them anywhere
        click.echo(f"Không có bài nào có «{query}»: "
                   + "không bài nào có đủ các từ đúng như đã gõ (kể cả dấu), và khi bỏ qua dấu cũng không bài nào có "
                     "các từ ấy đứng liền nhau theo thứ tự đã gõ.")
        click.echo(f"{HINT_PREFIX}kiểm tra chính tả và dấu, bớt từ"
                   + (" hoặc bỏ bộ lọc (--since, --topic, --hot)" if since or topic or hot else "")
                   + "; muốn tìm các từ ở bất kỳ đâu trong bài, không cần liền nhau và bỏ qua dấu, thì đặt từng từ "
                   f"trong ngoặc kép: monitor search '{apart_hint(query)}'")
        return
    shown_n = f"{len(rows)} bài đầu (còn bài khớp khác: thêm --limit, --since hoặc --topic) — " if more else ""
    print_table(rows, extra=f"{shown_n}tìm «{query}»", details="snippet", count=not more,
                scope_name=app.config.office.scope_name)


def _first_passing(store, expr: str, check, *, since, topic: str | None, hot: bool,
                   want: int) -> list[tuple[int, float]]:
    """The first `want` matches of `expr` (bm25 order) passing --topic, --hot and `check` (a ranker: 0 keeps), read
    a page at a time as far as SEARCH_MAX."""
    kept: list[tuple[int, float]] = []
    offset = 0
    while len(kept) < want and offset < SEARCH_MAX:
        hits = store.search_ids(expr, limit=SEARCH_PAGE, since=since, offset=offset)
        offset += len(hits)
        last = len(hits) < SEARCH_PAGE
        if topic or hot:
            classes, _ = read_corrected(store, [i for i, _ in hits])
            hits = _passing(store, hits, classes, topic=topic, hot=hot)
        kept += _as_typed(store, hits, check, want=want - len(kept))[0][:want - len(kept)]
        if last:
            break
    return kept


def _passing(store, hits: list[tuple[int, float]], classes: dict[int, Classification], *, topic: str | None,
             hot: bool) -> list[tuple[int, float]]:
    """Those of `hits` passing --topic and --hot, --hot meaning what `articles --hot` means (hot_issues): the
    article's own flag listed articles of a story at no level, which the clipping and `articles` do not call hot."""
    issue = hot_issues(store, {i: c for i, c in classes.items() if not topic or topic in c.topics})[0] if hot else {}
    return [(i, r) for i, r in hits
            if _filter(classes.get(i), topic=topic, hot=hot, scopes=None, include_all=True, hot_issue=issue.get(i))]


def _as_typed(store, hits: list[tuple[int, float]], rank, *, want: int) -> tuple[list[tuple[int, float]], dict, int]:
    """Those of `hits` (bm25 order) whose words appear as typed, the exact phrase first and bm25 order within each
    tier, as far as they decide the first `want`; the articles to show among them; and how many of `hits` were read.

    Read in bm25 order a chunk at a time, stopping once `want` of the first tier are found: those are the first
    `want` of the whole page sorted, whatever its rest holds. Reading and normalising the whole page (5,000 texts)
    took seconds on a year's store, and a common word's best matches are nearly all as typed. Only the texts are
    read to check them (an Article for each of 20,000 candidates was a second of the year store's "ngươi"), and the
    Articles of those kept."""
    tiers: dict[int, int | None] = {}
    read = firsts = 0
    step = max(2 * want, 50)
    while read < len(hits) and firsts < want:
        chunk = hits[read:read + step]
        read += len(chunk)
        for i, text in store.article_texts([i for i, _ in chunk]).items():
            tiers[i] = tier = rank(text)
            firsts += tier == 0
        step = min(2 * step, 1000)
    kept = sorted(((i, r) for i, r in hits[:read] if tiers.get(i) is not None), key=lambda h: tiers[h[0]])
    # the Articles of the first want + 1 kept: _search_rows shows `want` - 1 of them at most and needs one more to
    # say there are more
    return kept, {a.id: a for a in store.get_articles([i for i, _ in kept[:want + 1]])}, read


def _search_rows(store, hits, found, classes, labels, rows: list[dict], tz, *, query: str, limit: int) -> bool:
    """Add to `rows` the articles of `hits` (in that order) up to `limit`, with "hot_issue" as `articles` gives it;
    whether one more was left out (the listing says there are more)."""
    from monitor.search import snippet

    shown_ids = [i for i, _ in hits if i in found][:limit - len(rows)]
    issue, _ = hot_issues(store, {i: classes[i] for i in shown_ids if i in classes})
    for article_id, rank in hits:
        a = found.get(article_id)
        if a is None:
            continue
        if len(rows) >= limit:
            return True
        passage = snippet(a.sapo, query) or snippet(a.body, query)
        rows.append(article_dict(a, classes.get(article_id), tz, labels.get(article_id))
                    | {"hot_issue": issue.get(article_id), "rank": round(-rank, 3), "snippet": passage})
    return False


def _index_missing(app: App) -> None:
    """Index articles stored before the search index existed (or never classified), so search sees everything."""
    from monitor.search import fold_text

    missing = app.store.unindexed_article_ids()
    if missing and app.store.read_only:
        # the index lives in the database, which this user cannot write (a copy on a read-only share)
        click.echo(f"chú ý: {len(missing)} bài chưa vào chỉ mục tìm kiếm nên không được tìm (không ghi được vào "
                   "cơ sở dữ liệu để thêm chúng vào chỉ mục)", err=True)
        return
    for start in range(0, len(missing), 500):
        docs = []
        for i in missing[start:start + 500]:
            a = app.store.get_article(i)
            if a is not None:
                docs.append((a.id, fold_text(a.title), fold_text(a.sapo), fold_text(a.body)))
        app.store.index_articles(docs)


# --------------------------------------------------------------------------- label


@cli.command()
@click.argument("article_id", type=STORED_ID)
@click.option("--topics", multiple=True, help="Mã chủ đề (hoặc tên chủ đề của kế hoạch, có dấu hay không dấu), "
              "cách nhau bằng dấu phẩy hoặc lặp lại tùy chọn; '-' nếu bài không thuộc chủ đề nào.")
@click.option("--education/--not-education", "education", multiple=True, callback=once,
              help="Bài có về giáo dục hay không.")
@click.option("--hot", multiple=True, callback=once, help="Có phải vấn đề nóng không: yes (có) hoặc no (không); gõ có "
              "dấu hay không dấu đều được.")
@click.option("--sentiment", multiple=True, callback=once, help="negative (tiêu cực), neutral (trung tính) hoặc "
              "positive (tích cực); gõ có dấu hay không dấu đều được.")
@click.option("--scope", multiple=True, callback=once, help="local (địa phương), city (thành phố, tỉnh), national "
              "(toàn quốc) hoặc foreign (nước ngoài); gõ có dấu hay không dấu đều được.")
@click.option("--withdraw", type=LABEL_ID, metavar="LABEL", multiple=True, callback=once,
              help="Rút lại nhãn số LABEL của bài (ghi nhầm): nhãn đó không còn được áp dụng ở đâu nữa, kể cả khi "
                   "huấn luyện; lịch sử giữ cả hai. Không đi cùng các trường của nhãn.")
@click.option("--note", multiple=True, callback=once, help="Lý do (lưu cùng nhãn, hoặc cùng lần rút lại nhãn).")
@click.option("--by", "by", multiple=True, callback=once,
              help="Người ghi nhãn (mặc định: $USER, nếu không có thì tên đăng nhập).")
@click.option("--yes", "yes", is_flag=True,
              help="Ghi nhãn --hot no (hoặc --not-education) cho bài ARTICLE_ID ngay cả khi đó cũng là số của một hồ "
                   "sơ đang mở mà bài không thuộc về.")
@click.option("--json", "as_json", is_flag=True, help="In nhãn đã lưu (hoặc dòng rút lại nhãn) dưới dạng JSON.")
@click.pass_context
def label(ctx: click.Context, article_id: int, topics: tuple[str, ...], education: bool | None, hot: str | None,
          sentiment: str | None, scope: str | None, withdraw: int | None, note: str | None, by: str | None, yes: bool,
          as_json: bool) -> None:
    """Ghi nhãn sửa kết quả phân loại của một bài.

    `monitor train` học từ các nhãn này. Chỉ những gì bạn nêu mới được ghi; nhãn sau thay nhãn trước theo
    từng trường; mỗi tùy chọn chỉ cho một lần (trừ --topics). Điểm báo và báo cáo tháng áp dụng nhãn sửa ngay.
    Nhãn chỉ sửa một trường (--sentiment, --scope, --hot no) của một bài đang được hiển thị là tin giáo dục
    được học như tin giáo dục, theo cách bài được hiển thị lúc ghi nhãn; nhãn như thế cho một bài không được
    hiển thị là tin giáo dục thì không được học, và lệnh báo điều đó: thêm --education hoặc --not-education.

    Một sự việc nóng có ở mục Vấn đề nóng hay không là tùy hồ sơ của nó: khi --hot no (hoặc --not-education)
    khiến sự việc của một hồ sơ đang mở không còn lý do để nóng (không còn bài nóng nào, và chấm điểm lại với
    nhãn vừa ghi thì sự việc không đạt mức cảnh báo nào), hồ sơ được đóng với kết luận cảnh báo nhầm và các
    cảnh báo còn chờ gửi của nó bị hủy, như `monitor cases dismiss` nhưng không ghi nhãn cho bài nào khác. Nếu
    còn bài khác vẫn nóng, hoặc sự việc vẫn nóng nhờ mức lan rộng, sắc thái và nơi xảy ra (năm báo đưa tin về
    một quận, không bài nào tự nó nóng), hồ sơ vẫn mở; lệnh nói rõ lý do và chỉ sang `monitor cases dismiss`.
    Một nhãn --hot yes (hoặc --education) ghi sau để sửa lại nhãn như thế, hay rút lại nhãn đó bằng
    --withdraw, sẽ mở lại hồ sơ nó đã đóng khi sự việc lại có lý do để nóng; còn nhãn nóng cho một sự việc
    chưa có hồ sơ không đưa sự việc vào mục Vấn đề nóng của điểm báo (`monitor cases open ID` mới làm việc
    đó), và lệnh cũng báo như vậy.

    Nhãn ghi nhầm (nhầm bài, nhầm trường) thì rút lại bằng --withdraw LABEL, số nhãn như lệnh này in ra
    («nhãn #17»), như `monitor labels` và `monitor explain ID` liệt kê: bài trở lại đọc theo các nhãn còn lại
    và kết quả của mô hình; lịch sử giữ cả nhãn lẫn lần rút lại.

    Nếu ARTICLE_ID cũng là số của một hồ sơ đang mở mà bài không thuộc về, nhãn --hot no (hoặc
    --not-education) bị từ chối: có lẽ bạn định nói hồ sơ đó là cảnh báo nhầm (`monitor cases dismiss`); thêm
    --yes nếu đúng là bài này.

    \b
    Ví dụ:
      monitor label 1234 --topics an-toan-truong-hoc,dao-duc-ky-nang --hot yes --sentiment negative
      monitor label 1235 --not-education --by "Nguyễn Thu Hà"
      monitor label 1236 --withdraw 17 --note "Ghi nhầm bài"
    """
    app = get_app(ctx)
    store = app.store
    note = note or ""
    article = store.get_article(article_id)
    if article is None:
        raise InputError(f"không có bài số {article_id}; tìm số bài bằng `monitor articles` hoặc `monitor search`")
    if by is not None and not by.strip():
        raise InputError("--by đang để trống; ghi tên người ghi nhãn, hoặc bỏ --by để ghi tên đăng nhập")
    if withdraw is not None:
        given = [name for name, v in (("--topics", topics), ("--education/--not-education", education),
                                      ("--hot", hot), ("--sentiment", sentiment), ("--scope", scope)) if v]
        if given:
            raise InputError(f"--withdraw không đi cùng {', '.join(given)}: mỗi lần hoặc rút lại một nhãn, hoặc ghi "
                             "một nhãn", hint=f"rút lại trước (monitor label {article_id} --withdraw {withdraw}), rồi "
                                              f"ghi nhãn mới (monitor label {article_id} ...)")
        _withdraw(app, article, withdraw, who=(by or "").strip() or os.environ.get("USER") or _login(), note=note,
                  as_json=as_json)
        return
    topic_list = None
    if topics:
        topic_list = [] if list(topics) == ["-"] else parse_topics(topics, office_topic_ids(app))
        if not topic_list and list(topics) != ["-"]:
            # an empty shell variable (`--topics "$T"`) must not erase the article's topics: "none" is said with '-'
            raise InputError(f"--topics {shown(','.join(topics))} không nêu chủ đề nào; cho mã chủ đề "
                             "(ví dụ an-toan-truong-hoc), hoặc '-' nếu bài không thuộc chủ đề nào")
    sentiment = _check_choice(sentiment, SENTIMENTS, "--sentiment")
    scope = _check_choice(scope, SCOPES, "--scope")
    if education is False and topic_list:
        raise InputError("--not-education và --topics mâu thuẫn nhau: bài không về giáo dục thì không có chủ đề của kế hoạch")
    if education is None and topic_list:
        education = True  # a plan topic implies the article is about education
    hot_flag = None if hot is None else _check_choice(hot.strip().lower(), ("yes", "no"), "--hot") == "yes"
    if education is None and hot_flag:
        education = True  # so does a hot issue: otherwise the label of a model's non-education call would not show
    if education is False and hot_flag:
        raise InputError("--not-education cùng --hot yes: ở đây chỉ bài về giáo dục mới là vấn đề nóng")
    if education is None and topic_list is None and hot_flag is None and sentiment is None and scope is None:
        raise InputError("không có gì để ghi; cho ít nhất một trong --topics, --education/--not-education, --hot, "
                         "--sentiment, --scope (hoặc --withdraw LABEL để rút lại một nhãn)")
    if (hot_flag is False or education is False) and not yes:
        _not_a_case_number(app, article_id, article.title)
    who = (by or "").strip() or os.environ.get("USER") or _login()
    label_id = store.add_label(article_id, by=who, at=app.now(), is_education=education, topics=topic_list,
                               sentiment=sentiment, hot=hot_flag, scope=scope, note=note)
    stored = store.article_labels(article_id)[-1]
    if hot_flag is False or education is False:
        followed = _follow_case(app, article_id, who, label_id)
    elif hot_flag or education:
        followed = _follow_hot_again(app, article_id, who, label_id, said_hot=bool(hot_flag))
    else:
        followed = None
    unlearnt = unlearnt_warning(store, [article_id])
    if as_json:
        # `learnt`: whether `monitor train` learns the article's labels in force, as `monitor labels --json` says
        echo_json(stored | {"learnt": not unlearnt})
        return
    parts = []
    if education is not None:
        parts.append("giáo dục" if education else "không phải giáo dục")
    else:
        # what training reads of the article's education though this label does not state it, as it reads --topics
        (merged,) = store.labels([article_id])
        learnt = learnt_articles(store, [merged])[article_id]
        if learnt is not None:
            parts.append(("giáo dục" if learnt else "không phải giáo dục")
                         + (" (theo nhãn trước)" if merged.get("is_education") is not None or merged.get("topics")
                            else " (như bài đang được hiển thị)"))
    if topic_list is not None:
        parts.append("chủ đề: " + (", ".join(topic_list) or "không"))
    if hot_flag is not None:
        parts.append("nóng" if hot_flag else "không nóng")
    if sentiment:
        parts.append(f"sắc thái {SENTIMENT_VI[sentiment]}")
    if scope:
        parts.append(f"phạm vi {app.config.office.scope_name(scope)}")
    click.echo(f"nhãn #{label_id} cho bài {article_id} «{clip(article.title, 60)}»: {'; '.join(parts)} (bởi {who})")
    if unlearnt:
        click.echo(f"Chú ý: {unlearnt}")
    if followed:
        click.echo(followed)


def _withdraw(app: App, article: Article, label_id: int, *, who: str, note: str, as_json: bool) -> None:
    """`monitor label ID --withdraw N`: the label withdrawn (monitor.corrections.withdraw_label), what the article now
    reads as, and what that does to its story's case."""
    store = app.store
    gone, withdrawal = withdraw_label(app, article.id, label_id, by=who, note=note)
    followed = _follow_withdrawal(app, article.id, who, withdrawal, gone)
    unlearnt = unlearnt_warning(store, [article.id])
    rows = store.article_labels(article.id)
    left = in_force(rows)
    if as_json:
        # `learnt` as `monitor label --json` says it, of the labels left; None when none is
        echo_json(rows[-1] | {"learnt": not unlearnt if left else None})
        return
    fields = {k: gone[k] for k in LABEL_FIELDS if gone[k] is not None}
    click.echo(f"Đã rút lại nhãn #{label_id} của bài {article.id} «{clip(article.title, 60)}» "
               f"({_label_vi(fields, app.config.office.scope_name)}; do {gone['labelled_by']} ghi): lần rút lại "
               f"#{withdrawal}, bởi {who}")
    if left:
        (merged,) = store.labels([article.id])
        stated = {k: merged[k] for k in LABEL_FIELDS if merged.get(k) is not None}
        ids = ", ".join(f"#{r['id']}" for r in left)
        click.echo(f"Bài nay đọc theo các nhãn còn hiệu lực ({ids}): {_label_vi(stated, app.config.office.scope_name)}; "
                   "các trường khác theo kết quả của mô hình.")
    else:
        click.echo("Bài không còn nhãn nào có hiệu lực: điểm báo, báo cáo và lần huấn luyện sau đọc bài theo kết quả "
                   "của mô hình.")
    if unlearnt:
        click.echo(f"Chú ý: {unlearnt}")
    if followed:
        click.echo(followed)


@cli.command("labels")
@click.option("--since", help="Chỉ các nhãn ghi từ ngày này trở đi (DD/MM/YYYY hoặc YYYY-MM-DD, theo múi giờ của cơ "
              "quan).")
@click.option("--until", help="Chỉ các nhãn ghi đến hết ngày này (DD/MM/YYYY hoặc YYYY-MM-DD).")
@click.option("--by", "by", help="Chỉ các nhãn (và các lần rút lại nhãn) của người này, đúng như tên đã ghi.")
@click.option("--article", "article_id", type=STORED_ID, metavar="ID", help="Chỉ các nhãn của bài này.")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dưới dạng JSON (cho máy đọc).")
@click.pass_context
def list_labels(ctx: click.Context, since: str | None, until: str | None, by: str | None, article_id: int | None,
                as_json: bool) -> None:
    """Liệt kê các nhãn cán bộ đã ghi, để rà soát.

    Mỗi nhãn kèm số nhãn, lúc ghi, người ghi, bài và những gì nhãn nêu, cả các nhãn do `monitor cases open` và
    `monitor cases dismiss` ghi. Nhãn đã rút lại (`monitor label ID --withdraw LABEL`) vẫn được liệt kê, ghi rõ
    lần rút lại nào; các lần rút lại cũng vậy. Dấu ⚠ đánh dấu nhãn mà `monitor train` sẽ không học: bài không
    được hiển thị là tin giáo dục và các nhãn của bài không nói bài có về giáo dục hay không.

    \b
    Ví dụ:
      monitor labels --since 01/11/2026
      monitor labels --by "Nguyễn Thu Hà" --json
    """
    app = get_app(ctx, reads_only=True)
    if by is not None and not by.strip():
        raise InputError("--by đang để trống; ghi tên người ghi nhãn, hoặc bỏ --by để liệt kê nhãn của mọi người")
    start, end = parse_date(since, "--since"), parse_date(until, "--until")
    if start and end and end < start:
        raise InputError(f"--until {end:%d/%m/%Y} trước --since {start:%d/%m/%Y}")
    store = app.store
    rows = store.label_rows(since=local_day_start(app, start) if start else None,
                            until=local_day_end(app, end) if end else None,
                            by=by.strip() if by else None, article_id=article_id)
    live = in_force(rows)
    learnt = learnt_articles(store, store.labels({r["article_id"] for r in live}))
    tz = app.config.office.tz
    out = []
    for r in rows:
        applies = r["withdraws"] is None and r["withdrawn_by"] is None
        out.append({"id": r["id"], "article_id": r["article_id"], "title": r["title"], "outlet": r["outlet"],
                    "labelled_by": r["labelled_by"],
                    "labelled_at": datetime.fromisoformat(r["labelled_at"]).astimezone(tz).isoformat(timespec="seconds"),
                    **{k: r[k] for k in LABEL_FIELDS}, "note": r["note"], "withdraws": r["withdraws"],
                    "withdrawn_by": r["withdrawn_by"], "in_force": applies,
                    # whether `monitor train` learns the article's labels in force; None for a row not in force
                    "learnt": (learnt.get(r["article_id"]) is not None) if applies else None})
    if as_json:
        echo_json({"labels": out})
        return
    if not out:
        click.echo("(không có nhãn nào)")
        return
    scope_name = app.config.office.scope_name
    for r in out:
        when = datetime.fromisoformat(r["labelled_at"]).strftime("%d/%m/%Y %H:%M")
        if r["withdraws"] is not None:
            what = f"rút lại nhãn #{r['withdraws']}"
        else:
            what = _label_vi({k: r[k] for k in LABEL_FIELDS if r[k] is not None}, scope_name)
        line = (f"#{r['id']:<5} {when}  {clip(r['labelled_by'], 20)}  bài {r['article_id']} «{clip(r['title'], 50)}»: "
                f"{what}" + (f" — {r['note']}" if r["note"] else ""))
        if r["withdrawn_by"] is not None:
            line += f" [đã rút lại: #{r['withdrawn_by']}]"
        elif r["learnt"] is False:
            line += " ⚠ không được học"
        click.echo(line)
    withdrawn = sum(1 for r in out if r["withdrawn_by"] is not None)
    unlearnt = sorted({r["article_id"] for r in out if r["learnt"] is False})
    summary = ((f"\n{len(live)} nhãn còn hiệu lực trên {len({r['article_id'] for r in live})} bài" if live
                else "\nKhông nhãn nào trong số này còn hiệu lực")
               + (f", {withdrawn} nhãn đã rút lại" if withdrawn else ""))
    click.echo(summary)
    if unlearnt:
        click.echo(f"⚠ Chú ý: {unlearnt_words(unlearnt)}")


def _not_a_case_number(app: App, article_id: int, title: str) -> None:
    """Refuse a "not hot" label on article N when N is also the number of an open case the article is not in: case
    numbers are small and soon overlap article numbers, and `label 7 --hot no` typed to call case #7 a false alarm
    would leave the case open and teach the next training that an unrelated article is not hot."""
    case = app.store.case(article_id)
    if case is None or case.closed:
        return
    story_id = app.store.story_of_article(article_id)
    own = app.store.case_of_story(story_id) if story_id is not None else None
    if own is not None and own.id == case.id:
        return
    raise InputError(f"bài số {article_id} «{clip(title, 70)}» không thuộc hồ sơ #{case.id} "
                     f"(«{clip(case.title, 70)}»): ARTICLE_ID là số bài, không phải số hồ sơ",
                     hint=f"hồ sơ #{case.id} là cảnh báo nhầm: monitor cases dismiss {case.id}; "
                          f"ghi nhãn cho bài này: thêm --yes")


def _follow_case(app: App, article_id: int, who: str, label_id: int) -> str:
    """Carry a "not hot" label to the case of the article's story (monitor.cases.follow_hot_label); what to say."""
    from monitor.cases import STATUSES, follow_hot_label
    from monitor.triage import SIGNAL_LABELS

    followed = follow_hot_label(app, article_id, by=who, label_id=label_id)
    case = followed.case
    if case is None:
        return ""
    if followed.dismissed:
        return (f"Hồ sơ #{case.id} «{clip(case.title, 60)}»: {case.status}, tin không còn bài nóng nào; "
                "không gửi cảnh báo nữa, tin rời mục Vấn đề nóng của điểm báo và báo cáo tháng. "
                f"Mở lại: monitor cases update {case.id} --status \"mới\"")
    if followed.still_hot and not case.closed:
        others = ", ".join(f"bài {a}" for a in followed.still_hot[:5])
        return (f"Hồ sơ #{case.id} vẫn mở: tin còn bài được đánh giá nóng ({others}), nên vẫn ở mục Vấn đề nóng "
                f"và vẫn cảnh báo. Nếu cả tin là cảnh báo nhầm: monitor cases dismiss {case.id}")
    if followed.score is not None and not case.closed:
        score = followed.score
        carried = sorted((s for s in score.signals if s.points >= 0.5), key=lambda s: -s.points)[:4]
        why = ", ".join(f"{SIGNAL_LABELS[s.name].lower()} {s.points:.0f}/{s.max_points:.0f}" for s in carried)
        return (f"Hồ sơ #{case.id} vẫn mở: không còn bài nào được đánh giá nóng, nhưng cả tin vẫn ở mức "
                f"«{score.severity}» ({score_text(score.total)}/100) nhờ {why}; nên vẫn ở mục Vấn đề nóng và vẫn cảnh báo. "
                f"Nếu cả tin là cảnh báo nhầm: monitor cases dismiss {case.id}")
    if case.status == STATUSES[-1]:
        return (f"Hồ sơ #{case.id} đã xử lý nên tin vẫn là vấn đề nóng trong điểm báo và báo cáo tháng; "
                f"nếu đó là cảnh báo nhầm: monitor cases dismiss {case.id}")
    return ""


def _reopened(followed, why: str) -> str:
    """What a label (or a label's withdrawal) that reopened its story's case says: why, and the alerts waiting again."""
    case = followed.case
    waiting = (f" {followed.alerts_again} lượt gửi cảnh báo bị hủy khi đóng hồ sơ lại chờ gửi (monitor alerts)."
               if followed.alerts_again else "")
    return (f"Hồ sơ #{case.id} «{clip(case.title, 60)}» mở lại ({case.status}): {why}; tin trở lại mục Vấn đề nóng "
            f"của điểm báo và báo cáo tháng.{waiting}")


def _follow_hot_again(app: App, article_id: int, who: str, label_id: int, *, said_hot: bool) -> str:
    """Carry a "hot" (or "education") label to the case of the article's story (monitor.cases.follow_hot_again);
    what to say. A story's place in the clipping follows its case, so a hot label on a story without one (or with
    one a person dismissed) does not bring it into the hot section: the command says so and names what does."""
    from monitor.cases import OPEN_STATUS, follow_hot_again

    followed = follow_hot_again(app, article_id, by=who, label_id=label_id)
    case = followed.case
    if followed.reopened:
        return _reopened(followed, "nhãn «không nóng» trước đó đã đóng nó")
    if not said_hot:
        return ""
    if case is None:
        if app.store.story_of_article(article_id) is None:
            return ""  # not grouped into a story: the clipping lists the article as labelled
        return (f"Tin của bài {article_id} chưa có hồ sơ nên chưa vào mục Vấn đề nóng của điểm báo và không có cảnh báo. "
                f"Nếu là vấn đề nóng: monitor cases open {article_id}")
    if case.dismissed:
        return (f"Hồ sơ #{case.id} đã được đánh dấu {case.status} cho cả tin nên tin vẫn ngoài mục Vấn đề nóng. "
                f"Nếu đó là nhầm: monitor cases update {case.id} --status \"{OPEN_STATUS}\"")
    return ""


def _follow_withdrawal(app: App, article_id: int, who: str, withdrawal: int, gone: dict) -> str:
    """Carry a withdrawn label to the case of the article's story; what to say. Withdrawing a "not hot" (or not
    education) label undoes what it did as a later "hot" label would (monitor.cases.follow_hot_again): a case its
    carry-over dismissed reopens when the story has a reason to be hot again. A case a person dismissed, or a hot
    label's withdrawal, leave the case as it is, and the command says so and names what changes it."""
    from monitor.cases import OPEN_STATUS, dismissed_by_a_label, follow_hot_again

    store = app.store
    story_id = store.story_of_article(article_id)
    case = store.case_of_story(story_id) if story_id is not None else None
    if case is None:
        return ""
    if gone["hot"] is False or gone["is_education"] is False:
        by_label = dismissed_by_a_label(case)
        followed = follow_hot_again(app, article_id, by=who, label_id=withdrawal, withdrawn=gone["id"])
        case = followed.case
        if followed.reopened:
            return _reopened(followed, "hồ sơ đã bị đóng theo nhãn «không nóng»")
        if case.dismissed and by_label:
            return (f"Hồ sơ #{case.id} vẫn là {case.status}: không còn nhãn đó, tin vẫn không có lý do để nóng (không "
                    f"bài nào nóng, không đạt mức cảnh báo nào). Nếu là vấn đề nóng: monitor cases update {case.id} "
                    f"--status \"{OPEN_STATUS}\"")
        if case.dismissed:
            return (f"Hồ sơ #{case.id} vẫn là {case.status}: người dùng đã đánh dấu cả tin như vậy (monitor cases "
                    f"dismiss), rút lại một nhãn không thay đổi quyết định đó. Nếu là vấn đề nóng: monitor cases update "
                    f"{case.id} --status \"{OPEN_STATUS}\"")
        return ""
    if (gone["hot"] or gone["is_education"]) and not case.closed:
        classes, _ = read_corrected(store, [article_id])
        if article_id in classes and classes[article_id].hot:
            return ""
        # unlike a "not hot" label, a withdrawal says nothing of the issue: whoever opened the case decides it
        return (f"Hồ sơ #{case.id} «{clip(case.title, 60)}» vẫn mở ({case.status}) dù bài {article_id} nay không được "
                f"đánh giá nóng: rút lại nhãn không đóng hồ sơ. Nếu cả tin là cảnh báo nhầm: monitor cases dismiss "
                f"{case.id}")
    return ""


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "analyst"


# --------------------------------------------------------------------------- explain


@cli.command()
@click.argument("article_id", type=STORED_ID)
@click.option("--version", "version",
              help="Giải thích kết quả phân loại của phiên bản mô hình này (mặc định: phiên bản đang dùng).")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dưới dạng JSON (cho máy đọc).")
@click.pass_context
def explain(ctx: click.Context, article_id: int, version: str | None, as_json: bool) -> None:
    """Giải thích kết quả phân loại của một bài.

    Vì sao bài có các chủ đề, sắc thái, phạm vi và điểm nóng như vậy, và bài thuộc sự việc nào.

    \b
    Ví dụ:
      monitor explain 1234
      monitor explain 1234 --json | jq .classification.evidence.rules
    """
    app = get_app(ctx, reads_only=True)
    data = explain_data(app, article_id, version)
    if as_json:
        echo_json(data)
        return
    _print_explanation(data, app.config.office.scope_name, app.config.office.tz)


def explain_data(app: App, article_id: int, version: str | None = None) -> dict:
    from monitor.pipeline import article_text

    store = app.store
    a = store.get_article(article_id)
    if a is None:
        raise InputError(f"không có bài số {article_id}; tìm số bài bằng `monitor articles` hoặc `monitor search`")
    if version is not None and not version.strip():
        raise InputError("--version đang để trống; ghi một phiên bản đã lưu (`monitor reclassify --versions` liệt kê các "
                         "phiên bản) hoặc bỏ --version để dùng phiên bản đang dùng")
    asked = version
    version = version or store.active_model_version()
    c = store.classification(article_id, version) if version else None
    if version and c is None and version not in {v["version"] for v in store.model_versions()}:
        raise InputError(f"không có phiên bản mô hình {version!r}; `monitor reclassify --versions` liệt kê các phiên bản")
    if c is None and asked is None:
        # what `articles`, `search`, `review` and the clipping show for an article the current version has
        # not seen yet: its newest classification of any version, so the explanation is of what people read
        c = store.classifications_for([article_id]).get(article_id)
        version = c.model_version if c is not None else version
    tz = app.config.office.tz
    data: dict = {"article": {"id": a.id, "title": a.title, "url": a.url, "outlet": a.outlet,
                              "published": a.when.astimezone(tz).isoformat(timespec="minutes"),
                              "sources": list(a.sources)},
                  "model_version": version, "classification": None, "model_evidence": None,
                  "story": None, "labels": store.article_labels(article_id), "other_versions": []}
    if c is not None:
        data["classification"] = c.to_contract() | {"id": a.id, "evidence": c.evidence}
        # the models' strongest features are recomputed (they are not stored) when that model is loaded
        try:
            clf = app.classifier
            if getattr(clf, "version", None) == c.model_version and hasattr(clf, "explain"):
                fresh = clf.explain(article_text(a)).evidence
                data["model_evidence"] = fresh.get("model")
                rules = (data["classification"]["evidence"] or {}).get("rules")
                if isinstance(rules, dict) and "exclusions" not in rules:
                    # stored before the exclusions were recorded; the same version (rules hash) matches the same
                    rules["exclusions"] = fresh.get("rules", {}).get("exclusions")
        except ModelError as exc:
            data["model_evidence"] = {"unavailable": str(exc)}
    for v in store.model_versions():
        if v["version"] != version:
            other = store.classification(article_id, v["version"])
            if other is not None:
                data["other_versions"].append({"version": v["version"], "is_education": other.is_education,
                                               "topics": list(other.topics), "hot": other.hot,
                                               "sentiment": other.sentiment, "scope": other.scope})
    data["story"] = _story_of(app, article_id)
    data["corrected"] = _corrected_reading(store, article_id, data["classification"])
    return data


def _corrected_reading(store, article_id: int, c: dict | None) -> dict | None:
    """What the listings, the clipping and the report read for the article where labels in force correct the model:
    the labels' numbers and who wrote the latest, the reading (the five fields, as monitor.corrections merges them)
    and which fields differ from the model's (`overridden`). None without a label in force."""
    from monitor.corrections import FIELDS, merged

    (label,) = store.labels([article_id]) or (None,)
    if label is None:
        return None
    live = [r["id"] for r in in_force(store.article_labels(article_id))]
    if c is None:
        reading = {k: label[k] for k in FIELDS if label.get(k) is not None}
        overridden = list(reading)
    else:
        model = {k: c[k] for k in FIELDS}
        reading = merged(model, label)
        reading["topics"] = list(reading["topics"])
        overridden = [k for k in FIELDS if reading[k] != (list(model[k]) if k == "topics" else model[k])]
    return {"labels": live, "labelled_by": label["labelled_by"], "reading": reading, "overridden": overridden}


def _story_of(app: App, article_id: int) -> dict | None:
    store = app.store
    story_id = store.story_of_article(article_id)
    story = store.story(story_id) if story_id is not None else None
    if story is None:
        return None
    tz = app.config.office.tz
    return {"id": story.id, "title": story.title, "articles": list(story.article_ids), "outlets": list(story.outlets),
            "first_seen": story.first_seen.astimezone(tz).isoformat(timespec="minutes"),
            "last_seen": story.last_seen.astimezone(tz).isoformat(timespec="minutes"),
            "hot_score": round(story.hot_score, 1), "severity": story.severity, "reasons": list(story.reasons),
            "case_status": story.case_status}


def _print_explanation(d: dict, scope_name=_scope_vi, tz=None) -> None:
    def reason(r) -> str:
        # the classifier names the "city" scope by the office's city's kind ("tỉnh: …" for Nghệ An), as the scope
        # line above does; the reasons it stored before it did so say "thành phố: …" whatever the province, and
        # stay until `monitor reclassify` reads the article again
        text = _vi(r)
        city = f"{SCOPE_NAMES_VI['city']}: "
        return f"{scope_name('city')}: {text[len(city):]}" if text.startswith(city) else text

    def when(iso: str) -> str:
        # the --json keeps ISO; a person reads times as the clipping and the alerts write them, in the office's zone
        t = datetime.fromisoformat(iso)
        return time_label(t.astimezone(tz) if tz is not None else t)

    a = d["article"]
    click.echo(f"Bài {a['id']}: {a['title']}\n  {a['outlet']} — {when(a['published'])} — {a['url']}")
    fixed = d.get("corrected")
    fixed_fields = set(fixed["overridden"]) if fixed else set()
    if fixed:
        numbers = ", ".join(f"#{n}" for n in fixed["labels"])
        if fixed_fields:
            said = {k: fixed["reading"][k] for k in LABEL_FIELDS if k in fixed_fields}
            click.echo(f"✎ Đang hiển thị theo nhãn {numbers}: {_label_vi(said, scope_name)}"
                       "\n  điểm báo, báo cáo và các danh sách đọc bài như vậy; dưới đây là kết quả của mô hình, "
                       "trường nào nhãn đã sửa có dấu ✎")
        else:
            click.echo(f"✎ Nhãn {numbers} xác nhận kết quả của mô hình")

    def fixed_mark(field: str) -> str:
        """' ✎ theo nhãn: …' after a line of the model's reading whose field a label overrides."""
        if field not in fixed_fields:
            return ""
        return f"  ✎ theo nhãn: {_label_vi({field: fixed['reading'][field]}, scope_name).split(': ', 1)[1]}"

    c = d["classification"]
    if c is None:
        click.echo("\nChưa được phân loại" + (f" bởi {d['model_version']}" if d["model_version"] else "")
                   + " (chạy `monitor reclassify`).")
    else:
        ev = c.get("evidence") or {}
        rules = ev.get("rules") or {}
        excluded = rules.get("exclusions") or {}  # absent from classifications stored before it was recorded
        th = ev.get("thresholds") or {}
        click.echo(f"\nPhân loại ({c['model_version']}):")
        edu_th = th.get("education")
        incident = th.get("education_by_incident")
        victim = th.get("education_by_victim")
        # below the threshold, an incident is the only way an article is education: one the hot model is sure of,
        # or, from a lower floor, one whose title names a pupil or a teacher
        admitted = bool(incident and c["is_education"] and edu_th is not None and c["relevance"] < edu_th)
        floor = incident
        if admitted and victim and (c["relevance"] < incident["relevance"] or c["hot_score"] < incident["hot"]):
            floor = victim
        click.echo(f"  Giáo dục: {'có' if c['is_education'] else 'không'} — điểm {c['relevance']:.2f}"
                   + (f" (ngưỡng {edu_th:.2f})" if edu_th is not None else "")
                   + (f"; nhận vì là sự cố nóng (từ điểm {floor['relevance']:.2f} khi điểm nóng ≥ {floor['hot']:.2f}"
                      + (", tiêu đề nêu người của trường học" if floor is victim else "") + ")"
                      if admitted else "")
                   + (f"; từ khóa: {_vi_terms(rules.get('education', [])[:8])}" if rules.get("education") else "")
                   + (f"; từ loại trừ (kéo điểm xuống): {_vi_terms(excluded['education'][:6])}"
                      if excluded.get("education") else "") + fixed_mark("is_education"))
        click.echo("  Chủ đề:" + fixed_mark("topics")[1:])
        scores = sorted(c["topic_scores"].items(), key=lambda kv: -kv[1])
        topic_terms = rules.get("topics") or {}
        topic_excluded = excluded.get("topics") or {}
        tth = th.get("topics") or {}
        shown = [t for t, s in scores if t in c["topics"] or t in topic_terms or t in topic_excluded][:8]
        if not shown:
            click.echo("    (không có)")
        for t in shown:
            mark = "✔" if t in c["topics"] else " "
            thr = f" / ngưỡng {tth[t]:.2f}" if t in tth else ""
            terms = f" — {_vi_terms(topic_terms[t][:6])}" if topic_terms.get(t) else ""
            # an exclusion cancels the topic's rule evidence: its terms above did not count
            cancelled = (f" — loại trừ (các từ khóa không được tính): {_vi_terms(topic_excluded[t][:4])}"
                         if topic_excluded.get(t) else "")
            click.echo(f"    {mark} {t} ({topic_name(t)}): {c['topic_scores'][t]:.2f}{thr}{terms}{cancelled}")
        tone = ev.get("tone") or {}
        click.echo(f"  Sắc thái: {SENTIMENT_VI.get(c['sentiment'], c['sentiment'])}"
                   + (" (" + ", ".join(f"{SENTIMENT_VI.get(k, k)} {v:.2f}" for k, v in tone.items()) + ")" if tone else "")
                   + (f"; tiêu cực: {_vi_terms(rules['negative'][:6])}" if rules.get("negative") else "")
                   + (f"; tích cực: {_vi_terms(rules['positive'][:6])}" if rules.get("positive") else "")
                   + fixed_mark("sentiment"))
        scope_terms = rules.get("scope") or {}
        click.echo(f"  Phạm vi: {scope_name(c['scope'])}"
                   + ("; " + "; ".join(f"{scope_name(g) if g == 'city' else SCOPE_CUES_VI.get(g, g)}: {_vi_terms(t[:4])}"
                                         for g, t in scope_terms.items())
                      if scope_terms else "") + fixed_mark("scope"))
        hot_terms = rules.get("hot") or {}
        click.echo(f"  Nóng: {'có' if c['hot'] else 'không'} — điểm {c['hot_score']:.2f}"
                   + (f" (ngưỡng {th['hot']:.2f})" if th.get("hot") is not None else "")
                   + ("; " + "; ".join(f"{h}: {_vi_terms(t[:4])}" for h, t in hot_terms.items()) if hot_terms else "")
                   + fixed_mark("hot"))
        if c["reasons"]:
            click.echo("  Lý do: " + " | ".join(reason(r) for r in c["reasons"]))
        other = {k: v for k, v in ev.items() if k not in ("rules", "thresholds", "tone")}
        for k, v in other.items():
            click.echo(f"  {k}: {_compact(v)}")
    ev = d.get("model_evidence")
    if ev:
        click.echo("\nBằng chứng mạnh nhất của mô hình (đặc trưng: đóng góp):")
        for head, items in (ev.items() if isinstance(ev, dict) else []):
            if isinstance(items, list) and all(isinstance(x, (list, tuple)) and len(x) == 2 for x in items):
                click.echo(f"  {_head_vi(head)}: " + ", ".join(f"{_feature_vi(f)} ({float(v):+.2f})" for f, v in items[:6]))
            elif head == "unavailable":
                click.echo(f"  (không tính được: {items})")
            else:
                click.echo(f"  {_head_vi(head)}: {_compact(items)}")
    s = d["story"]
    if s:
        click.echo(f"\nSự việc #{s['id']}: {s['title']}\n  {len(s['articles'])} bài, {len(s['outlets'])} báo: {', '.join(s['outlets'])}"
                   f"\n  điểm nóng {score_text(s['hot_score'])}, mức độ: {s['severity'] or 'không'}"
                   + (f"; lý do: {'; '.join(reason(r) for r in s['reasons'])}" if s["reasons"] else "")
                   + (f"\n  xử lý: {s['case_status']}" if s.get("case_status") else ""))
    if d["labels"]:
        click.echo("\nNhãn của chuyên viên:")
        for lab in d["labels"]:
            fields = {k: lab[k] for k in LABEL_FIELDS if lab[k] is not None}
            what = (f"rút lại nhãn #{lab['withdraws']}" if lab.get("withdraws") is not None
                    else _label_vi(fields, scope_name))
            # its number last: the line begins, as every document's, with when and who
            click.echo(f"  {when(lab['labelled_at'])} {lab['labelled_by']}: {what}"
                       + (f" — {lab['note']}" if lab["note"] else "")
                       + (f" (#{lab['id']}, đã rút lại: #{lab['withdrawn_by']})" if lab.get("withdrawn_by") is not None
                          else f" (#{lab['id']})"))
    if d["other_versions"]:
        click.echo("\nCác phiên bản khác:")
        for o in d["other_versions"]:
            click.echo(f"  {o['version']}: {'giáo dục' if o['is_education'] else 'khác'}, chủ đề {','.join(o['topics']) or '—'}, "
                       f"{'nóng' if o['hot'] else 'không nóng'}, {SENTIMENT_VI.get(o['sentiment'], o['sentiment'])}, "
                       f"{scope_name(o['scope'])}")


def _vi(text: str) -> str:
    """A stored reason or rule evidence ("du học (title)", "sắc thái neutral 0.84") in the listings' words."""
    text = _FIELD.sub(lambda m: f"({FIELDS_VI[m.group(1)]})", str(text))
    return _TONE_WORD.sub(lambda m: f"sắc thái {SENTIMENT_VI[m.group(1)]}", text)


def _vi_terms(terms) -> str:
    return ", ".join(_vi(t) for t in terms)


def _head_vi(head: str) -> str:
    """A model head of classifiers.model.explain ("relevance", "topic:hoi-nhap", "tone:negative") in words."""
    kind, _, rest = head.partition(":")
    if kind == "topic" and rest:
        return f"chủ đề {rest}"
    if kind == "tone" and rest:
        return f"sắc thái {SENTIMENT_VI.get(rest, rest)}"
    return HEADS_VI.get(head, head)


def _feature_vi(name: str) -> str:
    """A model feature: a rule feature ("[luật] has_body"), a URL section, a word (kept), the neighbours' vote."""
    if name.startswith("[luật] "):
        rule = name[len("[luật] "):]
        kind, _, rest = rule.partition(":")
        word = (f"từ khóa chủ đề {rest}" if kind == "topic" and rest else
                f"dấu hiệu nóng {rest}" if kind == "hot" and rest else FEATURES_VI.get(rule, rule))
        return f"[luật] {word}"
    if name.startswith("[chuyên mục URL] "):
        return "[chuyên mục trong địa chỉ bài] " + name[len("[chuyên mục URL] "):]
    return name


def _label_vi(fields: dict, scope_name=_scope_vi) -> str:
    """An analyst's label's fields as the listings say them."""
    yes_no = {True: "có", False: "không"}
    words = {"is_education": ("giáo dục", lambda v: yes_no.get(v, v)), "topics": ("chủ đề", lambda v: ", ".join(v) or "—"),
             "hot": ("nóng", lambda v: yes_no.get(v, v)), "sentiment": ("sắc thái", lambda v: SENTIMENT_VI.get(v, v)),
             "scope": ("phạm vi", scope_name)}
    return "; ".join(f"{words[k][0]}: {words[k][1](v)}" if k in words else f"{k}: {v}" for k, v in fields.items())


def _compact(v) -> str:
    import json

    text = json.dumps(v, ensure_ascii=False, default=str)
    return text if len(text) <= 400 else text[:399] + "…"


# --------------------------------------------------------------------------- reclassify


@cli.command()
@click.option("--since", help="Ngày đầu (DD/MM/YYYY hoặc YYYY-MM-DD, theo múi giờ của cơ quan), tính cả ngày này "
              "(mặc định: mọi bài đã lưu).")
@click.option("--until", help="Ngày cuối (DD/MM/YYYY hoặc YYYY-MM-DD), tính cả ngày này.")
@click.option("--model", "model_dir", type=click.Path(file_okay=False), help="Thư mục chứa các mô hình "
              "đã huấn luyện (mặc định: storage.models_dir).")
@click.option("--rules", "rules_path", type=click.Path(dir_okay=False, exists=True),
              help="Tệp topics.yaml đã sửa, dùng để phân loại thay cho tệp quy tắc kèm theo phần mềm.")
@click.option("--dry-run", is_flag=True, help="Tính và in các khác biệt; không ghi gì.")
@click.option("--compare", nargs=2, metavar="V1 V2",
              help="So sánh hai phiên bản đã lưu (không chạy phân loại).")
@click.option("--rollback", metavar="VERSION",
              help="Quay lại dùng một phiên bản đã lưu trước đó (phiên bản được ghim).")
@click.option("--versions", "list_versions", is_flag=True, help="Liệt kê các phiên bản mô hình đã lưu.")
@click.option("--show", type=click.IntRange(0, 1000), default=5, show_default=True,
              help="Số bài nêu làm ví dụ cho mỗi loại thay đổi.")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dưới dạng JSON (cho máy đọc).")
@click.pass_context
def reclassify(ctx: click.Context, since: str | None, until: str | None, model_dir: str | None, rules_path: str | None,
               dry_run: bool, compare: tuple[str, str] | None, rollback: str | None, list_versions: bool, show: int,
               as_json: bool) -> None:
    """Phân loại lại các bài đã lưu và cho biết những gì thay đổi.

    Thay đổi được tính so với phiên bản đang dùng. Kết quả phân loại của mọi phiên bản đều được giữ lại,
    nên có thể so sánh một lần chạy với phiên bản khác (--compare) hoặc hoàn tác nó (--rollback). --dry-run
    cho xem các khác biệt mà không ghi gì; bài chuyên viên đã gắn nhãn được đánh dấu ✎, kèm thay đổi đó khớp
    hay trái nhãn của chuyên viên. Phiên bản mới chỉ thành phiên bản đang dùng khi mọi bài đã được
    phân loại xong: lần chạy dừng giữa chừng để nguyên phiên bản đang dùng; khi đó hãy chạy lại. Các sự
    việc trong khoảng thời gian đó được chấm điểm lại theo phiên bản mới: sự việc của những ngày gần đây
    được chấm như `monitor triage` chấm sự việc mới (kể cả cảnh báo); sự việc cũ hơn được chấm như vào lần
    chấm gần nhất của từng sự việc, không gửi gì và không động đến hồ sơ nào, nên điểm báo và báo cáo các
    kỳ trước cũng theo kết quả phân loại mới.

    \b
    Ví dụ:
      monitor reclassify --since 2026-11-01 --rules my-topics.yaml --dry-run
      monitor reclassify --since 2026-11-01 --rules my-topics.yaml
      monitor reclassify --versions
      monitor reclassify --rollback "rules-only+rules.35e83caaee"
    """
    from monitor import reclassify as rc

    app = get_app(ctx)
    store = app.store
    if sum(x is not None and x is not False for x in (compare, rollback, list_versions)) > 1:
        raise InputError("mỗi lần chỉ dùng một trong --compare, --rollback, --versions")
    if rollback is not None and not rollback.strip():
        # an empty shell variable must not turn a rollback into a full reclassification that writes a new version
        raise InputError("--rollback đang để trống; ghi phiên bản muốn quay lại (`monitor reclassify --versions` liệt kê các phiên bản)")
    if list_versions:
        tz = app.config.office.tz
        # stored in UTC; shown in the office's time, as every other listing (and --json as `search --json` writes it)
        rows = [v | {"created_at": datetime.fromisoformat(v["created_at"]).astimezone(tz)} for v in store.model_versions()]
        if as_json:
            echo_json([v | {"created_at": v["created_at"].isoformat(timespec="seconds")} for v in rows])
            return
        if not rows:
            click.echo("(chưa có phiên bản nào)")
        for v in rows:
            flags = ("đang dùng" if v["active"] else "") + (", đã ghim" if v["pinned"] else "")
            click.echo(f"{v['version']:<48} {v['created_at']:%H:%M %d/%m/%Y}  {v['articles']:>6} bài  {flags}")
        return
    if rollback:
        previous = store.active_model_version()
        store.pin_model_version(rollback)
        n = dict((v["version"], v["articles"]) for v in store.model_versions())[rollback]
        # the stories were scored with the version rolled back from: the clipping and the report read their levels
        _retriage(app)
        if as_json:
            echo_json({"rolled_back_from": previous, "active": rollback, "pinned": True, "articles": n})
            return
        click.echo(f"đã quay lại phiên bản {rollback} ({n} bài đã phân loại), thay cho {previous}; "
                   "phiên bản này được ghim cho đến lần `monitor reclassify` tiếp theo")
        try:
            on_disk = app.classifier.version
        except ModelError:
            on_disk = None
        if on_disk != rollback:
            # new articles are classified by whatever models and rules are on disk, under that version
            click.echo(f"chú ý: bộ phân loại trên đĩa là {on_disk or '(không nạp được)'}, không phải {rollback}: bài "
                       f"đến từ giờ được phân loại theo nó; đặt lại quy tắc (storage.rules_file) và mô hình "
                       f"(storage.models_dir; bản kèm theo: git checkout models/) của {rollback} để hai bên khớp nhau",
                       err=True)
        return

    d_since, d_until = parse_date(since, "--since"), parse_date(until, "--until")
    if d_since and d_until and d_until < d_since:
        raise InputError("--until đứng trước --since; đổi chỗ hai ngày")
    start = local_day_start(app, d_since) if d_since else None
    end = local_day_end(app, d_until) if d_until else None
    # the text report names only `show` examples of each change, so only those are kept; the JSON lists them all
    keep = None if as_json else show
    if compare:
        known = {v["version"] for v in store.model_versions()}
        for v in compare:
            if v not in known:
                raise InputError(f"không có phiên bản mô hình {v!r}; `monitor reclassify --versions` liệt kê các phiên bản")
        diff = rc.compare(app, *compare, start, end, keep=keep)
        _print_diff(app, diff, show=show, as_json=as_json, dry_run=False)
        return

    if model_dir or rules_path:
        from classifiers.classify import load_classifier

        # a --model folder named by hand that holds no models is a typo, not a reason to use the shipped ones
        clf = load_classifier(Path(model_dir) if model_dir else (app.models_dir or app.config.storage.models_dir),
                              app.config.office, rules_path=Path(rules_path) if rules_path else app.config.storage.rules_file,
                              trial=bool(rules_path), fallback=model_dir is None)
        if rules_path:
            from monitor.cli.nlp import candidate_notes

            try:
                live = app.classifier
            except MonitorError:
                live = None  # `monitor crawl` reports why; the notes on the rules given still hold
            for line in candidate_notes(live, clf):
                click.echo(f"chú ý: {line}", err=True)
    else:
        clf = app.classifier
    n = store.count_articles_between(start, end)
    label = f"{'thử ' if dry_run else ''}phân loại lại {n} bài với {clf.version}"
    with click.progressbar(length=n, label=label, file=sys.stderr) as bar:
        # an explicit reclassify ends a rollback: the new version is made current, unpinned, once all is saved
        diff = rc.reclassify(app, clf, start, end, dry_run=dry_run, keep=keep, progress=bar.update)
    if not dry_run:
        _retriage(app, start, end)
    _print_diff(app, diff, show=show, as_json=as_json, dry_run=dry_run, wrote=not dry_run)
    if not dry_run and (model_dir or rules_path):
        try:
            default_version = app.classifier.version
        except ModelError:
            default_version = None
        if default_version != clf.version:
            # the service (and the next `monitor crawl`) classify with the default rules and models
            click.echo(f"chú ý: bài mới được phân loại bằng {default_version or '(không có mô hình nạp được)'}, "
                       "phiên bản này lại thành phiên bản dùng từ lần thu thập sau; muốn giữ phiên bản vừa chạy, ghi tệp "
                       "quy tắc vào storage.rules_file (feeds.yaml) hoặc đặt mô hình vào storage.models_dir", err=True)


def _retriage(app: App, since=None, until=None) -> None:
    """Rescore the stories of [since, until) (all when not given) with the new classifications: those of recent
    articles as triage does, acting on them (cases, alerts); older ones as history, each as of when it was last
    scored and acting on nothing (monitor.triage.rescore_history), so the clipping and the report of those days
    read the new classifications too."""
    try:
        from monitor.triage import rescore_history, run_triage
    except ImportError:
        return
    recent = app.store.article_ids_first_seen_since(app.now() - timedelta(hours=app.config.alerts.window_hours),
                                                    since, until)
    live = set(run_triage(app, recent).rescored) if recent else set()
    rescore_history(app, [s for s in app.store.scored_story_ids_between(since, until) if s not in live])


def _example_ids(diff, show: int) -> list[int]:
    """The articles _print_diff names as examples (the first `show` of each list)."""
    lists = [diff.became_education, diff.stopped_education, diff.became_hot, diff.stopped_hot,
             *(tuple(diff.topics_gained.get(t, ())) + tuple(diff.topics_lost.get(t, ()))
               for t in set(diff.topics_gained) | set(diff.topics_lost))]
    return sorted({i for ids in lists for i in list(ids)[:show]})


def _print_diff(app: App, diff, *, show: int, as_json: bool, dry_run: bool, wrote: bool = False) -> None:
    """The changes of a run (`wrote`: it made a new version current, which a rollback undoes) or of a --compare."""
    if as_json:
        echo_json(diff.to_dict() | {"dry_run": dry_run})
        return
    from monitor.cli.nlp import against_labels_vi, labelled_mark

    store = app.store
    titles: dict[int, str] = {}

    def title(i: int) -> str:
        if i not in titles:
            a = store.get_article(i)
            titles[i] = clip(a.title, 80) if a else "?"
        return titles[i]

    shown_labels = {r["article_id"]: r for r in store.labels(_example_ids(diff, show))}

    def examples(ids, total: int, call=None) -> None:
        """The first `show` of `ids`; `call(i)` -> (the call changed, its new value), to mark a labelled one."""
        for i in list(ids)[:show]:
            mark = labelled_mark(shown_labels.get(i), *(call(i) if call else (None, None)))
            click.echo(f"      {i:>6}  {title(i)}{mark}")
        if total > show:
            click.echo(f"      … và {total - show} bài khác")

    def count(kind: str) -> str:
        agree, disagree = diff.against_labels.get(kind, (0, 0))
        return against_labels_vi(agree, disagree, short=True)

    head = "THỬ (không ghi gì) — " if dry_run else ""
    earlier = (f" (với {diff.compared_earlier} bài trong đó, phân loại của phiên bản cũ hơn: {diff.old_version} "
               "chưa phân loại lại các bài này)") if diff.compared_earlier else ""
    click.echo(f"\n{head}{diff.old_version or '(chưa có)'} → {diff.new_version}: so sánh {diff.compared} bài{earlier}, "
               f"{diff.n_changed} bài thay đổi" + (f", {diff.total('only_new')} bài mới được phân loại" if diff.total("only_new") else ""))
    if diff.empty:
        click.echo("  Không có thay đổi nào.")
    agree, disagree = diff.agreeing()
    if agree or disagree:
        click.echo(f"  Ở các bài chuyên viên đã gắn nhãn (✎): {against_labels_vi(agree, disagree)}")
    for name, field, call in (("Thành bài giáo dục", "became_education", ("education", True)),
                              ("Không còn là bài giáo dục", "stopped_education", ("education", False)),
                              ("Thành tin nóng", "became_hot", ("hot", True)), ("Không còn nóng", "stopped_hot", ("hot", False))):
        if diff.total(field):
            click.echo(f"  {name}: {diff.total(field)}{count(field)}")
            examples(getattr(diff, field), diff.total(field), lambda i, call=call: call)
    topics = sorted(set(diff.topics_gained) | set(diff.topics_lost), key=lambda t: TOPIC_IDS.index(t) if t in TOPIC_IDS else 99)
    if topics:
        click.echo("  Theo chủ đề (thêm / bớt):")
        for t in topics:
            gained, lost = diff.topics_gained.get(t, ()), diff.topics_lost.get(t, ())
            n_gained, n_lost = diff.total("topics_gained", t), diff.total("topics_lost", t)
            both = zip(diff.against_labels.get(f"topics_gained/{t}", (0, 0)), diff.against_labels.get(f"topics_lost/{t}", (0, 0)))
            click.echo(f"    {t} ({topic_name(t)}): +{n_gained} / -{n_lost}{against_labels_vi(*map(sum, both), short=True)}")
            # the first gained, then the first lost: each list keeps `show` at least, so this shows what a complete one would
            examples(tuple(gained) + tuple(lost), n_gained + n_lost,
                     lambda i, t=t, gained=set(gained): (f"topic {t}", i in gained))
    if diff.total("sentiment_changed"):
        click.echo(f"  Sắc thái thay đổi: {diff.total('sentiment_changed')}{count('sentiment_changed')}")
    if diff.total("scope_changed"):
        click.echo(f"  Phạm vi thay đổi: {diff.total('scope_changed')}{count('scope_changed')}")
    for name, sids in (("Sự việc thành nóng", diff.stories_became_hot), ("Sự việc không còn nóng", diff.stories_stopped_hot)):
        if sids:
            click.echo(f"  {name}: {', '.join('#' + str(s) for s in sids[:20])}")
    # a case is a person's to close: a story the new classification no longer rates hot keeps its open case, and
    # with it its place in the clipping's hot section
    still_open = [c for c in (store.case_of_story(s) for s in diff.stories_stopped_hot) if c is not None and not c.closed]
    if still_open:
        click.echo("    hồ sơ vẫn mở, nên tin vẫn ở mục Vấn đề nóng cho đến khi có người quyết định: "
                   + ", ".join(f"#{c.id}" for c in still_open[:20])
                   + f" (nếu là cảnh báo nhầm: monitor cases dismiss {still_open[0].id})")
    changed = [c for c in diff.stories_severity_changed if c[1] and c[2]]
    if changed:
        click.echo("  Sự việc đổi mức độ: " + ", ".join(f"#{s} {o} → {n}" for s, o, n in changed[:20]))
    if wrote and diff.old_version and diff.old_version != diff.new_version:
        click.echo(f"\nPhiên bản trước vẫn được lưu: `monitor reclassify --rollback {diff.old_version}` để quay lại.")
