"""Staff pages (stub: filled in by the staff editing work). See portal/routes/staff.py for the pattern."""

from __future__ import annotations

routes: list = []
