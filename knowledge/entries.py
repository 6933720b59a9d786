"""FAQ entries: the data model and the YAML/JSON files that seed the knowledge base."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

FAQ_DIR = Path(__file__).resolve().parent / "faq"
FIELDS = (
    "id",
    "topic",
    "category",
    "title",
    "question",
    "alternates",
    "answer",
    "citations",
    "updated",
)
PLACEHOLDERS = ("local_min_wage", "local_avg_wage")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class Citation:
    law: str
    article: str

    def label(self) -> str:
        """《劳动合同法》第82条."""
        main, _, suffix = self.article.partition("-")
        tail = f"之{'一二三四五六七八九'[int(suffix) - 1]}" if suffix.isdigit() else ""
        return f"《{self.law}》第{main}条{tail}"

    def as_dict(self) -> dict[str, str]:
        return {"law": self.law, "article": self.article}


@dataclass(frozen=True)
class Entry:
    id: str
    topic: str
    category: str
    title: str
    question: str
    answer: str
    citations: tuple[Citation, ...]
    alternates: tuple[str, ...] = ()
    updated: str = ""
    version: int = 1

    def phrasings(self) -> list[str]:
        """Every text a worker's question may resemble: title, question, alternates."""
        return [self.title, self.question, *self.alternates]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "topic": self.topic,
            "category": self.category,
            "title": self.title,
            "question": self.question,
            "alternates": list(self.alternates),
            "answer": self.answer,
            "citations": [c.as_dict() for c in self.citations],
            "updated": self.updated,
        }


class EntryError(ValueError):
    """An entry that cannot be loaded; the message names the entry and the field."""


def entry_from_dict(data: Mapping[str, Any], *, version: int = 1) -> Entry:
    """Validate and build an Entry from a YAML/JSON mapping."""
    ident = str(data.get("id") or "").strip()
    missing = [f for f in FIELDS if f != "alternates" and not data.get(f)]
    if missing:
        raise EntryError(f"entry {ident or '?'}: missing {', '.join(missing)}")
    citations = []
    for item in data["citations"]:
        if not isinstance(item, Mapping) or not item.get("law") or not item.get("article"):
            raise EntryError(f"entry {ident}: bad citation {item!r}")
        citations.append(Citation(str(item["law"]).strip(), str(item["article"]).strip()))
    updated = data["updated"]
    if isinstance(updated, dt.date):
        updated = updated.isoformat()
    for name in _PLACEHOLDER.findall(str(data["answer"])):
        if name not in PLACEHOLDERS:
            raise EntryError(f"entry {ident}: unknown placeholder {{{name}}}")
    return Entry(
        id=ident,
        topic=str(data["topic"]).strip(),
        category=str(data["category"]).strip(),
        title=str(data["title"]).strip(),
        question=str(data["question"]).strip(),
        answer=str(data["answer"]).strip(),
        citations=tuple(citations),
        alternates=tuple(str(a).strip() for a in data.get("alternates") or [] if str(a).strip()),
        updated=str(updated),
        version=version,
    )


def load_yaml_dir(directory: Path = FAQ_DIR) -> list[Entry]:
    """Every entry of every `*.yaml` file, in file order; duplicate ids are an error."""
    entries: list[Entry] = []
    for path in sorted(directory.glob("*.yaml")):
        entries.extend(load_yaml_file(path))
    _check_unique(entries)
    return entries


def load_yaml_file(path: Path) -> list[Entry]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if not isinstance(raw, list):
        raise EntryError(f"{path.name}: expected a list of entries")
    try:
        return [entry_from_dict(item) for item in raw]
    except EntryError as exc:
        raise EntryError(f"{path.name}: {exc}") from exc


def _check_unique(entries: Sequence[Entry]) -> None:
    seen: set[str] = set()
    for entry in entries:
        if entry.id in seen:
            raise EntryError(f"duplicate entry id {entry.id}")
        seen.add(entry.id)


class _BlockDumper(yaml.SafeDumper):
    """Multi-line strings as `|-` blocks so exported answers stay readable."""


def _str_presenter(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _str_presenter)


def dump_yaml(entries: Iterable[Entry]) -> str:
    return yaml.dump(
        [e.as_dict() for e in entries],
        Dumper=_BlockDumper,
        allow_unicode=True,
        sort_keys=False,
        width=1000,
    )


@dataclass(frozen=True)
class LocalFigures:
    """Locally varying amounts from configuration; None means "not configured"."""

    region: str = ""
    min_wage_monthly: int | None = None
    min_wage_hourly: float | None = None
    avg_wage_monthly: int | None = None
    extra: Mapping[str, str] = field(default_factory=dict)

    def render(self, answer: str) -> str:
        """Fill {local_min_wage} / {local_avg_wage} with configured figures or a safe phrase."""
        where = self.region or "当地"
        if self.min_wage_monthly:
            hourly = f"，非全日制每小时{self.min_wage_hourly:g}元" if self.min_wage_hourly else ""
            min_wage = f"当地最低工资标准（{where}：每月{self.min_wage_monthly}元{hourly}）"
        else:
            min_wage = "当地最低工资标准（各地不同，以当地人社部门公布的为准，可打12333查询）"
        if self.avg_wage_monthly:
            avg_wage = f"当地上年度职工月平均工资（{where}：每月{self.avg_wage_monthly}元）"
        else:
            avg_wage = "当地上年度职工月平均工资（各地每年公布，可打12333查询）"
        values = {"local_min_wage": min_wage, "local_avg_wage": avg_wage}
        return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), answer)
