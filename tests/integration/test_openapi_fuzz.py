"""schemathesis against both services, in-process, as the admin (issue 15, item 11).

Every operation of /openapi.json is called with generated requests, valid and invalid, on a
fixed seed and a bounded number of examples each (the whole file runs well under two
minutes): no server error, and every answer (status, media type, body, headers) is one the
document declares. The incidents service runs on PostgreSQL, where NUL bytes used to be a
500; the reports service on SQLite, over the seeded organisation.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from services.incidents.app import create_app as incidents_app
from services.reports.app import create_app as reports_app
from shared.db import Database
from tests.conftest import ADMIN_TOKEN, new_pg_database
from tests.conftest import settings as app_settings

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]
AS_ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
BUDGET = settings(max_examples=60, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def incidents_schema(seeded_pg: tuple[str, dict[str, str]]) -> Iterator[Any]:
    url = new_pg_database(seeded_pg[0])
    db = Database(url)
    yield schemathesis.openapi.from_wsgi("/openapi.json", incidents_app(app_settings(url), db))
    db.dispose()


@pytest.fixture(scope="module")
def reports_schema(seeded_sqlite: tuple[Path, dict[str, str]], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    path = tmp_path_factory.mktemp("fuzz") / "jixiao.db"
    shutil.copy(seeded_sqlite[0], path)
    db = Database(f"sqlite:///{path}")
    yield schemathesis.openapi.from_wsgi("/openapi.json", reports_app(app_settings(db.url), db))
    db.dispose()


def fuzz(schema: Any, subtests: Any) -> None:
    """Each operation in turn: valid and invalid requests, the same ones on every run."""
    for result in schema.get_all_operations():
        operation = result.ok()
        cases = st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                          operation.as_strategy(GenerationMode.NEGATIVE))

        @seed(15)
        @BUDGET
        @given(case=cases)
        def call(case: Any) -> None:
            case.call_and_validate(headers=AS_ADMIN, checks=CHECKS)

        with subtests.test(operation.label):
            call()


def test_the_incidents_service_keeps_its_openapi_contract(incidents_schema, subtests):
    fuzz(incidents_schema, subtests)


def test_the_reports_service_keeps_its_openapi_contract(reports_schema, subtests):
    fuzz(reports_schema, subtests)
