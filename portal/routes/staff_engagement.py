"""Staff keep their team's meetings, priorities and updates current (issue 7), under /staff/teams/{code}.

Every form follows the pattern of `portal/routes/staff.py`: GET shows what is saved (and the item's version
in a hidden field); POST `checked_form` → validate → on errors the form again, what was typed kept, 400 →
save through `portal.queries.staff_engagement` in one transaction → a version conflict is 409 with what is
saved now → `published` → 303 to the section's list with a "saved" message.

Meetings (`staff:meetings`): add (`staff:meeting_new`), change (`staff:meeting`), cancel with a reason
(`staff:meeting_cancel`), notes and attendance after the meeting (`staff:meeting_minutes`).
Priorities (`staff:priorities`): add (`staff:priority_new`), change (`staff:priority`), record a review
(`staff:priority_review`), a dated action (`staff:priority_action`), change the status
(`staff:priority_status`).
Updates (`staff:updates`): write (`staff:update_new`), change (`staff:update`), see as the public will
(`staff:update_preview`), publish (`staff:update_publish`), delete a draft (`staff:update_delete`).

Times: staff type London wall-clock times; they are stored as UTC instants. A time that does not exist in
London (the hour skipped when the clocks go forward) or that happens twice (the hour repeated when they go
back) is refused with a message saying so, rather than guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal.models import AGREED_HOW, DEMO, MEETING_TYPES, PRIORITY_STATUSES
from portal.models.engagement import CURRENT_PRIORITY_STATUSES
from portal.queries import staff_edits
from portal.queries import staff_engagement as q
from portal.queries.staff import Staff
from portal.routes.staff import guarded, page, published
from portal.security import checked_form, staff_only
from portal.services import calendar, postcode

LONDON = ZoneInfo("Europe/London")
MAX_TITLE = 200
MAX_SHORT = 200  # venue name, place, partner name
MAX_NOTE = 2000  # address, access notes, who will attend, how to join, reasons, notes
MAX_TEXT = 20000  # Markdown: minutes, detail, bodies
MAX_URL = 500
MAX_ATTENDANCE = 100_000
YEARS = (2000, 2100)

SAVED_MESSAGES = {
    "meeting-added": "The meeting has been added and is on the public pages and calendars now.",
    "meeting-saved": "The meeting has been changed on the public pages and calendars.",
    "meeting-cancelled": "The meeting is cancelled. It stays listed, marked cancelled, on the public pages "
    "and calendars.",
    "minutes-saved": "The notes and attendance have been saved and are on the public meeting page now.",
    "priority-added": "The priority has been added and is on the public pages now.",
    "priority-saved": "The priority has been changed on the public pages.",
    "priority-reviewed": "The review has been recorded and the next review date set.",
    "action-added": "The action has been added to the priority's public record.",
    "status-saved": "The priority's status has been changed on the public pages.",
    "update-draft": "The draft has been saved. It is not public until you publish it.",
    "update-published": "The update has been published on the team page, the updates page and the feed.",
    "update-saved": "The update has been changed on the public pages.",
    "update-deleted": "The draft has been deleted.",
}

YES_NO = {"yes": True, "no": False, "": None}


# -- reading forms -------------------------------------------------------------------------------------


def text(form, name: str) -> str:
    value = form.get(name, "")
    return value.replace("\r\n", "\n").strip() if isinstance(value, str) else ""


def too_long(errors: dict[str, str], values: dict[str, Any], name: str, label: str, limit: int) -> None:
    if len(values[name]) > limit and name not in errors:
        errors[name] = f"{label} must be {limit:,} characters or fewer"


def read_date(
    form, prefix: str, label: str, errors: dict[str, str], values: dict[str, Any], required: bool = True
) -> date | None:
    """A GOV.UK date input (`prefix-day`, `-month`, `-year`): the date, or None with an error (or None
    with no error when it is left blank and not required). The error is keyed by `prefix`, the day
    input's id, so the summary's link goes to the first box."""
    parts = {name: text(form, f"{prefix}-{name}")[:10] for name in ("day", "month", "year")}
    for name, value in parts.items():
        values[f"{prefix}-{name}"] = value
    if not any(parts.values()):
        if required:
            errors[prefix] = f"Enter {label}"
        return None
    missing = [name for name, value in parts.items() if not value]
    if missing:
        errors[prefix] = f"{label[0].upper()}{label[1:]} must include a {' and a '.join(missing)}"
        return None
    if not all(v.isdigit() for v in parts.values()):
        errors[prefix] = f"{label[0].upper()}{label[1:]} must be a real date, in numbers"
        return None
    if len(parts["year"]) != 4:
        errors[prefix] = "The year must include 4 numbers, like 2026"
        return None
    try:
        day = date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
    except ValueError:
        errors[prefix] = f"{label[0].upper()}{label[1:]} must be a real date"
        return None
    if not YEARS[0] <= day.year < YEARS[1]:
        errors[prefix] = f"{label[0].upper()}{label[1:]} must be between {YEARS[0]} and {YEARS[1] - 1}"
        return None
    return day


TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$", re.IGNORECASE)


def parse_time(value: str) -> time | None:
    """ "19:00", "7pm", "7:30pm", "19.30", "0930" → a time; None if it is not one."""
    value = value.strip().lower().replace(" ", "")
    if re.fullmatch(r"\d{4}", value):
        value = f"{value[:2]}:{value[2:]}"
    match = TIME.match(value)
    if not match:
        return None
    hour, minute, half = int(match[1]), int(match[2] or 0), (match[3] or "").replace(".", "")
    if minute > 59:
        return None
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    elif hour > 23:
        return None
    return time(hour, minute)


def london_instant(day: date, at: time) -> datetime:
    """The UTC instant of a London wall-clock time. ValueError (with the message to show) for a time the
    clocks skip or repeat that day."""
    local = datetime.combine(day, at, tzinfo=LONDON)
    other = local.replace(fold=1)
    if local.utcoffset() != other.utcoffset():
        shown = f"{calendar.clock(local)} on {calendar.day(local)}"
        back = local.astimezone(UTC).astimezone(LONDON)
        if back.replace(tzinfo=None) != local.replace(tzinfo=None):
            raise ValueError(
                f"There is no {shown} in London: the clocks go forward an hour at 1am that day. "
                "Choose a time before 1am or from 2am"
            )
        raise ValueError(
            f"{shown[0].upper()}{shown[1:]} happens twice in London: the clocks go back an hour at 2am "
            "that day. Choose a time before 1am or from 2am"
        )
    return local.astimezone(UTC)


def web_address(value: str) -> bool:
    parts = urlsplit(value)
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and "." in (parts.hostname or "")
        and not re.search(r"\s", value)
    )


def read_int(value: str) -> int | None:
    value = value.replace(",", "").strip()
    return int(value) if re.fullmatch(r"\d{1,9}", value) else None


# -- common handling ------------------------------------------------------------------------------------


def team_code(request: Request) -> str:
    return request.path_params["code"].upper()[:20]


def header(team) -> dict[str, Any]:
    return {"team": {"id": team.id, "name": team.name, "demo": team.content_source == DEMO}}


def url(request: Request, name: str, **params: Any) -> str:
    return str(request.app.url_path_for(name, **params))


def list_url(request: Request, section: str, code: str, saved: str | None = None) -> str:
    target = url(request, f"staff:{section}", code=code)
    return f"{target}?saved={saved}" if saved else target


def saved_message(request: Request) -> str | None:
    return SAVED_MESSAGES.get(request.query_params.get("saved", ""))


def common_urls(request: Request, code: str) -> dict[str, str]:
    return {
        "overview": url(request, "staff:team", code=code),
        "meetings": url(request, "staff:meetings", code=code),
        "priorities": url(request, "staff:priorities", code=code),
        "updates": url(request, "staff:updates", code=code),
        "public_team": url(request, "teams:team", code=code),
        "public_meetings": url(request, "teams:meetings", code=code),
        "public_priorities": url(request, "teams:priorities", code=code),
        "public_updates": url(request, "teams:updates", code=code),
    }


async def submit(
    request: Request,
    staff: Staff,
    template: str,
    context: dict[str, Any],
    errors: dict[str, str],
    work: Callable[[Any], Any],
    done: str,
) -> Response:
    """The second half of every POST: errors → 400; save; conflict → 409; refused → 400; else published
    and 303 to `done`."""
    if errors:
        context["errors"] = errors
        return page(request, template, context, staff, status=400)
    try:
        await guarded(request, work)
    except staff_edits.Conflict as conflict:
        context["conflict"] = {"message": staff_edits.CONFLICT_MESSAGE, "current": conflict.current}
        context["values"]["version"] = conflict.current["version"]
        return page(request, template, context, staff, status=409)
    except q.Refused as refused:
        context["errors"] = refused.errors
        return page(request, template, context, staff, status=400)
    await published(request, team_code(request))
    return RedirectResponse(done, status_code=303)


def version_of(form) -> str:
    return str(form.get("version", ""))[:20]


# -- meetings ------------------------------------------------------------------------------------------


def validate_meeting(form) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    """(what was typed, the values to save, errors by field)."""
    typed: dict[str, Any] = {
        name: text(form, name)
        for name in (
            "type",
            "title",
            "start",
            "end",
            "venue_name",
            "venue_address",
            "venue_postcode",
            "online_url",
            "step_free",
            "hearing_loop",
            "access_notes",
            "attendees",
            "how_to_join",
        )
    }
    typed["bsl_on_request"] = form.get("bsl_on_request") == "yes"
    errors: dict[str, str] = {}
    if typed["type"] not in MEETING_TYPES:
        errors["type"] = "Choose the type of meeting"
    if not typed["title"]:
        errors["title"] = "Enter a title for the meeting"
    too_long(errors, typed, "title", "The title", MAX_TITLE)
    day = read_date(form, "date", "the date of the meeting", errors, typed)
    times = {}
    for name, label in (("start", "start"), ("end", "end")):
        if not typed[name]:
            errors[name] = f"Enter the time the meeting {label}s, like 19:00 or 7pm"
        elif (found := parse_time(typed[name])) is None:
            errors[name] = f"Enter the {label} time as hours and minutes, like 19:00 or 7:30pm"
        else:
            times[name] = found
            typed[name] = f"{found:%H:%M}"
    instants: dict[str, datetime] = {}
    if day is not None:
        for name, at in times.items():
            try:
                instants[name] = london_instant(day, at)
            except ValueError as problem:
                errors[name] = str(problem)
    if len(instants) == 2 and instants["end"] <= instants["start"]:
        errors["end"] = "The end time must be after the start time, on the same day"
    too_long(errors, typed, "venue_name", "The venue's name", MAX_SHORT)
    too_long(errors, typed, "venue_address", "The address", MAX_NOTE)
    if typed["venue_postcode"]:
        normal = postcode.normalise(typed["venue_postcode"])
        if normal is None:
            errors["venue_postcode"] = "Enter a full postcode, like SW1A 2AA"
        else:
            typed["venue_postcode"] = normal
    if typed["online_url"]:
        if len(typed["online_url"]) > MAX_URL:
            errors["online_url"] = f"The link must be {MAX_URL} characters or fewer"
        elif not web_address(typed["online_url"]):
            errors["online_url"] = (
                "Enter a web address starting with https:// or http://, like https://meet.example.org/ward-panel"
            )
    elif typed["type"] == "online":
        errors["online_url"] = "Enter the link people use to join the online meeting"
    if not typed["venue_name"] and not typed["online_url"] and "online_url" not in errors:
        errors["venue_name"] = "Enter where the meeting is: the venue's name, or a link to join online"
    for name in ("step_free", "hearing_loop"):
        if typed[name] not in YES_NO:
            typed[name] = ""
    too_long(errors, typed, "access_notes", "Access notes", MAX_NOTE)
    too_long(errors, typed, "attendees", "Who will attend", MAX_NOTE)
    too_long(errors, typed, "how_to_join", "How to join", MAX_NOTE)
    values = {
        "type": typed["type"],
        "title": typed["title"],
        "starts_at": instants.get("start"),
        "ends_at": instants.get("end"),
        "venue_name": typed["venue_name"] or None,
        "venue_address": typed["venue_address"] or None,
        "venue_postcode": typed["venue_postcode"] or None,
        "online_url": typed["online_url"] or None,
        "step_free": YES_NO[typed["step_free"]],
        "hearing_loop": YES_NO[typed["hearing_loop"]],
        "bsl_on_request": typed["bsl_on_request"],
        "access_notes": typed["access_notes"] or None,
        "attendees": typed["attendees"] or None,
        "how_to_join": typed["how_to_join"] or None,
    }
    return typed, values, errors


def meeting_context(request: Request, code: str, head: dict[str, Any], values: dict[str, Any]) -> dict:
    return {
        **head,
        "values": values,
        "errors": {},
        "conflict": None,
        "types": MEETING_TYPES,
        "urls": common_urls(request, code),
    }


@staff_only
async def meetings(request: Request, staff: Staff) -> Response:
    code = team_code(request)

    def load(session):
        team = staff_edits.guard_team(session, staff, code)
        return {**header(team), **q.meeting_lists(session, team)}

    context = await guarded(request, load)
    for m in context["upcoming"] + context["past"]:
        m["urls"] = {
            "edit": url(request, "staff:meeting", code=code, id=m["id"]),
            "cancel": url(request, "staff:meeting_cancel", code=code, id=m["id"]),
            "minutes": url(request, "staff:meeting_minutes", code=code, id=m["id"]),
            "public": url(request, "teams:meeting", code=code, id=m["id"]),
        }
    context["saved"] = saved_message(request)
    context["urls"] = {**common_urls(request, code), "new": url(request, "staff:meeting_new", code=code)}
    return page(request, "staff/meetings.html", context, staff)


BLANK_MEETING = {
    "type": "",
    "title": "",
    "date-day": "",
    "date-month": "",
    "date-year": "",
    "start": "",
    "end": "",
    "venue_name": "",
    "venue_address": "",
    "venue_postcode": "",
    "online_url": "",
    "step_free": "",
    "hearing_loop": "",
    "bsl_on_request": False,
    "access_notes": "",
    "attendees": "",
    "how_to_join": "",
    "version": "",
}


@staff_only
async def meeting_new(request: Request, staff: Staff) -> Response:
    code = team_code(request)
    head = await guarded(request, lambda s: header(staff_edits.guard_team(s, staff, code)))
    context = meeting_context(request, code, head, dict(BLANK_MEETING))
    context["new"] = True
    if request.method == "GET":
        return page(request, "staff/meeting.html", context, staff)
    form = await checked_form(request)
    typed, values, errors = validate_meeting(form)
    context["values"] = typed
    return await submit(
        request,
        staff,
        "staff/meeting.html",
        context,
        errors,
        lambda s: q.create_meeting(s, staff, code, values),
        list_url(request, "meetings", code, "meeting-added"),
    )


@staff_only
async def meeting_edit(request: Request, staff: Staff) -> Response:
    code, meeting_id = team_code(request), request.path_params["id"]

    def load(session):
        team = staff_edits.guard_team(session, staff, code)
        return header(team), q.meeting_values(q.team_meeting(session, team, meeting_id))

    head, saved = await guarded(request, load)
    context = meeting_context(request, code, head, saved)
    context["new"], context["meeting"] = False, saved
    context["urls"]["public"] = url(request, "teams:meeting", code=code, id=meeting_id)
    if request.method == "GET":
        return page(request, "staff/meeting.html", context, staff)
    form = await checked_form(request)
    typed, values, errors = validate_meeting(form)
    typed["version"] = version_of(form)
    context["values"] = typed
    return await submit(
        request,
        staff,
        "staff/meeting.html",
        context,
        errors,
        lambda s: q.save_meeting(s, staff, code, meeting_id, values, typed["version"]),
        list_url(request, "meetings", code, "meeting-saved"),
    )


@staff_only
async def meeting_cancel(request: Request, staff: Staff) -> Response:
    code, meeting_id = team_code(request), request.path_params["id"]

    def load(session):
        team = staff_edits.guard_team(session, staff, code)
        return header(team), q.meeting_values(q.team_meeting(session, team, meeting_id))

    head, saved = await guarded(request, load)
    context = meeting_context(request, code, head, {"reason": "", "version": saved["version"]})
    context["meeting"] = saved
    if request.method == "GET":
        return page(request, "staff/meeting_cancel.html", context, staff)
    form = await checked_form(request)
    values = {"reason": text(form, "reason"), "version": version_of(form)}
    context["values"] = values
    errors: dict[str, str] = {}
    if not values["reason"]:
        errors["reason"] = "Enter why the meeting is cancelled, so residents know"
    too_long(errors, values, "reason", "The reason", MAX_NOTE)
    return await submit(
        request,
        staff,
        "staff/meeting_cancel.html",
        context,
        errors,
        lambda s: q.cancel_meeting(s, staff, code, meeting_id, values["reason"], values["version"]),
        list_url(request, "meetings", code, "meeting-cancelled"),
    )


@staff_only
async def meeting_minutes(request: Request, staff: Staff) -> Response:
    code, meeting_id = team_code(request), request.path_params["id"]

    def load(session):
        team = staff_edits.guard_team(session, staff, code)
        return header(team), q.meeting_values(q.team_meeting(session, team, meeting_id))

    head, saved = await guarded(request, load)
    values = {"minutes": saved["minutes"], "attendance": saved["attendance"], "version": saved["version"]}
    context = meeting_context(request, code, head, values)
    context["meeting"] = saved
    context["urls"]["public"] = url(request, "teams:meeting", code=code, id=meeting_id)
    if request.method == "GET":
        return page(request, "staff/meeting_minutes.html", context, staff)
    form = await checked_form(request)
    values = {
        "minutes": text(form, "minutes"),
        "attendance": text(form, "attendance"),
        "version": version_of(form),
    }
    context["values"] = values
    errors: dict[str, str] = {}
    too_long(errors, values, "minutes", "The notes", MAX_TEXT)
    attendance = None
    if values["attendance"]:
        attendance = read_int(values["attendance"])
        if attendance is None:
            errors["attendance"] = "Enter how many people came as a whole number, like 24"
        elif attendance > MAX_ATTENDANCE:
            errors["attendance"] = f"The number of people must be {MAX_ATTENDANCE:,} or fewer"
    return await submit(
        request,
        staff,
        "staff/meeting_minutes.html",
        context,
        errors,
        lambda s: q.save_minutes(
            s, staff, code, meeting_id, values["minutes"], attendance, values["version"]
        ),
        list_url(request, "meetings", code, "minutes-saved"),
    )


# -- priorities ----------------------------------------------------------------------------------------


def validate_priority(form, choices: list[dict[str, Any]], new: bool) -> tuple[dict, dict, dict[str, str]]:
    typed: dict[str, Any] = {
        name: text(form, name)
        for name in (
            "title",
            "raised",
            "detail",
            "place",
            "category",
            "agreed_how",
            "agreed_meeting",
            "agreed_note",
        )
    }
    errors: dict[str, str] = {}
    if not typed["title"]:
        errors["title"] = "Enter the priority in a few plain words, like Speeding on Stafford Road"
    too_long(errors, typed, "title", "The priority", MAX_TITLE)
    too_long(errors, typed, "raised", "What residents said", MAX_NOTE)
    too_long(errors, typed, "detail", "The detail", MAX_TEXT)
    too_long(errors, typed, "place", "The street or place", MAX_SHORT)
    if typed["category"] and typed["category"] not in q.CATEGORY_NAMES:
        errors["category"] = "Choose a crime category from the list, or none"
    today = q.london_today()
    agreed_on = read_date(form, "agreed", "the day the priority was agreed", errors, typed)
    if agreed_on and agreed_on > today:
        errors["agreed"] = "The day the priority was agreed must be today or in the past"
    if typed["agreed_how"] not in AGREED_HOW:
        errors["agreed_how"] = "Choose how the priority was agreed"
    meeting_id = None
    if typed["agreed_meeting"]:
        if typed["agreed_meeting"] not in {c["id"] for c in choices}:
            errors["agreed_meeting"] = "Choose one of the team's meetings, or none"
        else:
            meeting_id = int(typed["agreed_meeting"])
    too_long(errors, typed, "agreed_note", "The note", MAX_NOTE)
    values = {
        "title": typed["title"],
        "raised": typed["raised"] or None,
        "detail": typed["detail"] or None,
        "place": typed["place"] or None,
        "category": typed["category"] or None,
        "agreed_on": agreed_on,
        "agreed_how": typed["agreed_how"],
        "agreed_meeting_id": meeting_id,
        "agreed_note": typed["agreed_note"] or None,
    }
    if new:
        review_on = read_date(form, "review", "the review date", errors, typed, required=False)
        if review_on is None and "review" not in errors and agreed_on:
            review_on = q.default_review(agreed_on)
        if review_on and agreed_on and review_on <= agreed_on:
            errors["review"] = "The review date must be after the day the priority was agreed"
        values["review_on"] = review_on
    return typed, values, errors


def priority_context(request: Request, code: str, head: dict[str, Any], values: dict[str, Any]) -> dict:
    return {
        **head,
        "values": values,
        "errors": {},
        "conflict": None,
        "categories": q.CATEGORY_NAMES,
        "agreed_how": AGREED_HOW,
        "statuses": PRIORITY_STATUSES,
        "urls": common_urls(request, code),
    }


def priority_urls(request: Request, code: str, priority_id: int) -> dict[str, str]:
    return {
        "edit": url(request, "staff:priority", code=code, id=priority_id),
        "review": url(request, "staff:priority_review", code=code, id=priority_id),
        "action": url(request, "staff:priority_action", code=code, id=priority_id),
        "status": url(request, "staff:priority_status", code=code, id=priority_id),
        "public": url(request, "teams:priority", code=code, id=priority_id),
    }


@staff_only
async def priorities(request: Request, staff: Staff) -> Response:
    code = team_code(request)

    def load(session):
        team = staff_edits.guard_team(session, staff, code)
        return {**header(team), **q.priority_lists(session, team)}

    context = await guarded(request, load)
    for p in context["current"] + context["past"]:
        p["urls"] = priority_urls(request, code, p["id"])
    context["saved"] = saved_message(request)
    context["urls"] = {**common_urls(request, code), "new": url(request, "staff:priority_new", code=code)}
    return page(request, "staff/priorities.html", context, staff)


BLANK_PRIORITY = {
    "title": "",
    "raised": "",
    "detail": "",
    "place": "",
    "category": "",
    "agreed-day": "",
    "agreed-month": "",
    "agreed-year": "",
    "agreed_how": "",
    "agreed_meeting": "",
    "agreed_note": "",
    "review-day": "",
    "review-month": "",
    "review-year": "",
    "version": "",
}


@staff_only
async def priority_new(request: Request, staff: Staff) -> Response:
    code = team_code(request)

    def load(session):
        team = staff_edits.guard_team(session, staff, code)
        return header(team), q.meeting_choices(session, team)

    head, choices = await guarded(request, load)
    context = priority_context(request, code, head, dict(BLANK_PRIORITY))
    context["new"], context["meetings"] = True, choices
    if request.method == "GET":
        return page(request, "staff/priority.html", context, staff)
    form = await checked_form(request)
    typed, values, errors = validate_priority(form, choices, new=True)
    context["values"] = typed
    return await submit(
        request,
        staff,
        "staff/priority.html",
        context,
        errors,
        lambda s: q.create_priority(s, staff, code, values),
        list_url(request, "priorities", code, "priority-added"),
    )


def load_priority(staff: Staff, code: str, priority_id: int, choices: bool = False):
    def load(session):
        team = staff_edits.guard_team(session, staff, code)
        priority = q.team_priority(session, team, priority_id)
        found = q.priority_values(session, priority)
        if choices:
            return header(team), found, q.meeting_choices(session, team, keep=priority.agreed_meeting_id)
        return header(team), found

    return load


@staff_only
async def priority_edit(request: Request, staff: Staff) -> Response:
    code, priority_id = team_code(request), request.path_params["id"]
    head, saved, choices = await guarded(request, load_priority(staff, code, priority_id, choices=True))
    context = priority_context(request, code, head, saved)
    context.update(new=False, meetings=choices, priority=saved)
    context["urls"].update(priority_urls(request, code, priority_id))
    if request.method == "GET":
        context["saved"] = saved_message(request)
        return page(request, "staff/priority.html", context, staff)
    form = await checked_form(request)
    typed, values, errors = validate_priority(form, choices, new=False)
    typed["version"] = version_of(form)
    context["values"] = typed
    if (
        values["agreed_on"]
        and saved["reviewed_on"]
        and values["agreed_on"].isoformat() > saved["reviewed_on"]
    ):
        errors.setdefault("agreed", "The day it was agreed must be on or before its last review")
    return await submit(
        request,
        staff,
        "staff/priority.html",
        context,
        errors,
        lambda s: q.save_priority(s, staff, code, priority_id, values, typed["version"]),
        list_url(request, "priorities", code, "priority-saved"),
    )


@staff_only
async def priority_review(request: Request, staff: Staff) -> Response:
    code, priority_id = team_code(request), request.path_params["id"]
    head, saved = await guarded(request, load_priority(staff, code, priority_id))
    blank = {f"{p}-{n}": "" for p in ("reviewed", "next") for n in ("day", "month", "year")}
    context = priority_context(request, code, head, {**blank, "note": "", "version": saved["version"]})
    context["priority"] = saved
    context["urls"].update(priority_urls(request, code, priority_id))
    if request.method == "GET":
        return page(request, "staff/priority_review.html", context, staff)
    form = await checked_form(request)
    typed: dict[str, Any] = {"note": text(form, "note"), "version": version_of(form)}
    errors: dict[str, str] = {}
    reviewed_on = read_date(form, "reviewed", "the day of the review", errors, typed)
    if reviewed_on and reviewed_on > q.london_today():
        errors["reviewed"] = "The day of the review must be today or in the past"
    too_long(errors, typed, "note", "The note", MAX_NOTE)
    next_on = read_date(form, "next", "the next review date", errors, typed, required=False)
    if next_on is None and "next" not in errors and reviewed_on:
        next_on = q.default_review(reviewed_on)
    if next_on and reviewed_on and next_on <= reviewed_on:
        errors["next"] = "The next review date must be after the day of this review"
    context["values"] = typed
    values = {"reviewed_on": reviewed_on, "note": typed["note"], "next_review_on": next_on}
    return await submit(
        request,
        staff,
        "staff/priority_review.html",
        context,
        errors,
        lambda s: q.review_priority(s, staff, code, priority_id, values, typed["version"]),
        list_url(request, "priorities", code, "priority-reviewed"),
    )


@staff_only
async def priority_action(request: Request, staff: Staff) -> Response:
    code, priority_id = team_code(request), request.path_params["id"]
    head, saved = await guarded(request, load_priority(staff, code, priority_id))
    blank = {
        "acted-day": "",
        "acted-month": "",
        "acted-year": "",
        "who": "",
        "partner": "",
        "description": "",
        "result": "",
    }
    context = priority_context(request, code, head, {**blank, "version": saved["version"]})
    context["priority"] = saved
    context["urls"].update(priority_urls(request, code, priority_id))
    if request.method == "GET":
        return page(request, "staff/priority_action.html", context, staff)
    form = await checked_form(request)
    typed: dict[str, Any] = {name: text(form, name) for name in ("who", "partner", "description", "result")}
    typed["version"] = version_of(form)
    errors: dict[str, str] = {}
    acted_on = read_date(form, "acted", "the day of the action", errors, typed)
    if acted_on and acted_on > q.london_today():
        errors["acted"] = "The day of the action must be today or in the past"
    if typed["who"] not in ("police", "partner"):
        errors["who"] = "Choose who acted: the police or a partner"
    elif typed["who"] == "partner":
        if not typed["partner"]:
            errors["partner"] = "Enter the partner's name, like Sutton Council"
        too_long(errors, typed, "partner", "The partner's name", 120)
    if not typed["description"]:
        errors["description"] = "Enter what was done"
    too_long(errors, typed, "description", "What was done", MAX_NOTE)
    too_long(errors, typed, "result", "The result", MAX_NOTE)
    context["values"] = typed
    partner = typed["who"] == "partner"
    values = {
        "acted_on": acted_on,
        "actor": typed["partner"] if partner else "Police",
        "is_partner": partner,
        "description": typed["description"],
        "result": typed["result"],
    }
    return await submit(
        request,
        staff,
        "staff/priority_action.html",
        context,
        errors,
        lambda s: q.add_action(s, staff, code, priority_id, values, typed["version"]),
        list_url(request, "priorities", code, "action-added"),
    )


@staff_only
async def priority_status(request: Request, staff: Staff) -> Response:
    code, priority_id = team_code(request), request.path_params["id"]
    head, saved = await guarded(request, load_priority(staff, code, priority_id))
    values = {"status": saved["status"], "outcome": saved["outcome"], "version": saved["version"]}
    context = priority_context(request, code, head, values)
    context["priority"] = saved
    context["urls"].update(priority_urls(request, code, priority_id))
    if request.method == "GET":
        return page(request, "staff/priority_status.html", context, staff)
    form = await checked_form(request)
    typed = {"status": text(form, "status"), "outcome": text(form, "outcome"), "version": version_of(form)}
    errors: dict[str, str] = {}
    if typed["status"] not in PRIORITY_STATUSES:
        errors["status"] = "Choose the priority's status"
    elif typed["status"] not in CURRENT_PRIORITY_STATUSES and not typed["outcome"]:
        errors["outcome"] = "Enter the outcome: what changed, and why the priority is being closed"
    too_long(errors, typed, "outcome", "The outcome", MAX_TEXT)
    context["values"] = typed
    return await submit(
        request,
        staff,
        "staff/priority_status.html",
        context,
        errors,
        lambda s: q.set_priority_status(
            s,
            staff,
            code,
            priority_id,
            {"status": typed["status"], "outcome": typed["outcome"]},
            typed["version"],
        ),
        list_url(request, "priorities", code, "status-saved"),
    )


# -- updates -------------------------------------------------------------------------------------------


def validate_update(form) -> tuple[dict[str, Any], dict[str, str]]:
    typed: dict[str, Any] = {name: text(form, name) for name in q.UPDATE_FIELDS}
    errors: dict[str, str] = {}
    if not typed["title"]:
        errors["title"] = "Enter a title for the update"
    too_long(errors, typed, "title", "The title", MAX_TITLE)
    if not typed["body"]:
        errors["body"] = "Enter the update"
    too_long(errors, typed, "body", "The update", MAX_TEXT)
    too_long(errors, typed, "results", "The results", MAX_TEXT)
    return typed, errors


def update_context(request: Request, code: str, head: dict[str, Any], values: dict[str, Any]) -> dict:
    return {
        **head,
        "values": values,
        "errors": {},
        "conflict": None,
        "preview": None,
        "urls": common_urls(request, code),
    }


def preview_of(values: dict[str, Any], saved: dict[str, Any] | None = None) -> dict[str, Any]:
    """What the public updates page would show for these values (published today, if not yet)."""
    today = q.london_today()
    return {
        "id": (saved or {}).get("id", 0),
        "title": values["title"],
        "body": values["body"],
        "results": values["results"],
        "published_at": (saved or {}).get("published_at") or datetime.now(UTC).isoformat(timespec="seconds"),
        "published_on": (saved or {}).get("published_on") or today.isoformat(),
        "demo": False,
    }


def update_urls(request: Request, code: str, update_id: int) -> dict[str, str]:
    return {
        "edit": url(request, "staff:update", code=code, id=update_id),
        "preview": url(request, "staff:update_preview", code=code, id=update_id),
        "publish": url(request, "staff:update_publish", code=code, id=update_id),
        "delete": url(request, "staff:update_delete", code=code, id=update_id),
        "public": url(request, "teams:updates", code=code) + f"#update-{update_id}",
    }


@staff_only
async def updates(request: Request, staff: Staff) -> Response:
    code = team_code(request)

    def load(session):
        team = staff_edits.guard_team(session, staff, code)
        return {**header(team), **q.update_lists(session, team)}

    context = await guarded(request, load)
    for u in context["drafts"] + context["published"]:
        u["urls"] = update_urls(request, code, u["id"])
    context["saved"] = saved_message(request)
    context["urls"] = {**common_urls(request, code), "new": url(request, "staff:update_new", code=code)}
    return page(request, "staff/updates.html", context, staff)


def update_action(form) -> str:
    action = form.get("action")
    return action if action in ("draft", "preview", "publish", "save") else "draft"


@staff_only
async def update_new(request: Request, staff: Staff) -> Response:
    code = team_code(request)
    head = await guarded(request, lambda s: header(staff_edits.guard_team(s, staff, code)))
    context = update_context(request, code, head, {"title": "", "body": "", "results": "", "version": ""})
    context["new"] = True
    if request.method == "GET":
        return page(request, "staff/update.html", context, staff)
    form = await checked_form(request)
    typed, errors = validate_update(form)
    typed["version"] = ""
    context["values"] = typed
    action = update_action(form)
    if action == "preview" and not errors:
        context["preview"] = preview_of(typed)
        return page(request, "staff/update.html", context, staff)
    publish = action == "publish"
    return await submit(
        request,
        staff,
        "staff/update.html",
        context,
        errors,
        lambda s: q.create_update(s, staff, code, typed, publish=publish),
        list_url(request, "updates", code, "update-published" if publish else "update-draft"),
    )


def load_update(staff: Staff, code: str, update_id: int):
    def load(session):
        team = staff_edits.guard_team(session, staff, code)
        return header(team), q.update_values(q.team_update(session, team, update_id))

    return load


@staff_only
async def update_edit(request: Request, staff: Staff) -> Response:
    code, update_id = team_code(request), request.path_params["id"]
    head, saved = await guarded(request, load_update(staff, code, update_id))
    context = update_context(request, code, head, saved)
    context.update(new=False, update=saved)
    context["urls"].update(update_urls(request, code, update_id))
    if request.method == "GET":
        return page(request, "staff/update.html", context, staff)
    form = await checked_form(request)
    typed, errors = validate_update(form)
    typed["version"] = version_of(form)
    context["values"] = typed
    action = update_action(form)
    if action == "preview" and not errors:
        context["preview"] = preview_of(typed, saved)
        return page(request, "staff/update.html", context, staff)
    publish = action == "publish"
    done = "update-saved" if not saved["draft"] else "update-published" if publish else "update-draft"
    return await submit(
        request,
        staff,
        "staff/update.html",
        context,
        errors,
        lambda s: q.save_update(s, staff, code, update_id, typed, typed["version"], publish=publish),
        list_url(request, "updates", code, done),
    )


@staff_only
async def update_preview(request: Request, staff: Staff) -> Response:
    code, update_id = team_code(request), request.path_params["id"]
    head, saved = await guarded(request, load_update(staff, code, update_id))
    context = update_context(request, code, head, {"version": saved["version"]})
    context.update(update=saved, preview=preview_of(saved, saved))
    context["urls"].update(update_urls(request, code, update_id))
    return page(request, "staff/update_preview.html", context, staff)


@staff_only
async def update_publish(request: Request, staff: Staff) -> Response:
    code, update_id = team_code(request), request.path_params["id"]
    head, saved = await guarded(request, load_update(staff, code, update_id))
    form = await checked_form(request)
    context = update_context(request, code, head, {"version": version_of(form)})
    context.update(update=saved, preview=preview_of(saved, saved))
    context["urls"].update(update_urls(request, code, update_id))
    return await submit(
        request,
        staff,
        "staff/update_preview.html",
        context,
        {},
        lambda s: q.publish_update(s, staff, code, update_id, context["values"]["version"]),
        list_url(request, "updates", code, "update-published"),
    )


@staff_only
async def update_delete(request: Request, staff: Staff) -> Response:
    code, update_id = team_code(request), request.path_params["id"]
    head, saved = await guarded(request, load_update(staff, code, update_id))
    context = update_context(request, code, head, {"version": saved["version"]})
    context["update"] = saved
    context["urls"].update(update_urls(request, code, update_id))
    if request.method == "GET":
        return page(request, "staff/update_delete.html", context, staff)
    form = await checked_form(request)
    context["values"] = {"version": version_of(form)}
    return await submit(
        request,
        staff,
        "staff/update_delete.html",
        context,
        {},
        lambda s: q.delete_update(s, staff, code, update_id, context["values"]["version"]),
        list_url(request, "updates", code, "update-deleted"),
    )


GET_POST = ["GET", "POST"]
routes = [
    Route("/teams/{code}/meetings", meetings, name="meetings"),
    Route("/teams/{code}/meetings/new", meeting_new, methods=GET_POST, name="meeting_new"),
    Route("/teams/{code}/meetings/{id:int}", meeting_edit, methods=GET_POST, name="meeting"),
    Route("/teams/{code}/meetings/{id:int}/cancel", meeting_cancel, methods=GET_POST, name="meeting_cancel"),
    Route(
        "/teams/{code}/meetings/{id:int}/minutes", meeting_minutes, methods=GET_POST, name="meeting_minutes"
    ),
    Route("/teams/{code}/priorities", priorities, name="priorities"),
    Route("/teams/{code}/priorities/new", priority_new, methods=GET_POST, name="priority_new"),
    Route("/teams/{code}/priorities/{id:int}", priority_edit, methods=GET_POST, name="priority"),
    Route(
        "/teams/{code}/priorities/{id:int}/review", priority_review, methods=GET_POST, name="priority_review"
    ),
    Route(
        "/teams/{code}/priorities/{id:int}/actions", priority_action, methods=GET_POST, name="priority_action"
    ),
    Route(
        "/teams/{code}/priorities/{id:int}/status", priority_status, methods=GET_POST, name="priority_status"
    ),
    Route("/teams/{code}/updates", updates, name="updates"),
    Route("/teams/{code}/updates/new", update_new, methods=GET_POST, name="update_new"),
    Route("/teams/{code}/updates/{id:int}", update_edit, methods=GET_POST, name="update"),
    Route("/teams/{code}/updates/{id:int}/preview", update_preview, name="update_preview"),
    Route("/teams/{code}/updates/{id:int}/publish", update_publish, methods=["POST"], name="update_publish"),
    Route("/teams/{code}/updates/{id:int}/delete", update_delete, methods=GET_POST, name="update_delete"),
]
