"""Legal-aid eligibility pre-check under 法律援助法, with the reasons shown to the worker.

This is a pre-check for triage, not the legal-aid body's decision (法律援助法第43条: it
decides within seven days after receiving an application).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Dispute categories of the intake whose claims 法律援助法第31条 lists.
ARTICLE_31_ITEMS = {
    "wage": "（五）请求确认劳动关系或者支付劳动报酬",
    "contract": "（五）请求确认劳动关系或者支付劳动报酬",
    "social_insurance": "（二）请求给予社会保险待遇",
    "injury": "（七）请求工伤事故人身损害赔偿",
}


@dataclass(frozen=True)
class Eligibility:
    likely: bool
    hardship_check_waived: bool
    advance_aid_possible: bool
    reasons: tuple[str, ...] = ()
    citations: tuple[tuple[str, str], ...] = field(default=())

    def as_dict(self) -> dict[str, object]:
        return {
            "likely": self.likely,
            "hardship_check_waived": self.hardship_check_waived,
            "advance_aid_possible": self.advance_aid_possible,
            "reasons": list(self.reasons),
            "citations": [{"law": law, "article": art} for law, art in self.citations],
        }


def precheck(
    category: str,
    *,
    migrant_worker: bool,
    deadline_within_days: int | None = None,
    kind: str = "help",
) -> Eligibility:
    """Reasons a worker's case is (or may not be) covered by state legal aid.

    `migrant_worker`: the worker says they came from elsewhere to work (进城务工人员);
    `deadline_within_days`: days left before a time limit, if the worker told us.
    """
    reasons: list[str] = []
    citations: list[tuple[str, str]] = []
    if kind == "report":
        return Eligibility(
            False,
            False,
            False,
            ("举报违法行为由工会和劳动保障监察部门处理，不需要申请法律援助。",),
            (),
        )
    item = ARTICLE_31_ITEMS.get(category)
    likely = item is not None
    if item:
        reasons.append(f"您的事项属于法律援助范围：法律援助法第31条{item}；一般还要经济困难。")
        citations.append(("法律援助法", "31"))
    else:
        reasons.append(
            "这类事项不在法律援助法第31条列明的范围内，工会法律援助站仍可以提供咨询和调解帮助。"
        )
    waived = migrant_worker and category in ("wage", "injury")
    if waived:
        reasons.append(
            "进城务工人员讨要劳动报酬或请求工伤赔偿的，免予核查经济困难状况"
            "（法律援助法第42条第三项）。"
        )
        citations.append(("法律援助法", "42"))
    advance = deadline_within_days is not None and deadline_within_days < 7
    if advance:
        reasons.append(
            "距离时效或期限届满不足七日的，法律援助机构可以先行提供法律援助（法律援助法第44条）。"
        )
        citations.append(("法律援助法", "44"))
    reasons.append("是否给予法律援助，由法律援助机构在收到申请后七日内决定（法律援助法第43条）。")
    citations.append(("法律援助法", "43"))
    return Eligibility(likely, waived, advance, tuple(reasons), tuple(citations))
