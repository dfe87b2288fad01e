"""Staff keep their team's members (with photos, only with consent) and base current: through the real app
and database, on every backend."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from io import BytesIO

import pytest
from PIL import Image, PngImagePlugin
from sqlalchemy import func, select
from starlette.testclient import TestClient

from portal.app import create_app
from portal.db import session_scope
from portal.models import DEMO, AuditEntry, MemberPhoto, Station, Team, TeamLocation, TeamMember
from portal.services import photos
from tests.staff_helpers import (
    ACCOUNTS,
    ALPHA,
    BRAVO,
    CAMDEN,
    DELTA,
    VERSION_INPUT,
    WESTMINSTER,
    create_accounts,
    csrf_from,
    load_staff_areas,
    post_form,
    sign_in,
)

NEW_NAME = "Zebedee Quartermaine"
NO_FILE = ("", b"", "application/octet-stream")  # what a browser sends when no file was chosen


@pytest.fixture
def staff_app(empty_db, tmp_path) -> Iterator[tuple[TestClient, object]]:
    load_staff_areas(empty_db, tmp_path)
    create_accounts(empty_db)
    ids = seed_demo_team(empty_db)
    with TestClient(create_app(empty_db.settings(warm_caches=False)), follow_redirects=False) as client:
        client.ids = ids
        yield client, empty_db


def seed_demo_team(db) -> dict[str, int]:
    """Alpha as demo content (three demo members, a base and a second place), Bravo with one member, and
    front counters in Westminster and Camden."""
    ids: dict[str, int] = {}
    with session_scope(db.sessions) as session:
        stations = {
            "charing": Station(
                name="Charing Cross Police Station", borough_code=WESTMINSTER, postcode="WC2N 4JP"
            ),
            "belgravia": Station(
                name="Belgravia Police Station", borough_code=WESTMINSTER, postcode="SW1X 7DP"
            ),
            "holborn": Station(name="Holborn Police Station", borough_code=CAMDEN, postcode="WC1X 8PP"),
        }
        for station in stations.values():
            station.local_authority, station.latitude, station.longitude = "x", 51.5, -0.12
            station.opening_2013, station.status_2013, station.proposed_2013 = "24HR", "keep", "24HR"
            session.add(station)
        session.flush()
        ids.update({key: s.id for key, s in stations.items()})
        alpha = session.get(Team, ALPHA)
        alpha.content_source, alpha.source_note = DEMO, "Made up for the demo"
        for position, (rank, name) in enumerate(
            [("Sgt", "Demo Sergeant"), ("PC", "Demo Constable"), ("PCSO", "Demo Support")]
        ):
            session.add(
                TeamMember(
                    team_id=ALPHA, position=position, name=name, rank=rank, role="Demo role", is_demo=True
                )
            )
        session.add(
            TeamLocation(
                team_id=ALPHA,
                position=0,
                type="station",
                name="Belgravia Police Station",
                postcode="SW1X 7DP",
                station_id=stations["belgravia"].id,
                opening="Open 24 hours",
            )
        )
        session.add(TeamLocation(team_id=ALPHA, position=1, type="other", name="Ward surgery at the library"))
        bravo_member = TeamMember(team_id=BRAVO, position=0, name="Bravo Person", rank="PC")
        session.add(bravo_member)
        session.flush()
        ids["bravo_member"] = bravo_member.id
    return ids


def member_ids(db, team: str = ALPHA) -> list[int]:
    with session_scope(db.sessions) as session:
        return list(
            session.scalars(
                select(TeamMember.id)
                .where(TeamMember.team_id == team)
                .order_by(TeamMember.position, TeamMember.id)
            )
        )


def audits(db, entity: str = "member") -> list[AuditEntry]:
    with session_scope(db.sessions) as session:
        entries = list(
            session.scalars(select(AuditEntry).where(AuditEntry.entity == entity).order_by(AuditEntry.id))
        )
        session.expunge_all()
        return entries


def send(client, url: str, data: dict, photo=NO_FILE, form_url: str | None = None):
    """GET the form (its CSRF token and version), then POST it as multipart with `photo`."""
    page = client.get(form_url or url)
    assert page.status_code == 200, page.text[:500]
    fields = {"csrf_token": csrf_from(page)}
    if version := VERSION_INPUT.search(page.text):
        fields["version"] = version[1]
    return client.post(url, data={**fields, **data}, files={"photo": photo})


def png_with_metadata(size=(1200, 800)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "SECRET-TEXT-CHUNK taken at 10 Downing Street")
    exif = Image.Exif()
    exif[0x010F] = "SecretCameraMaker"  # Make
    out = BytesIO()
    image.save(out, "PNG", pnginfo=info, exif=exif)
    data = out.getvalue()
    assert b"SECRET-TEXT-CHUNK" in data and b"SecretCameraMaker" in data
    return data


MEMBER = {
    "name": NEW_NAME,
    "rank": "PC",
    "role": "Dedicated Ward Officer",
    "bio": "Walks the **market** daily.",
}


def add(client, data=None, photo=NO_FILE):
    return send(client, f"/staff/teams/{ALPHA}/members/add", {**MEMBER, **(data or {})}, photo)


# -- members -------------------------------------------------------------------------------------------


def test_the_overview_links_to_members_and_base(staff_app):
    client, _db = staff_app
    sign_in(client)
    page = client.get(f"/staff/teams/{ALPHA}")
    assert (
        f'href="/staff/teams/{ALPHA}/members"' in page.text
        and f'href="/staff/teams/{ALPHA}/base"' in page.text
    )
    members = client.get(f"/staff/teams/{ALPHA}/members")
    assert members.status_code == 200 and members.headers["cache-control"] == "no-store"
    assert "Demo Sergeant" in members.text and "Demo</strong>" in members.text


def test_adding_a_member_publishes_them_at_once_audited_and_searchable(staff_app):
    client, db = staff_app
    sign_in(client)
    assert "Demo content" in client.get(f"/teams/{ALPHA}").text  # cached before the change
    assert not client.get("/find.json", params={"q": "Quartermaine"}).json()["results"]
    response = add(client)
    new_id = member_ids(db)[-1]
    assert response.status_code == 303
    assert response.headers["location"] == f"/staff/teams/{ALPHA}/members?saved=added#member-{new_id}"
    listing = client.get(response.headers["location"])
    assert "has been added" in listing.text and NEW_NAME in listing.text
    public = client.get(f"/teams/{ALPHA}")
    assert f"PC {NEW_NAME}" in public.text and "<strong>market</strong>" in public.text
    assert "Demo content" not in public.text
    data = client.get(f"/teams/{ALPHA}.json").json()
    assert data["team"]["demo"] is False and data["team"]["updated"]["members"]
    assert data["members"][-1] == {
        "name": NEW_NAME,
        "rank": "PC",
        "role": "Dedicated Ward Officer",
        "bio": "Walks the **market** daily.",
        "demo": False,
        "photo": None,
        "photo_width": None,
        "photo_height": None,
    }
    found = client.get("/find.json", params={"q": "Quartermaine"}).json()["results"]
    assert found and found[0]["code"] == ALPHA
    (entry,) = audits(db)
    assert entry.action == "create" and entry.actor == ACCOUNTS["editor"]["email"] and entry.team_id == ALPHA
    assert (
        entry.entity_id == str(new_id)
        and entry.before is None
        and json.loads(entry.after)["name"] == NEW_NAME
    )


def test_editing_a_demo_member_records_only_what_changed(staff_app):
    client, db = staff_app
    sign_in(client)
    first = member_ids(db)[0]
    url = f"/staff/teams/{ALPHA}/members/{first}"
    page = client.get(url)
    assert 'value="Demo Sergeant"' in page.text and 'name="version" value="1"' in page.text
    response = send(client, url, {"name": "Priya Raman", "rank": "Sgt", "role": "Demo role", "bio": ""})
    assert response.status_code == 303 and response.headers["location"].endswith(
        f"saved=member#member-{first}"
    )
    (entry,) = audits(db)
    assert entry.action == "update"
    assert json.loads(entry.before) == {"name": "Demo Sergeant"} and json.loads(entry.after) == {
        "name": "Priya Raman"
    }
    with session_scope(db.sessions) as session:
        member = session.get(TeamMember, first)
        assert member.is_demo is False and member.version == 2
        assert session.get(Team, ALPHA).content_source == "staff"
    assert "Sgt Priya Raman" in client.get(f"/teams/{ALPHA}").text
    assert client.get("/find.json", params={"q": "Raman"}).json()["results"][0]["code"] == ALPHA


def test_invalid_member_details_are_refused_with_what_was_typed_kept(staff_app):
    client, db = staff_app
    sign_in(client)
    response = add(client, {"name": "  ", "rank": "Commissioner", "role": "Kept role", "bio": "x" * 2001})
    assert response.status_code == 400
    assert "There is a problem" in response.text and 'href="#name"' in response.text
    assert (
        "Enter the team member&#39;s name" in response.text
        and "Select the team member&#39;s rank" in response.text
    )
    assert "2,000 characters or fewer" in response.text and 'value="Kept role"' in response.text
    assert 'aria-describedby="name-hint name-error"' in response.text
    assert len(member_ids(db)) == 3 and not audits(db)


def test_the_second_of_two_concurrent_edits_gets_a_conflict(staff_app):
    client, db = staff_app
    sign_in(client)
    first = member_ids(db)[0]
    url = f"/staff/teams/{ALPHA}/members/{first}"
    one, two = client.get(url), client.get(url)

    def save(page, name):
        fields = {"csrf_token": csrf_from(page), "version": VERSION_INPUT.search(page.text)[1]}
        data = {**fields, "name": name, "rank": "Sgt", "role": "", "bio": ""}
        return client.post(url, data=data, files={"photo": NO_FILE})

    assert save(one, "First Saver").status_code == 303
    refused = save(two, "Second Saver")
    assert refused.status_code == 409
    assert "Someone else saved changes" in refused.text and "First Saver" in refused.text
    assert 'value="Second Saver"' in refused.text and 'name="version" value="2"' in refused.text
    assert "Sgt First Saver" in client.get(f"/teams/{ALPHA}").text
    assert len(audits(db)) == 1


def test_removing_a_member_asks_first_and_is_audited(staff_app):
    client, db = staff_app
    sign_in(client)
    second = member_ids(db)[1]
    url = f"/staff/teams/{ALPHA}/members/{second}/remove"
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Remove PC Demo Constable from the team?" in confirm.text
    assert "Yes, remove PC Demo Constable" in confirm.text
    assert "Demo Constable" in client.get(f"/teams/{ALPHA}").text
    response = post_form(client, url, {})
    assert response.status_code == 303 and response.headers["location"].endswith("?saved=removed")
    assert second not in member_ids(db) and len(member_ids(db)) == 2
    public = client.get(f"/teams/{ALPHA}")
    assert "Demo Constable" not in public.text and "Demo content" not in public.text
    (entry,) = audits(db)
    assert (
        entry.action == "delete"
        and json.loads(entry.before)["name"] == "Demo Constable"
        and entry.after is None
    )
    assert client.get(url).status_code == 404  # gone


def test_removing_a_member_changed_since_the_page_was_shown_is_refused(staff_app):
    client, db = staff_app
    sign_in(client)
    first = member_ids(db)[0]
    confirm = client.get(f"/staff/teams/{ALPHA}/members/{first}/remove")
    send(
        client,
        f"/staff/teams/{ALPHA}/members/{first}",
        {"name": "Renamed", "rank": "Sgt", "role": "", "bio": ""},
    )
    refused = client.post(
        f"/staff/teams/{ALPHA}/members/{first}/remove",
        data={"csrf_token": csrf_from(confirm), "version": "1"},
    )
    assert (
        refused.status_code == 409 and "have not been removed" in refused.text and "Renamed" in refused.text
    )
    assert first in member_ids(db)


def test_moving_members_up_and_down(staff_app):
    client, db = staff_app
    sign_in(client)
    first, second, third = member_ids(db)
    listing = client.get(f"/staff/teams/{ALPHA}/members")
    order = f"{first}-{second}-{third}"
    assert f'name="version" value="{order}"' in listing.text
    token = csrf_from(listing)
    moved = client.post(
        f"/staff/teams/{ALPHA}/members/{third}/move",
        data={"csrf_token": token, "version": order, "direction": "up"},
    )
    assert moved.status_code == 303 and moved.headers["location"].endswith(f"?saved=moved#member-{third}")
    assert member_ids(db) == [first, third, second]
    names = [m["name"] for m in client.get(f"/teams/{ALPHA}.json").json()["members"]]
    assert names == ["Demo Sergeant", "Demo Support", "Demo Constable"]
    with session_scope(db.sessions) as session:  # the members themselves did not change
        assert {session.get(TeamMember, i).version for i in (first, second, third)} == {1}
    # the same (old) list again: refused, nothing moves
    stale = client.post(
        f"/staff/teams/{ALPHA}/members/{first}/move",
        data={"csrf_token": token, "version": order, "direction": "down"},
    )
    assert stale.status_code == 409 and "nothing was moved" in stale.text
    assert f'name="version" value="{first}-{third}-{second}"' in stale.text
    assert member_ids(db) == [first, third, second]
    (entry,) = audits(db)
    assert entry.action == "move"
    assert json.loads(entry.after)["order"] == ["Sgt Demo Sergeant", "PCSO Demo Support", "PC Demo Constable"]
    # moving the first one up changes nothing
    top = client.post(
        f"/staff/teams/{ALPHA}/members/{first}/move",
        data={"csrf_token": token, "version": f"{first}-{third}-{second}", "direction": "up"},
    )
    assert top.status_code == 303 and member_ids(db) == [first, third, second] and len(audits(db)) == 1


# -- who may do what -----------------------------------------------------------------------------------


def test_a_team_editor_cannot_touch_another_teams_members(staff_app):
    client, db = staff_app
    sign_in(client)
    other = client.ids["bravo_member"]
    token = csrf_from(client.get("/staff/password"))
    for url in (
        f"/staff/teams/{BRAVO}/members",
        f"/staff/teams/{BRAVO}/members/add",
        f"/staff/teams/{BRAVO}/members/{other}",
        f"/staff/teams/{BRAVO}/members/{other}/remove",
        f"/staff/teams/{BRAVO}/base",
    ):
        assert client.get(url).status_code == 403, url
    for url in (
        f"/staff/teams/{BRAVO}/members/add",
        f"/staff/teams/{BRAVO}/members/{other}",
        f"/staff/teams/{BRAVO}/members/{other}/remove",
        f"/staff/teams/{BRAVO}/members/{other}/move",
        f"/staff/teams/{BRAVO}/base",
    ):
        data = {
            "csrf_token": token,
            "version": "1",
            "name": "X",
            "rank": "PC",
            "direction": "up",
            "station": "other",
        }
        assert client.post(url, data=data).status_code == 403, url
    # Bravo's member through Alpha's address: not a member of Alpha
    for url in (
        f"/staff/teams/{ALPHA}/members/{other}",
        f"/staff/teams/{ALPHA}/members/{other}/remove",
        f"/staff/teams/{ALPHA}/members/99999999999",
    ):
        assert client.get(url).status_code == 404, url
    data = {"csrf_token": token, "version": "1", "name": "Hijacked", "rank": "PC", "role": "", "bio": ""}
    assert client.post(f"/staff/teams/{ALPHA}/members/{other}", data=data).status_code == 404
    assert client.post(f"/staff/teams/{ALPHA}/members/{other}/remove", data=data).status_code == 404
    assert (
        client.post(
            f"/staff/teams/{ALPHA}/members/{other}/move", data={**data, "version": "x", "direction": "up"}
        ).status_code
        == 404
    )
    with session_scope(db.sessions) as session:
        assert session.get(TeamMember, other).name == "Bravo Person"
    assert not audits(db)


@pytest.mark.parametrize(
    ("key", "team", "allowed"), [("borough", BRAVO, True), ("borough", DELTA, False), ("force", DELTA, True)]
)
def test_admins_reach_the_teams_their_role_allows(staff_app, key, team, allowed):
    client, _db = staff_app
    sign_in(client, key)
    assert client.get(f"/staff/teams/{team}/members").status_code == (200 if allowed else 403)
    assert client.get(f"/staff/teams/{team}/base").status_code == (200 if allowed else 403)


def test_every_form_needs_its_csrf_token(staff_app):
    client, db = staff_app
    sign_in(client)
    first = member_ids(db)[0]
    for url, data in (
        (f"/staff/teams/{ALPHA}/members/add", MEMBER),
        (f"/staff/teams/{ALPHA}/members/{first}", {**MEMBER, "version": "1"}),
        (f"/staff/teams/{ALPHA}/members/{first}/remove", {"version": "1"}),
        (f"/staff/teams/{ALPHA}/members/{first}/move", {"version": "x", "direction": "down"}),
        (f"/staff/teams/{ALPHA}/base", {"version": "1", "station": "other", "name": "X"}),
    ):
        refused = client.post(url, data=data)
        assert refused.status_code == 403 and "did not come from this site" in refused.text, url
        forged = client.post(url, data={**data, "csrf_token": "forged"})
        assert forged.status_code == 403, url
    assert len(member_ids(db)) == 3 and not audits(db)
    client.cookies.delete("portal_staff")
    assert client.post(f"/staff/teams/{ALPHA}/members/add", data=MEMBER).status_code == 401


# -- photos --------------------------------------------------------------------------------------------


def test_a_photo_with_consent_is_re_encoded_stripped_and_served(staff_app):
    client, db = staff_app
    sign_in(client)
    response = add(client, {"photo_consent": "yes"}, photo=("me.png", png_with_metadata(), "image/png"))
    assert response.status_code == 303, response.text[:2000]
    member_id = member_ids(db)[-1]
    with session_scope(db.sessions) as session:
        stored = session.get(MemberPhoto, member_id)
        assert stored.consent_recorded_by == ACCOUNTS["editor"]["email"] and stored.media_type == "image/jpeg"
        assert (stored.width, stored.height) == (600, 400)
        assert session.get(TeamMember, member_id).photo_consent is True
        content = stored.content
    assert content[:2] == b"\xff\xd8"
    assert (
        b"SECRET-TEXT-CHUNK" not in content and b"SecretCameraMaker" not in content and b"Exif" not in content
    )
    served = Image.open(BytesIO(content))
    assert served.format == "JPEG" and served.size == (600, 400) and "exif" not in served.info
    data = client.get(f"/teams/{ALPHA}.json").json()["members"][-1]
    assert data["photo"] == f"/teams/{ALPHA}/members/{member_id}/photo.jpg?v=1"
    assert (data["photo_width"], data["photo_height"]) == (600, 400)
    photo = client.get(data["photo"])
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    assert photo.content == content and photo.headers["cache-control"] == "public, max-age=3600"
    assert client.get(data["photo"], headers={"if-none-match": photo.headers["etag"]}).status_code == 304
    page = client.get(f"/teams/{ALPHA}").text
    assert f'src="{data["photo"]}" alt="Photo of {NEW_NAME}" width="96" height="64"' in page
    entry = audits(db)[-1]
    after = json.loads(entry.after)
    assert after["photo_consent"] is True and after["photo"].startswith("600×400 JPEG sha256:")
    assert after["photo_consent_recorded_by"] == ACCOUNTS["editor"]["email"]

    # removing the photo: the row goes, consent is off, the address 404s
    edit_url = f"/staff/teams/{ALPHA}/members/{member_id}"
    assert f'alt="Current photo of {NEW_NAME}"' in client.get(edit_url).text
    removed = send(client, edit_url, {**MEMBER, "remove_photo": "yes"})
    assert removed.status_code == 303
    with session_scope(db.sessions) as session:
        assert session.get(MemberPhoto, member_id) is None
        assert session.get(TeamMember, member_id).photo_consent is False
    assert client.get(data["photo"]).status_code == 404
    assert client.get(f"/teams/{ALPHA}.json").json()["members"][-1]["photo"] is None
    assert "Photo of" not in client.get(f"/teams/{ALPHA}").text
    last = audits(db)[-1]
    assert json.loads(last.before)["photo_consent"] is True and json.loads(last.after)["photo"] is None


def test_a_photo_without_consent_is_refused_and_nothing_is_stored(staff_app):
    client, db = staff_app
    sign_in(client)
    response = add(client, photo=("me.png", png_with_metadata(), "image/png"))
    assert response.status_code == 400
    assert "Tick the box to confirm this person has agreed, in writing" in response.text
    assert 'href="#photo_consent"' in response.text and f'value="{NEW_NAME}"' in response.text
    assert "Choose the photo again" in response.text  # the file itself cannot be kept
    assert len(member_ids(db)) == 3 and not audits(db)
    with session_scope(db.sessions) as session:
        assert session.scalar(select(func.count()).select_from(MemberPhoto)) == 0


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (("notes.png", b"this is not a picture at all", "image/png"), "must be a JPEG, PNG or WebP photo"),
        (("anim.gif", b"GIF89a" + b"\0" * 100, "image/gif"), "must be a JPEG, PNG or WebP photo"),
        (
            ("big.jpg", b"\xff\xd8" + b"\0" * (photos.MAX_UPLOAD_BYTES + 10), "image/jpeg"),
            "must be smaller than 5 MB",
        ),
    ],
)
def test_a_file_that_is_not_a_usable_photo_is_refused_with_a_clear_message(staff_app, upload, message):
    client, db = staff_app
    sign_in(client)
    first = member_ids(db)[0]
    url = f"/staff/teams/{ALPHA}/members/{first}"
    response = send(client, url, {**MEMBER, "photo_consent": "yes"}, photo=upload)
    assert response.status_code == 400 and message in response.text and 'href="#photo"' in response.text
    assert f'value="{NEW_NAME}"' in response.text  # what was typed is kept
    with session_scope(db.sessions) as session:
        assert session.scalar(select(func.count()).select_from(MemberPhoto)) == 0
        assert session.get(TeamMember, first).name == "Demo Sergeant"


def test_an_upload_far_too_large_is_cut_off_while_it_is_read(staff_app):
    client, db = staff_app
    sign_in(client)
    page = client.get(f"/staff/teams/{ALPHA}/members/add")
    huge = b"\0" * (photos.MAX_READ_BYTES + 1)
    response = client.post(
        f"/staff/teams/{ALPHA}/members/add",
        data={**MEMBER, "csrf_token": csrf_from(page), "photo_consent": "yes"},
        files={"photo": ("huge.jpg", huge, "image/jpeg")},
    )
    assert (
        response.status_code == 413
        and "The file you chose is too large: it must be 20 MB or smaller" in response.text
    )
    assert len(member_ids(db)) == 3


def test_forms_without_a_larger_limit_take_no_file_over_64_kb(staff_app):
    client, _db = staff_app
    token = csrf_from(client.get("/staff/sign-in"))
    data = {"email": ACCOUNTS["editor"]["email"], "password": "x", "csrf_token": token}
    response = client.post(
        "/staff/sign-in", data=data, files={"x": ("a.bin", b"\0" * (65 * 1024), "text/plain")}
    )
    assert response.status_code == 413 and "64 KB or smaller" in response.text
    many = client.post("/staff/sign-in", data=data, files=[("x", ("a.bin", b"1", "text/plain"))] * 6)
    assert many.status_code == 400 and "Too many files" in many.text


# -- the team's base -----------------------------------------------------------------------------------


def test_choosing_a_station_as_the_base(staff_app):
    client, db = staff_app
    sign_in(client)
    url = f"/staff/teams/{ALPHA}/base"
    page = client.get(url)
    assert page.status_code == 200 and "Charing Cross Police Station" in page.text
    assert "Holborn Police Station" not in page.text  # Camden's
    assert f'<option value="{client.ids["belgravia"]}" selected>' in page.text
    assert 'value="Open 24 hours"' in page.text
    response = post_form(
        client,
        url,
        {
            "station": str(client.ids["charing"]),
            "name": "ignored",
            "address": "",
            "postcode": "",
            "opening": "Front counter 8am to 10pm",
            "description": "Ask for the **Alpha** team at the front counter.",
        },
    )
    assert response.status_code == 303 and response.headers["location"] == f"/staff/teams/{ALPHA}?saved=base"
    assert "Where the team is based has been saved" in client.get(response.headers["location"]).text
    data = client.get(f"/teams/{ALPHA}.json").json()
    assert data["base"]["name"] == "Charing Cross Police Station" and data["base"]["postcode"] == "WC2N 4JP"
    assert data["base"]["opening"] == "Front counter 8am to 10pm" and data["team"]["demo"] is False
    assert [loc["name"] for loc in data["locations"]] == [
        "Charing Cross Police Station",
        "Ward surgery at the library",
    ]
    assert "Front counter 8am to 10pm" in client.get(f"/teams/{ALPHA}").text
    (entry,) = audits(db, "base")
    assert json.loads(entry.before)["name"] == "Belgravia Police Station"
    assert json.loads(entry.after)["station_id"] == client.ids["charing"]
    with session_scope(db.sessions) as session:
        assert session.get(Team, ALPHA).version == 3  # 2 after the demo seed


def test_a_base_somewhere_else_and_its_errors(staff_app):
    client, db = staff_app
    sign_in(client)
    url = f"/staff/teams/{ALPHA}/base"
    base = {
        "station": "other",
        "name": "",
        "address": "Kept address",
        "postcode": "not a postcode",
        "opening": "",
        "description": "",
    }
    refused = post_form(client, url, base)
    assert refused.status_code == 400 and "Enter the name of the place" in refused.text
    assert "Enter a full UK postcode" in refused.text and "Kept address" in refused.text
    camden = post_form(client, url, {**base, "station": str(client.ids["holborn"]), "postcode": ""})
    assert camden.status_code == 400 and "Select a police station from the list" in camden.text
    saved = post_form(client, url, {**base, "name": "Alpha Community Hub", "postcode": "sw1a2aa"})
    assert saved.status_code == 303
    data = client.get(f"/teams/{ALPHA}.json").json()
    assert data["base"]["name"] == "Alpha Community Hub" and data["base"]["postcode"] == "SW1A 2AA"
    assert data["base"]["address"] == "Kept address"
    assert len(audits(db, "base")) == 1


def test_a_stale_base_form_is_refused(staff_app):
    client, db = staff_app
    sign_in(client)
    url = f"/staff/teams/{ALPHA}/base"
    old = client.get(url)
    base = {"station": str(client.ids["charing"]), "opening": "", "description": ""}
    assert post_form(client, url, base).status_code == 303
    refused = client.post(url, data={**base, "csrf_token": csrf_from(old), "version": "1", "opening": "Mine"})
    assert refused.status_code == 409 and "Someone else saved changes" in refused.text
    assert "Charing Cross Police Station" in refused.text and 'value="Mine"' in refused.text
    assert re.search(r'name="version" value="3"', refused.text)
    assert len(audits(db, "base")) == 1
