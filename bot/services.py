"""Services: the composition root of the core, built once by main.py or a test fixture."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.assistant import Assistant
from bot.cases import CaseService
from bot.conversations import Dialog
from bot.desk import Desk
from bot.directory import StationDirectory
from bot.escalation import Escalation, SlaPolicy
from bot.knowledge_base import KnowledgeBase
from bot.learning import load_or_train
from bot.outbox import OutboxRelay
from bot.settings import Settings
from knowledge.entries import LocalFigures
from knowledge.laws import LawLibrary
from knowledge.normalize import Normalizer
from knowledge.triage import TriageRules
from storage import migrate
from storage.db import create_engine, create_sessionmaker

logger = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    laws: LawLibrary
    kb: KnowledgeBase
    assistant: Assistant
    dialog: Dialog
    stations: StationDirectory
    cases: CaseService
    relay: OutboxRelay
    desk: Desk
    escalation: Escalation
    clock: Callable[[], datetime] = utcnow

    @classmethod
    async def create(
        cls,
        settings: Settings,
        *,
        upgrade: bool = True,
        seed: bool = True,
        normalizer: Normalizer | None = None,
        clock: Callable[[], datetime] = utcnow,
        load_models: bool = True,
    ) -> Services:
        """Connect, migrate, seed an empty knowledge base from YAML and build the index."""
        engine = create_engine(settings.database_url, schema=settings.database_schema)
        try:
            if upgrade:
                await migrate.upgrade(engine)
            sessions = create_sessionmaker(engine)
            if normalizer is None:
                normalizer = await asyncio.to_thread(Normalizer)
            local = LocalFigures(
                region=settings.local_region,
                min_wage_monthly=settings.local_min_wage_monthly,
                min_wage_hourly=settings.local_min_wage_hourly,
                avg_wage_monthly=settings.local_avg_wage_monthly,
            )
            kb = KnowledgeBase(sessions, normalizer, local)
            if seed:
                await kb.seed_if_empty(settings.faq_dir, clock())
            await kb.refresh()
            if not settings.admin_ids:
                logger.warning(
                    "ADMIN_IDS is empty: crisis alerts reach only on-duty staff of a station;"
                    " with no staff either, workers are told nobody could be alerted"
                )
            laws = LawLibrary(settings.laws_dir)
            if not laws.available:
                logger.warning(
                    "LAWS_DIR %s holds no statutes: /law will explain how to set it",
                    settings.laws_dir,
                )
            models = (
                await asyncio.to_thread(
                    load_or_train, kb.matcher.entries, normalizer, settings.model_path
                )
                if load_models
                else None
            )
            assistant = Assistant(
                kb,
                TriageRules.load(),
                sessions,
                models=models,
                answer_threshold=settings.answer_threshold,
                suggest_threshold=settings.suggest_threshold,
            )
            stations = StationDirectory(sessions)
            if seed:
                await stations.seed_if_empty(clock())
            await stations.refresh()
            sla = SlaPolicy(
                urgent=timedelta(minutes=settings.sla_urgent_minutes),
                normal_working_days=settings.sla_normal_working_days,
            )
            cases = CaseService(sessions, stations, settings.admin_ids, sla)
            desk = Desk(sessions, stations, settings.admin_ids, sla)
            escalation = Escalation(sessions, stations, settings.admin_ids, sla)
            dialog = Dialog(
                sessions,
                assistant,
                laws,
                stations,
                cases,
                desk,
                settings.admin_ids,
                retention_years=settings.case_retention_years,
            )
            relay = OutboxRelay(sessions, lambda: stations.current)
        except BaseException:
            await engine.dispose()
            raise
        return cls(
            settings,
            engine,
            sessions,
            laws,
            kb,
            assistant,
            dialog,
            stations,
            cases,
            relay,
            desk,
            escalation,
            clock,
        )

    async def aclose(self) -> None:
        await self.engine.dispose()
