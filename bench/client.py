"""A small keep-alive HTTP/1.1 load client on asyncio streams: lighter than httpx, so it takes less CPU
from the server it measures. Only what the benchmark needs: GET, Content-Length bodies."""

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests only
    errors: Counter[str] = field(default_factory=Counter)
    elapsed: float = 0.0


def request(host: str, path: str, accept: str = "application/json") -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: bench\r\n"
        f"Accept: {accept}\r\nConnection: keep-alive\r\n\r\n"
    ).encode()


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """Status, body, and whether the server will close the connection."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if "content-length" not in headers:
        raise ValueError(f"no Content-Length (status {status}, {headers.get('transfer-encoding', '')})")
    body = await reader.readexactly(int(headers["content-length"]))
    return status, body, headers.get("connection", "").lower() == "close"


async def _drive(host, port, conns, items, count, stats: Stats | None) -> None:
    """Send `count` requests over the open keep-alive connections `conns`; record into `stats` if given."""
    next_i = 0

    async def worker(conn: list) -> None:
        nonlocal next_i
        while next_i < count:
            raw, expected = items[next_i % len(items)]
            next_i += 1
            started = time.perf_counter()
            try:
                conn[1].write(raw)
                status, _body, closing = await read_response(conn[0])
            except (OSError, ValueError, asyncio.IncompleteReadError) as error:
                if stats is not None:
                    stats.errors[type(error).__name__] += 1
                closing, status = True, None
            took = time.perf_counter() - started
            if stats is not None and status is not None:
                if status == expected:
                    stats.latencies.append(took)
                else:
                    stats.errors[f"HTTP {status} (expected {expected})"] += 1
            if closing:
                conn[1].close()
                conn[:] = await asyncio.open_connection(host, port)

    await asyncio.gather(*(worker(conn) for conn in conns))


async def _load(host, port, items, concurrency, warmup, count) -> Stats:
    conns = [list(await asyncio.open_connection(host, port)) for _ in range(concurrency)]
    try:
        await _drive(host, port, conns, items, warmup, None)
        stats = Stats()
        rest = items[warmup % len(items) :] + items[: warmup % len(items)]
        started = time.perf_counter()
        await _drive(host, port, conns, rest, count, stats)
        stats.elapsed = time.perf_counter() - started
    finally:
        for _reader, writer in conns:
            writer.close()
    stats.latencies.sort()
    return stats


def load(
    host: str, port: int, items: list[tuple[bytes, int]], *, concurrency: int, warmup: int, count: int
) -> Stats:
    """`items`: (raw request, expected status), used in turn. Uses uvloop when installed (cheaper client)."""
    try:
        from uvloop import run
    except ImportError:
        from asyncio import run
    return run(_load(host, port, items, concurrency, warmup, count))
