"""员工年终绩效考核记录表 (seed 003 §5): one employee's year from the read models.

The stored annual composite holds everything the record prints: the monthly finals, the
inspections, the year-end review that counts, each part's mean and weight, and A.
"""

from __future__ import annotations

from sqlalchemy import Connection

from services.reports import queries
from services.reports.models.yearend import InspectionLine, ReviewLine, YearEndModel, YearEndMonth
from services.reports.summaries import component_parts
from shared import org
from shared.domain.periods import months_of_year
from shared.errors import NotFound


def build_yearend(conn: Connection, emp: org.Employee, year: str) -> YearEndModel:
    """The record of `emp` in `year`; 404 without a published composite."""
    annual = queries.stored_annual(conn, emp.employee_no, year)
    if annual is None:
        raise NotFound(f"{emp.employee_no} 在 {year} 年无考核结果 (no results in {year})")
    finals = queries.finals_in_year(conn, [emp.employee_no], year).get(emp.employee_no, {})
    people = org.OrgView(conn)  # the employee, their assignments and their projects' closures: one query
    people.prefetch([emp.employee_no], months_of_year(year))
    place = people.assignment(emp.employee_no, max(finals, default=f"{year}-12"))
    project = place.project if place else emp.project
    names = queries.project_names(conn, [project])
    months = []
    for p in months_of_year(year):
        there = people.assignment(emp.employee_no, p)  # the month is closed where the employee was
        months.append(YearEndMonth(
            period=p, final=finals[p]["final"] if p in finals else None,
            excellent=p in finals and "excellent" in finals[p]["awards"],
            closed=there is not None and people.is_closed(there.project, p)))
    review = annual.get("year_end_review")
    return YearEndModel(
        employee_no=emp.employee_no, name=emp.name, project=project, project_name=names.get(project, project),
        department=place.department if place else emp.department, position=emp.position, year=year,
        months=tuple(months),
        inspections=tuple(InspectionLine(i["occurred_on"], i["kind"], float(i["score"]), i.get("note", ""),
                                         i.get("recorded_by") or "") for i in annual.get("inspections", [])),
        review=None if review is None else ReviewLine(float(review["score"]), review.get("comment", ""),
                                                      review.get("recorded_by") or "",
                                                      review.get("recorded_on") or ""),
        parts=component_parts(annual), composite=annual.get("composite"),
        excellent="excellent" in annual.get("awards", []), flags=tuple(annual.get("flags", [])))
