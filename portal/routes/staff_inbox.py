"""Staff inbox (stub: filled in by the contact work). See portal/routes/staff.py for the pattern."""

from __future__ import annotations

routes: list = []
