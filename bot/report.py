"""Reports for the union (登记统计报告制度): one row per case for a period as CSV or Excel
(openpyxl), and a chart of cases per week by category and by station (matplotlib, with the
Noto Sans CJK font that the mplfonts package installs, so Chinese labels render anywhere)."""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import intake_texts, staff_texts, texts
from bot.directory import StationDirectory
from storage.models import CaseEventRow, CaseRow

COLUMNS = (
    ("number", "案件编号"),
    ("created", "受理时间"),
    ("station", "受理站点"),
    ("category", "类型"),
    ("kind", "来源"),
    ("urgent", "紧急"),
    ("crisis", "危机"),
    ("collective", "群体性"),
    ("status", "状态"),
    ("outcome", "办结结果"),
    ("claim_hours", "认领用时（小时）"),
    ("close_hours", "办结用时（小时）"),
    ("escalations", "超时升级次数"),
    ("rating", "评价"),
)
BATCH = 500


def _font_path() -> Path | None:
    try:
        path = resources.files("mplfonts") / "fonts" / "NotoSansCJKsc-Regular.otf"
    except ModuleNotFoundError:
        return None
    return Path(str(path)) if Path(str(path)).is_file() else None


async def case_rows(
    sessions: async_sessionmaker[AsyncSession],
    stations: StationDirectory,
    since: datetime,
    until: datetime,
    progress: Callable[[int], None] | None = None,
) -> list[dict[str, Any]]:
    """Cases received in [since, until), read in batches (progress after each)."""
    directory = stations.current
    out: list[dict[str, Any]] = []
    last_id = 0
    while True:
        async with sessions.begin() as session:
            rows = list(
                (
                    await session.scalars(
                        select(CaseRow)
                        .where(
                            CaseRow.created_at >= since,
                            CaseRow.created_at < until,
                            CaseRow.id > last_id,
                        )
                        .order_by(CaseRow.id)
                        .limit(BATCH)
                    )
                ).all()
            )
            if not rows:
                break
            escalated = Counter(
                (
                    await session.scalars(
                        select(CaseEventRow.case_id).where(
                            CaseEventRow.case_id.in_([r.id for r in rows]),
                            CaseEventRow.kind == "escalated",
                        )
                    )
                ).all()
            )
        for row in rows:
            station = directory.get(row.station_code)
            out.append(
                {
                    "number": row.number,
                    "created": texts.local_time(row.created_at),
                    "week": (row.created_at + timedelta(hours=8)).strftime("%G-W%V"),
                    "station": station.name if station else row.station_code,
                    "category": intake_texts.CATEGORY_NAMES.get(row.category, row.category),
                    "kind": {"report": "举报", "crisis": "危机求助"}.get(row.kind, "求助"),
                    "urgent": "是" if row.urgent else "",
                    "crisis": "是" if row.crisis else "",
                    "collective": "是" if row.collective else "",
                    "status": staff_texts.STATUS.get(row.status, row.status),
                    "outcome": staff_texts.OUTCOMES.get(row.outcome or "", ""),
                    "claim_hours": _hours(row.created_at, row.claimed_at),
                    "close_hours": _hours(row.created_at, row.closed_at),
                    "escalations": escalated.get(row.id, 0),
                    "rating": row.rating or "",
                }
            )
        last_id = rows[-1].id
        if progress is not None:
            progress(len(out))
    return out


def _hours(start: datetime, end: datetime | None) -> float | str:
    return round((end - start).total_seconds() / 3600, 1) if end else ""


def write_csv(rows: list[dict[str, Any]], path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:  # BOM: Excel opens it
        writer = csv.writer(handle)
        writer.writerow([title for _, title in COLUMNS])
        for row in rows:
            writer.writerow([row[key] for key, _ in COLUMNS])


def write_xlsx(rows: list[dict[str, Any]], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "案件"
    sheet.append([title for _, title in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([row[key] for key, _ in COLUMNS])
    summary = book.create_sheet("汇总")
    summary.append(["项目", "分项", "件数"])
    for label, key in (("按站点", "station"), ("按类型", "category"), ("按结果", "outcome")):
        for value, count in Counter(r[key] or "未办结" for r in rows).most_common():
            summary.append([label, value, count])
    book.save(path)


def chart_png(rows: list[dict[str, Any]], title: str) -> bytes:
    """Cases per week, stacked by category (top) and by station (bottom)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.font_manager import FontProperties

    font_path = _font_path()
    font = FontProperties(fname=str(font_path)) if font_path else FontProperties()
    weeks = sorted({r["week"] for r in rows}) or ["—"]
    figure, axes = plt.subplots(2, 1, figsize=(9, 7), dpi=110)
    for axis, key, name in ((axes[0], "category", "类型"), (axes[1], "station", "站点")):
        counts: dict[str, Counter] = defaultdict(Counter)
        for r in rows:
            counts[r[key]][r["week"]] += 1
        bottom = [0] * len(weeks)
        for label, by_week in sorted(counts.items(), key=lambda kv: -sum(kv[1].values()))[:8]:
            values = [by_week.get(w, 0) for w in weeks]
            axis.bar(weeks, values, bottom=bottom, label=label)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        axis.set_title(f"每周受理案件（按{name}）", fontproperties=font)
        axis.set_ylabel("件数", fontproperties=font)
        if counts:
            axis.legend(prop=font, fontsize=8, loc="upper left")
        for label in axis.get_xticklabels():
            label.set_fontproperties(font)
    figure.suptitle(title, fontproperties=font)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()
