"""Hot categories of classifications and stories stored before they were kept as data (migration 0072).

Since 0072 the classifier's hot rule groups travel as `Classification.hot_categories` and are stored with each
classification and each story's score. A row written before has only its reasons, whose "nóng 0.93: bạo lực,
xâm hại (bị đánh (title)); tin sai sự thật (bịa đặt (body))" line was what the report, the cases and the
clipping read; this reads it once more, for those rows alone, so a store upgraded from then reports them as it
did. Nothing else parses the wording of a reason: a changed wording changes only what old rows can tell.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

from classifiers.rules import load_rules
from classifiers.types import BY_THE_MODEL, HotCategory

_HOT_LINE = re.compile(r"^nóng\s+\d(?:\.\d+)?\s*:\s*(.*)$")
_PARENS = re.compile(r"\([^()]*\)")


@lru_cache(maxsize=1)
def _shipped_ids() -> dict[str, str]:
    """Name -> id of the shipped rules' hot groups: an old reason named its categories only."""
    return {g.name: g.id for g in load_rules().hot}


def categories_from_reasons(reasons: Iterable[str]) -> tuple[HotCategory, ...] | None:
    """The hot categories an old row's reasons name, each once, in order: None when no reason is a hot judgement,
    () when the learnt model alone made them. A name the shipped rules do not have (an office's own rules) keeps
    an empty id."""
    found: list[HotCategory] | None = None
    for reason in reasons:
        m = _HOT_LINE.match(" ".join(str(reason).split()))
        if not m:
            continue
        found = found if found is not None else []
        rest = m.group(1)
        while _PARENS.search(rest):
            rest = _PARENS.sub("", rest)
        for name in (part.strip(" ,") for part in rest.split(";")):
            if name and name != BY_THE_MODEL and all(c.name != name for c in found):
                found.append(HotCategory(_shipped_ids().get(name, ""), name))
    return None if found is None else tuple(found)
