"""The command menu Telegram shows each role (published per chat for staff and admins)."""

from __future__ import annotations

WORKER = (
    ("start", "主菜单"),
    ("mycases", "我的案件"),
    ("law", "查看法条，例如 /law 劳动合同法 82"),
    ("privacy", "隐私说明"),
    ("help", "使用说明"),
)
STAFF = (
    ("queue", "待处理案件"),
    ("mine", "我负责的案件"),
    ("case", "案件详情：/case 案件号"),
    ("duty", "值班状态，/duty on|off"),
    ("canned", "回复模板"),
    ("whoami", "我的用户ID"),
    ("staff", "工作人员命令说明"),
    ("start", "主菜单"),
)
ADMIN = (
    *STAFF[:-1],
    ("grant_staff", "授权工作人员：/grant_staff 用户ID 站点"),
    ("revoke_staff", "取消授权：/revoke_staff 用户ID"),
    ("setcanned", "编辑回复模板"),
    ("faq", "知识库：/faq 关键词"),
    ("unanswered", "机器人没答好的问题"),
    ("stats", "统计和图表"),
    ("digest", "今天的预警摘要"),
    ("roster", "工作人员和值班"),
    ("audit", "操作记录"),
    ("staff", "命令说明"),
    ("start", "主菜单"),
)
BY_ROLE = {"worker": WORKER, "staff": STAFF, "admin": ADMIN}


def commands_for(role: str) -> tuple[tuple[str, str], ...]:
    return BY_ROLE.get(role, WORKER)
