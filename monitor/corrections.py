"""An analyst's label over the model's call: what people read follows a correction at once.

`monitor label` (and `monitor cases open / dismiss`) store labels; `monitor train` learns from them at its
next run, but the clipping and the monthly report should not repeat a mistake a person has already fixed.
So where they read classifications, each field a label states replaces the model's: education or not,
topics, tone, hot, scope. A label that says "not education" empties the topics and the hot flag, as the
labelling guide has it; one that says "education" where the model said no keeps the model's other calls
(no topics, not hot) until the label gives them. The model's own scores are kept: they are what it said.

Alerts and story grouping follow the model (a case opened or dismissed by hand covers what it missed or
got wrong there: a story rated hot stays in the clipping's hot section until its case is dismissed, whatever
one member's label says), as do the clipping's 7-day chart and `monitor status`'s shares; `monitor evaluate`,
`reclassify`, `review` and `explain` read the model's calls as they are (`explain` says the corrected reading
first). `monitor articles` and `search` list what the clipping reads, a corrected article marked ✎; `monitor export`
writes it too, with who corrected an article and the model's own call beside it.

A label written by mistake is withdrawn (`monitor label ID --withdraw N`, `withdraw_label`): it no longer applies
anywhere, training included, and the history keeps it with the row that withdrew it (`monitor labels`).

What `monitor train` learns of an article's education from its labels (`learnt_education`): what they state, a plan
topic meaning education; else, for a label correcting one call (`--sentiment` alone, `--hot no`), the education the
article was shown with when it was written (store: shown_education), so that a later model or reclassification does
not drop or flip it. An article shown as not education then, with no label saying which, is not learnt at all: the
correction cannot say whether it is education news, and `monitor label` says so when it is written, as `monitor cases
open / dismiss` do of the labels they write or withdraw (`unlearnt_warning`: one wording for all).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Iterable, Mapping, Sequence

from classifiers.plan_topics import TOPIC_IDS, topic_name
from classifiers.types import Classification
from monitor.errors import InputError

CORRECTED_REASON = "Cán bộ hiệu chỉnh: {who}"  # first in `reasons`: a reader of the clipping sees a person decided


FIELDS = ("is_education", "topics", "sentiment", "hot", "scope")


def office_topic_ids(app) -> tuple[str, ...]:
    """The topic ids of the rules the office runs, read as the crawl, `monitor config check` and `monitor rules test`
    read them (storage.rules_file, else the shipped topics.yaml): the plan's, and any the office added to its copy.
    A rules file that does not load is an InputError naming its problems, as it is for every crawl. What a person
    gives as a topic (`monitor label --topics`, `monitor cases open --topic`) is checked against these."""
    from classifiers.rules import load_rules

    return load_rules(app.config.storage.rules_file).topic_ids


def _slug(text: str) -> str:
    """'An ninh, an toàn trường học' and 'an ninh an toan truong hoc' -> 'an-ninh-an-toan-truong-hoc': the form a
    topic id is written in, so an id, a plan name with or without diacritics, and a typed slug compare alike."""
    from classifiers.text import ascii_fold

    return "-".join(re.findall(r"[0-9a-z]+", ascii_fold(text)))


def resolve_topic(text: str, known: tuple[str, ...] = TOPIC_IDS) -> str | None:
    """The id of the topic `text` names, as an id (`an-toan-truong-hoc`) or as the plan's name, with or without
    diacritics ("An ninh, an toàn trường học", "an ninh an toan truong hoc"); None when it names none of `known`."""
    if text in known:
        return text
    typed = _slug(text)
    return next((t for t in known if typed and typed in (t, _slug(topic_name(t)))), None)


def unknown_topic(text: str, known: tuple[str, ...] = TOPIC_IDS) -> InputError:
    """The error for a topic no id or name matches: the closest topic when one is near (by id or by name, or one
    whose id or name starts with what was typed: 'an-toan' -> an-toan-truong-hoc), then every topic as "id (tên)"."""
    import difflib

    typed = _slug(text)
    names = {t: _slug(topic_name(t)) for t in known}
    near = [t for t in known if typed and any(f"-{typed}-" in f"-{form}-" or form.startswith(typed)
                                              for form in (t, names[t]))]
    if len(near) != 1:
        by_form = {**{t: t for t in known}, **{n: t for t, n in names.items()}}
        close = difflib.get_close_matches(typed, list(by_form), n=1)
        near = [by_form[close[0]]] if close else []
    def named(t: str) -> str:
        return t if topic_name(t) == t else f"{t} ({topic_name(t)})"

    guess = near and (repr(near[0]) + ("" if topic_name(near[0]) == near[0] else f" – {topic_name(near[0])}"))
    return InputError(f"không có chủ đề {text!r}" + (f" (có phải {guess}?)" if near else "")
                      + "; các chủ đề của bộ quy tắc đang dùng: " + "; ".join(named(t) for t in known),
                      hint="gõ mã chủ đề (an-toan-truong-hoc) hoặc tên chủ đề của kế hoạch, có dấu hay không dấu "
                           "đều được, đặt trong ngoặc kép khi có dấu cách")


def parse_topics(values: tuple[str, ...] | list[str], known: tuple[str, ...] = TOPIC_IDS) -> list[str]:
    """Topic ids from repeated or comma-separated values, each checked against `known` (office_topic_ids). A value
    may name a topic by id or by the plan's name (resolve_topic); a whole value is tried as one name first, since a
    name may hold a comma ("An ninh, an toàn trường học")."""
    out: list[str] = []
    for v in values:
        whole = resolve_topic(v.strip(), known) if "," in v else None
        for t in ([whole] if whole else (x.strip() for x in v.split(","))):
            if not t:
                continue
            topic = resolve_topic(t, known)
            if topic is None:
                raise unknown_topic(t, known)
            if topic not in out:
                out.append(topic)
    return out


def merged(current: Mapping, label: Mapping) -> dict:
    """The five fields of `current` (a classification's, as a mapping) with the ones `label` states put over them."""
    stated = {k: label[k] for k in FIELDS if label.get(k) is not None}
    is_education = bool(stated.get("is_education", current["is_education"]))
    return {"is_education": is_education,
            "topics": tuple(stated.get("topics", current["topics"])) if is_education else (),
            "hot": bool(stated.get("hot", current["hot"])) and is_education,
            "sentiment": stated.get("sentiment", current["sentiment"]), "scope": stated.get("scope", current["scope"])}


def label_agrees(label: Mapping, call: str, value) -> bool | None:
    """Whether a model's call agrees with what an analyst's label states: `call` is "education", "hot", "topic <id>",
    "sentiment" or "scope", `value` the model's (True when it gives the topic). None when the label says nothing of
    it. Read as people read the label (merged): "not education" means no topic and not hot too. `monitor rules test`
    and `reclassify` count a change against the labels this way: one that agrees teaches nothing new to the reader
    (what people read already followed the label), one that disagrees is what the label keeps from showing."""
    education = label.get("is_education")
    if call == "education":
        return None if education is None else bool(value) == bool(education)
    if call in ("sentiment", "scope"):
        return None if label.get(call) is None else value == label[call]
    if education is False:
        stated = False
    elif call == "hot":
        stated = label.get("hot")
    elif call.startswith("topic "):
        topics = label.get("topics")
        stated = None if topics is None else call[len("topic "):] in topics
    else:
        raise ValueError(f"no such call: {call!r}")
    return None if stated is None else bool(value) == bool(stated)


def corrected(c: Classification, label: Mapping) -> Classification:
    """`c` with every field `label` states put over it, and who decided first among its reasons."""
    if not any(label.get(k) is not None for k in FIELDS):
        return c
    fields = merged({k: getattr(c, k) for k in FIELDS}, label)
    return replace(c, **fields, reasons=(CORRECTED_REASON.format(who=label.get("labelled_by") or "cán bộ"), *c.reasons))


def corrected_row(row: Mapping, label: Mapping) -> dict:
    """A stored row (education_rows' fields, with is_education) with every field `label` states put over it."""
    return {**row, **merged(row, label)}


def read_corrected(store, article_ids: Iterable[int]) -> tuple[dict[int, Classification], dict[int, dict]]:
    """The articles' classifications as people read them (their labels put over them), and those labels."""
    classes = store.classifications_for(list(article_ids))
    labels = labels_of(store, classes)
    return apply_corrections(classes, labels), labels


def labels_of(store, article_ids: Iterable[int]) -> dict[int, dict]:
    """The articles' labels (each merged field by field, the latest stating a field deciding it), by article id."""
    return {r["article_id"]: r for r in store.labels(article_ids)}


def apply_corrections(classifications: Mapping[int, Classification], labels: Mapping[int, Mapping]) -> dict[int, Classification]:
    """Each classification with its article's label (if any) put over it."""
    return {aid: corrected(c, labels[aid]) if aid in labels else c for aid, c in classifications.items()}


def learnt_education(label: Mapping, shown_now: bool | None = None) -> bool | None:
    """Whether `monitor train` learns the article of `label` (store.labels' merged label) as education news: what
    the labels state (a plan topic is an education topic); else the education the article was shown with when its
    latest label was written (`shown_education`), or for a label written before that was recorded (None), as it is
    shown now (`shown_now`: its current classification's call). None when not learnt: a label correcting one call
    of an article not shown as education cannot place it."""
    if label.get("is_education") is not None:
        return bool(label["is_education"])
    if label.get("topics"):
        return True
    shown = label.get("shown_education")
    if shown is None:
        shown = shown_now
    return True if shown else None


def learnt_articles(store, labels: list[Mapping]) -> dict[int, bool | None]:
    """learnt_education of each of `labels` (store.labels' merged labels), by article: those written before the shown
    education was recorded are read with the article's current classification, as the listings show it now."""
    unrecorded = [r["article_id"] for r in labels if r.get("shown_education") is None]
    shown = store.classifications_for(unrecorded) if unrecorded else {}
    return {r["article_id"]: learnt_education(r, shown[r["article_id"]].is_education if r["article_id"] in shown else None)
            for r in labels}


def unlearnt_of(store, article_ids: Iterable[int]) -> list[int]:
    """Of the articles, those with labels in force that `monitor train` will not learn (learnt_articles: None),
    in order: labels correcting calls of an article not shown as education, without saying whether it is."""
    merged = store.labels(set(article_ids))
    return sorted(a for a, learnt in learnt_articles(store, merged).items() if learnt is None)


def unlearnt_warning(store, article_ids: Iterable[int]) -> str:
    """What every command that writes or withdraws labels (`monitor label`, `monitor cases open / dismiss`) and
    `monitor labels` say when `monitor train` will not learn some of the articles' labels in force (unlearnt_of):
    which articles, why, and the option that makes them learnt; "" when it learns them all. One wording, so that
    the commands do not drift apart."""
    return unlearnt_words(unlearnt_of(store, article_ids))


def unlearnt_words(ids: Sequence[int]) -> str:
    """unlearnt_warning's sentence for articles already known to be unlearnt (`monitor labels` has read them)."""
    if not ids:
        return ""
    fix = f"monitor label {ids[0]} --education (hoặc --not-education)"
    if len(ids) == 1:
        return (f"nhãn của bài {ids[0]} sẽ không được học khi huấn luyện (`monitor train`): bài không được hiển thị là "
                "tin giáo dục và nhãn không nói bài có về giáo dục hay không; thêm --education hoặc --not-education: "
                f"{fix}. Điểm báo và báo cáo vẫn theo nhãn ngay")
    named = ", ".join(map(str, ids[:10])) + (", …" if len(ids) > 10 else "")
    return (f"nhãn của {len(ids)} bài (bài {named}) sẽ không được học khi huấn luyện (`monitor train`): các bài không "
            "được hiển thị là tin giáo dục và nhãn không nói bài có về giáo dục hay không; thêm --education hoặc "
            f"--not-education cho từng bài, ví dụ: {fix}. Điểm báo và báo cáo vẫn theo nhãn ngay")


def in_force(rows: Iterable[Mapping]) -> list[Mapping]:
    """Of an article's label rows (store.article_labels), those that apply: neither withdrawn nor a withdrawal."""
    return [r for r in rows if r.get("withdraws") is None and r.get("withdrawn_by") is None]


def withdraw_label(app, article_id: int, label_id: int, *, by: str, note: str = "") -> tuple[dict, int]:
    """Withdraw label `label_id` of article `article_id`, written by mistake: a row of its own naming it, with who,
    when and why (`note`), as a case's handling record is withdrawn; the label no longer applies anywhere (the
    clipping, the reports, training, `monitor explain`) and the history keeps both. Returns the withdrawn row and
    the new row's id. An InputError when the number is not one of the article's labels in force."""
    store = app.store
    rows = store.article_labels(article_id)
    row = next((r for r in rows if r["id"] == label_id), None)
    current = in_force(rows)
    listed = "; ".join(f"#{r['id']}" for r in current)
    where = (f"các nhãn còn hiệu lực của bài {article_id}: {listed} (`monitor labels --article {article_id}` "
             "cho biết từng nhãn)") if current else (f"bài {article_id} không còn nhãn nào có hiệu lực" if rows
                                                    else f"bài {article_id} chưa có nhãn nào")
    if row is None:
        other = store.label_rows(label_id=label_id)
        if other:
            raise InputError(f"nhãn #{label_id} là của bài {other[0]['article_id']}, không phải bài {article_id}",
                             hint=f"monitor label {other[0]['article_id']} --withdraw {label_id}")
        raise InputError(f"không có nhãn số {label_id}", hint=where)
    if row["withdraws"] is not None:
        raise InputError(f"#{label_id} là một lần rút lại nhãn #{row['withdraws']}, không phải một nhãn: không rút lại "
                         "được", hint=f"nếu nhãn #{row['withdraws']} vẫn đúng, ghi lại các trường của nó bằng "
                                      f"`monitor label {article_id} ...`")
    if row["withdrawn_by"] is not None:
        gone = next(r for r in rows if r["id"] == row["withdrawn_by"])
        raise InputError(f"nhãn #{label_id} đã được rút lại (#{gone['id']}, bởi {gone['labelled_by']})", hint=where)
    withdrawal = store.withdraw_label(label_id, by=by, at=app.now(), note=note)
    return row, withdrawal
