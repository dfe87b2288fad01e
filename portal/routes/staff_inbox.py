"""The staff inbox under /staff/inbox: the messages to a team and reports of dissatisfaction this person
may deal with, open ones first by due time with their 24-hour clock, and one item's page with its details,
history and actions. Each action is a POST form (CSRF, the item's version), done in one transaction by
`portal.queries.inbox.act`; someone else acting first gives 409 with what is saved now."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal.queries import inbox as inbox_queries
from portal.queries import staff_edits
from portal.queries.staff import Staff
from portal.routes.staff import guarded, page, run_db
from portal.security import checked_form, staff_only

ACTIONS = ("assign", "acknowledge", "reply", "resolve", "escalate")
DONE_MESSAGES = {
    "assign": "It is assigned to you.",
    "acknowledge": "It is acknowledged. The person has been told it has been read, if they gave an e-mail "
    "address.",
    "reply": "Your reply has been recorded and shown on the status page, and e-mailed to the person if "
    "they gave an e-mail address.",
    "resolve": "It is resolved.",
    "escalate": "It has been passed to a formal complaint.",
}


def item_url(request: Request, submission_id: int) -> str:
    return str(request.app.url_path_for("staff:inbox_item", submission_id=submission_id))


@staff_only
async def inbox(request: Request, staff: Staff) -> Response:
    show = "all" if request.query_params.get("show") == "all" else "open"
    items = await run_db(request, lambda s: inbox_queries.inbox(s, staff, show=show))
    for entry in items:
        entry["url"] = item_url(request, entry["id"])
    context = {
        "items": items,
        "show": show,
        "overdue": sum(1 for i in items if i["overdue"]),
        "urls": {
            "open": str(request.app.url_path_for("staff:inbox")),
            "all": str(request.app.url_path_for("staff:inbox")) + "?show=all",
        },
    }
    return page(request, "staff/inbox.html", context, staff)


@staff_only
async def inbox_item(request: Request, staff: Staff) -> Response:
    submission_id = request.path_params["submission_id"]
    context: dict[str, Any] = {"errors": {}, "conflict": None, "values": {"text": "", "action": ""}}
    status = 200
    if request.method == "POST":
        form = await checked_form(request)
        action = str(form.get("action", ""))
        text = str(form.get("text", ""))[: inbox_queries.MAX_REPLY * 2]
        context["values"] = {"text": text, "action": action}
        settings = request.app.state.settings
        if action not in ACTIONS:
            context["errors"] = {"action": "Choose an action"}
            status = 400
        else:
            try:
                await guarded(
                    request,
                    lambda s: inbox_queries.act(
                        s, staff, settings, submission_id, action, form.get("version", ""), text
                    ),
                )
            except staff_edits.Conflict:
                context["conflict"] = {"message": staff_edits.CONFLICT_MESSAGE}
                status = 409
            except inbox_queries.ActionRefused as refused:
                context["errors"] = refused.errors
                status = 400
            else:
                return RedirectResponse(f"{item_url(request, submission_id)}?done={action}", status_code=303)
    context["item"] = await guarded(request, lambda s: inbox_queries.item(s, staff, submission_id))
    context["done"] = DONE_MESSAGES.get(request.query_params.get("done", "")) if status == 200 else None
    context["urls"] = {
        "inbox": str(request.app.url_path_for("staff:inbox")),
        "self": item_url(request, submission_id),
    }
    context["max_reply"] = inbox_queries.MAX_REPLY
    return page(request, "staff/inbox_item.html", context, staff, status=status)


routes = [
    Route("/inbox", inbox, name="inbox"),
    Route("/inbox/{submission_id:int}", inbox_item, methods=["GET", "POST"], name="inbox_item"),
]
