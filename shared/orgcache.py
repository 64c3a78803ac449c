"""Organisation reads for one transaction, fetched in bulk and kept.

A batch of 1,000 events, or a chunk of employees to score, then costs a few queries
instead of a few per item. Only for use inside one transaction that does not change
the organisation itself (employees, assignments, closures, templates).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection

from shared import org
from shared.domain.template import Template


class OrgCache:
    """Employees, their assignments, closures and template versions, read once each."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._employees: dict[str, org.Employee | None] = {}
        self._assignments: dict[str, list[org.Assignment]] = {}
        self._closed: dict[tuple[str, str], bool] = {}
        self._templates: dict[tuple[str, str], Template | None] = {}

    def prefetch(self, employee_nos: Iterable[str]) -> None:
        """Load these employees and all their assignments in one query."""
        wanted = sorted({no for no in employee_nos if no not in self._employees})
        if not wanted:
            return
        found, places = org.employees_with_assignments(self.conn, wanted)
        for no in wanted:
            self._employees[no] = found.get(no)
            self._assignments[no] = places[no]

    def employee(self, employee_no: str) -> org.Employee | None:
        self.prefetch([employee_no])
        return self._employees[employee_no]

    def assignment(self, employee_no: str, period: str) -> org.Assignment | None:
        """Where the employee belonged in `period`, as `org.assignment_for` answers."""
        self.prefetch([employee_no])
        return org.assignment_in(self._assignments[employee_no], period)

    def is_closed(self, project: str, period: str) -> bool:
        key = (project, period)
        if key not in self._closed:
            self._closed[key] = org.is_closed(self.conn, project, period)
        return self._closed[key]

    def template(self, code: str, period: str) -> Template | None:
        """The version of template `code` in force in `period`."""
        key = (code, period)
        if key not in self._templates:
            self._templates[key] = org.template_for(self.conn, code, period)
        return self._templates[key]
