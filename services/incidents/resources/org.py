"""Projects, employees, transfers and templates."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask_smorest import Blueprint
from marshmallow import RAISE

from services.incidents import org_commands
from services.incidents.resources.helpers import json_body, request_meta
from services.incidents.schemas import (
    EmployeeIn,
    EmployeeOut,
    ProjectIn,
    TemplateQuery,
    TemplatesOut,
    TransferIn,
    TransferOut,
)
from shared.schemas.template import TemplateSchema, dump_template
from shared.web import authenticated, current_principal, get_db, now

blp = Blueprint("org", __name__, url_prefix="/api/v1", description="项目、员工与考核表 (organisation and templates)")


@blp.post("/projects")
@authenticated()
@blp.arguments(ProjectIn)
@blp.response(201, ProjectIn)
def create_project(data: dict[str, Any]) -> Any:
    """Create a project (项目). Admin only."""
    return org_commands.create_project(get_db(), current_principal(), data, request_meta())


@blp.post("/employees")
@authenticated()
@blp.arguments(EmployeeIn)
@blp.response(201, EmployeeOut)
def register_employee(data: dict[str, Any]) -> Any:
    """Register an employee (工号 unique in the group) on a template."""
    return org_commands.register_employee(get_db(), current_principal(), data, request_meta(), now())


@blp.post("/employees/<employee_no>/transfer")
@authenticated()
@blp.arguments(TransferIn)
@blp.response(201, TransferOut)
def transfer_employee(data: dict[str, Any], employee_no: str) -> Any:
    """Transfer an employee to another project/department from a month on; history stays."""
    return org_commands.transfer_employee(get_db(), current_principal(), employee_no, data, request_meta())


@blp.get("/templates")
@authenticated()
@blp.arguments(TemplateQuery, location="query", unknown=RAISE)
@blp.response(200, TemplatesOut)
def list_templates(args: dict[str, Any]) -> Any:
    """Every published template version (optionally of one code), oldest first."""
    return jsonify({"results": [dump_template(t) for t in org_commands.list_templates(get_db(), args["code"])]})


@blp.post("/templates")
@blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": TemplateSchema}}})
@authenticated()
@blp.response(201, TemplateSchema)
def publish_template() -> Any:
    """Publish a new template version (SPEC §7.3). Admin only; invalid documents get 422."""
    template = org_commands.publish_template(get_db(), current_principal(), json_body(), request_meta())
    return jsonify(dump_template(template)), 201
