"""Real databases: migrations, the knowledge base round trip, transactions under contention."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text

from bot.services import Services
from knowledge.entries import dump_yaml, entry_from_dict, load_yaml_dir
from storage import migrate
from storage import repositories as repo
from storage.models import UnansweredRow, UserRow


async def test_migrations_bring_an_empty_database_to_head(services: Services) -> None:
    assert await migrate.current_revision(services.engine) == migrate.head_revision()


async def test_yaml_seed_and_export_round_trip_without_loss(services: Services) -> None:
    shipped = {e.id: e.as_dict() for e in load_yaml_dir()}
    exported = {e.id: e.as_dict() for e in await services.kb.active_entries()}
    assert exported == shipped


async def test_exported_yaml_and_json_load_back_identically(services: Services, tmp_path) -> None:
    entries = await services.kb.active_entries()
    (tmp_path / "all.yaml").write_text(dump_yaml(entries), encoding="utf-8")
    assert [e.as_dict() for e in load_yaml_dir(tmp_path)] == [e.as_dict() for e in entries]
    as_json = json.loads(json.dumps([e.as_dict() for e in entries], ensure_ascii=False))
    assert [entry_from_dict(d).as_dict() for d in as_json] == [e.as_dict() for e in entries]


async def test_loading_changed_entries_bumps_versions_and_keeps_history(
    services: Services, clock
) -> None:
    entries = await services.kb.active_entries()
    first = entries[0]
    changed = entry_from_dict({**first.as_dict(), "answer": first.answer + "\n（已更新）"})
    counts = await services.kb.save_entries([changed, *entries[1:]], clock())
    assert counts == {"added": 0, "changed": 1, "same": len(entries) - 1, "retired": 0}
    await services.kb.refresh()
    assert services.kb.get(first.id).answer.endswith("（已更新）")
    async with services.sessions.begin() as session:
        rows = await session.execute(
            text("SELECT version FROM faq_versions WHERE faq_id = :id ORDER BY version"),
            {"id": first.id},
        )
        assert [r[0] for r in rows] == [1, 2]


async def test_pruning_retires_entries_missing_from_the_files(services: Services, clock) -> None:
    entries = await services.kb.active_entries()
    counts = await services.kb.save_entries(entries[:-1], clock(), prune=True)
    assert counts["retired"] == 1
    assert len(await services.kb.active_entries()) == len(entries) - 1


async def test_low_confidence_questions_are_logged_without_the_sender(services: Services) -> None:
    result = await services.assistant.answer("嗯嗯那个啥", services.clock())
    assert not result.confident
    async with services.sessions.begin() as session:
        rows = (await session.scalars(select(UnansweredRow))).all()
    assert [r.question for r in rows] == ["嗯嗯那个啥"]
    assert not hasattr(rows[0], "user_id")


async def test_times_come_back_as_aware_utc(services: Services) -> None:
    local = datetime(2026, 11, 23, 17, 30, tzinfo=UTC) + timedelta(hours=0)
    async with services.sessions.begin() as session:
        await repo.touch_user(session, 77, local)
    async with services.sessions.begin() as session:
        row = await session.get(UserRow, 77)
        assert row is not None and row.first_seen_at == local
        assert row.first_seen_at.tzinfo is not None


async def test_concurrent_read_then_write_transactions_all_commit(services: Services) -> None:
    """50 tasks each read a user then write it back; none fails with 'database is locked'."""

    async def bump(n: int) -> None:
        async with services.sessions.begin() as session:
            row = await repo.touch_user(session, 1000 + n % 5, services.clock())
            await asyncio.sleep(0)  # let the others try to get in between read and write
            row.role = "worker"

    await asyncio.gather(*(bump(n) for n in range(50)))
    async with services.sessions.begin() as session:
        count = len((await session.scalars(select(UserRow))).all())
    assert count == 5
