"""Map pages (filled in by issue 3)."""

routes: list = []
