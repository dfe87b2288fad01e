"""What the sections share: the run's context (temp dir, database, GeoIndex) and small helpers."""

import os
import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


@dataclass
class Target:
    name: str
    figure: str
    goal: str
    passed: bool


@dataclass
class Context:
    quick: bool
    workdir: Path
    db_path: Path | None = None  # set by the load section
    targets: list[Target] = field(default_factory=list)
    _geo: object = None

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.db_path}"

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ, DATABASE_URL=self.database_url, VAR_DIR=str(self.workdir), LOG_LEVEL="warning")
        env.update(extra)
        return env

    def geo(self):
        """The in-memory index, loaded once from this run's database."""
        if self._geo is None:
            from portal.db import make_engine
            from portal.services.geo import GeoIndex

            self._geo = GeoIndex.load(make_engine(self.database_url))
        return self._geo

    def target(self, name: str, figure: str, goal: str, passed: bool) -> None:
        self.targets.append(Target(name, figure, goal, passed))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def proc_status_kb(pid: int | str, field_name: str) -> int:
    """A figure from /proc/<pid>/status in kB (VmRSS, VmHWM …)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    raise KeyError(field_name)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def mb(kb: float) -> str:
    return f"{kb / 1024:.0f} MB"


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-len(sorted_values) * p // 100))
    return sorted_values[int(rank) - 1]


def heading(title: str) -> None:
    print(f"\n== {title} " + "=" * max(0, 70 - len(title)), flush=True)
