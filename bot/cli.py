"""The command-line use cases behind main.py (everything but the Telegram loop)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from bot.services import Services
from bot.settings import Settings


async def dispatch(command: str, args: argparse.Namespace, settings: Settings) -> int:
    if command == "db":
        return await db_command(args.db_command, settings)
    if command == "kb" and args.kb_command == "load":
        return await kb_load(settings, args.path, prune=args.prune, dry_run=args.dry_run)
    needs_models = command not in ("cases", "report") and not (
        command == "kb" and args.kb_command in ("train", "cv", "export", "check")
    )
    services = await Services.create(settings, load_models=needs_models)
    try:
        if command == "chat":
            from bot.console import run_console
            from storage import repositories as repo

            user_id = args.user_id
            if args.role == "admin":
                services.dialog.ctx.admin_ids = services.dialog.ctx.admin_ids | {user_id}
            elif args.role == "staff":
                async with services.sessions.begin() as session:
                    granted = await repo.stations_of_staff(session, user_id)
                    if args.station:
                        # A local try-out: the console user becomes staff of that station.
                        if services.stations.current.get(args.station.upper()) is None:
                            print(f"没有这个站点：{args.station}", file=sys.stderr)
                            return 2
                        code = args.station.upper()
                        await repo.grant_staff(session, user_id, code, user_id, services.clock())
                        granted = [code]
                if not granted:
                    print(
                        "--as staff 需要 --station 站点代码，或先由管理员授权这个用户ID"
                        "（python main.py stations 列出站点代码）。",
                        file=sys.stderr,
                    )
                    return 2
                print(f"以 {'、'.join(granted)} 工作人员身份进入（/staff 查看命令）。", flush=True)
            await run_console(services, user_id=user_id)
            return 0
        if command == "ask":
            return await ask(services, args)
        if command == "kb":
            return await kb_command(services, args)
        if command == "stations":
            return await stations_command(services, args)
        if command == "report":
            return await report_command(services, args)
        if command == "cases":
            from bot.retention import anonymise_closed_cases

            report = await anonymise_closed_cases(
                services.sessions,
                services.clock(),
                settings.case_retention_years,
                dry_run=args.dry_run,
            )
            said = "would anonymise" if report.dry_run else "anonymised"
            print(
                f"{said} {report.cases} closed cases (closed before {report.cutoff:%Y-%m-%d}), "
                f"{report.events} messages and notes"
            )
            return 0
        if command == "eval":
            from bot.evaluation import evaluate, print_report

            for path in args.files:
                rows = [
                    json.loads(line)
                    for line in path.read_text("utf-8").splitlines()
                    if line.strip()
                ]
                report = evaluate(services, rows)
                print_report(report, sys.stdout, misses=not args.quiet, name=str(path.name))
                print(json.dumps({path.stem: report.figures()}, ensure_ascii=False))
            return 0
    finally:
        await services.aclose()
    raise SystemExit(f"unknown command {command}")


async def db_command(what: str, settings: Settings) -> int:
    from storage import migrate
    from storage.db import create_engine

    engine = create_engine(settings.database_url, schema=settings.database_schema)
    try:
        if what == "upgrade":
            await migrate.upgrade(engine)
        print(f"schema revision: {await migrate.current_revision(engine)}")
    finally:
        await engine.dispose()
    return 0


async def kb_load(
    settings: Settings, path: Path | None, *, prune: bool, dry_run: bool = False
) -> int:
    from knowledge.entries import load_yaml_dir, load_yaml_file

    services = await Services.create(settings, seed=False)
    try:
        target = path or settings.faq_dir
        entries = load_yaml_file(target) if target.is_file() else load_yaml_dir(target)
        changes: list[str] = []
        counts = await services.kb.save_entries(
            entries, services.clock(), prune=prune, dry_run=dry_run, changes=changes
        )
        if dry_run:
            for line in changes:
                print(f"would be {line}")
            print(f"dry run: {len(entries)} entries in {target}: {counts}; nothing saved")
            return 0
        total = await services.kb.refresh()
        print(f"loaded {len(entries)} entries from {target}: {counts}; {total} active")
    finally:
        await services.aclose()
    return 0


async def kb_command(services: Services, args: argparse.Namespace) -> int:
    if args.kb_command == "export":
        from knowledge.entries import dump_yaml

        entries = await services.kb.active_entries()
        if args.format == "json":
            json.dump([e.as_dict() for e in entries], sys.stdout, ensure_ascii=False, indent=1)
            sys.stdout.write("\n")
        else:
            sys.stdout.write(dump_yaml(entries))
        return 0
    if args.kb_command == "check":
        from knowledge.citations import check_citations

        problems = check_citations(await services.kb.active_entries(), services.laws)
        for problem in problems:
            print(problem)
        print(f"{len(problems)} problem(s)")
        return 1 if problems else 0
    if args.kb_command == "calibrate":
        from knowledge.calibrate import fit_calibration

        entries = await services.kb.active_entries()
        calibration, report = fit_calibration(
            entries, services.kb.matcher.normalizer, progress=sys.stderr
        )
        calibration.save()
        print(json.dumps(report, ensure_ascii=False))
        return 0
    if args.kb_command == "train":
        from bot.learning import stored_labels, train_and_save

        entries = await services.kb.active_entries()
        labels = await stored_labels(services.sessions)
        if labels:
            print(f"with {len(labels)} labels from real messages", file=sys.stderr)
        models = train_and_save(
            entries,
            services.kb.matcher.normalizer,
            services.settings.model_path,
            labels=labels,
            seed=args.seed,
            progress=sys.stderr,
        )
        services.assistant.models = models
        print(
            json.dumps(
                {
                    "model": str(services.settings.model_path),
                    "data": models.digest,
                    **models.report,
                    "thresholds": models.thresholds.__dict__,
                },
                ensure_ascii=False,
            )
        )
        return 0
    if args.kb_command == "cv":
        from bot.learning import stored_labels
        from knowledge.corpus import load_corpus
        from knowledge.train import cross_validate

        entries = await services.kb.active_entries()
        labels = await stored_labels(services.sessions)
        report = cross_validate(
            load_corpus(entries, labels=labels),
            entries,
            services.kb.matcher.normalizer,
            services.assistant.rules,
            seed=args.seed,
            folds=args.folds,
            progress=sys.stderr,
        )
        print_cv(report, sys.stdout)
        return 0
    raise SystemExit(f"unknown kb command {args.kb_command}")


def print_cv(report: dict[str, Any], out: TextIO) -> None:
    """The cross-validation figures as a small table, overall and by style."""
    columns = (
        "rows",
        "hit@1",
        "hit@3",
        "route_acc",
        "urgent_recall",
        "urgent_or_check_recall",
        "false_urgent_rate",
        "oos_precision",
        "answer_rate",
        "answered_precision",
    )
    print(
        f"grouped {report['folds']}-fold cross-validation on knowledge/training "
        "(grouped by situation)",
        file=out,
    )
    print(f"{'':10}" + "".join(f"{c[:13]:>14}" for c in columns), file=out)
    rows = [("all", report["all"]), *report["by_style"].items()]
    for name, figures in rows:
        cells = "".join(f"{'-' if figures[c] is None else figures[c]:>14}" for c in columns)
        print(f"{name:10}{cells}", file=out)
    print(
        json.dumps({"cv": report["all"], "thresholds": report["thresholds"]}, ensure_ascii=False),
        file=out,
    )


async def ask(services: Services, args: argparse.Namespace) -> int:
    if args.jsonl:
        return ask_lines(services, sys.stdin, sys.stdout)
    if not args.question:
        raise SystemExit("ask needs a question, or --jsonl with lines on stdin")
    result = services.assistant.ask(args.question)
    if args.json:
        print(json.dumps(result.as_json(), ensure_ascii=False))
    else:
        replies = services.dialog.answer_replies(result)
        print("\n\n".join(r.text for r in replies))
        print(f"\n[route={result.route} faq={result.faq_id} score={result.score:.3f}]")
    return 0


def ask_lines(services: Services, stdin: TextIO, stdout: TextIO) -> int:
    """One JSON result per input line, with the input's `id` added; bad lines get an error."""
    for number, line in enumerate(stdin, 1):
        if not line.strip():
            continue
        out: dict[str, Any]
        try:
            row = json.loads(line)
            question = str(row["question"])
        except (ValueError, KeyError, TypeError) as exc:
            out = {"line": number, "error": f"bad input: {exc.__class__.__name__}"}
        else:
            out = {"id": row.get("id"), **services.assistant.ask(question).as_json()}
        stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    stdout.flush()
    return 0


async def stations_command(services: Services, args: argparse.Namespace) -> int:
    from knowledge.stations import StationError

    if args.stations_command == "import":
        from knowledge.stations import load_file

        try:
            listed = load_file(args.file)
            retire = not args.keep_missing
            missing = services.stations.missing_from(listed) if retire else []
            if missing and not args.dry_run and not args.yes:
                names = "、".join(f"{s.code} {s.name}" for s in missing[:20])
                print(
                    f"this import would retire {len(missing)} stations: {names}", file=sys.stderr
                )
                answer = (
                    await asyncio.to_thread(input, "retire them? [y/N] ")
                    if sys.stdin.isatty()
                    else ""
                )
                if answer.strip().lower() != "y":
                    print("not imported (use --yes, or --keep-missing)", file=sys.stderr)
                    return 1
            counts = await services.stations.import_file(
                args.file, services.clock(), retire_missing=retire, dry_run=args.dry_run
            )
        except (StationError, OSError) as exc:
            print(f"not imported: {exc}", file=sys.stderr)
            return 1
        if args.dry_run:
            for station in missing:
                print(f"would retire {station.code} {station.name}")
            print(f"dry run: {args.file}: {counts}; nothing saved")
            return 0
        print(f"imported {args.file}: {counts}; {len(services.stations.current)} active")
        return 0
    directory = services.stations.current

    def show(code: str | None, depth: int) -> None:
        for station in sorted(
            (s for s in directory.stations if s.parent == code), key=lambda s: s.code
        ):
            print(f"{'  ' * depth}{station.code:<14} {station.level:<8} {station.name}")
            show(station.code, depth + 1)

    show(None, 0)
    return 0


async def report_command(services: Services, args: argparse.Namespace) -> int:
    """python main.py report --from --to --format csv|xlsx [--out] [--chart]"""
    from datetime import datetime, timedelta, timezone

    from bot.report import case_rows, chart_png, write_csv, write_xlsx

    china = timezone(timedelta(hours=8))
    try:
        since = datetime.strptime(args.since, "%Y-%m-%d").replace(tzinfo=china)
        until = datetime.strptime(args.until, "%Y-%m-%d").replace(tzinfo=china)
    except ValueError:
        print("dates are YYYY-MM-DD", file=sys.stderr)
        return 2
    rows = await case_rows(
        services.sessions,
        services.stations,
        since,
        until,
        progress=lambda n: print(f"[report] {n} cases read", file=sys.stderr, flush=True),
    )
    out = args.out or Path(f"report-{args.since}-{args.until}.{args.format}")
    (write_csv if args.format == "csv" else write_xlsx)(rows, out)
    print(f"{len(rows)} cases from {args.since} to {args.until} written to {out}")
    if args.chart:
        args.chart.write_bytes(chart_png(rows, f"{args.since} 至 {args.until}"))
        print(f"chart written to {args.chart}")
    return 0
