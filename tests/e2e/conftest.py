"""The services started as a user starts them: real processes, real ports, real HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.conftest import TODAY
from tests.integration.distributed import free_port, wait_for

BIN = Path(sys.executable).parent / "jixiao"


class Running:
    def __init__(self, proc: subprocess.Popen[bytes], incidents: str, reports: str, token: str,
                 env: dict[str, str], log: Path, cwd: Path, web: str = "") -> None:
        self.proc, self.incidents, self.reports, self.token, self.env, self.log, self.cwd = \
            proc, incidents, reports, token, env, log, cwd
        self.web = web

    def h(self, token: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token or self.token}"}

    def post(self, path: str, body: object = None, token: str | None = None) -> requests.Response:
        return requests.post(self.incidents + path, json=body, headers=self.h(token), timeout=30)

    def get(self, path: str, token: str | None = None) -> requests.Response:
        base = self.reports if path.startswith(("/reports", "/api/v1/scores", "/api/v1/rankings",
                                                "/api/v1/annual")) else self.incidents
        return requests.get(base + path, headers=self.h(token), timeout=60)

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(BIN), *args], env=self.env, cwd=self.cwd, capture_output=True, text=True,
                              timeout=300)


def ready(url: str) -> bool:
    try:
        return requests.get(url + "/readyz", timeout=1).status_code == 200
    except requests.RequestException:
        return False


def start(args: list[str], env: dict[str, str], log: Path, cwd: Path) -> subprocess.Popen[bytes]:
    with open(log, "ab") as out:
        return subprocess.Popen(args, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


def stop(proc: subprocess.Popen[bytes]) -> None:
    import signal

    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[Running]:
    """`jixiao serve` on the embedded default: SQLite under ./var/, scoring in-process."""
    ip, rp, wp = free_port(), free_port(), free_port()
    token = "e2e-admin-" + tmp_path.name
    env = {**os.environ, "INCIDENTS_PORT": str(ip), "REPORTS_PORT": str(rp), "WEB_PORT": str(wp),
           "JIXIAO_ADMIN_TOKEN": token, "JIXIAO_TODAY": TODAY.isoformat(), "JIXIAO_SECRET_KEY": "e2e-" + token}
    env.pop("REDIS_URL", None)
    env.pop("DATABASE_URL", None)
    log = tmp_path / "serve.log"
    proc = start([str(BIN), "serve"], env, log, tmp_path)
    running = Running(proc, f"http://127.0.0.1:{ip}", f"http://127.0.0.1:{rp}", token, env, log, tmp_path,
                      f"http://127.0.0.1:{wp}")
    try:
        wait_for(lambda: ready(running.incidents) and ready(running.reports) and ready(running.web), 60,
                 "jixiao serve to be ready")
        yield running
    finally:
        stop(proc)


from tests.e2e.browser import browser, people, site  # noqa: E402, F401 - the browser tests' fixtures
