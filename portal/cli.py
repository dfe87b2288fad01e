"""`python -m portal COMMAND`: setup, migrations, importers, lookups and the server."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy import Engine

from portal import migrate
from portal.db import make_engine, make_sessionmaker, session_scope
from portal.importers.common import ImportFailed
from portal.settings import Settings, SettingsError

COMMANDS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {}
_engines: list[Engine] = []


def _engine(settings: Settings) -> Engine:
    """The command's engine; `main` disposes every one it made when the command returns, so no pooled
    connection is left for the garbage collector to close."""
    engine = make_engine(settings.database_url)
    _engines.append(engine)
    return engine


def command(name: str):
    def register(fn):
        COMMANDS[name] = fn
        return fn

    return register


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m portal", description="Neighbourhood Pledge Portal")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser("setup", help="migrate the database and load the bundled data if not yet loaded")
    p = sub.add_parser("migrate", help="upgrade (or downgrade) the database schema")
    p.add_argument("--revision", default="head", help="target revision (default: head)")
    p.add_argument("--downgrade", action="store_true", help="downgrade to --revision instead")
    sub.add_parser("init-db", help="create or upgrade the schema (same as migrate)")

    p = sub.add_parser("import-boundaries", help="import ward or borough boundaries (GeoJSON or shapefile)")
    p.add_argument("path", type=Path)
    p.add_argument("--level", choices=["ward", "borough"], default="ward")
    p.add_argument(
        "--generation", type=int, default=2024, help="ward boundary generation (2024 current, 2018 legacy)"
    )
    p.add_argument("--dry-run", action="store_true", help="check the file and report, store nothing")

    p = sub.add_parser("import-postcodes", help="import Code-Point Open postcodes and assign current wards")
    p.add_argument("path", type=Path)
    p.add_argument("--dry-run", action="store_true", help="check the file and report, store nothing")

    p = sub.add_parser("import-stations", help="import Met front counters (police stations) as team bases")
    p.add_argument("path", type=Path)
    p.add_argument("--dry-run", action="store_true", help="check the file and report, store nothing")

    p = sub.add_parser("import-crimes", help="import police.uk street-level crime CSV files")
    p.add_argument("paths", type=Path, nargs="+", metavar="FILE")
    p.add_argument("--dry-run", action="store_true", help="check the files and report, store nothing")

    p = sub.add_parser(
        "import-ward-crime-counts", help="import the London Datastore's MPS recorded crime by ward"
    )
    p.add_argument("path", type=Path, metavar="FILE")
    p.add_argument("--dry-run", action="store_true", help="check the file and report, store nothing")

    p = sub.add_parser(
        "import-indicators", help="import the Pledge points and the indicator catalogue (TOML)"
    )
    p.add_argument("path", type=Path, metavar="PATH", help="e.g. content/pledge/indicators.toml")
    p.add_argument("--dry-run", action="store_true", help="check the file and report, store nothing")

    p = sub.add_parser("import-measures", help="import published Pledge scorecard figures (CSV)")
    p.add_argument("path", type=Path, metavar="FILE.csv")
    p.add_argument("--source", help="where the figures come from, for rows with no source column")
    p.add_argument("--dry-run", action="store_true", help="check the file and report, store nothing")

    p = sub.add_parser(
        "import-survey", help="import the MOPAC Public Attitude Survey neighbourhood files (two CSVs)"
    )
    p.add_argument("perceptions", type=Path, metavar="PERCEPTIONS", help="the 2016 police perceptions file")
    p.add_argument("ethnic", type=Path, metavar="ETHNIC", help="the 2015-16 to 2020-21 file by ethnic group")
    p.add_argument("--dry-run", action="store_true", help="check the files and report, store nothing")

    p = sub.add_parser(
        "explain", help="record why a Pledge target was missed and what is being done (replaces any before)"
    )
    p.add_argument("--indicator", default="", metavar="CODE", help="indicator code, e.g. P5-999-10S")
    p.add_argument(
        "--area", default="", metavar="CODE", help="metropolitan, a borough E09…, a team E05… or a sector"
    )
    p.add_argument("--month", default="", metavar="YYYY-MM")
    p.add_argument("--reason", default="", metavar="TEXT", help="why the target was missed")
    p.add_argument("--action", default="", metavar="TEXT", help="what is being done to improve")
    p.add_argument("--by", default="", metavar="NAME, ROLE", help="who is recording it, shown on the page")

    p = sub.add_parser(
        "create-user",
        help="add a staff account; the password comes from PORTAL_NEW_PASSWORD or is asked for twice",
    )
    p.add_argument("--email", required=True, help="their work e-mail address: they sign in with it")
    p.add_argument("--name", required=True, help="their name, as shown on what they record")
    p.add_argument("--role", required=True, choices=["team_editor", "borough_admin", "force_admin"])
    p.add_argument("--borough", default=None, metavar="E09…", help="a borough admin's borough code")
    p.add_argument(
        "--team",
        action="append",
        default=[],
        metavar="E05…",
        help="a team editor's team (its ward code); repeat for several",
    )

    p = sub.add_parser(
        "load-demo", help="generate the labelled demo content (members, contacts, meetings…) for every team"
    )
    p.add_argument("--seed", type=int, help="random seed (default: the documented fixed seed)")

    sub.add_parser("reindex", help="rebuild the search index from the database")
    p = sub.add_parser("purge", help="erase contact submissions' personal details after the retention period")
    p.add_argument(
        "--days", type=int, help="erase what was received more than N days ago (default: RETENTION_DAYS)"
    )

    p = sub.add_parser("locate", help="print the ward and team for a postcode or 'lat,lng' as JSON")
    p.add_argument("query", help="a postcode (full or partial) or 'lat,lng'")

    p = sub.add_parser("serve", help="run the web server (uvicorn)")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument("--workers", type=int)
    p.add_argument("--reload", action="store_true", help="restart on code changes (development)")

    p = sub.add_parser("send-mail", help="deliver the e-mail outbox (one pass, or --loop as a worker)")
    p.add_argument("--loop", action="store_true", help="keep delivering until stopped (SIGTERM or Ctrl-C)")
    p.add_argument("--interval", type=float, default=30.0, metavar="SECONDS", help="wait between passes")

    p = sub.add_parser(
        "export-static",
        help="render every public page, feed and JSON file to DIR with relative links, for a CDN",
    )
    p.add_argument("dir", type=Path, metavar="DIR", help="an empty or new folder, or an earlier export")
    p.add_argument(
        "--dynamic-origin",
        metavar="URL",
        help="where forms, search and staff links go (default: EXPORT_DYNAMIC_ORIGIN, else SITE_URL)",
    )
    p.add_argument("--concurrency", type=int, default=4, metavar="N", help="pages rendered at once")
    subset = p.add_mutually_exclusive_group()
    subset.add_argument("--teams", type=int, metavar="N", help="only the first N teams (by ward code)")
    subset.add_argument("--only-team", metavar="E05…", help="only this team")

    sub.add_parser(
        "sla-sweep", help="flag messages and reports past their 24 hours and e-mail the borough admins"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"Settings error: {error}", file=sys.stderr)
        return 2
    try:
        return COMMANDS[args.command](args, settings)
    except ImportFailed as error:
        print(str(error), file=sys.stderr)
        return 1
    finally:
        while _engines:
            _engines.pop().dispose()


@command("migrate")
def _migrate(args, settings: Settings) -> int:
    engine = _engine(settings)
    if args.downgrade:
        migrate.downgrade(engine, args.revision)
    else:
        migrate.upgrade(engine, args.revision)
    print(f"database at revision {migrate.current_revision(engine)}")
    return 0


COMMANDS["init-db"] = _migrate


@command("setup")
def _setup(args, settings: Settings) -> int:
    from portal.bundled import load_bundled

    started = time.perf_counter()
    engine = _engine(settings)
    migrate.upgrade(engine)
    reports = load_bundled(engine, echo=lambda text: print(text, flush=True))
    from portal.services import search

    if reports or not search.exists(settings.var_dir):
        print(search.rebuild(engine, settings.var_dir, progress=True, procs=search.BUILD_PROCS).summary())
    took = time.perf_counter() - started
    print(
        f"setup: {len(reports)} data set(s) loaded in {took:.1f} s"
        if reports
        else "setup: data already loaded"
    )
    return 0


@command("import-boundaries")
def _import_boundaries(args, settings: Settings) -> int:
    from portal.importers.boundaries import import_boundaries

    return _run_import(
        settings,
        lambda s: import_boundaries(
            s, args.path, level=args.level, generation=args.generation, dry_run=args.dry_run
        ),
    )


@command("import-postcodes")
def _import_postcodes(args, settings: Settings) -> int:
    from portal.importers.postcodes import import_postcodes

    return _run_import(settings, lambda s: import_postcodes(s, args.path, dry_run=args.dry_run))


def _run_import(settings: Settings, run) -> int:
    engine = _engine(settings)
    migrate.upgrade(engine)
    with session_scope(make_sessionmaker(engine)) as session:
        report = run(session)
    print(report.summary())
    from portal.services import search

    # This node's index takes the import in now (an import of what search covers rebuilds it, in several
    # processes); web processes here then find nothing left to do, and other nodes sync by themselves.
    if search.exists(settings.var_dir):
        print(f"search index: {search.sync(engine, settings.var_dir, procs=search.BUILD_PROCS)}")
    return 0


@command("import-stations")
def _import_stations(args, settings: Settings) -> int:
    from portal.importers.stations import import_stations

    return _run_import(settings, lambda s: import_stations(s, args.path, dry_run=args.dry_run))


@command("import-crimes")
def _import_crimes(args, settings: Settings) -> int:
    from portal.importers.crime import import_crimes

    return _run_import(settings, lambda s: import_crimes(s, args.paths, dry_run=args.dry_run))


@command("import-ward-crime-counts")
def _import_ward_crime_counts(args, settings: Settings) -> int:
    from portal.importers.crime import import_ward_crime_counts

    return _run_import(settings, lambda s: import_ward_crime_counts(s, args.path, dry_run=args.dry_run))


@command("import-indicators")
def _import_indicators(args, settings: Settings) -> int:
    from portal.importers.pledge import import_indicators

    return _run_import(settings, lambda s: import_indicators(s, args.path, dry_run=args.dry_run))


@command("import-measures")
def _import_measures(args, settings: Settings) -> int:
    from portal.importers.pledge import import_measures

    return _run_import(
        settings, lambda s: import_measures(s, args.path, source=args.source, dry_run=args.dry_run)
    )


@command("import-survey")
def _import_survey(args, settings: Settings) -> int:
    from portal.importers.survey import import_survey

    return _run_import(
        settings, lambda s: import_survey(s, args.perceptions, args.ethnic, dry_run=args.dry_run)
    )


@command("explain")
def _explain(args, settings: Settings) -> int:
    from portal.queries.explanations import InvalidExplanation, record_explanation

    engine = _engine(settings)
    migrate.upgrade(engine)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            row, created = record_explanation(
                session,
                indicator_code=args.indicator,
                area_code=args.area,
                month=args.month,
                reason=args.reason,
                action=args.action,
                recorded_by=args.by,
            )
            shown = f"{row.indicator_code} {row.area_code} {row.month:%Y-%m}"
    except InvalidExplanation as error:
        print("The explanation was not recorded:", file=sys.stderr)
        for field, message in error.problems.items():
            option = "--by" if field == "recorded_by" else f"--{field}"
            print(f"  - {option}: {message}", file=sys.stderr)
        return 2
    print(f"{'recorded' if created else 'replaced'}: explanation for {shown}")
    return 0


NEW_PASSWORD_VARIABLE = "PORTAL_NEW_PASSWORD"  # noqa: S105 - the variable's name, not a password


def _new_password() -> str | None:
    """From the environment (for scripts), else typed twice without echo. Never a command-line argument:
    it would be kept in the shell's history and shown to other users by `ps`."""
    import getpass
    import os

    given = os.environ.get(NEW_PASSWORD_VARIABLE)
    if given:
        return given
    try:
        first = getpass.getpass("Password for the new account: ")
        again = getpass.getpass("The same password again: ")
    except (EOFError, KeyboardInterrupt):
        print("\nNo password given: the account was not created.", file=sys.stderr)
        return None
    if first != again:
        print("The two passwords are not the same: the account was not created.", file=sys.stderr)
        return None
    return first


@command("create-user")
def _create_user(args, settings: Settings) -> int:
    from portal.queries.staff import AccountProblem, create_user

    password = _new_password()
    if password is None:
        return 2
    engine = _engine(settings)
    migrate.upgrade(engine)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            user = create_user(
                session,
                email=args.email,
                name=args.name,
                password=password,
                role=args.role,
                borough_code=(args.borough or "").strip().upper() or None,
                team_ids=[t.strip().upper() for t in args.team],
            )
            shown = f"{user.email} ({user.role.replace('_', ' ')})"
    except AccountProblem as problem:
        print("The account was not created:", file=sys.stderr)
        options = {"borough": "--borough", "teams": "--team", "password": NEW_PASSWORD_VARIABLE}
        for field, message in problem.problems.items():
            print(f"  - {options.get(field, '--' + field)}: {message}", file=sys.stderr)
        return 2
    print(f"created: staff account for {shown}")
    return 0


@command("load-demo")
def _load_demo(args, settings: Settings) -> int:
    from portal import demo

    seed = demo.SEED if args.seed is None else args.seed
    return _run_import(settings, lambda s: demo.load_demo(s, seed=seed))


@command("reindex")
def _reindex(args, settings: Settings) -> int:
    from portal.services import search

    engine = _engine(settings)
    migrate.upgrade(engine)
    print(search.rebuild(engine, settings.var_dir, progress=True, procs=search.BUILD_PROCS).summary())
    return 0


@command("purge")
def _purge(args, settings: Settings) -> int:
    from portal.queries.contact import purge

    days = settings.retention_days if args.days is None else args.days
    if days < 1:
        print("--days must be at least 1", file=sys.stderr)
        return 2
    with session_scope(make_sessionmaker(_engine(settings))) as session:
        counts = purge(session, days=days)
    print(
        f"Erased the personal details of {counts['submissions_erased']} submission(s) received more than "
        f"{days} days ago and {counts['replies_erased']} reply text(s); deleted "
        f"{counts['rate_limit_hits_deleted']} rate-limit record(s) older than 2 days. "
        "Kind, team, category, times and status are kept for the figures."
    )
    return 0


@command("locate")
def _locate(args, settings: Settings) -> int:
    from portal.services.geo import GeoIndex

    result = GeoIndex.load(_engine(settings)).locate(args.query)
    print(json.dumps(result.as_dict(), indent=2))
    if not result.found:
        print(result.message, file=sys.stderr)
    return result.exit_code


@command("serve")
def _serve(args, settings: Settings) -> int:
    import uvicorn

    uvicorn.run(
        "portal.app:create_app",
        factory=True,
        host=args.host or settings.host,
        port=args.port or settings.port,
        workers=args.workers or settings.workers,
        log_level=settings.log_level,
        reload=args.reload,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        server_header=False,
    )
    return 0


@command("send-mail")
def _send_mail(args, settings: Settings) -> int:
    import signal
    import threading

    from portal.queries.outbox import deliver_due

    engine = _engine(settings)
    stopping = threading.Event()

    def stop(_signum, _frame):
        stopping.set()

    if args.loop:
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
    while True:
        report = deliver_due(engine, settings, stop=stopping.is_set)
        for error in report.errors:
            print(f"failed: {error}", file=sys.stderr)
        if not args.loop:
            print(report.text())
            break
        if report.sent or report.failed:
            print(report.text(), flush=True)
        if stopping.wait(max(args.interval, 0.1)):
            break
    return 1 if report.failed and not args.loop else 0


@command("sla-sweep")
def _sla_sweep(args, settings: Settings) -> int:
    from portal.queries.inbox import sla_sweep

    with session_scope(make_sessionmaker(_engine(settings))) as session:
        flagged = sla_sweep(session, settings)
    print(f"{len(flagged)} newly overdue: " + (", ".join(flagged) if flagged else "none"))
    return 0


@command("export-static")
def _export_static(args, settings: Settings) -> int:
    from portal.services.export import ExportProblem, export_static

    try:
        report = export_static(
            settings,
            args.dir,
            dynamic_origin=args.dynamic_origin,
            concurrency=args.concurrency,
            teams=args.teams,
            only_team=(args.only_team or "").strip().upper() or None,
            progress=lambda text: print(text, flush=True),
        )
    except ExportProblem as problem:
        print(f"export-static: {problem}", file=sys.stderr)
        return 2
    print(report.summary())
    return 0
