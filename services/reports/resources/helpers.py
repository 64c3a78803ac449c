"""What the document views share: today's date in Shanghai and file responses."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from flask import Response

MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
# HTML documents embed only inline styles and data: images; nothing else may load or run.
HTML_POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def ascii_name(name: str) -> str:
    return re.sub(r"_+", "_", re.sub(r"[^A-Za-z0-9._-]", "_", name)).strip("_") or "report"


def disposition(kind: str, name: str, fallback: str) -> str:
    """RFC 6266: an ASCII filename for old clients and the UTF-8 Chinese one for the rest."""
    return f"{kind}; filename=\"{ascii_name(fallback)}\"; filename*=UTF-8''{quote(name, safe='')}"


def document(body: bytes, fmt: str, name: str, fallback: str) -> Response:
    """HTML opens in the browser; CSV, XLSX and PDF download."""
    resp = Response(body, status=200, content_type=MEDIA_TYPES[fmt])
    kind = "inline" if fmt == "html" else "attachment"
    resp.headers["Content-Disposition"] = disposition(kind, f"{name}.{fmt}", f"{fallback}.{fmt}")
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Cache-Control"] = "private, no-store"
    if fmt == "html":
        resp.headers["Content-Security-Policy"] = HTML_POLICY
    return resp


def file_doc(*formats: str) -> dict[str, Any]:
    """OpenAPI text for a document route: which media types it answers with."""
    return {"responses": {"200": {"description": "文档 (document)", "content": {
        MEDIA_TYPES[f].split(";")[0]: {"schema": {"type": "string", "format": "binary"}} for f in formats}}}}
