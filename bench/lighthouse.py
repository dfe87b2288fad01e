"""Section `lighthouse`: Lighthouse (the npm package, run with Debian's Chromium, headless, no network) on
the home page, a team page, its crime page and its Pledge scorecard; performance, accessibility, best
practices and SEO scores per page, each with a 95+ target.

Lighthouse is installed into bench/.node/ on first use (`npm install --prefix bench/.node lighthouse`);
the portal runs as `python -m portal serve` with no map tile settings, so no page asks another site for
anything."""

import json
import os
import shutil
import subprocess
from pathlib import Path

from bench import httpkit
from bench.common import ROOT, Context, heading
from bench.pages import team_codes

NODE_DIR = ROOT / "bench" / ".node"
CLI = NODE_DIR / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROMIUM = "/usr/bin/chromium"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
TARGET = 95
PREFERRED_TEAM = "E05011237"  # Chadwell: demo members, meetings and priorities when the demo is loaded
# The portal answers only on loopback; tile settings are cleared so the maps draw no remote tiles.
NO_TILES = {"MAP_TILES_URL": "", "MAP_TILES_ATTRIBUTION": ""}


def ensure_lighthouse() -> Path:
    if not CLI.exists():
        if shutil.which("npm") is None:
            raise RuntimeError("npm is not installed: apt-get install npm, then run this section again")
        print("  installing lighthouse into bench/.node (npm) …", flush=True)
        subprocess.run(
            ["npm", "install", "--prefix", str(NODE_DIR), "lighthouse", "--no-audit", "--no-fund"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    version = json.loads((CLI.parent.parent / "package.json").read_text())["version"]
    print(f"  lighthouse {version}, Chromium {CHROMIUM}")
    return CLI


def audit(cli: Path, url: str, out: Path) -> dict[str, int]:
    """One Lighthouse run (desktop preset, so the figures are not those of a throttled phone): the four
    category scores as 0-100, and the failing audits printed."""
    env = dict(os.environ, CHROME_PATH=CHROMIUM)
    subprocess.run(
        [
            "node",
            str(cli),
            url,
            "--output=json",
            f"--output-path={out}",
            "--quiet",
            "--preset=desktop",
            f"--only-categories={','.join(CATEGORIES)}",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage "
            "--disable-background-networking --disable-component-update --no-first-run",
        ],
        check=True,
        env=env,
        timeout=300,
    )
    report = json.loads(out.read_text())
    scores = {name: round((report["categories"][name]["score"] or 0) * 100) for name in CATEGORIES}
    for name in CATEGORIES:
        for ref in report["categories"][name]["auditRefs"]:
            result = report["audits"][ref["id"]]
            if ref["weight"] and result.get("score") is not None and result["score"] < 0.9:
                print(f"      {name}: {ref['id']} scored {result['score']:.2f} ({result['title']})")
    outside = [
        r["url"]
        for r in report["audits"].get("network-requests", {}).get("details", {}).get("items", [])
        if not r["url"].startswith(("http://127.0.0.1", "data:"))
    ]
    if outside:
        print(f"      the page asked other sites for {outside[:5]}")
    return scores


def run(ctx: Context) -> None:
    heading("lighthouse: home, team, crime and scorecard pages (Lighthouse, headless Chromium, desktop)")
    cli = ensure_lighthouse()
    codes = team_codes(ctx)
    team = PREFERRED_TEAM if PREFERRED_TEAM in codes else codes[0]
    pages = {
        "home": "/",
        "team": f"/teams/{team}",
        "crime": f"/teams/{team}/crime",
        "scorecard": f"/teams/{team}/pledge",
    }
    env = ctx.env(WORKERS="1", HOST=httpkit.HOST, **NO_TILES)
    log = ctx.workdir / "lighthouse-server.log"
    with httpkit.server("portal", httpkit.COMMANDS["portal"], env, log, "/") as (_proc, port, took):
        print(f"  portal started in {took:.1f} s; team {team}")
        print(f"  {'page':<10} {'path':<32} " + " ".join(f"{name:>14}" for name in CATEGORIES))
        for label, path in pages.items():
            url = f"http://{httpkit.HOST}:{port}{path}"
            scores = audit(cli, url, ctx.workdir / f"lighthouse-{label}.json")
            print(f"  {label:<10} {path:<32} " + " ".join(f"{scores[name]:>14}" for name in CATEGORIES))
            for name in CATEGORIES:
                ctx.target(
                    f"lighthouse: {label} {name}", str(scores[name]), f">= {TARGET}", scores[name] >= TARGET
                )
