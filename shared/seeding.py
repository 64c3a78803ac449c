"""Publish the shipped seed templates that are not in the database yet."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from shared import org
from shared.db import Database
from shared.domain import events as ev
from shared.domain.events import NewEvent
from shared.eventstore import EventStore
from shared.schemas.template import dump_template
from shared.tables import templates
from shared.templates import seed_templates


def install_seed_templates(db: Database) -> list[str]:
    """Publish each seed template as version 1 unless its code exists; returns the codes added."""
    added: list[str] = []
    with db.write() as conn:
        for template in seed_templates():
            if org.template_versions(conn, template.code):
                continue
            t = replace(template, version=1)
            doc = dump_template(t)
            EventStore(conn).append([NewEvent(
                stream=f"template:{t.code}", type=ev.TEMPLATE_PUBLISHED, payload=doc,
                metadata={"actor": "system", "role": "admin", "request_id": "seed"},
                period=t.effective_from[:7],
            )], expected={f"template:{t.code}": 0})
            conn.execute(templates.insert().values(
                code=t.code, version=1, name=t.name, effective_from=t.effective_from,
                document=doc, published_at=datetime.now(UTC), published_by="system"))
            added.append(t.code)
    return added
