"""The embedded default: no broker, the same jobs run on a thread in the web process."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

from services.scoring.relay import Relay
from services.scoring.work import Worker
from shared.clock import Clock
from shared.db import Database

log = logging.getLogger("jixiao.scoring.inprocess")


class InProcessRunner:
    """Relay plus worker on one thread: tick the relay, then run what it queued (a Dispatcher)."""

    def __init__(self, db: Database, clock: Clock, interval: float = 0.5, stale_after: float = 60.0) -> None:
        self.db = db
        self.interval = interval
        self.worker = Worker(db, clock, self)
        self.relay = Relay(db, clock, self, stale_after=stale_after)
        self.jobs: queue.Queue[Callable[[], object]] = queue.Queue()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # Dispatcher
    def run_task(self, task_id: str) -> None:
        self.jobs.put(lambda: self.worker.run_task(task_id))

    def score(self, period: str, employees: list[str], task_id: str | None = None,
              chunk_no: int | None = None) -> None:
        self.jobs.put(lambda: self.worker.score(period, employees, task_id, chunk_no))

    def rank(self, project: str, period: str, task_id: str, chunk_no: int) -> None:
        self.jobs.put(lambda: self.worker.rank(project, period, task_id, chunk_no))

    def wake(self) -> None:
        self._wake.set()

    def drain(self) -> int:
        """Relay and run until nothing is left; returns how many jobs ran."""
        ran = 0
        while True:
            relayed = self.relay.tick()
            while not self.jobs.empty():
                self.jobs.get_nowait()()
                ran += 1
            if not relayed and self.jobs.empty():
                return ran

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="jixiao-scoring", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(10)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.drain()
            except Exception:  # keep serving; the next tick retries from the checkpoint
                log.exception("in-process scoring failed; retrying")
            self._wake.wait(self.interval)
            self._wake.clear()
