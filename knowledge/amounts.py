"""Amounts of money as workers write them: 16000, 1.6万, 一万六千多, 一万六, 3千5, 两千块.

`parse_amount` returns whole yuan, or None when the text is not an amount. "多"/"左右"/"来"
(about) are accepted and ignored: the intake asks for a rough figure.
"""

from __future__ import annotations

import re

_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "两": 2, "贰": 2, "三": 3, "叁": 3,
    "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8,
    "捌": 8, "九": 9, "玖": 9,
}  # fmt: skip
_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000, "k": 1000}
_BIG = {"万": 10_000, "w": 10_000, "亿": 100_000_000}
_NOISE = re.compile(
    r"[\s,，、]|人民币|大概|大约|差不多|将近|快|约|rmb|元钱|块钱|元|块|钱|多|左右|来|几|余"
)
MAX_AMOUNT = 999_999_999


def parse_amount(text: str) -> int | None:
    """Whole yuan in `text`, or None if it is not (only) an amount."""
    cleaned = _NOISE.sub("", text.strip().lower().replace("ｗ", "w").replace("ｋ", "k"))
    if not cleaned:
        return None
    if re.fullmatch(r"\d+(?:\.\d+)?", cleaned):
        value = float(cleaned)
        return int(value) if value <= MAX_AMOUNT else None
    total = _parse_mixed(cleaned)
    if total is None or total <= 0 or total > MAX_AMOUNT:
        return None
    return int(total)


def _parse_mixed(text: str) -> float | None:
    """Numerals with units: 1.6万, 一万六千, 一万六 (= 16000), 3千5 (= 3500), 十二万."""
    total = 0.0
    section = 0.0  # below 万
    number: float | None = None
    last_unit: int | None = None
    i = 0
    while i < len(text):
        ch = text[i]
        digits = re.match(r"\d+(?:\.\d+)?", text[i:])
        if digits:
            number = float(digits.group())
            i += len(digits.group())
            continue
        if ch in _DIGITS:
            if number is not None and last_unit is None:
                number = number * 10 + _DIGITS[ch]  # 一六 written digit by digit
            else:
                number = float(_DIGITS[ch])
            i += 1
            continue
        if ch in ("点", "."):
            # 一点六万 = 1.6万
            rest = re.match(r"[点.]([零〇一二两三四五六七八九\d]+)", text[i:])
            if rest is None or number is None:
                return None
            fraction = "".join(str(_DIGITS.get(c, c)) for c in rest.group(1))
            number = float(f"{int(number)}.{fraction}")
            i += len(rest.group())
            continue
        if ch in _UNITS:
            unit = _UNITS[ch]
            section += (number if number is not None else 1) * unit
            number, last_unit = None, unit
            i += 1
            continue
        if ch in _BIG:
            unit = _BIG[ch]
            total += (section + (number or 0)) * unit
            section, number, last_unit = 0.0, None, unit
            i += 1
            continue
        return None
    if number is not None:
        # A trailing digit after a unit is one step below it: 一万六 = 16000, 3千5 = 3500.
        if last_unit is not None and number < 10 and number == int(number):
            section += number * last_unit / 10
        else:
            section += number
    return total + section
