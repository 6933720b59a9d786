"""Admins keep the FAQ current from the bot: search, open, change one field with a preview,
create and retire entries, see an entry's revisions and roll back to any of them.

Every save goes through `repositories.save_faq_entry`, which writes a revision (who, when, the
whole entry), and then rebuilds this instance's index; other instances notice the change on
their next `KnowledgeBase.refresh_if_changed()` (a cheap fingerprint query every few seconds).
Citations are checked against LAWS_DIR before anything is saved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.knowledge_base import KnowledgeBase
from knowledge.entries import Entry, EntryError, entry_from_dict
from knowledge.laws import LawLibrary, parse_article_ref
from storage import repositories as repo

EDITABLE = {
    "title": "标题",
    "question": "问题",
    "alternates": "其他问法（每行一个）",
    "answer": "回答",
    "citations": "依据（每行一条：法律名 条号）",
    "category": "分类",
}
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{2,79}$")
_CITATION = re.compile(
    r"^《?(.+?)》?\s*(第?[0-9一二三四五六七八九十百零〇]+条?(?:之[一二三四五六七八九])?|[0-9]+-[0-9]+)$"
)


class FaqError(Exception):
    """An edit that cannot be saved; the message says why (in Chinese)."""


@dataclass(frozen=True)
class Revision:
    version: int
    changed_at: datetime
    changed_by: int | None
    data: dict[str, Any]


class FaqAdmin:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        kb: KnowledgeBase,
        laws: LawLibrary,
        admin_ids: frozenset[int] | tuple[int, ...] = (),
    ) -> None:
        self._sessions = sessions
        self.kb = kb
        self.laws = laws
        self.admin_ids = frozenset(admin_ids)

    async def require_admin(self, user_id: int, now: datetime) -> None:
        async with self._sessions.begin() as session:
            user = await repo.touch_user(session, user_id, now, admin=user_id in self.admin_ids)
            if user.role != "admin":
                raise FaqError("无权限：只有管理员可以编辑知识库。")

    def search(self, query: str, limit: int = 8) -> list[Entry]:
        """Entries by id, title or question text, best first."""
        query = query.strip()
        if not query:
            return []
        exact = self.kb.get(query)
        if exact is not None:
            return [exact]
        result = self.kb.matcher.match(query)
        return [s.entry for s in result.ranked[:limit]]

    def parse_value(self, field: str, text: str) -> Any:
        """The typed text as the field's value, validated (citations against LAWS_DIR)."""
        text = text.strip()
        if field not in EDITABLE:
            raise FaqError("不能修改这个字段。")
        if not text:
            raise FaqError("内容不能为空。")
        if field == "alternates":
            return [line.strip() for line in text.splitlines() if line.strip()]
        if field == "citations":
            return self.parse_citations(text)
        if field == "title" and len(text) > 80:
            raise FaqError("标题最多80个字。")
        return text

    def parse_citations(self, text: str) -> list[dict[str, str]]:
        """One citation a line (or separated by 、；): 劳动合同法 82 / 《劳动法》第四十四条."""
        if not self.laws.available:
            raise FaqError("法条库没有配置（LAWS_DIR），不能核对依据。")
        out: list[dict[str, str]] = []
        for piece in re.split(r"[\n、；;]+", text):
            piece = piece.strip().strip("《》")
            if not piece:
                continue
            match = re.match(
                r"^《?(.+?)》?\s*(第?[0-9一二三四五六七八九十百零〇]+条?(?:之[一二三四五六七八九])?|[0-9]+-[0-9]+)$",
                piece,
            )
            if match is None:
                raise FaqError(f"看不懂「{piece}」，请写成「劳动合同法 82」。")
            law = self.laws.resolve_law(match.group(1).strip())
            article = parse_article_ref(match.group(2))
            if law is None or article is None:
                raise FaqError(f"法条库里没有「{match.group(1).strip()}」。")
            if self.laws.get(law, article) is None:
                raise FaqError(f"《{law}》里没有第{article}条。")
            out.append({"law": law, "article": article})
        if not out:
            raise FaqError("至少要有一条依据。")
        return out

    def preview(self, faq_id: str, field: str, value: Any) -> Entry:
        """The entry as it would be after the change (raises FaqError if it would be invalid)."""
        entry = self.kb.get(faq_id)
        if entry is None:
            raise FaqError("没有这个条目（可能已停用）。")
        today = datetime.now().date().isoformat()
        return self._valid({**entry.as_dict(), field: value, "updated": today}, entry.version + 1)

    def _valid(self, data: dict[str, Any], version: int) -> Entry:
        try:
            return entry_from_dict(data, version=version)
        except EntryError as exc:
            raise FaqError(f"保存不了：{exc}") from exc

    async def save(self, admin_id: int, entry: Entry, now: datetime) -> str:
        """Save (a revision is written), rebuild the index; returns added/changed/same."""
        await self.require_admin(admin_id, now)
        for citation in entry.citations:
            if self.laws.available and self.laws.get(citation.law, citation.article) is None:
                raise FaqError(f"《{citation.law}》里没有第{citation.article}条。")
        async with self._sessions.begin() as session:
            outcome = await repo.save_faq_entry(session, entry.as_dict(), now, admin_id)
            await repo.audit(session, admin_id, f"faq_{outcome}", entry.id, now)
        await self.kb.refresh()
        return outcome

    def check_new_id(self, ident: str) -> None:
        if not _ID.match(ident):
            raise FaqError("条目ID只能用小写字母、数字和连字符，例如 heat-allowance。")
        if self.kb.get(ident) is not None:
            raise FaqError("已经有这个ID的条目了。")

    def new_entry(self, data: dict[str, Any]) -> Entry:
        ident = str(data.get("id", ""))
        self.check_new_id(ident)
        today = datetime.now().date().isoformat()
        return self._valid({"topic": ident, "alternates": [], **data, "updated": today}, 1)

    async def retire(self, admin_id: int, faq_id: str, now: datetime) -> bool:
        await self.require_admin(admin_id, now)
        async with self._sessions.begin() as session:
            done = await repo.retire_faq_entry(session, faq_id, now, admin_id)
            await repo.audit(session, admin_id, "faq_retired", faq_id, now)
        await self.kb.refresh()
        return done

    async def history(self, faq_id: str) -> list[Revision]:
        async with self._sessions.begin() as session:
            rows = await repo.faq_versions(session, faq_id)
        return [Revision(r.version, r.changed_at, r.changed_by, dict(r.data)) for r in rows]

    async def rollback(self, admin_id: int, faq_id: str, version: int, now: datetime) -> int:
        """Make revision `version` the live entry again (as a new revision)."""
        revisions = {r.version: r for r in await self.history(faq_id)}
        if version not in revisions:
            raise FaqError("没有这个版本。")
        entry = self._valid(revisions[version].data, version)
        await self.save(admin_id, entry, now)
        async with self._sessions.begin() as session:
            await repo.audit(session, admin_id, "faq_rollback", f"{faq_id} v{version}", now)
        current = self.kb.get(faq_id)
        return current.version if current else version
