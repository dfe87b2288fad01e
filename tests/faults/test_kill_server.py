"""kill -9 the real server while 200 contact forms are being sent at once, start it again, and let every
client whose request failed send the same form again (same idempotency key, as a browser resubmitting
does). Then the mail worker delivers the outbox to a real SMTP server. Every reference a client was given
exists exactly once, no idempotency key has two submissions, and each submission got exactly one
acknowledgement. The kill comes after a fixed number of answers, not after a sleep."""

from __future__ import annotations

import asyncio
import contextlib
import re
import secrets
import subprocess
import sys

import httpx2 as httpx
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from portal import paths
from portal.models.contact import OutboxMessage, Submission
from tests.conftest import free_port, portal_env
from tests.faults.server import PortalServer
from tests.routes.test_contact import KEY_INPUT, good
from tests.staff_helpers import ALPHA, csrf_from, load_staff_areas
from tests.test_outbox import Collector

SUBMISSIONS = 200
KILL_AFTER = 60  # answers received before the kill
RETRY_ROUNDS = 600  # each 0.2 s apart at most: a deadline while the server restarts, not a timing
FORM = f"/contact/team/{ALPHA}"


@pytest.fixture
def smtp():
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.controller = controller
    yield handler
    with contextlib.suppress(AssertionError, RuntimeError):
        controller.stop()


async def _send_all(server: PortalServer, cookies, csrf: str) -> tuple[dict[str, str], int]:
    """Sends every form at once; kills the server after KILL_AFTER answers and starts it again. Returns
    each idempotency key's status link, and how many requests had to be sent again."""
    keys = [secrets.token_urlsafe(24) for _ in range(SUBMISSIONS)]
    answered = 0
    retries = 0
    restarted = asyncio.Event()
    links: dict[str, str] = {}
    loop = asyncio.get_running_loop()

    async def kill_and_restart():
        await loop.run_in_executor(None, server.kill)
        await loop.run_in_executor(None, server.start)
        restarted.set()

    restart_task = None
    limits = httpx.Limits(max_connections=SUBMISSIONS, max_keepalive_connections=SUBMISSIONS)
    async with httpx.AsyncClient(base_url=server.base, cookies=cookies, limits=limits, timeout=60) as client:

        async def one(i: int, key: str) -> None:
            nonlocal answered, retries, restart_task
            form = {**good(email=f"person{i}@example.org", name=f"Person {i}"), "csrf_token": csrf}
            form["idempotency_key"] = key
            for _attempt in range(RETRY_ROUNDS):
                try:
                    response = await client.post(FORM, data=form)
                except httpx.TransportError:  # cut off by the kill, or refused while it is down
                    response = None
                if response is not None and response.status_code == 303:
                    links[key] = response.headers["location"]
                    answered += 1
                    if answered == KILL_AFTER and restart_task is None:
                        restart_task = asyncio.create_task(kill_and_restart())
                    return
                assert response is None or response.status_code in (502, 503), response.text[:300]
                retries += 1
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(restarted.wait(), 0.2)
            raise AssertionError(f"submission {i} was never accepted")

        await asyncio.gather(*(one(i, key) for i, key in enumerate(keys)))
        if restart_task is not None:
            await restart_task
    assert set(links) == set(keys)
    return links, retries


def test_kill_9_during_200_submissions_loses_and_duplicates_nothing(empty_db, tmp_path, smtp):
    load_staff_areas(empty_db, tmp_path)
    server = PortalServer(
        empty_db,
        tmp_path / "server.log",
        CONTACT_LIMIT_PER_ADDRESS_HOUR="10000",
        CONTACT_LIMIT_PER_EMAIL_DAY="10000",
        SEARCH_SYNC_SECONDS="0",
    ).start()
    try:
        page = httpx.get(server.base + FORM, timeout=30)
        assert page.status_code == 200 and KEY_INPUT.search(page.text)
        links, retries = asyncio.run(_send_all(server, page.cookies, csrf_from(page)))
        assert server.starts == 2, "the server was not killed and restarted"
        assert retries > 0, "no request was cut off by the kill"
        references = {}
        with httpx.Client(base_url=server.base, timeout=30) as client:
            for key, link in links.items():
                view = client.get(link, headers={"accept": "application/json"})
                assert view.status_code == 200, view.text[:300]
                references[key] = view.json()["reference"]
    finally:
        server.stop()
    assert len(set(references.values())) == SUBMISSIONS  # one reference per form, none shared

    with empty_db.sessions() as session:
        stored = session.execute(select(Submission.idempotency_key, Submission.reference)).all()
        acknowledgements = session.execute(
            select(OutboxMessage.to_address, func.count())
            .where(OutboxMessage.kind == "acknowledgement")
            .group_by(OutboxMessage.to_address)
        ).all()
    assert len(stored) == SUBMISSIONS
    assert dict(stored) == references  # every reference given exists, once, for its own key
    assert len(acknowledgements) == SUBMISSIONS and {n for _, n in acknowledgements} == {1}

    env = portal_env(empty_db, SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp.controller.port))
    for _ in range(10):  # a pass sends at most 100
        done = subprocess.run(
            [sys.executable, "-m", "portal", "send-mail"],
            cwd=paths.ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        if done.stdout.startswith("0 sent"):
            break
    acks = [m for m in smtp.messages if m["Subject"].startswith("We have received")]
    assert len(acks) == SUBMISSIONS
    by_person = {}
    for message in acks:
        by_person.setdefault(message["To"], []).append(message)
    assert len(by_person) == SUBMISSIONS and all(len(m) == 1 for m in by_person.values())
    mentioned = {re.search(r"reference (SNT-\d{4}-\d{6})", m["Subject"])[1] for m in acks}
    assert mentioned == set(references.values())
