"""What /openapi.json declares (issue 15, item 11): request bodies, results, every problem
document, path patterns. tests/integration/test_openapi_fuzz.py checks the answers against it."""

from __future__ import annotations

import pytest

from services.incidents.app import create_app as incidents_app
from services.reports.app import create_app as reports_app
from shared.config import Settings
from shared.db import Database

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def specs(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('spec') / 'unused.db'}"
    db = Database(url)  # the apps are built, the database is never opened
    out = {name: make(Settings(database_url=url), db).test_client().get("/openapi.json").get_json()
           for name, make in (("incidents", incidents_app), ("reports", reports_app))}
    db.dispose()
    return out


def operations(spec):
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method != "parameters":
                yield path, method, op


def test_every_operation_documents_its_problem_documents(specs):
    for spec in specs.values():
        for path, method, op in operations(spec):
            wanted = {"400", "401", "403", "404", "422", "503", "default"} | ({"409", "413"} if method == "post" else set())
            assert wanted <= set(op["responses"]), (method, path)
        for name in ("NOT_FOUND", "UNPROCESSABLE_ENTITY", "SERVICE_UNAVAILABLE", "DEFAULT_ERROR"):
            assert list(spec["components"]["responses"][name]["content"]) == [PROBLEM]


def test_the_writes_declare_their_request_bodies(specs):
    paths = specs["incidents"]["paths"]
    one = paths["/api/v1/events"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert {ref["$ref"].rsplit("/", 1)[1] for ref in one["oneOf"]} >= {"DeductionBody", "BonusBody", "AppealBody"}
    batch = paths["/api/v1/events/batch"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert batch["additionalProperties"] is False and batch["properties"]["events"]["maxItems"] == 1000
    template = paths["/api/v1/templates"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert template["$ref"].endswith("/Template")
    deduction = specs["incidents"]["components"]["schemas"]["DeductionBody"]
    assert deduction["properties"]["evidence"]["maxLength"] == 2000
    assert deduction["properties"]["points"]["minimum"] == 0  # a number, not "0"


def test_lists_and_tasks_declare_their_results(specs):
    paths = specs["incidents"]["paths"]
    for path in ("/api/v1/events", "/api/v1/templates", "/api/v1/tasks/{task_id}"):
        assert "schema" in paths[path]["get"]["responses"]["200"]["content"]["application/json"], path


def test_months_and_years_in_paths_have_patterns(specs):
    found = {}
    for spec in specs.values():
        for item in spec["paths"].values():
            for param in item.get("parameters", []):
                if param["in"] == "path" and param["name"] in ("period", "year"):
                    found.setdefault(param["name"], set()).add(param["schema"].get("pattern"))
    assert found == {"period": {r"^(\d{4})-(0[1-9]|1[0-2])$"}, "year": {r"^\d{4}$"}}
