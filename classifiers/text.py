"""The one adapter around Vietnamese text handling: normalisation, folding, syllables, and underthesea.

Everything the classifier matches or vectorises goes through `normalize` (NFC, one tone-mark placement,
lowercase) so that "Hoà Bình", "HÒA BÌNH" and an NFD "hòa bình" are the same string, and through `fold`
(diacritics removed, đ→d) when a text was typed without diacritics. underthesea's word segmentation is
available through `segment`, loaded lazily and warmed explicitly with `warm_segmenter()`: it is never
touched at import, because it is slow to load and the fast path (syllable n-grams) does not need it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Old-style tone placement puts the mark on the second vowel of the open clusters oa, oe, uy ("hoà",
# "thuỷ"); the project's one placement puts it on the first ("hòa", "thủy"), so both spellings of one
# word compare equal. Only open syllables move: "hoàn", "khuyến" keep their mark where it is, and "qu"
# is a consonant, so "quý" is left alone.
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # huyền, sắc, ngã, hỏi, nặng


def _retone_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for first, second in (("o", "a"), ("o", "e"), ("u", "y")):
        for tone in _TONES:
            for upper1 in (False, True):
                for upper2 in (False, True):
                    a = first.upper() if upper1 else first
                    b = second.upper() if upper2 else second
                    old = a + unicodedata.normalize("NFC", b + tone)
                    new = unicodedata.normalize("NFC", a + tone) + b
                    table[old] = new
    return table


_RETONE = _retone_table()
# One character class instead of an alternation of every pair: the scan is the hot path of the stage.
_RETONE_RE = re.compile(
    r"(?<![qQ])[oOuU][" + "".join(sorted({k[1] for k in _RETONE})) + r"](?![^\W\d_])"
)


def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {ord("đ"): "d", ord("Đ"): "D"}
    for cp in range(0x00C0, 0x1F00):
        ch = chr(cp)
        base = unicodedata.normalize("NFD", ch)[0]
        if base != ch and base.isascii() and base.isalpha():
            table[cp] = base
    return table


_FOLD = _fold_table()
_SYLLABLE = re.compile(r"[^\W_]+", re.UNICODE)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


def retone(text: str) -> str:
    """Move old-style tone marks (hoà, thuỷ) to the project's placement (hòa, thủy)."""
    return _RETONE_RE.sub(lambda m: _RETONE.get(m.group(0), m.group(0)), text)


def normalize(text: str) -> str:
    """NFC + one tone-mark placement + lowercase: the form everything is matched and vectorised on."""
    return retone(nfc(text)).lower()


def fold(text: str) -> str:
    """Diacritics removed and đ→d (on already-normalised text): 'Giáo dục Đà Nẵng' → 'Giao duc Da Nang'."""
    return text.translate(_FOLD)


def ascii_fold(text: str) -> str:
    """Lower case, diacritics and any other non-ASCII character dropped, đ→d, for any input form.

    NFD splits every base letter from its marks whatever the input's normal form or tone placement,
    so no normalisation is needed first (the digest and story grouping compare raw article text).
    """
    t = unicodedata.normalize("NFD", (text or "").lower().replace("đ", "d"))
    return t.encode("ascii", "ignore").decode("ascii")


def syllables(text: str) -> list[str]:
    """Vietnamese syllables / words of a normalised text (punctuation dropped, numbers kept)."""
    return _SYLLABLE.findall(text)


_MARKED = re.compile(r"[\u00c0-\u024f\u1ea0-\u1ef9]")  # Latin letters with diacritics, incl. Vietnamese


def has_diacritics(text: str, min_share: float = 0.02) -> bool:
    """Whether a text is written with diacritics (so diacritic-sensitive matching is safe).

    In Vietnamese prose well over a tenth of the characters carry a mark; a text typed without them (or
    a URL slug) has none. A small share tolerates a few foreign names in an otherwise unmarked text.
    """
    if not text:
        return False
    return len(_MARKED.findall(text)) / len(text) >= min_share


# --------------------------------------------------------------------------- underthesea (slow path)

@lru_cache(maxsize=1)
def _underthesea():
    try:
        from underthesea import sent_tokenize, text_normalize, word_tokenize
    except ImportError as exc:  # pragma: no cover - underthesea is a declared dependency
        from monitor.errors import ModelError

        raise ModelError(f"underthesea cannot be imported ({exc})", hint="pip install -e . in the project venv") from None
    return word_tokenize, sent_tokenize, text_normalize


def warm_segmenter() -> None:
    """Load underthesea's segmentation model now (it is lazy and takes a second or two)."""
    word_tokenize, _, _ = _underthesea()
    word_tokenize("Học sinh đến trường.")


def segment(text: str) -> list[str]:
    """underthesea word segmentation: multi-syllable words joined by '_' ('học_sinh')."""
    word_tokenize, _, _ = _underthesea()
    return [w.replace(" ", "_") for w in word_tokenize(nfc(text))]


def sentences(text: str) -> list[str]:
    _, sent_tokenize, _ = _underthesea()
    return sent_tokenize(nfc(text))
