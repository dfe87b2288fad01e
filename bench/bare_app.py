"""The baseline: a bare Starlette app with fixed routes, served by uvicorn with the portal's options.

`python -m bench.bare_app --port N` (see `_serve` in portal/cli.py for the options copied here).
"""

import argparse

import uvicorn
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route


async def hello(request):
    return PlainTextResponse("ok")


# The same path shapes as the portal routes the sections measure, each answering a fixed "ok".
app = Starlette(
    routes=[
        Route("/", hello),
        Route("/find", hello),
        Route("/find.json", hello),
        Route("/search", hello),
        Route("/search.json", hello),
        Route("/teams/{code}", hello),
        Route("/teams/{code}/crime", hello),
        Route("/teams/{code}/pledge", hello),
        Route("/api/{force}/{id}", hello),
    ]
)

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    uvicorn.run(
        "bench.bare_app:app" if args.workers > 1 else app,  # several workers need an import string
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="warning",
        proxy_headers=True,
        server_header=False,
    )
