"""The portal as a real uvicorn subprocess that a fault test can start, kill -9 and start again on the
same port (clients keep the same address, as behind a balancer)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx

from portal import paths
from tests.conftest import Database, free_port, portal_env

START_SECONDS = 90  # a deadline for starting (it rebuilds a damaged index first), not a timed assertion


class PortalServer:
    def __init__(self, db: Database, log_path: Path, **env: str):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = portal_env(db, WARM_CACHES="false", **env)
        self.log_path = log_path
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> PortalServer:
        self.starts += 1
        log = self.log_path.open("a")
        log.write(f"\n--- start {self.starts} ---\n")
        log.flush()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "portal", "serve", "--port", str(self.port)],
            cwd=paths.ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                if httpx.get(self.base + "/healthz", timeout=2).status_code in (200, 503):
                    return self
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the portal did not start:\n{self.log()}")
            time.sleep(0.2)

    def kill(self) -> None:
        """kill -9: no shutdown, no lifespan end, connections cut mid-request."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""
