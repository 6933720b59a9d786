"""The live station directory: rows in the database, a routing Directory built from them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from knowledge.stations import STATIONS_PATH, Directory, Station, load_file
from storage import repositories as repo

logger = logging.getLogger(__name__)


def _row_values(station: Station) -> dict[str, object]:
    return {
        "code": station.code,
        "name": station.name,
        "level": station.level,
        "parent_code": station.parent,
        "city": station.city,
        "district": station.district,
        "address": station.address,
        "phone": station.phone,
        "hours": station.hours,
        "latitude": station.latitude,
        "longitude": station.longitude,
        "serves": list(station.serves),
        "aliases": list(station.aliases),
        "categories": list(station.categories),
        "sample": station.sample,
    }


def _station(row: object) -> Station:
    g = row.__getattribute__
    return Station(
        code=g("code"),
        name=g("name"),
        level=g("level"),
        parent=g("parent_code"),
        city=g("city"),
        district=g("district"),
        address=g("address"),
        phone=g("phone"),
        hours=g("hours"),
        latitude=g("latitude"),
        longitude=g("longitude"),
        serves=tuple(g("serves")),
        aliases=tuple(g("aliases")),
        categories=tuple(g("categories")),
        sample=g("sample"),
    )


class _DryRun(Exception):
    """Raised inside a transaction to roll it back on purpose."""


class StationDirectory:
    """Owns the current Directory; `refresh()` after imports."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._directory = Directory([])

    @property
    def current(self) -> Directory:
        return self._directory

    async def refresh(self) -> int:
        async with self._sessions.begin() as session:
            rows = await repo.active_stations(session)
            stations = [_station(r) for r in rows]
        self._directory = Directory(stations)
        return len(stations)

    async def seed_if_empty(self, now: datetime, path: Path = STATIONS_PATH) -> bool:
        async with self._sessions.begin() as session:
            empty = await repo.count_stations(session) == 0
        if not empty:
            return False
        stations = await asyncio.to_thread(load_file, path)
        await self.save(stations, now)
        logger.info("station directory seeded with %d sample stations", len(stations))
        return True

    async def import_file(
        self, path: Path, now: datetime, *, retire_missing: bool = True, dry_run: bool = False
    ) -> dict[str, int]:
        """Validate a CSV/YAML directory and load it in one transaction (`dry_run`: count
        what would change, then roll back)."""
        stations = await asyncio.to_thread(load_file, path)
        return await self.save(stations, now, retire_missing=retire_missing, dry_run=dry_run)

    def missing_from(self, stations: Sequence[Station]) -> list[Station]:
        """Active stations a file does not list (an import would retire them)."""
        listed = {s.code for s in stations}
        return [s for s in self.current.stations if s.code not in listed]

    async def save(
        self,
        stations: Sequence[Station],
        now: datetime,
        *,
        retire_missing: bool = False,
        dry_run: bool = False,
    ) -> dict[str, int]:
        counts = {"added": 0, "changed": 0, "retired": 0}
        try:
            async with self._sessions.begin() as session:
                # Parents first, so that a foreign key or a reader never sees a dangling parent.
                for station in stations:
                    counts[await repo.save_station(session, _row_values(station), now)] += 1
                if retire_missing:
                    counts["retired"] = await repo.retire_stations(
                        session, [s.code for s in stations], now
                    )
                if dry_run:
                    raise _DryRun
        except _DryRun:
            return counts
        await self.refresh()
        return counts
