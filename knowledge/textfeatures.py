"""Model input text: two views of one message, so that learned models see past typing styles.

- the normalised characters (NFKC, traditional to simplified, lower case, noise removed, the
  lexicon's typo and slang map), for character n-grams;
- a toneless pinyin transliteration of the same text, so that the homophone errors of voice
  input (工姿 / 工资, 和同 / 合同) and questions typed in pinyin meet the same features.

The transliteration takes each ideograph's first reading from pypinyin's table through one
`str.translate`, so it costs microseconds even on a long story.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from knowledge.normalize import Normalizer

_TONES = str.maketrans(
    "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ",
    "aaaaeeeeiiiioooouuuuvvvvvnnnm",
)
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
# Stories longer than this are cut before featurising: the head and the tail carry the
# question; a 3,000-character message would otherwise cost milliseconds for nothing.
MAX_MODEL_CHARS = 1200


@functools.cache
def _pinyin_table() -> dict[int, str]:
    from pypinyin.pinyin_dict import pinyin_dict

    table: dict[int, str] = {}
    for code, readings in pinyin_dict.items():
        first = readings.split(",")[0].strip()
        plain = unicodedata.normalize("NFC", first).translate(_TONES)
        plain = _NON_ALNUM.sub("", plain.lower())
        if plain:
            table[code] = plain + " "
    return table


def to_pinyin(normalized: str) -> str:
    """Toneless pinyin of every ideograph, one syllable per ideograph; other text kept."""
    return normalized.translate(_pinyin_table()).replace(" ", "")


def clip(text: str, limit: int = MAX_MODEL_CHARS) -> str:
    """The head and the tail of an overlong text (the question is usually at the end)."""
    if len(text) <= limit:
        return text
    head = limit // 3
    return text[:head] + text[-(limit - head) :]


def model_views(normalizer: Normalizer, text: str) -> tuple[str, str]:
    """(normalised characters, pinyin) for one raw message."""
    normalized = normalizer.normalize(clip(text))
    return normalized, to_pinyin(normalized)
