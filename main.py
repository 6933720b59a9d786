"""Command line: run the bot (Telegram or console), chat, ask, db, kb, eval."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from bot.settings import Settings

logger = logging.getLogger("main")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="main.py", description="劳动维权助手")
    sub = parser.add_subparsers(dest="command")

    run = sub.add_parser("run", help="Telegram bot if TELEGRAM_BOT_TOKEN is set, else the console")
    run.add_argument(
        "--webhook", metavar="URL", help="public https URL: webhook mode, not polling"
    )
    run.add_argument("--listen", default="127.0.0.1:8080", help="HOST:PORT of the ASGI app")

    chat = sub.add_parser("chat", help="chat with the bot in this terminal")
    chat.add_argument("--as", dest="role", choices=("worker", "staff", "admin"), default="worker")
    chat.add_argument("--user-id", type=int, default=1)
    chat.add_argument("--station", help="with --as staff: the station code (default: first)")

    sub.add_parser("telegram", help="run the Telegram bot (needs TELEGRAM_BOT_TOKEN)")

    ask = sub.add_parser("ask", help="answer one question, or JSON lines from stdin")
    ask.add_argument("question", nargs="?")
    ask.add_argument("--json", action="store_true", help="print one JSON object")
    ask.add_argument("--jsonl", action="store_true", help='read {"id","question"} lines')

    db = sub.add_parser("db", help="database schema")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply all migrations")
    db_sub.add_parser("current", help="print the schema revision")

    kb = sub.add_parser("kb", help="knowledge base")
    kb_sub = kb.add_subparsers(dest="kb_command", required=True)
    load = kb_sub.add_parser("load", help="load YAML entries into the database")
    load.add_argument("path", nargs="?", type=Path, help="directory or file (default FAQ_DIR)")
    load.add_argument("--prune", action="store_true", help="retire entries not in the files")
    load.add_argument(
        "--dry-run", action="store_true", help="show what would change, save nothing"
    )
    export = kb_sub.add_parser("export", help="print the live entries")
    export.add_argument("--format", choices=("yaml", "json"), default="yaml")
    kb_sub.add_parser("check", help="check every citation against LAWS_DIR")
    kb_sub.add_parser("calibrate", help="fit the score calibration on held-out alternates")
    train = kb_sub.add_parser("train", help="train the learned ranker and triage (seeded)")
    train.add_argument("--seed", type=int, default=0)
    cv = kb_sub.add_parser("cv", help="grouped k-fold cross-validation on the training corpus")
    cv.add_argument("--folds", type=int, default=4)
    cv.add_argument("--seed", type=int, default=0)

    report = sub.add_parser("report", help="cases of a period as CSV or Excel (and a chart)")
    report.add_argument("--from", dest="since", required=True, help="YYYY-MM-DD (China time)")
    report.add_argument("--to", dest="until", required=True, help="YYYY-MM-DD, exclusive")
    report.add_argument("--format", choices=("csv", "xlsx"), default="xlsx")
    report.add_argument("--out", type=Path, help="file to write (default report-FROM-TO.EXT)")
    report.add_argument("--chart", type=Path, help="also write the weekly chart as PNG")

    cases = sub.add_parser("cases", help="case records")
    cases_sub = cases.add_subparsers(dest="cases_command", required=True)
    retention = cases_sub.add_parser(
        "retention", help="anonymise closed cases older than CASE_RETENTION_YEARS"
    )
    retention.add_argument("--dry-run", action="store_true", help="only count what would change")

    st = sub.add_parser("stations", help="legal-aid station directory")
    st_sub = st.add_subparsers(dest="stations_command", required=True)
    imp = st_sub.add_parser("import", help="validate and load a CSV or YAML directory")
    imp.add_argument("file", type=Path)
    imp.add_argument(
        "--keep-missing", action="store_true", help="do not retire stations absent from the file"
    )
    imp.add_argument("--dry-run", action="store_true", help="show what would change, save nothing")
    imp.add_argument("--yes", action="store_true", help="retire absent stations without asking")
    st_sub.add_parser("list", help="print the active stations as a tree")

    ev = sub.add_parser("eval", help="score the bot on eval JSONL files")
    ev.add_argument("files", type=Path, nargs="+")
    ev.add_argument("--quiet", action="store_true", help="figures only, no misses")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings()
    from bot.logs import setup_logging

    quiet = args.command in ("ask", "eval") or (args.command == "kb")
    setup_logging(
        "WARNING" if quiet else settings.log_level,
        secrets=(settings.token,) if settings.token else (),
    )
    from bot import cli

    command = args.command or "run"
    if command == "run":
        command = "telegram" if settings.token else "chat"
        if command == "chat":
            args.role, args.user_id = "worker", 1
            print("没有设置 TELEGRAM_BOT_TOKEN：进入控制台聊天（输入 /quit 退出）。", flush=True)
    try:
        if command == "telegram":
            from handlers.app import run_telegram

            return run_telegram(
                settings,
                webhook=getattr(args, "webhook", None),
                listen=getattr(args, "listen", "127.0.0.1:8080"),
            )
        return asyncio.run(cli.dispatch(command, args, settings))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
