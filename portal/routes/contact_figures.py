"""Published contact figures (stub: filled in by the contact work)."""

from __future__ import annotations

routes: list = []
