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
`reclassify`, `review` and `explain` read the model's calls as they are. `monitor articles` and `search`
list what the clipping reads, a corrected article marked ✎; `monitor export` writes it too, with who corrected an
article and the model's own call beside it.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Iterable, Mapping

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
