"""Staff accounts: the password rule, sign-in throttling and locking, sessions' expiry, permissions and the
audit of account changes, on the real database backends."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.db import session_scope
from portal.models import AuditEntry, SignInAttempt, StaffSession, StaffUser
from portal.models.base import utcnow
from portal.models.staff import BOROUGH_ADMIN, TEAM_EDITOR
from portal.queries import staff as staff_queries
from portal.queries.staff import AccountProblem, Policy
from portal.services import auth
from tests.staff_helpers import (
    ACCOUNTS,
    ALPHA,
    BRAVO,
    DELTA,
    PASSWORD,
    WESTMINSTER,
    create_accounts,
    load_staff_areas,
)


@pytest.fixture
def staff_db(empty_db, tmp_path):
    load_staff_areas(empty_db, tmp_path)
    create_accounts(empty_db)
    return empty_db


def _sign_in(db, email, password, ip="192.0.2.1", policy=None, now=None):
    policy = policy or Policy()
    with session_scope(db.sessions) as session:
        return staff_queries.sign_in(session, email, password, ip=ip, policy=policy, now=now)


def test_passwords_are_stored_as_argon2id_hashes_never_as_typed(staff_db):
    with session_scope(staff_db.sessions) as session:
        stored = session.scalar(
            select(StaffUser.password_hash).where(StaffUser.email == ACCOUNTS["editor"]["email"])
        )
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short words", "at least 12 characters"),
        ("Password1234!", "harder to guess"),
        ("qwertyuiop123", "harder to guess"),
        ("new.person.london", "e-mail address or your name"),
        ("x" * 257, "256 characters or fewer"),
    ],
)
def test_the_password_rule_refuses_short_common_and_personal_passwords(staff_db, password, problem):
    with session_scope(staff_db.sessions) as session, pytest.raises(AccountProblem) as refused:
        staff_queries.create_user(
            session, email="new.person@example.org", name="New Person", password=password, role="force_admin"
        )
    assert problem in refused.value.problems["password"]


def test_length_not_complexity_three_random_words_are_accepted():
    assert auth.password_problem("kettle harbour violet", email="a@b.org", name="Ann Bee") is None


def test_a_new_account_is_checked_as_a_whole(staff_db):
    with session_scope(staff_db.sessions) as session, pytest.raises(AccountProblem) as refused:
        staff_queries.create_user(
            session, email=ACCOUNTS["editor"]["email"].upper(), name="", password="x", role="team_editor"
        )
    assert set(refused.value.problems) == {"email", "name", "teams", "password"}
    assert "already an account" in refused.value.problems["email"]
    with session_scope(staff_db.sessions) as session, pytest.raises(AccountProblem) as refused:
        staff_queries.create_user(
            session,
            email="b@example.org",
            name="B",
            password=PASSWORD,
            role=BOROUGH_ADMIN,
            borough_code="E09999999",
        )
    assert set(refused.value.problems) == {"borough"}
    with session_scope(staff_db.sessions) as session, pytest.raises(AccountProblem) as refused:
        staff_queries.create_user(
            session,
            email="c@example.org",
            name="C",
            password=PASSWORD,
            role=TEAM_EDITOR,
            team_ids=["E05999999"],
        )
    assert "There is no team E05999999" in refused.value.problems["teams"]


def test_sign_in_succeeds_with_any_case_and_starts_a_session_stored_only_as_a_digest(staff_db):
    result = _sign_in(staff_db, "  Alpha.Editor@Example.org ", PASSWORD)
    assert result.ok and result.staff.team_ids == (ALPHA,)
    with session_scope(staff_db.sessions) as session:
        ids = list(session.scalars(select(StaffSession.id)))
        staff = staff_queries.staff_for_token(session, result.token)
    assert ids == [auth.token_digest(result.token)] and result.token not in ids
    assert staff.email == ACCOUNTS["editor"]["email"]


def test_each_sign_in_gets_a_new_session_token(staff_db):
    first = _sign_in(staff_db, ACCOUNTS["editor"]["email"], PASSWORD)
    second = _sign_in(staff_db, ACCOUNTS["editor"]["email"], PASSWORD)
    assert first.token != second.token


def test_a_wrong_password_and_an_unknown_account_get_the_same_message(staff_db):
    wrong = _sign_in(staff_db, ACCOUNTS["editor"]["email"], "not the password at all")
    unknown = _sign_in(staff_db, "nobody@example.org", PASSWORD)
    assert not wrong.ok and not unknown.ok
    assert wrong.message == unknown.message == staff_queries.GENERIC_FAILURE


def test_an_account_locks_after_repeated_failures_and_unlocks_after_the_wait(staff_db):
    policy = Policy(max_failures=3, lock_for=timedelta(minutes=15))
    email = ACCOUNTS["editor"]["email"]
    now = utcnow()
    for _ in range(3):
        assert not _sign_in(staff_db, email, "wrong password here", policy=policy, now=now).ok
    locked = _sign_in(staff_db, email, PASSWORD, policy=policy, now=now + timedelta(minutes=1))
    assert not locked.ok and "Too many failed attempts" in locked.message  # even the right password waits
    later = _sign_in(staff_db, email, PASSWORD, policy=policy, now=now + timedelta(minutes=16))
    assert later.ok
    with session_scope(staff_db.sessions) as session:
        actions = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert "lock" in actions and actions[-1] == "sign_in"


def test_too_many_failures_from_one_address_make_it_wait_for_every_account(staff_db):
    policy = Policy(address_limit=4, window=timedelta(minutes=15))
    now = utcnow()
    for number in range(4):
        _sign_in(
            staff_db,
            f"guess{number}@example.org",
            "whatever it is",
            ip="198.51.100.7",
            policy=policy,
            now=now,
        )
    blocked = _sign_in(
        staff_db, ACCOUNTS["force"]["email"], PASSWORD, ip="198.51.100.7", policy=policy, now=now
    )
    assert not blocked.ok and "Too many failed attempts" in blocked.message
    elsewhere = _sign_in(
        staff_db, ACCOUNTS["force"]["email"], PASSWORD, ip="198.51.100.8", policy=policy, now=now
    )
    assert elsewhere.ok
    with session_scope(staff_db.sessions) as session:
        assert (
            session.scalar(select(func.count()).select_from(SignInAttempt)) == 5
        )  # the blocked one is not kept


def test_sessions_end_when_idle_and_at_their_absolute_limit(staff_db):
    policy = Policy(idle=timedelta(minutes=30), absolute=timedelta(hours=12))
    start = utcnow()
    token = _sign_in(staff_db, ACCOUNTS["editor"]["email"], PASSWORD, policy=policy, now=start).token
    with session_scope(staff_db.sessions) as session:
        # Active every 20 minutes: still signed in after 11 hours…
        for minutes in range(20, 11 * 60, 20):
            assert staff_queries.staff_for_token(
                session, token, policy=policy, now=start + timedelta(minutes=minutes)
            )
        # …but never beyond 12 hours, however active.
        assert (
            staff_queries.staff_for_token(session, token, policy=policy, now=start + timedelta(hours=12))
            is None
        )
    other = _sign_in(staff_db, ACCOUNTS["editor"]["email"], PASSWORD, policy=policy, now=start).token
    with session_scope(staff_db.sessions) as session:
        assert staff_queries.staff_for_token(session, other, policy=policy, now=start + timedelta(minutes=29))
        assert (
            staff_queries.staff_for_token(session, other, policy=policy, now=start + timedelta(minutes=60))
            is None
        )
        assert session.scalar(select(func.count()).select_from(StaffSession)) == 0  # expired ones are removed


def test_signing_out_ends_the_session_and_a_deactivated_account_is_signed_out(staff_db):
    token = _sign_in(staff_db, ACCOUNTS["editor"]["email"], PASSWORD).token
    with session_scope(staff_db.sessions) as session:
        staff_queries.sign_out(session, token)
    with session_scope(staff_db.sessions) as session:
        assert staff_queries.staff_for_token(session, token) is None
    token = _sign_in(staff_db, ACCOUNTS["editor"]["email"], PASSWORD).token
    with session_scope(staff_db.sessions) as session:
        session.scalar(
            select(StaffUser).where(StaffUser.email == ACCOUNTS["editor"]["email"])
        ).is_active = False
    with session_scope(staff_db.sessions) as session:
        assert staff_queries.staff_for_token(session, token) is None
    assert not _sign_in(staff_db, ACCOUNTS["editor"]["email"], PASSWORD).ok


def test_a_changed_password_signs_out_every_other_session(staff_db):
    email = ACCOUNTS["editor"]["email"]
    here = _sign_in(staff_db, email, PASSWORD)
    elsewhere = _sign_in(staff_db, email, PASSWORD)
    with session_scope(staff_db.sessions) as session:
        user = session.scalar(select(StaffUser).where(StaffUser.email == email))
        staff_queries.set_password(session, user, "orchard lamplight pebble", actor=here.staff)
    with session_scope(staff_db.sessions) as session:
        assert staff_queries.staff_for_token(session, here.token) is not None
        assert staff_queries.staff_for_token(session, elsewhere.token) is None
    assert _sign_in(staff_db, email, "orchard lamplight pebble").ok
    assert not _sign_in(staff_db, email, PASSWORD).ok


def test_who_may_edit_which_team(staff_db):
    staff = {key: _sign_in(staff_db, account["email"], PASSWORD).staff for key, account in ACCOUNTS.items()}
    boroughs = {ALPHA: WESTMINSTER, BRAVO: WESTMINSTER, DELTA: "E09000007"}
    allowed = {
        (key, team) for key, person in staff.items() for team in boroughs
        if staff_queries.can_edit_team(person, team, boroughs[team])
    }  # fmt: skip
    assert allowed == {
        ("editor", ALPHA),
        ("borough", ALPHA),
        ("borough", BRAVO),
        ("force", ALPHA),
        ("force", BRAVO),
        ("force", DELTA),
    }
    with session_scope(staff_db.sessions) as session:
        listed = {
            key: [t["id"] for t in staff_queries.editable_teams(session, person)]
            for key, person in staff.items()
        }
    assert listed == {"editor": [ALPHA], "borough": [ALPHA, BRAVO], "force": [ALPHA, BRAVO, DELTA]}
    assert [staff_queries.can_manage_users(staff[k]) for k in ("editor", "borough", "force")] == [
        False,
        False,
        True,
    ]


def test_account_creation_is_audited_without_the_password(staff_db):
    with session_scope(staff_db.sessions) as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.entity == "user")).all()
        assert {e.action for e in entries} == {"create"}
        for entry in entries:
            after = json.loads(entry.after)
            assert entry.actor == staff_queries.COMMAND_LINE
            assert "password" not in entry.after and "argon2" not in entry.after
            assert after["email"] in {a["email"] for a in ACCOUNTS.values()}


def test_an_unknown_address_is_locked_by_the_same_rule_so_the_message_reveals_nothing(staff_db):
    policy = Policy(max_failures=3, lock_for=timedelta(minutes=15))
    now = utcnow()
    messages = {}
    for email in (ACCOUNTS["editor"]["email"], "nobody.here@example.org"):
        for _ in range(3):
            _sign_in(staff_db, email, "wrong password here", policy=policy, now=now)
        messages[email] = _sign_in(staff_db, email, "wrong password here", policy=policy, now=now).message
    assert (
        len(set(messages.values())) == 1 and "Too many failed attempts" in messages["nobody.here@example.org"]
    )


def test_signing_in_does_not_change_the_account_version(staff_db):
    email = ACCOUNTS["editor"]["email"]
    with session_scope(staff_db.sessions) as session:
        before = session.scalar(select(StaffUser.version).where(StaffUser.email == email))
    _sign_in(staff_db, email, "wrong password here")
    assert _sign_in(staff_db, email, PASSWORD).ok
    with session_scope(staff_db.sessions) as session:
        user = session.scalar(select(StaffUser).where(StaffUser.email == email))
        assert user.version == before and user.last_sign_in_at is not None and user.failed_sign_ins == 0
