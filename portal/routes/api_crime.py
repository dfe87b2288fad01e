"""The police.uk-compatible crime API under /api/ (issue 5: being written). Mounted before the
neighbourhood API's catch-all route."""

routes: list = []
