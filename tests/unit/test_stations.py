"""Routing over the sample directory: locations, typed places, typos, the tree."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.eligibility import precheck
from knowledge.stations import STATIONS_PATH, Directory, StationError, haversine_km, load_file

DIRECTORY = Directory(load_file(STATIONS_PATH))


def test_sample_directory_is_a_valid_tree_marked_as_sample() -> None:
    stations = load_file(STATIONS_PATH)
    assert all(s.sample for s in stations)
    assert {r.city for r in DIRECTORY.roots()} == {"苏州市", "平顶山市"}
    assert {s.level for s in stations} == {"centre", "station", "point"}


def test_great_circle_distance() -> None:
    # Suzhou to Pingdingshan is roughly 750 km as the crow flies.
    assert 650 < haversine_km(31.30, 120.62, 33.74, 113.30) < 800
    assert haversine_km(31.3, 120.6, 31.3, 120.6) == 0


def test_a_location_goes_to_the_nearest_station() -> None:
    station = DIRECTORY.get("SZ-KS-HQ")
    assert station is not None
    nearest = DIRECTORY.nearest(station.latitude + 0.01, station.longitude, limit=3)
    assert nearest[0].station.code == "SZ-KS-HQ"
    assert nearest[0].distance_km < 2
    assert [n.distance_km for n in nearest] == sorted(n.distance_km for n in nearest)


def test_nearest_respects_the_category() -> None:
    point = next(s for s in DIRECTORY.stations if s.level == "point")
    found = DIRECTORY.nearest(point.latitude, point.longitude, category="injury", limit=1)
    assert found[0].station.handles("injury")
    assert found[0].station.code != point.code


@pytest.mark.parametrize(
    ("typed", "code", "sure"),
    [
        ("我在昆山花桥上班", "SZ-KS-HQ", True),
        ("汝州", "PDS-RZ", True),
        ("鲁山县下汤", "PDS-LS-XT", True),
        ("姑酥区", "SZ-GS", False),  # homophone typo: confirm first
        ("盛则镇", "SZ-WJ-SZ", False),
        ("木读镇", "SZ-WZ-MD", False),
    ],
)
def test_typed_places_and_typos(typed: str, code: str, sure: bool) -> None:
    match = DIRECTORY.match_place(typed)
    assert match is not None
    assert match.station.code == code
    assert match.sure is sure


@pytest.mark.parametrize("typed", ["北京朝阳区", "离婚", "a", ""])
def test_unknown_places_are_not_guessed(typed: str) -> None:
    assert DIRECTORY.match_place(typed) is None


def test_a_point_that_cannot_take_the_category_falls_back_up_the_tree() -> None:
    point = next(s for s in DIRECTORY.stations if s.level == "point")
    assert not point.handles("injury")
    routed = DIRECTORY.for_category(point, "injury")
    assert routed.handles("injury")
    assert DIRECTORY._is_below(point, routed)


def test_urgent_cases_know_the_centre_above() -> None:
    town = DIRECTORY.get("SZ-KS-HQ")
    assert town is not None
    centre = DIRECTORY.centre_above(town)
    assert centre is not None and centre.code == "SZ-KS"
    assert DIRECTORY.centre_above(DIRECTORY.get("SZ")) is None


def test_csv_import_validates_rows(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text(
        "code,name,level,parent,city,district,address,phone,hours,lat,lon,serves,aliases,"
        "categories\n"
        "HZ,杭州市总工会法律援助中心,centre,,杭州市,,杭州市某路1号,0571-12351,周一至周五,"
        "30.27,120.15,杭州;上城区,,\n"
        "HZ-XS,萧山区法律援助站,station,HZ,杭州市,萧山区,萧山区某路,0571-12351,工作日,"
        "30.16,120.26,萧山;瓜沥镇,,wage;contract\n",
        encoding="utf-8",
    )
    stations = load_file(good)
    assert [s.code for s in stations] == ["HZ", "HZ-XS"]
    assert stations[1].categories == ("wage", "contract")
    bad = tmp_path / "bad.csv"
    bad.write_text(
        good.read_text(encoding="utf-8").replace(",HZ,杭州市,萧山区", ",NOPE,杭州市,萧山区"),
        encoding="utf-8",
    )
    with pytest.raises(StationError, match="parent NOPE"):
        load_file(bad)


def test_eligibility_for_a_migrant_workers_wage_claim() -> None:
    result = precheck("wage", migrant_worker=True)
    assert result.likely and result.hardship_check_waived
    assert ("法律援助法", "42") in result.citations
    assert any("第31条" in r for r in result.reasons)


def test_eligibility_outside_article_31_is_explained() -> None:
    result = precheck("hours", migrant_worker=False)
    assert not result.likely and not result.hardship_check_waived
    assert any("咨询和调解" in r for r in result.reasons)


def test_eligibility_citations_exist(laws_dir: Path) -> None:
    from knowledge.laws import LawLibrary

    laws = LawLibrary(laws_dir)
    for category in ("wage", "injury", "social_insurance", "hours"):
        for law, article in precheck(
            category, migrant_worker=True, deadline_within_days=3
        ).citations:
            assert laws.exists(law, article), (law, article)
