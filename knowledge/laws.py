"""Statute texts read from LAWS_DIR: article lookup and citation checks.

Files are `<short name>.md`; articles start a line with `第…条` in Chinese numerals, with
`之一` style suffixes (刑法 第二百七十六条之一 is cited as article "276-1"); the header ends
at `<!-- INFO END -->`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_SUFFIX = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}

_ARTICLE = re.compile(
    r"^第([零〇一二两三四五六七八九十百千]+)条(?:之([一二三四五六七八九]))?(?:\s|$)"
)
_CHAPTER = re.compile(r"^#+\s")


def chinese_to_int(numeral: str) -> int:
    """二百七十六 -> 276, 十二 -> 12; raises ValueError on anything else."""
    total, current = 0, 0
    for ch in numeral:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        elif ch in _UNITS:
            total += (current or 1) * _UNITS[ch]
            current = 0
        else:
            raise ValueError(numeral)
    return total + current


def int_to_chinese(number: int) -> str:
    """276 -> 二百七十六, 12 -> 十二, 105 -> 一百零五 (1..9999)."""
    if not 0 < number < 10000:
        raise ValueError(number)
    names = "零一二三四五六七八九"
    out: list[str] = []
    zero = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = number // value % 10
        if digit:
            if zero and out:
                out.append("零")
            out.append(names[digit] + unit)
            zero = False
        elif out:
            zero = True
    text = "".join(out)
    return text[1:] if text.startswith("一十") else text


def article_heading(article: str) -> str:
    """ "276-1" -> 第二百七十六条之一."""
    main, _, suffix = article.partition("-")
    heading = f"第{int_to_chinese(int(main))}条"
    if suffix:
        heading += "之" + "零一二三四五六七八九"[int(suffix)]
    return heading


@dataclass(frozen=True)
class Article:
    law: str
    article: str
    heading: str
    text: str


class LawLibrary:
    """All statutes in one directory, parsed on first use of each law."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._cache: dict[str, dict[str, Article]] = {}

    @property
    def available(self) -> bool:
        return self.directory.is_dir() and any(self.directory.glob("*.md"))

    def law_names(self) -> list[str]:
        if not self.directory.is_dir():
            return []
        return sorted(p.stem for p in self.directory.glob("*.md") if p.stem != "README")

    def articles(self, law: str) -> dict[str, Article]:
        """Every article of `law` keyed "82" / "276-1"; empty if the law is unknown."""
        if law not in self._cache:
            path = self.directory / f"{law}.md"
            if "/" in law or not path.is_file():
                return {}
            self._cache[law] = _parse(law, path.read_text(encoding="utf-8"))
        return self._cache[law]

    def get(self, law: str, article: str) -> Article | None:
        return self.articles(law).get(str(article).strip())

    def exists(self, law: str, article: str) -> bool:
        return self.get(law, article) is not None

    def resolve_law(self, name: str) -> str | None:
        """Map what a user typed (中华人民共和国劳动合同法, 《劳动法》) to a short name."""
        name = name.strip().strip("《》<>").removeprefix("中华人民共和国")
        names = self.law_names()
        if name in names:
            return name
        candidates = [n for n in names if name and (name in n or n in name)]
        return min(candidates, key=lambda n: abs(len(n) - len(name))) if candidates else None


def parse_article_ref(text: str) -> str | None:
    """ "82", "第82条", "第八十二条", "276之一", "276-1" -> canonical "82" / "276-1"."""
    text = text.strip().removeprefix("第").removesuffix("条").replace("条之", "之")
    main, sep, suffix = text.replace("之", "-").partition("-")
    try:
        number = int(main) if main.isascii() and main.isdecimal() else chinese_to_int(main)
    except ValueError:
        return None
    if number <= 0:
        return None
    if not sep:
        return str(number)
    if suffix.isascii() and suffix.isdecimal():
        return f"{number}-{int(suffix)}"
    return f"{number}-{_SUFFIX[suffix]}" if suffix in _SUFFIX else None


def _parse(law: str, text: str) -> dict[str, Article]:
    _, marker, body = text.partition("<!-- INFO END -->")
    lines = (body if marker else text).splitlines()
    articles: dict[str, Article] = {}
    key: str | None = None
    heading = ""
    buffer: list[str] = []

    def flush() -> None:
        if key is not None and key not in articles:
            articles[key] = Article(law, key, heading, "\n".join(buffer).strip())

    for line in lines:
        found = _ARTICLE.match(line)
        if found:
            flush()
            number = chinese_to_int(found.group(1))
            key = str(number) if not found.group(2) else f"{number}-{_SUFFIX[found.group(2)]}"
            heading = line[: found.end()].strip()
            buffer = [line.strip()]
        elif _CHAPTER.match(line):
            flush()
            key = None
            buffer = []
        elif key is not None:
            buffer.append(line.rstrip())
    flush()
    return articles
