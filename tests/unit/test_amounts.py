"""Amounts as workers type them."""

from __future__ import annotations

import pytest

from knowledge.amounts import parse_amount


@pytest.mark.parametrize(
    ("typed", "yuan"),
    [
        ("16000", 16000),
        ("16,000元", 16000),
        ("1.6万", 16000),
        ("一万六千多", 16000),
        ("一万六", 16000),
        ("一点六万", 16000),
        ("1万2", 12000),
        ("3千5", 3500),
        ("两千块", 2000),
        ("二十三万四千五百", 234500),
        ("一千零五十", 1050),
        ("大概两万左右", 20000),
        ("8k", 8000),
        ("5w", 50000),
    ],
)
def test_amounts_people_write(typed: str, yuan: int) -> None:
    assert parse_amount(typed) == yuan


@pytest.mark.parametrize("typed", ["", "不知道", "三个月工资", "abc", "①②", "²", "1" * 12])
def test_what_is_not_an_amount(typed: str) -> None:
    assert parse_amount(typed) is None
