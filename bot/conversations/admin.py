"""Admins in the bot: the FAQ (/faq search, open, change one field with a preview and a
confirm step, /faq_new, retire, /faq_history and rollback), what the bot could not answer
(/unanswered, grouped) and the figures (/stats)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot import admin_texts as at
from bot import texts
from bot.conversations.common import HOME_BUTTON, Context, State
from bot.digest import build_digest
from bot.faq_admin import EDITABLE, FaqAdmin, FaqError
from bot.model import Button, Reply, split_message
from bot.reviews import Reviews
from bot.statistics import Statistics
from knowledge.entries import Entry
from storage import repositories as repo

FAQ_EDIT = "faq_edit"  # waiting for the new value of one field
FAQ_NEW = "faq_new"  # a new entry, one field at a time
STEPS = (FAQ_EDIT, FAQ_NEW)
COMMANDS = frozenset(
    {"faq", "faq_new", "faq_history", "unanswered", "stats", "digest", "roster", "audit"}
)
NEW_FIELDS = ("id", "category", "title", "question", "answer", "citations")


def entry_view(entry: Entry) -> str:
    citations = "、".join(c.label() for c in entry.citations)
    alternates = "\n".join(f"  · {a}" for a in entry.alternates[:8])
    more = f"\n  …共{len(entry.alternates)}个" if len(entry.alternates) > 8 else ""
    return (
        f"【{entry.title}】 {entry.id}（第{entry.version}版，{entry.updated}）\n"
        f"分类：{entry.category}\n问题：{entry.question}\n"
        f"其他问法：\n{alternates}{more}\n回答：\n{entry.answer}\n依据：{citations}"
    )


def field_value(entry: Entry, field: str) -> str:
    if field == "alternates":
        return "\n".join(entry.alternates)
    if field == "citations":
        return "\n".join(f"{c.law} {c.article}" for c in entry.citations)
    return str(getattr(entry, field))


class AdminConversation:
    def __init__(
        self, ctx: Context, faq: FaqAdmin, reviews: Reviews, statistics: Statistics
    ) -> None:
        self.ctx = ctx
        self.faq = faq
        self.reviews = reviews
        self.statistics = statistics

    async def command(self, user_id: int, name: str, args: str, now: datetime) -> list[Reply]:
        try:
            await self.faq.require_admin(user_id, now)
        except FaqError as exc:
            return [Reply(str(exc))]
        if name == "faq":
            return self._search(args)
        if name == "faq_new":
            await self.ctx.store.save(user_id, FAQ_NEW, {"step": 0, "draft": {}}, now)
            return [Reply(at.NEW_ASK[NEW_FIELDS[0]], ((Button(at.CANCEL, "a:drop"),),))]
        if name == "faq_history":
            return await self._history(args.strip())
        if name == "unanswered":
            return await self._unanswered(now)
        if name == "stats":
            return await self._stats(args.strip(), now)
        if name == "roster":
            return await self._roster()
        if name == "audit":
            async with self.ctx.sessions.begin() as session:
                rows = await repo.recent_audit(session)
            lines = [at.AUDIT_HEAD] + [
                f"{texts.local_time(r.at)}｜{r.actor_id or '系统'}｜{r.action}｜{r.target or ''}"
                for r in rows
            ]
            return [Reply(part) for part in split_message("\n".join(lines))]
        if name == "digest":
            text = await build_digest(self.ctx.sessions, self.ctx.stations, now)
            return [Reply(part) for part in split_message(text)]
        return [Reply(at.HELP)]

    def _search(self, query: str) -> list[Reply]:
        if not query:
            return [Reply(at.HELP)]
        found = self.faq.search(query)
        if not found:
            return [Reply(at.NOTHING_FOUND)]
        rows = tuple((Button(f"{e.title}（{e.id}）", f"a:open:{e.id}"),) for e in found)
        return [Reply(at.FOUND.format(count=len(found)), rows)]

    def _open(self, faq_id: str) -> list[Reply]:
        entry = self.ctx.kb.get(faq_id)
        if entry is None:
            return [Reply(at.NO_ENTRY)]
        edits = [Button(f"改{label[:4]}", f"a:ed:{entry.id}:{field}") for field, label in
                 EDITABLE.items()]  # fmt: skip
        rows = (
            tuple(edits[:3]),
            tuple(edits[3:]),
            (Button(at.HISTORY, f"a:hist:{entry.id}"), Button(at.RETIRE, f"a:ret:{entry.id}")),
        )
        parts = split_message(entry_view(entry))
        return [*(Reply(p) for p in parts[:-1]), Reply(parts[-1], rows)]

    async def press(self, user_id: int, data: str, state: State, now: datetime) -> list[Reply]:
        try:
            await self.faq.require_admin(user_id, now)
            return await self._press(user_id, data.split(":"), state, now)
        except FaqError as exc:
            return [Reply(str(exc))]

    async def _press(
        self, user_id: int, parts: list[str], state: State, now: datetime
    ) -> list[Reply]:
        verb = parts[1] if len(parts) > 1 else ""
        faq_id = parts[2] if len(parts) > 2 else ""
        if verb == "open":
            return self._open(faq_id)
        if verb == "erase" and faq_id.isascii() and faq_id.isdecimal() and len(faq_id) <= 15:
            count = await self.ctx.cases.erase_worker(int(faq_id), user_id, now)
            self.ctx.outbox_written()
            return [Reply(at.ERASED.format(user=faq_id, count=count))]
        if verb == "ed" and len(parts) == 4 and parts[3] in EDITABLE:
            entry = self.ctx.kb.get(faq_id)
            if entry is None:
                return [Reply(at.NO_ENTRY)]
            await self.ctx.store.save(user_id, FAQ_EDIT, {"id": faq_id, "field": parts[3]}, now)
            current = field_value(entry, parts[3])
            return [
                Reply(
                    at.EDIT_PROMPT.format(field=EDITABLE[parts[3]], current=current)[:4000],
                    ((Button(at.CANCEL, "a:drop"),),),
                ),
            ]
        if verb == "save":
            pending = state.data.get("pending") if state.name == FAQ_EDIT else None
            if not isinstance(pending, dict):
                return [Reply(texts.UNKNOWN_BUTTON)]
            await self.ctx.store.save(user_id, None, None, now)
            entry = self.faq.preview(pending["id"], pending["field"], pending["value"])
            await self.faq.save(user_id, entry, now)
            return [Reply(at.SAVED.format(id=entry.id, version=entry.version))]
        if verb == "savenew":
            draft = state.data.get("draft") if state.name == FAQ_NEW else None
            if not isinstance(draft, dict):
                return [Reply(texts.UNKNOWN_BUTTON)]
            await self.ctx.store.save(user_id, None, None, now)
            entry = self.faq.new_entry(draft)
            await self.faq.save(user_id, entry, now)
            return [Reply(at.CREATED.format(id=entry.id))]
        if verb == "drop":
            await self.ctx.store.save(user_id, None, None, now)
            return [Reply(at.DROPPED)]
        if verb == "hist":
            return await self._history(faq_id)
        if verb == "rb" and len(parts) == 4 and parts[3].isascii() and parts[3].isdecimal():
            version = await self.faq.rollback(user_id, faq_id, int(parts[3]), now)
            return [Reply(at.ROLLED_BACK.format(id=faq_id, to=parts[3], version=version))]
        if verb == "ret":
            confirm = ((Button(at.RETIRE_YES, f"a:retok:{faq_id}"), Button(at.CANCEL, "a:drop")),)
            return [Reply(at.RETIRE_ASK.format(id=faq_id), confirm)]
        if verb == "retok":
            done = await self.faq.retire(user_id, faq_id, now)
            return [Reply(at.RETIRED.format(id=faq_id) if done else at.NO_ENTRY)]
        if verb in ("dis", "alt", "lab") and faq_id.isascii() and faq_id.isdecimal():
            group = await self.reviews.group_of(int(faq_id))
            if group is None:
                return [Reply(texts.UNKNOWN_BUTTON)]
            if verb == "lab":
                route = parts[3] if len(parts) == 4 else ""
                if route not in at.ROUTES:
                    return [Reply(texts.UNKNOWN_BUTTON)]
                count = await self.reviews.label(group, route, user_id, now)
                return [Reply(at.LABELLED.format(count=count, route=at.ROUTES[route]))]
            if verb == "dis":
                return [Reply(at.DISMISSED.format(count=await self.reviews.close(group, now)))]
            entry = self.ctx.kb.get(group.best_faq_id or "")
            if entry is None:
                return [Reply(at.NO_ENTRY)]
            value = [*entry.alternates, group.sample.strip()[:300]]
            updated = self.faq.preview(entry.id, "alternates", value)
            await self.faq.save(user_id, updated, now)
            count = await self.reviews.close(group, now)
            text = at.ADDED_ALTERNATE.format(id=entry.id, version=updated.version, count=count)
            return [Reply(text)]
        return [Reply(texts.UNKNOWN_BUTTON)]

    async def step(self, user_id: int, text: str, state: State, now: datetime) -> list[Reply]:
        """Typed text for the field being edited, or for the next field of a new entry."""
        try:
            await self.faq.require_admin(user_id, now)
            if state.name == FAQ_EDIT:
                return await self._edit_value(user_id, text, state.data, now)
            return await self._new_value(user_id, text, state.data, now)
        except FaqError as exc:
            return [Reply(str(exc), ((Button(at.CANCEL, "a:drop"),),))]

    async def _edit_value(
        self, user_id: int, text: str, data: dict[str, Any], now: datetime
    ) -> list[Reply]:
        field = str(data["field"])
        value = self.faq.parse_value(field, text)
        entry = self.faq.preview(str(data["id"]), field, value)
        pending = {"id": entry.id, "field": field, "value": value}
        await self.ctx.store.save(user_id, FAQ_EDIT, {**data, "pending": pending}, now)
        confirm = ((Button(at.SAVE, "a:save"), Button(at.CANCEL, "a:drop")),)
        parts = split_message(at.PREVIEW_HEAD + "\n" + entry_view(entry))
        return [*(Reply(p) for p in parts[:-1]), Reply(parts[-1], confirm)]

    async def _new_value(
        self, user_id: int, text: str, data: dict[str, Any], now: datetime
    ) -> list[Reply]:
        step = int(data.get("step", 0))
        field = NEW_FIELDS[step]
        draft = dict(data.get("draft") or {})
        draft[field] = text.strip() if field != "citations" else self.faq.parse_citations(text)
        if field == "id":
            self.faq.check_new_id(draft["id"])
        step += 1
        if step < len(NEW_FIELDS):
            await self.ctx.store.save(user_id, FAQ_NEW, {"step": step, "draft": draft}, now)
            return [Reply(at.NEW_ASK[NEW_FIELDS[step]], ((Button(at.CANCEL, "a:drop"),),))]
        entry = self.faq.new_entry(draft)
        await self.ctx.store.save(user_id, FAQ_NEW, {"step": step, "draft": draft}, now)
        confirm = ((Button(at.SAVE, "a:savenew"), Button(at.CANCEL, "a:drop")),)
        return [Reply(at.PREVIEW_HEAD + "\n" + entry_view(entry), confirm)]

    async def _history(self, faq_id: str) -> list[Reply]:
        revisions = await self.faq.history(faq_id)
        if not revisions:
            return [Reply(at.NO_ENTRY)]
        lines = [at.HISTORY_HEAD.format(id=faq_id)]
        rows = []
        for r in revisions[:10]:
            who = f"管理员 {r.changed_by}" if r.changed_by else "文件导入"
            lines.append(f"· 第{r.version}版｜{texts.local_time(r.changed_at)}｜{who}｜"
                         f"{str(r.data.get('title', ''))[:20]}")  # fmt: skip
            rows.append((Button(f"回滚到第{r.version}版", f"a:rb:{faq_id}:{r.version}"),))
        return [Reply("\n".join(lines), (*rows[1:], (HOME_BUTTON,)))]

    async def _unanswered(self, now: datetime) -> list[Reply]:
        groups = await self.reviews.groups()
        if not groups:
            return [Reply(at.UNANSWERED_NONE)]
        replies = [Reply(at.UNANSWERED_HEAD.format(count=len(groups)))]
        for group in groups[:10]:
            best = self.ctx.kb.get(group.best_faq_id) if group.best_faq_id else None
            text = at.UNANSWERED_GROUP.format(
                count=group.count, sample=group.sample[:200],
                best=best.title if best else "—", route=at.ROUTES.get(group.route, group.route),
            )  # fmt: skip
            rows: list[tuple[Button, ...]] = []
            if best is not None:
                rows.append((Button(at.ADD_AS_ALTERNATE, f"a:alt:{group.first_id}"),))
            rows.append(
                tuple(
                    Button(f"标为{name}", f"a:lab:{group.first_id}:{route}")
                    for route, name in at.ROUTES.items()
                )
            )
            rows.append((Button(at.DISMISS, f"a:dis:{group.first_id}"),))
            replies.append(Reply(text, tuple(rows)))
        return replies

    async def _roster(self) -> list[Reply]:
        """Staff per station and who is on duty."""
        async with self.ctx.sessions.begin() as session:
            rows = await repo.roster(session)
        if not rows:
            return [Reply(at.ROSTER_NONE)]
        directory = self.ctx.stations.current
        lines = [at.ROSTER_HEAD]
        current = None
        for code, user, on in rows:
            if code != current:
                station = directory.get(code)
                lines.append(f"{station.name if station else code}（{code}）")
                current = code
            lines.append(f"  · 工作人员 {user}：{'上班' if on else '下班'}")
        return [Reply(part) for part in split_message("\n".join(lines))]

    async def _stats(self, period: str, now: datetime) -> list[Reply]:
        figures = await self.statistics.figures(period, now)
        replies = [Reply(part) for part in split_message(figures)]
        chart = await self.statistics.chart(period, now)
        if chart is not None:
            replies.append(Reply(at.CHART, image=chart))
        return replies
