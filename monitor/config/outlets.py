"""One outlet however a feed or a page names it: by a host of its site, a domain feeds.yaml gives it, or any
spelling of its name."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from typing import TYPE_CHECKING

from classifiers.text import ascii_fold, retone

if TYPE_CHECKING:  # only named in an annotation: monitor.config.model imports this module
    from monitor.config.model import Config


def outlet_matching(outlets, host: str):
    """The outlet whose domain is `host` or a parent of it (m.vnexpress.net -> vnexpress.net), never a mere
    suffix (notvnexpress.net is not VnExpress)."""
    host = host.lower().removeprefix("www.")
    for o in outlets:
        for d in o.domains:
            d = d.lower().removeprefix("www.")
            if host == d or host.endswith("." + d):
                return o
    return None


# How a masthead is written around the outlet's own name: "Báo VnExpress", "Tuổi Trẻ Online", "Báo điện tử Dân trí"
_MASTHEAD_BEFORE = ("bao dien tu ", "bao ")
_MASTHEAD_AFTER = (" online", " dien tu")
HOST_FORM = re.compile(r"(?:https?://)?(?:www\.)?([a-z0-9-]+(?:\.[a-z0-9-]+)+)(?::\d+)?(?:/\S*)?")
_PUBLIC_SUFFIXES = ("com.vn", "net.vn", "org.vn", "edu.vn", "gov.vn", "info.vn", "vn", "net", "com", "org", "info")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def outlet_key(name: str) -> str:
    """What stays of an outlet's name however a feed writes it: whatever its normal form, tone placement, case and
    marks, "Báo …", "… Online" and its site's host ("vnexpress.net", "https://tuoitre.vn/") all give one key."""
    folded = ascii_fold(name or "").strip()
    host = HOST_FORM.fullmatch(folded)
    if host:
        labels = host.group(1)
        for suffix in _PUBLIC_SUFFIXES:
            if labels.endswith("." + suffix):
                labels = labels[:-len(suffix) - 1]
                break
        return labels.replace(".", "").replace("-", "")
    words = " ".join(_NOT_ALNUM.sub(" ", folded).split())
    for before in _MASTHEAD_BEFORE:
        if words.startswith(before) and len(words) > len(before):
            words = words[len(before):]
            break
    for after in _MASTHEAD_AFTER:
        if words.endswith(after) and len(words) > len(after):
            words = words[:-len(after)]
            break
    return words.replace(" ", "")


class OutletNames:
    """Each outlet under one name, however the feeds that brought its articles spelt it: the display name of
    feeds.yaml's outlet when its key (outlet_key) is a configured outlet's name or domain, else the first spelling
    met (NFC, one tone placement). Applied where articles are read rather than where they are stored, so the rows
    kept before an outlet was configured or renamed count right too; one instance per clipping, report or story,
    so that the spellings of an outlet feeds.yaml does not list fall together as well."""

    def __init__(self, config: "Config | None" = None) -> None:
        self.config = config
        self._by_key: dict[str, str] = {}
        self._by_raw: dict[str, str] = {}

    def __call__(self, name: str) -> str:
        if not name:
            return name
        known = self._by_raw.get(name)
        if known is None:
            key = outlet_key(name) or name
            known = self._by_key.get(key)
            if known is None:
                outlet = self.config.outlet(name) if self.config is not None else None
                known = outlet.name if outlet is not None else retone(" ".join(unicodedata.normalize("NFC", name).split()))
                self._by_key[key] = known
            self._by_raw[name] = known
        return known

    def unique(self, names) -> tuple[str, ...]:
        """The outlets named, each once, in their first order."""
        return tuple(dict.fromkeys(self(n) for n in names if n))

    def stories(self, *maps: dict) -> tuple[dict, ...]:
        """Each map (anything -> monitor.models.Story) with its stories' outlets named once (unique); a story
        several maps or keys share stays one object across them."""
        named: dict[int, object] = {}
        for m in maps:
            for s in m.values():
                if id(s) not in named:
                    named[id(s)] = replace(s, outlets=self.unique(s.outlets))
        return tuple({k: named[id(s)] for k, s in m.items()} for m in maps)
