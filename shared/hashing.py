"""Canonical JSON and the hash chain that makes tampering evident."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

GENESIS = "0" * 64
_PLAIN = frozenset({str, int, float, bool, type(None)})


def plain(value: Any) -> Any:
    """JSON-ready data: Decimals become strings (exact), dates ISO strings."""
    if type(value) in _PLAIN:  # the common case, checked first: already JSON-ready
        return value
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dict):
        return {k if type(k) is str else str(k): v if type(v) in _PLAIN else plain(v)
                for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        return utc_iso(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def canonical_json(value: Any) -> str:
    return _dumps(plain(value))


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@lru_cache(maxsize=256)  # a batch stamps every event with the same moment
def utc_iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def chain_hash(prev_hash: str, body: dict[str, Any], *, is_plain: bool = False) -> str:
    """sha256 over the previous hash and the event's canonical JSON.

    `is_plain`: the caller vouches that `body` is JSON-ready already (`plain(body) == body`),
    so the same text is hashed without walking it twice.
    """
    text = _dumps(body) if is_plain else canonical_json(body)
    return hashlib.sha256((prev_hash + text).encode("utf-8")).hexdigest()


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
