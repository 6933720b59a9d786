"""The legal-aid station directory and routing: nearest station, typed places, the tree.

Pure logic over `Station` values; the database keeps the live directory (bot/ loads it).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pypinyin import lazy_pinyin
from rapidfuzz import fuzz, process

from knowledge.normalize import clean

STATIONS_PATH = Path(__file__).resolve().parent / "stations.yaml"
LEVELS = ("centre", "station", "point")
CATEGORIES = ("wage", "contract", "injury", "social_insurance", "hours", "other", "report")
EARTH_RADIUS_KM = 6371.0088

# A typed place matching an alias this well is taken as is; between the two it is confirmed.
SURE_MATCH = 92.0
HOMOPHONE_MATCH = 85.0
MAYBE_MATCH = 70.0
ONE_CHAR_OFF = 66.0  # one character wrong in a three-character name


class StationError(ValueError):
    """A directory that cannot be loaded; the message names the row and the field."""


@dataclass(frozen=True)
class Station:
    code: str
    name: str
    level: str
    parent: str | None
    city: str
    district: str | None
    address: str
    phone: str
    hours: str
    latitude: float
    longitude: float
    serves: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    categories: tuple[str, ...] = CATEGORIES
    sample: bool = False

    def handles(self, category: str) -> bool:
        return category in self.categories

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "level": self.level,
            "parent": self.parent,
            "city": self.city,
            "district": self.district,
            "address": self.address,
            "phone": self.phone,
            "hours": self.hours,
            "lat": self.latitude,
            "lon": self.longitude,
            "serves": list(self.serves),
            "aliases": list(self.aliases),
            "categories": list(self.categories),
        }


def _list(value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return tuple(
            p.strip()
            for p in value.replace("；", ";").replace("，", ";").replace(",", ";").split(";")
            if p.strip()
        )
    return tuple(str(v).strip() for v in value if str(v).strip())


def station_from_dict(row: Mapping[str, Any], *, sample: bool = False) -> Station:
    code = str(row.get("code") or "").strip().upper()
    where = f"station {code or '?'}"
    for name in ("code", "name", "level", "city", "address", "phone", "hours"):
        if not str(row.get(name) or "").strip():
            raise StationError(f"{where}: missing {name}")
    level = str(row["level"]).strip()
    if level not in LEVELS:
        raise StationError(f"{where}: level must be one of {', '.join(LEVELS)}")
    try:
        lat = float(row.get("lat", row.get("latitude")))  # type: ignore[arg-type]
        lon = float(row.get("lon", row.get("longitude")))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise StationError(f"{where}: lat/lon must be numbers") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise StationError(f"{where}: lat/lon out of range")
    categories = _list(row.get("categories")) or CATEGORIES
    unknown = set(categories) - set(CATEGORIES)
    if unknown:
        raise StationError(f"{where}: unknown categories {sorted(unknown)}")
    parent = str(row.get("parent") or "").strip().upper() or None
    return Station(
        code=code,
        name=str(row["name"]).strip(),
        level=level,
        parent=parent,
        city=str(row["city"]).strip(),
        district=str(row.get("district") or "").strip() or None,
        address=str(row["address"]).strip(),
        phone=str(row["phone"]).strip(),
        hours=str(row["hours"]).strip(),
        latitude=lat,
        longitude=lon,
        serves=_list(row.get("serves")),
        aliases=_list(row.get("aliases")),
        categories=categories,
        sample=sample,
    )


def validate_tree(stations: Sequence[Station]) -> None:
    """Unique codes, existing parents, no cycles, one root per city."""
    codes: dict[str, Station] = {}
    for station in stations:
        if station.code in codes:
            raise StationError(f"duplicate station code {station.code}")
        codes[station.code] = station
    for station in stations:
        if station.parent is not None and station.parent not in codes:
            raise StationError(f"station {station.code}: parent {station.parent} not found")
        seen = {station.code}
        node = station
        while node.parent is not None:
            node = codes[node.parent]
            if node.code in seen:
                raise StationError(f"station {station.code}: the parents form a cycle")
            seen.add(node.code)
    roots = [s for s in stations if s.parent is None]
    for root in roots:
        if root.level != "centre":
            raise StationError(f"station {root.code}: a top-level station must be a centre")


def load_file(path: Path) -> list[Station]:
    """A YAML directory (`stations:` list, optional `sample: true`) or a CSV with a header."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".csv":
        rows: Iterable[Mapping[str, Any]] = csv.DictReader(io.StringIO(text))
        sample = False
    else:
        data = yaml.safe_load(text) or {}
        rows = data.get("stations") or [] if isinstance(data, dict) else data
        sample = bool(data.get("sample")) if isinstance(data, dict) else False
    stations = []
    for number, row in enumerate(rows, 1):
        try:
            stations.append(station_from_dict(row, sample=sample))
        except StationError as exc:
            raise StationError(f"{path.name} row {number}: {exc}") from None
    if not stations:
        raise StationError(f"{path.name}: no stations")
    validate_tree(stations)
    return stations


def _syllables(text: str) -> tuple[str, ...]:
    """Toneless pinyin syllables of the CJK characters (what pinyin input typed)."""
    return tuple(lazy_pinyin(text, errors="ignore"))


def _contains(haystack: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    n = len(needle)
    return any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


@dataclass(frozen=True)
class PlaceMatch:
    station: Station
    place: str  # the alias or place name that matched
    score: float  # rapidfuzz 0..100

    @property
    def sure(self) -> bool:
        return self.score >= SURE_MATCH


@dataclass(frozen=True)
class Nearby:
    station: Station
    distance_km: float


_ADMIN_SUFFIXES = ("市", "区", "县", "镇", "乡", "街道", "村", "社区", "开发区", "工业园")


def _strip_suffix(name: str) -> str:
    for suffix in _ADMIN_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


@dataclass
class Directory:
    """All active stations, indexed for routing."""

    stations: Sequence[Station]
    _by_code: dict[str, Station] = field(init=False)
    _names: list[str] = field(init=False)
    _owners: list[Station] = field(init=False)

    def __post_init__(self) -> None:
        self._by_code = {s.code: s for s in self.stations}
        # Place names, most specific station first: a town station owns its town's name
        # even if the district centre also lists it.
        # A district's or city's own name belongs to its centre, though.
        rank = {"point": 0, "station": 1, "centre": 2}
        names: list[str] = []
        owners: list[Station] = []
        seen: set[str] = set()

        def register(place: str, station: Station) -> None:
            for variant in {clean(place), clean(_strip_suffix(place))}:
                if len(variant) >= 2 and variant not in seen:
                    seen.add(variant)
                    names.append(variant)
                    owners.append(station)

        for station in self.stations:
            if station.level == "centre":
                register(station.district or station.city, station)
        for station in sorted(self.stations, key=lambda s: rank[s.level]):
            for place in (*station.serves, *station.aliases, station.name):
                register(place, station)
        self._names, self._owners = names, owners
        self._syllables = [_syllables(n) for n in names]

    def __len__(self) -> int:
        return len(self.stations)

    def get(self, code: str) -> Station | None:
        return self._by_code.get(code)

    def parent_of(self, station: Station) -> Station | None:
        return self._by_code.get(station.parent) if station.parent else None

    def root_of(self, station: Station) -> Station:
        node = station
        while (parent := self.parent_of(node)) is not None:
            node = parent
        return node

    def centre_above(self, station: Station) -> Station | None:
        """The nearest centre strictly above `station` (None for a city centre)."""
        node = self.parent_of(station)
        while node is not None and node.level != "centre":
            node = self.parent_of(node)
        return node

    def roots(self) -> list[Station]:
        return [s for s in self.stations if s.parent is None]

    def for_category(self, station: Station, category: str) -> Station:
        """`station` if it handles `category`, else the first ancestor that does."""
        node: Station | None = station
        while node is not None:
            if node.handles(category):
                return node
            node = self.parent_of(node)
        return self.root_of(station)

    def nearest(
        self, latitude: float, longitude: float, *, category: str | None = None, limit: int = 3
    ) -> list[Nearby]:
        """Stations by great-circle distance; with `category`, only those handling it."""
        pool = [s for s in self.stations if category is None or s.handles(category)]
        ranked = sorted(
            (Nearby(s, haversine_km(latitude, longitude, s.latitude, s.longitude)) for s in pool),
            key=lambda n: n.distance_km,
        )
        return ranked[:limit]

    def match_place(self, text: str) -> PlaceMatch | None:
        """Best station for a typed place (town, district, alias), or None if nothing is close.

        In order: names written exactly ("我在昆山花桥上班" contains 花桥), names written with
        homophones from pinyin input (姑酥区 sounds like 姑苏区), then near spellings. The
        most specific station wins, so "鲁山县下汤" goes to the 下汤 station, not the county.
        """
        query = clean(text)
        if len(query) < 2 or not self._names:
            return None
        exact = self._best([i for i, n in enumerate(self._names) if n in query], 100.0)
        spoken = _syllables(query)
        homophone = self._best(
            [
                i
                for i, syl in enumerate(self._syllables)
                if len(syl) >= 2 and _contains(spoken, syl)
            ],
            HOMOPHONE_MATCH,
        )
        fuzzy = None
        cutoff = MAYBE_MATCH if len(query) < 3 else ONE_CHAR_OFF
        found = process.extractOne(query, self._names, scorer=fuzz.WRatio, score_cutoff=cutoff)
        if found is not None:
            _, score, index = found
            fuzzy = PlaceMatch(self._owners[index], self._names[index], min(float(score), 89.0))
        best = exact
        for candidate in (homophone, fuzzy):
            if candidate is None:
                continue
            if best is None or (
                candidate.station != best.station
                and self._is_below(candidate.station, best.station)
            ):
                # A finer place hidden in a typo beats the coarser one spelt right,
                # but only with confirmation.
                best = PlaceMatch(
                    candidate.station, candidate.place, min(candidate.score, HOMOPHONE_MATCH)
                )
        return best

    def _best(self, indexes: list[int], score: float) -> PlaceMatch | None:
        """Among matching names, the deepest station; then the longest name."""
        if not indexes:
            return None
        index = max(indexes, key=lambda i: (self._depth(self._owners[i]), len(self._names[i])))
        return PlaceMatch(self._owners[index], self._names[index], score)

    def _depth(self, station: Station) -> int:
        depth, node = 0, station
        while (node := self.parent_of(node)) is not None:
            depth += 1
        return depth

    def _is_below(self, station: Station, ancestor: Station) -> bool:
        node = self.parent_of(station)
        while node is not None:
            if node.code == ancestor.code:
                return True
            node = self.parent_of(node)
        return False

    def city_centre_in(self, text: str) -> Station | None:
        query = clean(text)
        for root in self.roots():
            if clean(_strip_suffix(root.city)) in query:
                return root
        return None
