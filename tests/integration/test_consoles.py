"""Two consoles on one database hold a case conversation: the console runs the relay for its
own user only, so a worker's console never swallows what is meant for staff."""

from __future__ import annotations

import io

from bot.console import run_console
from bot.services import Services

WORKER = 8801
STAFF = 8802


def script(*lines: str):
    queue = [f"{line}\n" for line in lines]
    return lambda: queue.pop(0) if queue else ""


async def console(services: Services, user: int, *lines: str) -> str:
    out = io.StringIO()
    await run_console(
        services, user_id=user, stdin=io.StringIO(), stdout=out, readline=script(*lines)
    )
    return out.getvalue()


async def test_a_worker_and_a_staff_console_talk_through_a_case(services: Services) -> None:
    draft = {
        "kind": "help",
        "category": "wage",
        "consented_at": "x",
        "station": "PDS-RZ",
        "description": "三个月工资没发",
        "phone": "13812345678",
    }
    opened = await services.cases.open_from_intake(WORKER, draft, now=services.clock())
    await services.desk.grant(900, STAFF, "PDS-RZ", services.clock())

    staff = await console(
        services, STAFF, f"/claim {opened.number}", f"/reply {opened.number} 请发工资条照片"
    )
    assert "已被授权" in staff and "认领成功" in staff and "已发送" in staff

    worker = await console(services, WORKER, "/mycases", "好的，晚上拍了发给您")
    assert "请发工资条照片" in worker  # the staff reply, shown as a notice
    assert "已由" in worker  # the claim notice
    assert "已转给案件" in worker  # the worker's answer went to the case
    assert "已被授权" not in worker  # never someone else's messages

    staff_again = await console(services, STAFF, f"/case {opened.number}")
    assert "晚上拍了发给您" in staff_again
    assert "13812345678" in staff_again  # staff see how to call the worker back
