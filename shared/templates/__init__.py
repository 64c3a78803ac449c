"""The seeds' rubrics shipped as ready templates (SPEC §3, §7.3).

Each ``seeds/*.json`` file is one template document in the §7.3 shape, transcribed
from ``shared/seeds/*.txt``; ``source`` names the seed file and section it came from.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from shared.domain.template import Template
from shared.schemas.template import load_template

SEED_DIR: Path = Path(__file__).resolve().parent / "seeds"


def seed_template_documents() -> list[dict[str, Any]]:
    """Every seed template document as parsed JSON, sorted by file name."""
    return [
        json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(SEED_DIR.glob("*.json"), key=lambda p: p.name)
    ]


def seed_templates() -> list[Template]:
    """Every seed template, validated through ``load_template`` (same order as the files)."""
    return [load_template(doc) for doc in seed_template_documents()]


__all__ = ["SEED_DIR", "seed_template_documents", "seed_templates"]
