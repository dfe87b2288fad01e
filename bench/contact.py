"""Section `contact`: many people sending the "Contact the team" form at once.

`python -m portal serve` runs on a fresh database (migrated, with two tiny wards imported so there are
teams) with the rate limits raised. Each of N client threads GETs the form (its CSRF cookie and token and
the idempotency key), then all POST together; each follows its redirect to read its reference. Then the
database is checked: every reference returned stored exactly once, with exactly one acknowledgement
e-mail in the outbox. On SQLite always; on PostgreSQL when PORTAL_BENCH_DATABASE_URL names a server
(the section works in its own schema and drops it afterwards), else that part is reported as skipped.
"""

import http.client
import json
import os
import re
import subprocess
import threading
import time
import urllib.parse
import uuid
from contextlib import contextmanager

from bench import common, httpkit
from bench.common import PYTHON, ROOT, Context, heading

HOST = httpkit.HOST
TEAM = "E05900101"
WARDS = [  # two tiny wards near Trafalgar Square: the import gives each its team
    (TEAM, "Bench Alpha", "E09000033", "Westminster", (-0.13, 51.50, -0.12, 51.51)),
    ("E05900102", "Bench Bravo", "E09000033", "Westminster", (-0.12, 51.50, -0.11, 51.51)),
]
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')
REFERENCE = re.compile(r"SNT-\d{4}-\d{6}")


def _wards_file(ctx: Context):
    features = []
    for code, name, borough, borough_name, (w, s, e, n) in WARDS:
        ring = [[w, s], [e, s], [e, n], [w, n], [w, s]]
        features.append(
            {
                "type": "Feature",
                "properties": {"WD24CD": code, "WD24NM": name, "LAD24CD": borough, "LAD24NM": borough_name},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    path = ctx.workdir / "contact-wards.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


@contextmanager
def postgres_schema(base_url: str, prefix: str = "bench_contact"):
    """A throw-away schema on that server: yields a URL whose search_path is it; dropped afterwards."""
    from sqlalchemy import create_engine, make_url, text

    url = make_url(base_url.replace("postgresql://", "postgresql+psycopg://", 1))
    schema = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False
        )
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def _prepare(ctx: Context, env: dict[str, str]) -> None:
    for args in (["migrate"], ["import-boundaries", str(_wards_file(ctx))]):
        done = subprocess.run(
            [PYTHON, "-m", "portal", *args], cwd=ROOT, env=env, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise RuntimeError(f"`portal {args[0]}` failed:\n{done.stderr[-2000:]}")


def _one(port: int, n: int, barrier: threading.Barrier, out: dict) -> None:
    """GET the form, wait for everyone, POST, then read the reference from the confirmation."""
    conn = http.client.HTTPConnection(HOST, port, timeout=120)
    try:
        conn.request("GET", f"/contact/team/{TEAM}", headers={"Accept": "text/html"})
        response = conn.getresponse()
        page = response.read().decode()
        cookie = response.getheader("set-cookie", "").split(";", 1)[0]
        fields = {
            "csrf_token": CSRF.search(page)[1],
            "idempotency_key": KEY.search(page)[1],
            "category": "priority",
            "body": f"Bench message {n}: cars speed along Elm Road every evening.",
            "place": "Elm Road",
            "name": f"Bench Person {n}",
            "email": f"bench{n}@example.org",
            "contact_by": "email",
            "consent": "yes",
            "website": "",
        }
        body = urllib.parse.urlencode(fields)
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    except Exception as error:
        out["errors"].append(f"form: {error!r}")
        barrier.abort()
        return
    try:
        barrier.wait()
    except threading.BrokenBarrierError:
        return
    started = time.perf_counter()
    try:
        conn.request("POST", f"/contact/team/{TEAM}", body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        took = time.perf_counter() - started
        if response.status != 303:
            out["errors"].append(f"status {response.status}")
            return
        out["latencies"].append(took)
        conn.request("GET", response.getheader("location"), headers={"Cookie": cookie})
        confirmation = conn.getresponse().read().decode()
        out["references"].append(REFERENCE.search(confirmation)[0])
    except Exception as error:
        out["errors"].append(repr(error))
    finally:
        conn.close()


def _check(database_url: str, references: list[str]) -> tuple[int, int, int]:
    """(references stored exactly once, with exactly one acknowledgement, rows in the table)."""
    from sqlalchemy import func, select

    from portal.db import make_engine
    from portal.models.contact import OutboxMessage, Submission

    engine = make_engine(database_url)
    with engine.connect() as conn:
        stored = dict(
            conn.execute(
                select(Submission.reference, func.count())
                .where(Submission.reference.in_(references))
                .group_by(Submission.reference)
            ).all()
        )
        acks = dict(
            conn.execute(
                select(Submission.reference, func.count(OutboxMessage.id))
                .join(OutboxMessage, OutboxMessage.submission_id == Submission.id)
                .where(OutboxMessage.kind == "acknowledgement")
                .group_by(Submission.reference)
            ).all()
        )
        total = conn.scalar(select(func.count()).select_from(Submission))
    engine.dispose()
    once = sum(1 for r in set(references) if stored.get(r) == 1)
    one_ack = sum(1 for r in set(references) if acks.get(r) == 1)
    return once, one_ack, total


def _round(ctx: Context, label: str, database_url: str, count: int) -> float:
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        VAR_DIR=str(ctx.workdir / f"contact-{label}"),
        LOG_LEVEL="warning",
        WORKERS="1",
        HOST=HOST,
        WARM_CACHES="false",
        CONTACT_LIMIT_PER_ADDRESS_HOUR="1000000",
        CONTACT_LIMIT_PER_EMAIL_DAY="1000000",
        CONTACT_FALLBACK_EMAIL="bench-inbox@example.org",
    )
    _prepare(ctx, env)
    log = ctx.workdir / f"contact-{label}-server.log"
    command = [PYTHON, "-m", "portal", "serve"]
    with httpkit.server("portal", command, env, log, f"/contact/team/{TEAM}") as (proc, port, took):
        print(f"  {label}: server started in {took:.1f} s; {count} clients GET the form, then POST together")
        out: dict = {"latencies": [], "references": [], "errors": []}
        barrier = threading.Barrier(count)
        threads = [threading.Thread(target=_one, args=(port, n, barrier, out)) for n in range(count)]
        cpu_before = common.cpu_seconds(proc.pid)
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
        cpu = common.cpu_seconds(proc.pid) - cpu_before
    lat = sorted(out["latencies"])
    p50, p95 = (common.percentile(lat, p) * 1e3 for p in (50, 95))
    ok = len(lat)
    # the POSTs start together at the barrier: their span is the slowest one's latency
    rate = ok / lat[-1] if lat else 0.0
    print(
        f"  {label}: {ok}/{count} accepted, {rate:,.0f} submissions/s (all POSTs sent at once), "
        f"POST p50 {p50:,.0f} ms, p95 {p95:,.0f} ms, max {lat[-1] * 1e3 if lat else 0:,.0f} ms; "
        f"errors {len(out['errors'])}; whole run {wall:.1f} s (GET, POST, confirmation), "
        f"server CPU {cpu / max(ok, 1) * 1e3:.1f} ms per submission"
    )
    if out["errors"]:
        print(f"  {label} errors (first 5): {out['errors'][:5]}")
    once, one_ack, total = _check(database_url, out["references"])
    refs, distinct = len(out["references"]), len(set(out["references"]))
    print(
        f"  {label}: {refs} references returned, {distinct} distinct; stored exactly once: "
        f"{once}/{refs}; exactly one acknowledgement e-mail: {one_ack}/{refs}; rows in the table: {total}"
    )
    ctx.target(
        f"contact: {label} stored once + 1 ack",
        f"{min(once, one_ack)}/{count}",
        f"{count}/{count}, no errors",
        once == one_ack == refs == count == total and not out["errors"],
    )
    if log.exists() and (text := log.read_text(errors="replace").strip()):
        print("  server log, last lines:\n" + "\n".join(f"  | {x}" for x in text.splitlines()[-10:]))
    return rate


def run(ctx: Context) -> None:
    count = 50 if ctx.quick else 200
    heading(f"contact: {count} concurrent 'Contact the team' submissions")
    sqlite_rate = _round(ctx, "SQLite", f"sqlite:///{ctx.workdir / 'contact.sqlite3'}", count)
    pg = os.environ.get("PORTAL_BENCH_DATABASE_URL", "")
    if not pg:
        print("  PostgreSQL: skipped (set PORTAL_BENCH_DATABASE_URL=postgresql://… to run it)")
        return
    with postgres_schema(pg) as url:
        pg_rate = _round(ctx, "PostgreSQL", url, count)
    print(f"  PostgreSQL/SQLite: submissions/s {pg_rate / sqlite_rate:.2f}×" if sqlite_rate else "")
