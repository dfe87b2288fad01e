"""Script payloads sent through the public forms (contact, problem) come out inert on every page that
shows them (the sender's status page, the staff inbox), and payloads in every query parameter of every
public page are never reflected as markup. (Stored staff fields: tests/routes/test_staff_security.py.)"""

from __future__ import annotations

import re

from sqlalchemy import select

from portal.models import Submission, Team
from tests.routes.test_contact import fields, good
from tests.routes.test_staff_security import live_markup, world  # noqa: F401 - the fixture is used below
from tests.security.inventory import PUBLIC, inventory
from tests.staff_helpers import ALPHA, sign_in

XSS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "'><svg onload=alert(1)>",
    "</textarea><script>alert(1)</script>",
    '" autofocus onfocus="alert(1)',
]
PAYLOAD = " ".join(XSS)


def test_payloads_in_the_contact_forms_are_inert_where_they_are_shown(world):  # noqa: F811
    client, _items = world
    statuses = []
    for url, extra in (
        (f"/contact/team/{ALPHA}", {}),
        ("/contact/problem", {"category": "delay", "team": ALPHA}),
    ):
        data = good(body=PAYLOAD, place=PAYLOAD[:100], name=XSS[1], **extra)
        response = client.post(url, data={**fields(client, url), **data})
        assert response.status_code == 303, response.text[:500]
        sent = client.get(response.headers["location"])
        assert sent.status_code == 200 and live_markup(sent.text) == []
        status_link = re.search(r'href="(/contact/status/[^"]+)"', sent.text)
        assert status_link, "the sent page links to the status page"
        statuses.append(status_link[1])
        # The same payloads again, now as a bad form shown back with what was typed.
        bad = client.post(url, data={**fields(client, url), **good(body=PAYLOAD, email=XSS[1], **extra)})
        assert bad.status_code == 400 and live_markup(bad.text) == []
    for status in statuses:
        page = client.get(status)
        assert page.status_code == 200 and live_markup(page.text) == [], status
    assert sign_in(client, "editor").status_code == 303
    with client.app.state.sessions() as session:
        ids = session.scalars(select(Submission.id).where(Submission.team_id == ALPHA)).all()
    assert len(ids) >= 2
    for path in ["/staff/", *(f"/staff/inbox/{i}" for i in ids)]:
        page = client.get(path)
        assert page.status_code == 200, path
        assert live_markup(page.text) == [], path


PARAM = re.compile(r"\{(\w+)(?::(\w+))?\}")
QUERY_NAMES = ["q", "type", "borough", "page", "team", "area", "date", "month", "show", "saved", "done"]


def test_payloads_in_every_query_parameter_are_never_reflected_as_markup(client, loaded_db):
    with loaded_db.sessions() as session:
        team = session.scalars(select(Team).order_by(Team.id)).first()
        team_code = team.id
        borough_code = team.borough_code
    values = {"code": team_code, "indicator": "P7-MEETING-MONTHLY", "force": "metropolitan", "id": team_code}
    checked = 0
    for endpoint, kind in inventory(client.app).items():
        if kind != PUBLIC or endpoint.path == "/static" or endpoint.path.startswith("/api"):
            continue
        path = endpoint.path.replace(
            "{code}", borough_code if endpoint.path.startswith("/boroughs/") else "{code}"
        )
        path = PARAM.sub(lambda m: "1" if m[2] == "int" else values.get(m[1], "x"), path)
        for payload in (PAYLOAD, XSS[1]):
            response = client.get(path, params=dict.fromkeys(QUERY_NAMES, payload))
            assert response.status_code < 500, path
            if response.headers.get("content-type", "").startswith("text/html"):
                assert live_markup(response.text) == [], path
                checked += 1
    assert checked >= 40
