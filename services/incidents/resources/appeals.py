"""Appeals (申诉): the list, and a manager's or gm's decision."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask_smorest import Blueprint
from marshmallow import RAISE

from services.incidents import appeals
from services.incidents.resources.helpers import appended, request_meta
from services.incidents.schemas import AppealsOut, AppealsQuery, ResolvedOut, ResolveIn
from shared.web import authenticated, current_principal, get_db, now

blp = Blueprint("appeals", __name__, url_prefix="/api/v1", description="申诉 (appeals)")


@blp.get("/appeals")
@authenticated()
@blp.arguments(AppealsQuery, location="query", unknown=RAISE)
@blp.response(200, AppealsOut)
def list_appeals(args: dict[str, Any]) -> Any:
    """Appeals in scope, with the appealed event and its evidence; filter by project, period, status."""
    return jsonify({"results": appeals.list_appeals(get_db(), current_principal(), args["project"],
                                                    args["period"], args["status"])})


@blp.post("/appeals/<appeal_id>/resolve")
@authenticated()
@blp.arguments(ResolveIn)
@blp.response(201, ResolvedOut)
def resolve(data: dict[str, Any], appeal_id: str) -> Any:
    """Decide an open appeal (manager or gm of the project): `upheld` revokes the appealed event
    in the same transaction; `rejected` keeps it."""
    done = appeals.resolve_appeal(get_db(), current_principal(), appeal_id, data["decision"], data["reason"],
                                  request_meta(), now())
    return {"resolution": appended(done.resolution),
            "revocation": appended(done.revocation) if done.revocation else None}
