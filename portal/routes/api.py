"""The data.police.uk-compatible neighbourhood API under /api/ (filled in by issue 3)."""

routes: list = []
