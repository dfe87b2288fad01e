"""Staff pages for a team's members (add, edit, remove, reorder, photos with consent) and where the team is
based. They follow the pattern in `portal/routes/staff.py`: GET shows what is saved (with its version);
POST checks the form (CSRF), validates, saves through `portal.queries.staff_members` in one transaction
(permission, version, audit, content change), and answers 400 with what was typed, 409 on a conflict, or
303 back to the list with a "saved" message.

Photos: a file up to `photos.MAX_UPLOAD_BYTES`, only with the consent box ticked, re-encoded before it is
stored (`portal.services.photos`); the form is read with a larger file limit (`photos.MAX_READ_BYTES`) so a
photo slightly too large gets the form again with a message, and anything larger is cut off while read.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal.queries import staff_edits
from portal.queries import staff_members as queries
from portal.queries.staff import Staff
from portal.routes import staff as staff_routes
from portal.routes.staff import guarded, overview_url, page, published, run_db
from portal.security import checked_form, staff_only
from portal.services import photos
from portal.services import postcode as postcodes

MAX_NAME = 120
MAX_ROLE = 120
MAX_BIO = 2000
MAX_PLACE = 200
MAX_ADDRESS = 500
MAX_OPENING = 200
MAX_BASE_DESCRIPTION = 1000
CONSENT = "yes"
CONSENT_NEEDED = (
    "Tick the box to confirm this person has agreed, in writing, to their photo being published, or do not "
    "choose a photo"
)
CHOOSE_AGAIN = "Choose the photo again: a chosen file is not kept when the form is shown again."

SAVED = {
    "added": "The new team member has been added and is on the public page now.",
    "member": "The changes to the team member have been saved and are on the public page now.",
    "removed": "The team member has been removed from the public page.",
    "moved": "The team's order has been changed on the public page.",
}
# The base form returns to the team overview (portal/routes/staff.py), which shows SAVED_MESSAGES: ours
# is added there rather than that module being edited for it.
BASE_SAVED = "Where the team is based has been saved and is on the public page now."
staff_routes.SAVED_MESSAGES.setdefault("base", BASE_SAVED)


def team_code(request: Request) -> str:
    return request.path_params["code"].upper()[:20]


def members_url(request: Request, code: str, saved: str | None = None, anchor: str = "") -> str:
    url = str(request.app.url_path_for("staff:members", code=code))
    return url + (f"?saved={saved}" if saved else "") + (f"#{anchor}" if anchor else "")


def one_line(value: Any) -> str:
    return " ".join(str(value or "").split())


def text_block(value: Any) -> str:
    return str(value or "").replace("\r\n", "\n").strip()


# -- the members list ----------------------------------------------------------------------------------


async def members_page(request: Request, staff: Staff, code: str, conflict: bool = False) -> Response:
    context = await guarded(request, lambda s: queries.team_members(s, staff, code))
    for member in context["members"]:
        member["urls"] = {
            "edit": request.app.url_path_for("staff:member", code=code, member_id=member["id"]),
            "remove": request.app.url_path_for("staff:member_remove", code=code, member_id=member["id"]),
            "move": request.app.url_path_for("staff:member_move", code=code, member_id=member["id"]),
        }
    context["saved"] = None if conflict else SAVED.get(request.query_params.get("saved", ""))
    context["conflict"] = {"message": ORDER_CONFLICT} if conflict else None
    context["urls"] = {
        "add": request.app.url_path_for("staff:member_add", code=code),
        "overview": overview_url(request, code),
        "public": request.app.url_path_for("teams:team", code=code) + "#members",
    }
    return page(request, "staff/members.html", context, staff, status=409 if conflict else 200)


@staff_only
async def members(request: Request, staff: Staff) -> Response:
    return await members_page(request, staff, team_code(request))


ORDER_CONFLICT = (
    "Someone else changed the team's list while you were looking at it, so nothing was moved. The list "
    "below is the one saved now: move the member again if you still need to."
)


@staff_only
async def move(request: Request, staff: Staff) -> Response:
    """One place up or down; refused (409, with the list as it is now) when the list changed since."""
    code, member_id = team_code(request), request.path_params["member_id"]
    await guarded(request, lambda s: queries.team_header(s, staff, code))
    form = await checked_form(request)
    direction = "up" if form.get("direction") == "up" else "down"
    order = str(form.get("version", ""))[:5000]
    try:
        await guarded(request, lambda s: queries.move_member(s, staff, code, member_id, direction, order))
    except staff_edits.Conflict:
        return await members_page(request, staff, code, conflict=True)
    await published(request, code)
    return RedirectResponse(
        members_url(request, code, "moved", anchor=f"member-{member_id}"), status_code=303
    )


# -- adding and editing a member -----------------------------------------------------------------------


def validate_member(form: FormData, current_rank: str | None = None) -> tuple[dict[str, str], dict[str, str]]:
    values = {
        "name": one_line(form.get("name"))[:1000],
        "rank": one_line(form.get("rank"))[:100],
        "role": one_line(form.get("role"))[:1000],
        "bio": text_block(form.get("bio"))[:20000],
    }
    errors = {}
    if not values["name"]:
        errors["name"] = "Enter the team member's name"
    elif len(values["name"]) > MAX_NAME:
        errors["name"] = f"The name must be {MAX_NAME} characters or fewer"
    if values["rank"] not in queries.RANK_CODES and not (current_rank and values["rank"] == current_rank):
        errors["rank"] = "Select the team member's rank"
    if len(values["role"]) > MAX_ROLE:
        errors["role"] = f"The role must be {MAX_ROLE} characters or fewer"
    if len(values["bio"]) > MAX_BIO:
        errors["bio"] = f"The introduction must be {MAX_BIO:,} characters or fewer"
    return values, errors


async def read_photo(form: FormData, errors: dict[str, str]) -> queries.Photo | None:
    """The form's photo, re-encoded, when one was chosen and consent given; problems go into `errors`
    (and nothing is kept). The form's files are closed here, whatever happens."""
    upload = form.get("photo")
    try:
        if not isinstance(upload, UploadFile) or (not upload.filename and not upload.size):
            return None  # no file chosen: browsers send an empty part
        if form.get("photo_consent") != CONSENT:
            errors["photo_consent"] = CONSENT_NEEDED
        data = await photos.read_upload(upload)
        content, width, height = await run_in_threadpool(photos.reencode, data)
    except photos.PhotoRefused as refused:
        errors["photo"] = str(refused)
        return None
    finally:
        await form.close()
    return None if errors else queries.Photo(content, width, height)


def chose_photo(form: FormData) -> bool:
    upload = form.get("photo")
    return isinstance(upload, UploadFile) and bool(upload.filename or upload.size)


def rank_options(current: str | None) -> list[tuple[str, str]]:
    """The fixed list, and a member's present rank when it is not in it (imported from police.uk)."""
    options = list(queries.RANKS)
    if current and current not in queries.RANK_CODES:
        options.append((current, current))
    return options


def member_urls(request: Request, code: str, member_id: int | None = None) -> dict[str, str]:
    urls = {"members": members_url(request, code)}
    if member_id is not None:
        urls["remove"] = str(request.app.url_path_for("staff:member_remove", code=code, member_id=member_id))
    return urls


@staff_only
async def add(request: Request, staff: Staff) -> Response:
    code = team_code(request)
    header = await guarded(request, lambda s: queries.team_header(s, staff, code))
    empty = {"name": "", "rank": "", "role": "", "bio": "", "photo": False}
    context: dict[str, Any] = {
        "mode": "add",
        "team": header,
        "member": None,
        "values": empty,
        "errors": {},
        "conflict": None,
        "choose_again": "",
        "ranks": rank_options(None),
        "urls": member_urls(request, code),
    }
    if request.method == "GET":
        return page(request, "staff/member.html", context, staff)
    form = await checked_form(request, max_file_size=photos.MAX_READ_BYTES)
    values, errors = validate_member(form)
    photo = await read_photo(form, errors)
    context["values"] = {**values, "photo": False, "consent": form.get("photo_consent") == CONSENT}
    if errors:
        context["errors"] = errors
        context["choose_again"] = CHOOSE_AGAIN if chose_photo(form) and "photo" not in errors else ""
        return page(request, "staff/member.html", context, staff, status=400)
    member = await guarded(request, lambda s: queries.add_member(s, staff, code, values, photo))
    await published(request, code)
    return RedirectResponse(
        members_url(request, code, "added", anchor=f"member-{member.id}"), status_code=303
    )


@staff_only
async def edit(request: Request, staff: Staff) -> Response:
    code, member_id = team_code(request), request.path_params["member_id"]
    loaded = await guarded(request, lambda s: queries.member_form(s, staff, code, member_id))
    context: dict[str, Any] = {
        **loaded,
        "mode": "edit",
        "errors": {},
        "conflict": None,
        "choose_again": "",
        "ranks": rank_options(loaded["member"]["rank"]),
        "urls": member_urls(request, code, member_id),
    }
    if request.method == "GET":
        return page(request, "staff/member.html", context, staff)
    form = await checked_form(request, max_file_size=photos.MAX_READ_BYTES)
    values, errors = validate_member(form, current_rank=loaded["member"]["rank"])
    photo = await read_photo(form, errors)
    remove_photo = form.get("remove_photo") == "yes"
    version = str(form.get("version", ""))
    context["values"] = {
        **values,
        "photo": loaded["values"]["photo"],
        "remove_photo": remove_photo,
        "consent": form.get("photo_consent") == CONSENT,
        "version": version,
    }
    if errors:
        context["errors"] = errors
        context["choose_again"] = CHOOSE_AGAIN if chose_photo(form) and "photo" not in errors else ""
        return page(request, "staff/member.html", context, staff, status=400)
    try:
        await guarded(
            request,
            lambda s: queries.save_member(s, staff, code, member_id, values, version, photo, remove_photo),
        )
    except staff_edits.Conflict:
        now = await guarded(request, lambda s: queries.member_form(s, staff, code, member_id))
        context["member"] = now["member"]
        context["conflict"] = {"message": staff_edits.CONFLICT_MESSAGE, "current": now["values"]}
        context["values"]["version"] = now["values"]["version"]
        context["values"]["photo"] = now["values"]["photo"]
        context["choose_again"] = CHOOSE_AGAIN if chose_photo(form) else ""
        return page(request, "staff/member.html", context, staff, status=409)
    await published(request, code)
    return RedirectResponse(
        members_url(request, code, "member", anchor=f"member-{member_id}"), status_code=303
    )


@staff_only
async def remove(request: Request, staff: Staff) -> Response:
    """GET: are you sure? POST: remove the member (refused when they were changed since)."""
    code, member_id = team_code(request), request.path_params["member_id"]
    loaded = await guarded(request, lambda s: queries.member_form(s, staff, code, member_id))
    context: dict[str, Any] = {
        **loaded,
        "mode": "remove",
        "errors": {},
        "conflict": None,
        "urls": member_urls(request, code, member_id),
    }
    context["urls"]["edit"] = str(request.app.url_path_for("staff:member", code=code, member_id=member_id))
    if request.method == "GET":
        return page(request, "staff/member.html", context, staff)
    form = await checked_form(request)
    version = str(form.get("version", ""))
    try:
        await guarded(request, lambda s: queries.remove_member(s, staff, code, member_id, version))
    except staff_edits.Conflict:
        context["conflict"] = {"message": REMOVE_CONFLICT, "current": loaded["values"]}
        return page(request, "staff/member.html", context, staff, status=409)
    await published(request, code)
    return RedirectResponse(members_url(request, code, "removed"), status_code=303)


REMOVE_CONFLICT = (
    "Someone else changed this team member while you were looking at them, so they have not been removed. "
    "Check what is saved now, shown below, and remove them again if you still need to."
)


# -- where the team is based ---------------------------------------------------------------------------


def validate_base(form: FormData) -> tuple[dict[str, str], dict[str, str]]:
    values = {
        "station": one_line(form.get("station"))[:20],
        "name": one_line(form.get("name"))[:1000],
        "address": text_block(form.get("address"))[:5000],
        "postcode": one_line(form.get("postcode"))[:20],
        "opening": one_line(form.get("opening"))[:1000],
        "description": text_block(form.get("description"))[:20000],
    }
    errors = {}
    if not values["station"] or not (values["station"] == queries.OTHER or values["station"].isdigit()):
        errors["station"] = "Select the police station the team is based at, or somewhere else"
    if values["station"] == queries.OTHER:
        if not values["name"]:
            errors["name"] = "Enter the name of the place the team is based at"
        elif len(values["name"]) > MAX_PLACE:
            errors["name"] = f"The name must be {MAX_PLACE} characters or fewer"
        if len(values["address"]) > MAX_ADDRESS:
            errors["address"] = f"The address must be {MAX_ADDRESS} characters or fewer"
        if values["postcode"]:
            normal = postcodes.normalise(values["postcode"])
            if normal is None:
                errors["postcode"] = "Enter a full UK postcode, like SW1A 2AA"
            else:
                values["postcode"] = normal
    else:  # a station: its own name and postcode are used
        values.update(name="", address="", postcode="")
    if len(values["opening"]) > MAX_OPENING:
        errors["opening"] = f"The opening times must be {MAX_OPENING} characters or fewer"
    if len(values["description"]) > MAX_BASE_DESCRIPTION:
        errors["description"] = f"The description must be {MAX_BASE_DESCRIPTION:,} characters or fewer"
    return values, errors


@staff_only
async def base(request: Request, staff: Staff) -> Response:
    code = team_code(request)
    loaded = await guarded(request, lambda s: queries.base_form(s, staff, code))
    context: dict[str, Any] = {**loaded, "errors": {}, "conflict": None}
    context["urls"] = {"overview": overview_url(request, code)}
    if request.method == "GET":
        return page(request, "staff/team_base.html", context, staff)
    form = await checked_form(request)
    values, errors = validate_base(form)
    values["version"] = str(form.get("version", ""))
    context["values"] = values
    if not errors:
        try:
            await guarded(request, lambda s: queries.save_base(s, staff, code, values, values["version"]))
        except queries.Invalid as invalid:
            errors = invalid.errors
        except staff_edits.Conflict:
            now = await run_db(request, lambda s: queries.base_form(s, staff, code))
            context["conflict"] = {"message": staff_edits.CONFLICT_MESSAGE, "current": now["saved"]}
            context["values"]["version"] = now["values"]["version"]
            context["stations"] = now["stations"]
            return page(request, "staff/team_base.html", context, staff, status=409)
    if errors:
        context["errors"] = errors
        return page(request, "staff/team_base.html", context, staff, status=400)
    await published(request, code)
    return RedirectResponse(overview_url(request, code, "base"), status_code=303)


routes = [
    Route("/teams/{code}/members", members, name="members"),
    Route("/teams/{code}/members/add", add, methods=["GET", "POST"], name="member_add"),
    Route("/teams/{code}/members/{member_id:int}", edit, methods=["GET", "POST"], name="member"),
    Route(
        "/teams/{code}/members/{member_id:int}/remove",
        remove,
        methods=["GET", "POST"],
        name="member_remove",
    ),
    Route("/teams/{code}/members/{member_id:int}/move", move, methods=["POST"], name="member_move"),
    Route("/teams/{code}/base", base, methods=["GET", "POST"], name="base"),
]
