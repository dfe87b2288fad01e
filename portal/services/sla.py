"""The 24-hour clock of Pledge points 4 and 10, as pure functions.

- A message or report is due 24 elapsed hours after it was received: weekends, nights and bank holidays
  count (the Pledge says "within 24 hours", not working hours). Across a clock change the local time of
  day moves: received at 10:00 on Saturday 28 March 2026 (GMT), it is due at 11:00 on Sunday 29 March
  (BST), which is still 24 hours later.
- Times are stored in UTC and shown in London time, in the GOV.UK style, always with the year:
  "14:05 on Tuesday 3 March 2026".
- Durations are shown in whole minutes, rounded down: "5 h 12 min", "45 min", "1 day 3 h".
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
DUE_AFTER = timedelta(hours=24)


def aware(value: datetime) -> datetime:
    """Stored times are UTC; SQLite returns them without a zone."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def due_at(received_at: datetime) -> datetime:
    return aware(received_at) + DUE_AFTER


def london_time(value: datetime) -> str:
    """ "14:05 on Tuesday 3 March 2026" in London local time."""
    local = aware(value).astimezone(LONDON)
    return f"{local:%H:%M} on {local:%A} {local.day} {local:%B %Y}"


def duration(delta: timedelta) -> str:
    """ "5 h 12 min", "45 min", "1 day 3 h", "less than a minute"; negative durations as positive."""
    minutes = int(abs(delta).total_seconds() // 60)
    if minutes < 1:
        return "less than a minute"
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''}")
    if hours:
        parts.append(f"{hours} h")
    if mins and not days:
        parts.append(f"{mins} min")
    return " ".join(parts)


def clock(
    received_at: datetime, answered_at: datetime | None, now: datetime, *, verb: str = "answered"
) -> dict[str, object]:
    """The status page's clock, JSON-safe: {state: on_time|due|overdue|late, sentence, due_at, …}.
    `answered_at` is the first response (an answer, for a message; an acknowledgement by a person, for
    dissatisfaction), `verb` the word for it."""
    received, due, now = aware(received_at), due_at(received_at), aware(now)
    result: dict[str, object] = {
        "received_at": received.isoformat(),
        "due_at": due.isoformat(),
        "due_text": london_time(due),
    }
    if answered_at is not None:
        answered = aware(answered_at)
        took = answered - received
        on_time = answered <= due
        result.update(
            state="on_time" if on_time else "late",
            answered_at=answered.isoformat(),
            took_minutes=int(took.total_seconds() // 60),
            sentence=f"{verb.capitalize()} in {duration(took)}"
            + ("" if on_time else f", {duration(answered - due)} after the 24 hours were up"),
        )
        return result
    if now <= due:
        result.update(state="due", sentence=f"Due by {london_time(due)} ({duration(due - now)} left)")
    else:
        result.update(
            state="overdue", sentence=f"Overdue by {duration(now - due)}: it was due by {london_time(due)}"
        )
    return result


def within_24_hours(received_at: datetime, answered_at: datetime | None) -> bool | None:
    """True or False once answered; None while still open (not counted in the month's figure yet)."""
    if answered_at is None:
        return None
    return aware(answered_at) <= due_at(received_at)
