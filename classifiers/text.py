"""The one adapter around Vietnamese text handling: normalisation, folding, syllables, and underthesea.

Everything the classifier matches or vectorises goes through `normalize` (NFC, one tone-mark placement,
lowercase) so that "Hoà Bình", "HÒA BÌNH" and an NFD "hòa bình" are the same string, and through `fold`
(diacritics removed, đ→d) when a text was typed without diacritics. underthesea's word segmentation is
available through `segment`, loaded lazily and warmed explicitly with `warm_segmenter()`: it is never
touched at import, because it is slow to load and the fast path (syllable n-grams) does not need it.
"""

from __future__ import annotations

import html
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
# One character class instead of an alternation of every pair: the scan is the hot path of the stage. The
# pattern starts with the class of o/u and checks the "q" before it afterwards: led by the lookbehind, `re` tried a
# match at every character (three times slower).
_RETONE_RE = re.compile(
    r"[oOuU](?<![qQ][oOuU])[" + "".join(sorted({k[1] for k in _RETONE})) + r"](?![^\W\d_])"
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


# Characters that render as nothing but split a syllable for the matcher and the model ("si\u200bnh" would
# be two tokens): zero-width space/non-joiner/joiner, left-to-right/right-to-left marks, word joiner,
# soft hyphen and the BOM. CMS editors and copy-paste leave them inside words, never as the only separator.
# (a regex, not str.translate: translating every character of every text cost a tenth of classify's time)
_INVISIBLE = re.compile("[\u200b-\u200f\u2060\u00ad\ufeff]")
_INVISIBLE_CHARS = "\u200b\u200c\u200d\u200e\u200f\u2060\u00ad\ufeff"
# An HTML character reference that survived extraction ("Trường&nbsp;THCS", "&#7857;"): only the complete,
# semicolon-terminated form, so "GD&ĐT" or "R&D" are left alone.
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def _unescape(m: re.Match) -> str:
    return html.unescape(m.group(0))


def nfc(text: str) -> str:
    """NFC, with leftover HTML character references decoded and invisible in-word characters removed.

    This is the first step of every path that matches or vectorises text (`normalize`, rules.prepare),
    so the rules and the model see the same cleaned string."""
    text = text or ""
    if "&" in text:
        # twice: feeds double-escape ("&amp;nbsp;"), and a second pass cannot create a third level
        text = _ENTITY.sub(_unescape, _ENTITY.sub(_unescape, text))
    if _INVISIBLE.search(text):
        text = _INVISIBLE.sub("", text)
    return unicodedata.normalize("NFC", text)


def nfc_already(text: str) -> bool:
    """Whether nfc(text) is `text` itself: no character reference to decode, no invisible character, already NFC
    (search tells most texts without a word apart on the text as stored, without normalising them)."""
    # a scan for each invisible character: six times faster than _INVISIBLE's class over a text that has none
    return ("&" not in text and not any(c in text for c in _INVISIBLE_CHARS)
            and unicodedata.is_normalized("NFC", text))


# each pair of letters retone moves a tone mark within, in lower case, as retone writes it and as it was written
# ("òa": "oà")
OLD_TONE_PAIRS = {new: old for old, new in _RETONE.items() if old == old.lower()}


def retone(text: str) -> str:
    """Move old-style tone marks (hoà, thuỷ) to the project's placement (hòa, thủy)."""
    return _RETONE_RE.sub(lambda m: _RETONE.get(m.group(0), m.group(0)), text)


def normalize(text: str) -> str:
    """NFC + one tone-mark placement + lowercase: the form everything is matched and vectorised on."""
    return retone(nfc(text)).lower()


def fold(text: str) -> str:
    """Diacritics removed and đ→d (on already-normalised text): 'Giáo dục Đà Nẵng' → 'Giao duc Da Nang'."""
    return text.translate(_FOLD)


# The shape of a Vietnamese syllable once folded: initial consonant, one to three vowels, final consonant.
# A word of that shape, folded, could be any of its marked spellings ("tat": tát, tất, tạt, tắt); a word of
# another shape ("covid", "ielts", "Singapore", "2030") is the same word with or without diacritics.
_VIET_SYLLABLE = re.compile(r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ng|nh|ch|[cmnpt])?")


def vietnamese_shaped(syllable: str) -> bool:
    """Whether a syllable, folded, has the shape of a Vietnamese syllable (so folding may have merged words)."""
    return _VIET_SYLLABLE.fullmatch(fold(syllable.lower())) is not None


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


# Share of a text's syllables that carry a mark (any non-ASCII letter: tone, â/ê/ô/ơ/ư/ă, đ) from which
# it counts as written with diacritics. Counted per syllable, not per character, so that one accented
# name ("… trai quy dinh o Hà Nội": 2 of 14 syllables) does not make an unmarked text "accented". In
# Vietnamese prose most syllables are marked (no hand-labelled field has under a third); headlines heavy
# with foreign names ("Nên mua iPhone Air hay iPhone 17?") dip to a tenth or two, and for them matching
# as unmarked text loses only one-syllable terms written without marks.
ACCENTED_SHARE = 0.25


def has_diacritics(text: str, min_share: float = ACCENTED_SHARE) -> bool:
    """Whether a text is written with diacritics, so that its unmarked syllables can be trusted as unmarked
    words ("thi" is "thi", not "thì"). Numbers do not count either way."""
    return marked_share(syllables(text or "")) >= min_share


def marked_share(syls: list[str]) -> float:
    """Share of the (non-numeric) syllables with a mark; a syllable is letters and digits only, so any
    non-ASCII character in it is a diacritic or đ."""
    # counted by C-level maps: this runs on every field of every article
    words = len(syls) - sum(map(str.isdigit, syls))
    return (len(syls) - sum(map(str.isascii, syls))) / words if words else 0.0


# --------------------------------------------------------------------------- underthesea (slow path)

@lru_cache(maxsize=1)
def _underthesea():
    try:
        from underthesea import sent_tokenize, text_normalize, word_tokenize
    except ImportError as exc:  # pragma: no cover - underthesea is a declared dependency
        from monitor.errors import ModelError

        raise ModelError(f"không nạp được thư viện underthesea ({exc})", hint="chạy pip install -e . trong venv của dự án") from None
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
