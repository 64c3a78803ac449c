"""The real topology for one run: a fresh PostgreSQL database, a Redis key prefix, the
incidents and reports services under gunicorn and `jixiao worker` processes.

Everything started here is stopped (by its own process group) and everything created
(database, Redis keys) is removed on exit, unless `keep` asks to leave the database.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

import redis
import requests
from sqlalchemy import create_engine, text

from bench.generate import TODAY

VENV_BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(check: Callable[[], object], timeout: float, what: str, every: float = 0.05) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")


class Process:
    """One child process in its own session (so a stop reaches its workers too)."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log: Path) -> None:
        self.name, self.log = name, log
        self._out = open(log, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=self._out,  # noqa: S603
                                     stderr=subprocess.STDOUT, start_new_session=True)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self._out.close()


def process_tree(pid: int) -> list[int]:
    """`pid` and all its descendants (from /proc/<pid>/task/*/children)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                todo.extend(int(c) for c in (task / "children").read_text().split())
            except OSError:
                continue
    return out


def peak_rss_mb(pid: int) -> float:
    """VmHWM (peak resident set) of one process, in MiB; 0 when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class Topology:
    """Database, Redis prefix, gunicorn services and workers for one benchmark run."""

    def __init__(self, admin_url: str, redis_url: str, workdir: Path, keep: bool = False,
                 web_workers: int = 2) -> None:
        stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime())
        self.name = f"jixiao_bench_{stamp}_{secrets.token_hex(3)}"
        self.admin_url, self.redis_url, self.workdir, self.keep = admin_url, redis_url, workdir, keep
        self.db_url = admin_url.rsplit("/", 1)[0] + "/" + self.name
        self.prefix = f"jixiao-bench-{stamp}-{secrets.token_hex(3)}"
        self.admin_token = "bench-admin-" + secrets.token_hex(16)
        self.web_workers = web_workers
        self.incidents_url = self.reports_url = ""
        self.services: list[Process] = []
        self.workers: list[Process] = []

    def env(self) -> dict[str, str]:
        return {**os.environ, "DATABASE_URL": self.db_url, "REDIS_URL": self.redis_url,
                "JIXIAO_REDIS_PREFIX": self.prefix, "JIXIAO_ADMIN_TOKEN": self.admin_token,
                "JIXIAO_TODAY": TODAY.isoformat(),
                "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '')}"}

    def __enter__(self) -> Topology:
        admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        admin.dispose()
        subprocess.run([str(VENV_BIN / "jixiao"), "db", "upgrade"], env=self.env(), cwd=ROOT,  # noqa: S603
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.incidents_url = self._gunicorn("incidents", "jixiao.wsgi:incidents()")
        self.reports_url = self._gunicorn("reports", "jixiao.wsgi:reports()")
        return self

    def _gunicorn(self, name: str, app: str) -> str:
        port = free_port()
        argv = [str(VENV_BIN / "gunicorn"), "-c", "python:jixiao.gunicorn_conf", "--bind", f"127.0.0.1:{port}", "--workers",
                str(self.web_workers), "--timeout", "300", "--graceful-timeout", "10", app]
        self.services.append(Process(name, argv, self.env(), self.workdir / f"{name}.log"))
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: _answers(url + "/healthz"), 60, f"{name} to answer", every=0.1)
        return url

    def start_worker(self) -> Process:
        n = len(self.workers) + 1
        argv = [str(VENV_BIN / "jixiao"), "worker", "--concurrency", "1",
                f"--hostname=bench{n}@{self.prefix}"]
        proc = Process(f"worker{n}", argv, self.env(), self.workdir / f"worker{n}.log")
        self.workers.append(proc)
        wait_for(lambda: "ready." in proc.text(), 60, f"worker{n} to be ready", every=0.1)
        return proc

    def worker_peak_rss_mb(self) -> dict[str, float]:
        """Peak RSS of each worker process tree member (the worker and its pool children)."""
        out: dict[str, float] = {}
        for w in self.workers:
            for pid in process_tree(w.pid):
                out[f"{w.name}:{pid}"] = round(peak_rss_mb(pid), 1)
        return out

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        for proc in [*self.workers, *self.services]:
            proc.stop()
        client = redis.Redis.from_url(self.redis_url)
        for key in client.scan_iter(match=f"{self.prefix}*", count=1000):
            client.delete(key)
        if not self.keep:
            admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            admin.dispose()


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=1).status_code == 200
    except requests.RequestException:
        return False
