"""The command line as users and other tools run it: real processes, real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(tmp_path: Path, laws_dir: Path, database: tuple[str, str | None]) -> dict[str, str]:
    url, schema = database
    environment = {
        **os.environ,
        "DATABASE_URL": url,
        "LAWS_DIR": str(laws_dir),
        "PYTHONIOENCODING": "utf-8",
    }
    environment.pop("TELEGRAM_BOT_TOKEN", None)
    if schema:
        environment["DATABASE_SCHEMA"] = schema
    return environment


def run(args: list[str], env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "main.py", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


CONTRACT_KEYS = {
    "question",
    "faq_id",
    "score",
    "answer",
    "citations",
    "route",
    "category",
    "alternatives",
}


def check_contract(row: dict) -> None:
    assert CONTRACT_KEYS <= set(row)
    assert isinstance(row["score"], float) and 0.0 <= row["score"] <= 1.0
    assert row["route"] in {"self_help", "legal_aid", "urgent", "out_of_scope"}
    for citation in row["citations"]:
        assert set(citation) == {"law", "article"}
        assert isinstance(citation["article"], str)
    for alt in row["alternatives"]:
        assert set(alt) == {"faq_id", "title", "score"}


def test_ask_json_prints_one_object_following_the_contract(env: dict[str, str]) -> None:
    done = run(["ask", "加斑费怎么算？周末加班给多少", "--json"], env)
    assert done.returncode == 0, done.stderr
    row = json.loads(done.stdout)
    check_contract(row)
    assert row["question"] == "加斑费怎么算？周末加班给多少"
    assert row["faq_id"] and row["citations"]
    assert any(c["law"] == "劳动法" and c["article"] == "44" for c in row["citations"])


def test_ask_jsonl_answers_every_line_with_its_id(env: dict[str, str]) -> None:
    lines = [
        {"id": "a", "question": "包工头跑路了工钱找谁要"},
        {"id": "b", "question": "邻居家的狗天天叫，能告他吗"},
        {"id": "c", "question": "我真的不想活了，老板一年没给工资"},
    ]
    stdin = "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n"
    done = run(["ask", "--jsonl"], env, stdin)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["a", "b", "c"]
    for row in rows:
        check_contract(row)
    assert rows[1]["route"] == "out_of_scope" and rows[1]["faq_id"] is None
    assert rows[2]["route"] == "urgent"


def test_kb_export_json_lists_entries_with_all_fields(env: dict[str, str]) -> None:
    done = run(["kb", "export", "--format", "json"], env)
    assert done.returncode == 0, done.stderr
    entries = json.loads(done.stdout)
    assert len(entries) > 60
    assert set(entries[0]) == {
        "id",
        "topic",
        "category",
        "title",
        "question",
        "alternates",
        "answer",
        "citations",
        "updated",
    }


def test_kb_check_finds_no_bad_citation(env: dict[str, str]) -> None:
    done = run(["kb", "check"], env)
    assert done.returncode == 0, done.stdout
    assert "0 problem(s)" in done.stdout


def test_run_without_a_token_opens_the_console_and_answers_with_a_citation(
    env: dict[str, str],
) -> None:
    done = run(["run"], env, stdin="老板拖欠工资两个月了怎么办\n/quit\n")
    assert done.returncode == 0, done.stderr
    assert "控制台" in done.stdout
    assert "依据：《" in done.stdout
    assert "[1] 常见问题" in done.stdout


def test_db_upgrade_is_idempotent(env: dict[str, str]) -> None:
    for _ in range(2):
        done = run(["db", "upgrade"], env)
        assert done.returncode == 0, done.stderr
    assert "schema revision:" in done.stdout


def test_console_as_staff_reaches_the_desk(env: dict[str, str]) -> None:
    done = run(
        ["chat", "--as", "staff", "--user-id", "42", "--station", "SZ-KS-HQ"],
        env,
        stdin="/queue\n/claim 99999\n/quit\n",
    )
    assert done.returncode == 0, done.stderr
    assert "SZ-KS-HQ 工作人员" in done.stdout
    assert "没有待处理的案件" in done.stdout and "没有这个案件" in done.stdout


def test_dry_runs_show_what_would_change_and_save_nothing(env: dict[str, str], tmp_path) -> None:
    assert run(["db", "upgrade"], env).returncode == 0
    kb = ROOT / "knowledge" / "faq"
    first = run(["kb", "load", str(kb)], env)
    assert first.returncode == 0, first.stderr
    # One entry edited in a copy of one file: the dry run names it and saves nothing.
    source = (kb / "02-wages.yaml").read_text("utf-8")
    edited = tmp_path / "02-wages.yaml"
    edited.write_text(source.replace("title: ", "title: 改", 1), "utf-8")
    dry = run(["kb", "load", str(edited), "--dry-run"], env)
    assert dry.returncode == 0, dry.stderr
    assert "would be changed" in dry.stdout and "nothing saved" in dry.stdout
    again = run(["kb", "load", str(edited), "--dry-run"], env)
    assert "would be changed" in again.stdout  # still not saved
    # The station directory as it is: a dry run changes nothing and would retire nothing.
    stations = ROOT / "knowledge" / "stations.yaml"
    lines = stations.read_text("utf-8")
    partial = tmp_path / "stations.yaml"
    partial.write_text(lines, "utf-8")
    dry_st = run(["stations", "import", str(partial), "--dry-run"], env)
    assert dry_st.returncode == 0, dry_st.stderr
    assert "nothing saved" in dry_st.stdout and "would retire" not in dry_st.stdout
    retention = run(["cases", "retention", "--dry-run"], env)
    assert retention.returncode == 0 and "would anonymise 0 closed cases" in retention.stdout
