"""Admins keep the FAQ live from the bot, review what it missed and read the figures (core
services on a real database; a second Services on the same database plays another instance)."""

from __future__ import annotations

from bot.model import Command, Press, Reply, Text
from bot.services import Services

ADMIN = 900
WORKER = 5555


def buttons(replies: list[Reply]) -> dict[str, str]:
    return {b.text: b.data for r in replies for row in r.buttons for b in row}


async def send(services: Services, event, user: int = ADMIN) -> list[Reply]:
    return await services.dialog.handle(user, event, services.clock())


async def test_an_edit_is_previewed_checked_saved_live_and_can_be_rolled_back(
    services: Services, settings, normalizer, clock
) -> None:
    other = await Services.create(settings, normalizer=normalizer, clock=clock)
    try:
        found = await send(services, Command("faq", "二倍工资"))
        open_data = next(d for d in buttons(found).values() if d.startswith("a:open:"))
        entry_id = open_data.removeprefix("a:open:")
        opened = await send(services, Press(open_data))
        await send(services, Press(buttons(opened)["改标题"]))
        # A citation that is not in LAWS_DIR is refused before anything is saved.
        bad = await send(services, Press(buttons(opened)["改依据（每"]))
        refused = await send(services, Text("劳动合同法 9999"))
        assert "没有第9999条" in refused[0].text
        await send(services, Press("a:drop"))
        await send(services, Press(buttons(opened)["改标题"]))
        preview = await send(services, Text("没签合同能要两倍工资"))
        assert "预览" in preview[0].text
        assert services.kb.get(entry_id).title != "没签合同能要两倍工资"  # not yet
        saved = await send(services, Press(buttons(preview)["确认保存"]))
        assert "已保存" in saved[0].text
        assert services.kb.get(entry_id).title == "没签合同能要两倍工资"
        # The other instance sees it on its next check, without a restart.
        assert await other.kb.refresh_if_changed()
        assert other.kb.get(entry_id).title == "没签合同能要两倍工资"
        history = await send(services, Command("faq_history", entry_id))
        rollback = next(d for t, d in buttons(history).items() if t.startswith("回滚到"))
        await send(services, Press(rollback))
        assert services.kb.get(entry_id).title != "没签合同能要两倍工资"
        assert bad  # the citation prompt was shown
    finally:
        await other.aclose()


async def test_workers_cannot_edit_and_a_new_entry_needs_every_field(services: Services) -> None:
    refused = await send(services, Command("faq", "工资"), user=WORKER)
    assert "无权限" in refused[0].text
    await send(services, Command("faq_new"))
    for value in ("heat-allowance-test", "工资报酬", "高温津贴", "夏天高温有津贴吗",
                  "高温天气露天作业，单位应当发高温津贴，标准各地不同。"):  # fmt: skip
        await send(services, Text(value))
    preview = await send(services, Text("劳动法 50"))
    assert "预览" in preview[0].text
    await send(services, Press(buttons(preview)["确认保存"]))
    assert services.kb.get("heat-allowance-test") is not None
    answer = await send(services, Text("夏天高温有津贴吗"), user=WORKER)
    assert any("高温" in r.text for r in answer)


async def test_unanswered_questions_are_grouped_and_dismissed_for_good(
    services: Services,
) -> None:
    for text in ("厂里发的月饼能折现吗", "厂里发的月饼可以折成现金吗", "月饼能不能折现金"):
        await send(services, Text(text), user=WORKER)
    listing = await send(services, Command("unanswered"))
    assert "组" in listing[0].text
    group = next(r for r in listing[1:] if "月饼" in r.text)
    assert group.text.startswith("3 次") or group.text.startswith("2 次")
    dismiss = next(b.data for row in group.buttons for b in row if b.data.startswith("a:dis:"))
    await send(services, Press(dismiss))
    again = await send(services, Command("unanswered"))
    assert all("月饼" not in r.text for r in again[1:])


async def test_stats_give_the_reported_figures(services: Services) -> None:
    draft = {"kind": "help", "category": "wage", "consented_at": "x", "station": "PDS-RZ",
             "description": "工资没发"}  # fmt: skip
    opened = await services.cases.open_from_intake(WORKER, draft, now=services.clock())
    await services.desk.grant(ADMIN, 6001, "PDS-RZ", services.clock())
    await services.desk.claim(opened.id, 6001, services.clock())
    await services.desk.close(opened.id, 6001, "mediated", "", services.clock())
    await send(services, Text("老板拖欠工资三个月了怎么办"), user=WORKER)
    stats = await send(services, Command("stats", "week"))
    text = stats[0].text
    assert "受理案件：1 件" in text and "调解成功率：100%" in text and "工资" in text
    assert "问题：1 个" in text


async def test_labels_from_admins_and_staff_join_the_training_corpus(services: Services) -> None:
    from bot.learning import stored_labels

    for text in ("厂里的食堂天天吃坏肚子能投诉吗", "食堂吃坏肚子好几个人了能投诉不"):
        await send(services, Text(text), user=WORKER)
    listing = await send(services, Command("unanswered"))
    group = next(r for r in listing[1:] if "食堂" in r.text)
    mark = next(b.data for row in group.buttons for b in row if b.data.endswith(":legal_aid"))
    done = await send(services, Press(mark))
    assert "需要人工" in done[0].text
    draft = {"kind": "help", "category": "other", "consented_at": "x", "station": "PDS-RZ",
             "description": "老板把我的工资卡拿走了还不给钱"}  # fmt: skip
    opened = await services.cases.open_from_intake(WORKER, draft, now=services.clock())
    await services.desk.grant(ADMIN, 6002, "PDS-RZ", services.clock())
    corrected = await send(services, Command("route", f"{opened.number} 需要人工 工资"), user=6002)
    assert "已更正" in corrected[0].text
    labels = await stored_labels(services.sessions)
    assert {(e.route, e.style) for e in labels} == {("legal_aid", "label")}
    assert any("工资卡" in e.text for e in labels) and any("食堂" in e.text for e in labels)


async def test_reports_as_csv_and_excel_and_a_chart_with_chinese_labels(
    services: Services, tmp_path
) -> None:
    import csv
    from datetime import timedelta

    from openpyxl import load_workbook

    from bot.report import _font_path, case_rows, chart_png, write_csv, write_xlsx

    draft = {"kind": "help", "category": "wage", "consented_at": "x", "station": "PDS-RZ",
             "description": "工资没发"}  # fmt: skip
    for _ in range(3):
        await services.cases.open_from_intake(WORKER, draft, now=services.clock())
    now = services.clock()
    seen: list[int] = []
    rows = await case_rows(
        services.sessions, services.stations, now - timedelta(days=1), now + timedelta(days=1),
        progress=seen.append,
    )  # fmt: skip
    assert len(rows) == 3 and seen == [3]
    write_csv(rows, tmp_path / "r.csv")
    with (tmp_path / "r.csv").open(encoding="utf-8-sig") as handle:
        table = list(csv.reader(handle))
    assert table[0][0] == "案件编号" and len(table) == 4 and table[1][3] == "工资"
    write_xlsx(rows, tmp_path / "r.xlsx")
    book = load_workbook(tmp_path / "r.xlsx")
    assert book.sheetnames == ["案件", "汇总"] and book["案件"].max_row == 4
    assert _font_path() is not None  # the CJK font ships with the project's dependencies
    png = chart_png(rows, "测试")
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
    stats = await send(services, Command("stats", "week"))
    assert stats[-1].image is not None and stats[-1].image.startswith(b"\x89PNG")


def test_one_employer_written_differently_is_one_employer() -> None:
    from bot.digest import employer_key, group_employers

    assert employer_key("某某电子有限公司") == employer_key("某某电子厂") == "某某电子"
    groups = group_employers(["某某电子厂", "苏州某某电子有限公司", "某某电子公司", "另一家物流"])
    assert groups[0][1] == 3 and len(groups) == 2


async def test_the_daily_digest_names_collective_disputes_and_repeat_employers_once_a_day(
    services: Services,
) -> None:
    from bot.digest import queue_digest
    from storage.models import OutboxRow

    for employer, workers in (("某某电子厂", "30+"), ("苏州某某电子有限公司", "1")):
        draft = {"kind": "help", "category": "wage", "consented_at": "x", "station": "PDS-RZ",
                 "description": "工资没发", "employer": employer, "workers": workers}  # fmt: skip
        await services.cases.open_from_intake(WORKER, draft, now=services.clock())
    digest = await send(services, Command("digest"))
    text = digest[0].text
    assert "新的群体性纠纷：1 件" in text and "2 件" in text and "某某电子" in text
    assert await queue_digest(services.sessions, services.stations, (ADMIN,), services.clock())
    await queue_digest(services.sessions, services.stations, (ADMIN,), services.clock())
    async with services.sessions.begin() as session:
        from sqlalchemy import select

        rows = (await session.scalars(select(OutboxRow.dedupe_key))).all()
    assert len([k for k in rows if k.startswith("digest:")]) == 1  # once per date


async def test_a_deletion_request_is_one_notice_with_a_button_that_erases(
    services: Services,
) -> None:
    from sqlalchemy import select

    from bot.retention import ANONYMISED
    from storage.models import CaseRow, OutboxRow

    draft = {"kind": "help", "category": "wage", "consented_at": "x", "station": "PDS-RZ",
             "description": "王五在某厂被欠薪", "phone": "13812345678"}  # fmt: skip
    opened = await services.cases.open_from_intake(WORKER, draft, now=services.clock())
    for _ in range(5):
        await send(services, Press("p:delete!"), user=WORKER)
    async with services.sessions.begin() as session:
        notices = [
            r for r in (await session.scalars(select(OutboxRow))).all()
            if r.chat_id == ADMIN and "删除申请" in str(r.payload)
        ]  # fmt: skip
    assert len(notices) == 1
    erase = notices[0].payload["buttons"][0][0][1]
    done = await send(services, Press(erase))
    assert "已删除" in done[0].text
    async with services.sessions.begin() as session:
        case = await session.get(CaseRow, opened.id)
    assert case.description == ANONYMISED and case.phone is None and case.status == "closed"
    forged = await send(services, Press(erase), user=WORKER)
    assert "无权限" in forged[0].text


async def test_roster_and_overdue_cases_in_the_digest(services: Services, clock) -> None:
    await services.desk.grant(ADMIN, 6101, "PDS-RZ", services.clock())
    roster = await send(services, Command("roster"))
    assert "工作人员 6101：上班" in roster[0].text
    draft = {"kind": "help", "category": "wage", "consented_at": "x", "station": "PDS-RZ",
             "description": "工资没发"}  # fmt: skip
    opened = await services.cases.open_from_intake(WORKER, draft, now=services.clock())
    clock.advance(hours=60)
    await services.escalation.escalate_overdue(services.clock())
    digest = await send(services, Command("digest"))
    assert "超时未办的案件：1 件" in digest[0].text and opened.number in digest[0].text
    refused = await send(services, Command("roster"), user=WORKER)
    assert "无权限" in refused[0].text


async def test_the_audit_log_records_grants_edits_and_deletions(services: Services) -> None:
    await services.desk.grant(ADMIN, 6201, "PDS-RZ", services.clock())
    await services.desk.revoke(ADMIN, 6201, None, services.clock())
    entry = next(iter(services.kb.matcher.entries))
    await services.dialog.faq_admin.retire(ADMIN, entry.id, services.clock())
    audit = await send(services, Command("audit"))
    text = audit[0].text
    assert "grant_staff" in text and "revoke_staff" in text and "faq_retired" in text
    assert "无权限" in (await send(services, Command("audit"), user=WORKER))[0].text
