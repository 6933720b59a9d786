"""Text normalisation and segmentation for colloquial Chinese worker questions.

Both the knowledge-base phrasings and incoming questions go through the same steps, so that
full-width digits, traditional characters, pinyin-input typos and slang meet the entries'
vocabulary: NFKC (full width to half width) -> traditional to simplified -> lower case ->
punctuation, emoji and spaces removed -> typo fixes -> slang and synonym map. Segmentation
then yields jieba words (with a labour-law user dictionary) plus CJK character bigrams, which
keep retrieval working where jieba splits a phrase badly.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import jieba
import opencc
import yaml

logger = logging.getLogger(__name__)

LEXICON_PATH = Path(__file__).resolve().parent / "lexicon.yaml"

# Everything that is not a letter, a digit or a CJK ideograph goes (punctuation, emoji, spaces).
_NOISE = re.compile(r"[^0-9a-z\u4e00-\u9fff\u3400-\u4dbf]+")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]+")

_t2s_lock = threading.Lock()
_t2s: opencc.OpenCC | None = None


def to_simplified(text: str) -> str:
    """Traditional to simplified Chinese (OpenCC t2s)."""
    global _t2s
    with _t2s_lock:
        if _t2s is None:
            _t2s = opencc.OpenCC("t2s")
        return _t2s.convert(text)


def clean(text: str) -> str:
    """NFKC, simplified, lower case, noise removed; no dictionary rewriting."""
    text = unicodedata.normalize("NFKC", text)
    text = to_simplified(text).lower()
    return _NOISE.sub("", text)


@dataclass(frozen=True)
class Lexicon:
    """Typo fixes, slang/synonym rewrites, extra segmentation words and stop words."""

    typos: Mapping[str, str] = field(default_factory=dict)
    synonyms: Mapping[str, str] = field(default_factory=dict)
    words: tuple[str, ...] = ()
    stopwords: frozenset[str] = frozenset()

    @classmethod
    def load(cls, path: Path = LEXICON_PATH) -> Lexicon:
        """Read `lexicon.yaml`: `synonyms` maps a canonical term to its variants."""
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        synonyms: dict[str, str] = {}
        for canonical, variants in (data.get("synonyms") or {}).items():
            for variant in variants or []:
                synonyms[clean(str(variant))] = clean(str(canonical))
        typos = {clean(str(k)): clean(str(v)) for k, v in (data.get("typos") or {}).items()}
        words = tuple(str(w) for w in data.get("words") or [])
        stop = frozenset(str(w) for w in data.get("stopwords") or [])
        return cls(typos=typos, synonyms=synonyms, words=words, stopwords=stop)


def _replacer(mapping: Mapping[str, str]) -> tuple[re.Pattern[str] | None, Mapping[str, str]]:
    if not mapping:
        return None, mapping
    # Longest variants first so that 炒鱿鱼 wins over 鱿鱼; canonical terms map to themselves,
    # so that 农民工 is not rewritten from inside (民工 -> 农民工 would give 农农民工).
    full = {**{v: v for v in mapping.values() if v}, **mapping}
    keys = sorted((k for k in full if k), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, keys))), full


class Normalizer:
    """Normalises and segments text with one lexicon; safe to share between tasks."""

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self.lexicon = lexicon or Lexicon.load()
        self._typo_re, self._typos = _replacer(self.lexicon.typos)
        self._syn_re, self._syns = _replacer(self.lexicon.synonyms)
        jieba.setLogLevel(logging.WARNING)  # it logs dictionary loading at DEBUG to stderr
        self._tokenizer = jieba.Tokenizer()
        self._tokenizer.initialize()
        for word in self.lexicon.words:
            self._tokenizer.add_word(clean(word), freq=20000)
        for canonical in set(self._syns.values()):
            self._tokenizer.add_word(canonical, freq=20000)
        self._lock = threading.Lock()

    def domain_terms(self) -> frozenset[str]:
        """Labour-law vocabulary: the lexicon's extra words and canonical synonym targets."""
        return frozenset({clean(w) for w in self.lexicon.words} | set(self._syns.values()))

    def normalize(self, text: str) -> str:
        """Cleaned text with typos fixed and slang rewritten to the canonical terms."""
        text = clean(text)
        if self._typo_re is not None:
            text = self._typo_re.sub(lambda m: self._typos[m.group(0)], text)
        if self._syn_re is not None:
            text = self._syn_re.sub(lambda m: self._syns[m.group(0)], text)
        return text

    def words(self, normalized: str) -> list[str]:
        """jieba words of already normalised text, stop words removed."""
        with self._lock:  # jieba's Tokenizer is not documented as thread-safe
            pieces = self._tokenizer.lcut(normalized, HMM=False)
        stop = self.lexicon.stopwords
        return [p for p in pieces if p and p not in stop]

    def tokens(self, normalized: str) -> list[str]:
        """Retrieval tokens: words plus CJK character bigrams (prefixed with '~')."""
        out = self.words(normalized)
        out.extend(_bigrams(normalized))
        return out


def _bigrams(text: str) -> Iterable[str]:
    for run in _CJK_RUN.findall(text):
        for i in range(len(run) - 1):
            yield "~" + run[i : i + 2]
