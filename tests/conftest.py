"""Shared fixtures: real Services on a fresh database (SQLite file, or a PostgreSQL schema)."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.services import Services
from bot.settings import Settings
from knowledge.normalize import Normalizer

ROOT = Path(__file__).resolve().parent.parent
LAWS_DIR = Path(os.environ.get("LAWS_DIR") or ROOT.parent / "shared" / "laws")
PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# httpx must never send test traffic for 127.0.0.1 through a proxy from the environment.
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"


class FakeClock:
    """A clock the tests move by hand: services read time only through it."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        from datetime import timedelta

        self.now += timedelta(**delta)


@pytest.fixture(scope="session")
def normalizer() -> Normalizer:
    """jieba takes about a second to load; one per test session."""
    return Normalizer()


@pytest.fixture(scope="session")
def laws_dir() -> Path:
    if not LAWS_DIR.is_dir():
        pytest.fail(f"statutes not found at {LAWS_DIR}; set LAWS_DIR (../shared/laws)")
    return LAWS_DIR


def _postgres_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


def require_postgres() -> None:
    """Skip (with a reason) when no server is reachable; under CI that is a failure."""
    if not _postgres_reachable():
        if IN_CI:
            pytest.fail("CI=true but no PostgreSQL server on 127.0.0.1:5432")
        pytest.skip("no PostgreSQL server on 127.0.0.1:5432 (start one to run these tests)")


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[tuple[str, str | None]]:
    """(url, schema) of an empty database for one test.

    TEST_DATABASE_URL selects PostgreSQL (each test gets its own schema); otherwise a SQLite
    file in the test's temporary directory.
    """
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", None
        return
    require_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = url.replace("postgresql+asyncpg://", "postgres://")
    import asyncpg

    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(f'CREATE SCHEMA "{schema}"')
    finally:
        await conn.close()
    try:
        yield url, schema
    finally:
        conn = await asyncpg.connect(admin)
        try:
            await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        finally:
            await conn.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(database: tuple[str, str | None], laws_dir: Path) -> Settings:
    url, schema = database
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=url,
        database_schema=schema,
        laws_dir=laws_dir,
        admin_ids=[900],
        telegram_bot_token=None,
    )


@pytest.fixture
async def services(
    settings: Settings, normalizer: Normalizer, clock: FakeClock
) -> AsyncIterator[Services]:
    built = await Services.create(settings, normalizer=normalizer, clock=clock)
    try:
        yield built
    finally:
        await built.aclose()
