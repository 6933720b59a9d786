"""Answering free-text questions: match the knowledge base, triage, apply the confidence gate."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.knowledge_base import KnowledgeBase
from bot.model import Alternative, AskResult, CitationView
from knowledge.decide import has_words, is_small_talk
from knowledge.learned import Models
from knowledge.normalize import clean
from knowledge.triage import Route, TriageRules
from knowledge.understand import analyse
from storage import repositories as repo

logger = logging.getLogger(__name__)

DEFAULT_ANSWER = 0.55
DEFAULT_SUGGEST = 0.30


class Assistant:
    """Turns a question into an AskResult; the same logic serves Telegram, console and ask."""

    def __init__(
        self,
        kb: KnowledgeBase,
        rules: TriageRules,
        sessions: async_sessionmaker[AsyncSession],
        *,
        models: Models | None = None,
        answer_threshold: float | None = None,
        suggest_threshold: float | None = None,
    ) -> None:
        self.kb = kb
        self.rules = rules
        self.models = models
        self._sessions = sessions
        self._answer_override = answer_threshold
        self._suggest_override = suggest_threshold

    @property
    def answer_threshold(self) -> float:
        if self._answer_override is not None:
            return self._answer_override
        return self.models.thresholds.answer if self.models else DEFAULT_ANSWER

    @property
    def suggest_threshold(self) -> float:
        if self._suggest_override is not None:
            return self._suggest_override
        return self.models.thresholds.suggest if self.models else DEFAULT_SUGGEST

    def ask(self, question: str) -> AskResult:
        """Match and triage without touching the database (pure; used by `ask`)."""
        cleaned = clean(question)
        if is_small_talk(cleaned):
            return AskResult(
                question=question,
                faq_id=None,
                score=0.0,
                answer=None,
                citations=(),
                route=Route.SELF_HELP.value,
                category=None,
                alternatives=(),
                extra={"small_talk": True},
            )
        analysis = analyse(
            question,
            self.kb.matcher,
            self.rules,
            self.models,
            unknown_below=self.suggest_threshold,
        )
        result, decision = analysis.match, analysis.decision
        route = Route(decision.route)
        best = result.best
        alternatives = tuple(
            Alternative(s.entry.id, s.entry.title, s.score) for s in result.ranked[1:3]
        )
        flags = {
            "crisis": decision.crisis,
            "collective": decision.collective,
            "crisis_kinds": decision.kinds,
            # A phone number, an amount or a name typed at a step is no cause to ask.
            "danger_check": decision.check and has_words(cleaned),
            "extra": {"rule": "lexicon" in decision.reasons},
        }
        if route is Route.OUT_OF_SCOPE or best is None or best.score < self.suggest_threshold:
            return AskResult(
                question=question,
                faq_id=None,
                score=result.score,
                answer=None,
                citations=(),
                route=route.value,
                category=None,
                alternatives=() if route is Route.OUT_OF_SCOPE else alternatives,
                **flags,
            )
        entry = best.entry
        confident = best.score >= self.answer_threshold
        return AskResult(
            question=question,
            faq_id=entry.id,
            score=best.score,
            answer=self.kb.render(entry) if confident else None,
            citations=tuple(CitationView(c.law, c.article) for c in entry.citations),
            route=route.value,
            category=entry.category,
            alternatives=alternatives,
            title=entry.title,
            confident=confident,
            **flags,
        )

    async def answer(self, question: str, now: datetime) -> AskResult:
        """`ask`, plus logging what could not be answered for the admins' review."""
        result = self.ask(question)
        await self.record(result, now)
        return result

    async def record(self, result: AskResult, now: datetime) -> None:
        """Log the decision (ids, route, score: never the words) and keep what could not be
        answered for the admins' review."""
        question = result.question
        logger.info(
            "question answered: faq=%s score=%.3f route=%s confident=%s check=%s",
            result.faq_id,
            result.score,
            result.route,
            result.confident,
            result.danger_check,
        )
        day = (now + timedelta(hours=8)).date().isoformat()  # China Standard Time
        async with self._sessions.begin() as session:
            await repo.count_question(
                session,
                day=day,
                route=result.route,
                faq_id=result.faq_id,
                answered=result.confident,
            )
        if not result.confident and result.route != Route.OUT_OF_SCOPE:
            async with self._sessions.begin() as session:
                await repo.add_unanswered(
                    session,
                    question=question[:2000],
                    best_faq_id=result.faq_id,
                    score=result.score,
                    route=result.route,
                    now=now,
                )
