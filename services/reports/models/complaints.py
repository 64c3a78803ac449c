"""The read models of seed 004's forms: 用户意见受理表 and 回访用户月统计表."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ComplaintRow:
    id: str
    received_at: str
    channel: str
    severity: str
    category: str
    summary: str
    location: str
    responsible: str
    replied: str
    escalated: str
    closed: str
    handler: str
    followups: str


@dataclass(frozen=True)
class ComplaintsModel:
    """用户意见受理表 (seed 004): one project's complaints received in one month."""

    project: str
    project_name: str
    period: str
    rows: tuple[ComplaintRow, ...]
    stats: Any  # shared.domain.complaints.Stats


@dataclass(frozen=True)
class FollowupCase:
    complaint: str
    summary: str
    at: str
    by: str
    note: str
    next_at: str


@dataclass(frozen=True)
class FollowupsModel:
    """回访用户月统计表 (seed 004): the month's follow-ups counted, and what is still unsatisfied."""

    project: str
    project_name: str
    period: str
    stats: Any  # shared.domain.complaints.Stats
    unsatisfied: tuple[FollowupCase, ...]
