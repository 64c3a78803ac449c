"""CSV (UTF-8 with BOM, for Excel) and XLSX from a Table, with formula injection neutralised.

A text cell beginning with = + - @ (or a tab or carriage return) would be run as a
formula by a spreadsheet; it gets a leading single quote. Numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from services.reports.render.tables import Cell, Table

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def neutralise(value: Cell) -> Cell:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _row(cells: tuple[Cell, ...]) -> list[Any]:
    return ["" if c is None else neutralise(c) for c in cells]


def to_csv(table: Table) -> bytes:
    """Head, rows, then a blank line and the footer; UTF-8 with a BOM so Excel reads Chinese.

    A sectioned table prints every section's rows under the one head, then each section's
    statistics with the section's heading in front (the rows carry it in a column of their own).
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(_row(table.header))
    writer.writerows(_row(r) for r in table.rows)
    writer.writerows(_row(r) for s in table.sections for r in s.rows)
    footer = [*table.footer, *((s.heading, *r) for s in table.sections for r in s.footer)]
    if footer:
        writer.writerow([])
        writer.writerows(_row(r) for r in footer)
    return (BOM + out.getvalue()).encode("utf-8")


def _xlsx_value(value: Cell) -> Any:
    value = neutralise(value)
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


THIN = Side(style="thin", color="888888")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="EEF1F4")
WRAP = Alignment(wrap_text=True, vertical="top")
CENTRE = Alignment(horizontal="center", vertical="center")
# Numbers as the paper prints them (10, 97.3, 94.15): General drops trailing zeros and the
# cell stays a number; the scores are already rounded to two places.
NUMBER_FORMAT = "General"


def _write(ws: Any, row: int, cells: tuple[Cell, ...], *, bold: bool = False, grid: bool = True) -> None:
    for col, value in enumerate(cells, start=1):
        cell = ws.cell(row=row, column=col, value=_xlsx_value(value))
        cell.alignment = WRAP
        if isinstance(value, int | float | Decimal):
            cell.number_format = NUMBER_FORMAT
        if bold:
            cell.font = Font(bold=True)
        if grid:
            cell.border = GRID


def _merged(ws: Any, row: int, width: int, text: str, font: Font) -> None:
    """A line across the table's width (the title, a section's heading), as on the paper."""
    cell = ws.cell(row=row, column=1, value=_xlsx_value(text))
    cell.font, cell.alignment = font, CENTRE
    if width > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)


def _head(ws: Any, row: int, header: tuple[str, ...]) -> None:
    _write(ws, row, header, bold=True)
    for col in range(1, len(header) + 1):
        ws.cell(row=row, column=col).fill = HEAD_FILL


def _body(ws: Any, row: int, table: Table) -> tuple[int, int]:
    """The head and rows (or each section: merged heading, head, rows, statistics); returns
    the head's row (repeated on every printed page) and the last row written."""
    if not table.sections:
        _head(ws, row, table.header)
        head = row
        for cells in table.rows:
            row += 1
            _write(ws, row, cells)
        return head, row
    head = 0
    for section in table.sections:
        _merged(ws, row, len(table.header), section.heading, Font(bold=True, size=12))
        _head(ws, row + 1, table.header)
        head, row = head or row + 1, row + 1
        for cells in section.rows:
            row += 1
            _write(ws, row, cells)
        for cells in section.footer:
            row += 1
            _write(ws, row, cells, bold=True)
        row += 2
    return head, row - 2


def to_xlsx(table: Table) -> bytes:
    """One worksheet laid out like the paper: a merged title, header lines, the table (its
    head frozen and printed on every page), then the footer; A4, fitted to the page width."""
    wb = Workbook()
    ws = wb.active
    ws.title = table.title[:31]
    _merged(ws, 1, len(table.header), table.title, Font(bold=True, size=14))
    row = 2
    for label, value in table.meta:
        _write(ws, row, (label, value), grid=False)
        ws.cell(row=row, column=1).font = Font(bold=True)
        row += 1
    head, row = _body(ws, row + 1, table)
    ws.freeze_panes = ws.cell(row=head + 1, column=1)
    ws.print_title_rows = f"{head}:{head}"
    row += 1
    for cells in table.footer:
        row += 1
        _write(ws, row, cells, bold=True)
    for col, width in enumerate(table.widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.page_setup.orientation = "landscape" if len(table.header) > 9 else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as it takes
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
