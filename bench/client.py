"""HTTP clients of the services: setup, ingest, timed single requests."""

from __future__ import annotations

import math
import queue
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import quote

import requests

from bench.generate import Org


class BenchError(RuntimeError):
    """A request the benchmark relies on did not succeed."""


class Api:
    """One base URL and bearer token; a session per thread (requests is not thread-safe)."""

    def __init__(self, base: str, token: str) -> None:
        self.base, self.token = base, token
        self._local = threading.local()

    @property
    def session(self) -> requests.Session:
        if not hasattr(self._local, "s"):
            self._local.s = requests.Session()
            self._local.s.headers["Authorization"] = f"Bearer {self.token}"
        return self._local.s  # type: ignore[no-any-return]

    def as_(self, token: str) -> Api:
        return Api(self.base, token)

    def post(self, path: str, json: Any = None, data: bytes | None = None,
             headers: dict[str, str] | None = None, expect: tuple[int, ...] = (200, 201, 202)) -> Any:
        h = {"Content-Type": "application/json", **(headers or {})}
        r = self.session.post(self.base + path, json=json, data=data, headers=h, timeout=600)
        if r.status_code not in expect:
            raise BenchError(f"POST {path} -> {r.status_code}: {r.text[:500]}")
        return r.json() if r.content else None

    def get(self, path: str) -> requests.Response:
        return self.session.get(self.base + path, timeout=600)


def setup_org(api: Api, org: Org, clients: int = 4) -> float:
    """Projects, then employees (concurrently); returns the seconds it took."""
    started = time.perf_counter()
    for code, name in org.projects:
        api.post("/api/v1/projects", {"code": code, "name": name})
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(lambda p: api.post("/api/v1/employees", p.registration()), org.people))
    return time.perf_counter() - started


def ingest(api: Api, batches: Iterable[tuple[str, bytes]], clients: int) -> dict[str, float]:
    """POST every (idempotency key, body) to /events/batch from `clients` threads at once."""
    todo: queue.Queue[tuple[str, bytes] | None] = queue.Queue()
    for item in batches:
        todo.put(item)
    for _ in range(clients):
        todo.put(None)
    counts: list[int] = []
    errors: list[BaseException] = []

    def client() -> None:
        while (item := todo.get()) is not None:
            try:
                out = api.post("/api/v1/events/batch", data=item[1], headers={"Idempotency-Key": item[0]})
                counts.append(len(out["events"]))
            except BaseException as exc:  # noqa: BLE001 - reported after the run
                errors.append(exc)
                return

    started = time.perf_counter()
    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        while t.is_alive():  # a timed join lets Ctrl-C through to the cleanup
            t.join(0.5)
    seconds = time.perf_counter() - started
    if errors:
        raise BenchError(f"ingest failed: {errors[0]}")
    events = sum(counts)
    return {"events": events, "batches": len(counts), "seconds": seconds,
            "events_per_s": events / seconds if seconds else 0.0, "clients": clients}


def timed(call: Callable[[], object]) -> float:
    """Milliseconds one call took."""
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


def path(*parts: str) -> str:
    return "/".join(quote(p, safe="") for p in parts)
