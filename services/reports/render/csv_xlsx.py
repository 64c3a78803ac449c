"""CSV (UTF-8 with BOM, for Excel) and XLSX from a Table, with formula injection neutralised.

A text cell beginning with = + - @ (or a tab or carriage return) would be run as a
formula by a spreadsheet; it gets a leading single quote. Numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
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
    """Head, rows, then a blank line and the footer; UTF-8 with a BOM so Excel reads Chinese."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(_row(table.header))
    writer.writerows(_row(r) for r in table.rows)
    if table.footer:
        writer.writerow([])
        writer.writerows(_row(r) for r in table.footer)
    return (BOM + out.getvalue()).encode("utf-8")


def _xlsx_value(value: Cell) -> Any:
    value = neutralise(value)
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


THIN = Side(style="thin", color="888888")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="EEF1F4")
WRAP = Alignment(wrap_text=True, vertical="top")


def _write(ws: Any, row: int, cells: tuple[Cell, ...], *, bold: bool = False, grid: bool = True) -> None:
    for col, value in enumerate(cells, start=1):
        cell = ws.cell(row=row, column=col, value=_xlsx_value(value))
        cell.alignment = WRAP
        if isinstance(value, float):
            cell.number_format = "0.00"
        if bold:
            cell.font = Font(bold=True)
        if grid:
            cell.border = GRID


def to_xlsx(table: Table) -> bytes:
    """One worksheet: title, header lines, the table (frozen heads), then the footer."""
    wb = Workbook()
    ws = wb.active
    ws.title = table.title[:31]
    ws.cell(row=1, column=1, value=table.title).font = Font(bold=True, size=14)
    row = 2
    for label, value in table.meta:
        _write(ws, row, (label, value), grid=False)
        ws.cell(row=row, column=1).font = Font(bold=True)
        row += 1
    row += 1
    _write(ws, row, table.header, bold=True)
    for col in range(1, len(table.header) + 1):
        ws.cell(row=row, column=col).fill = HEAD_FILL
    ws.freeze_panes = ws.cell(row=row + 1, column=1)
    for cells in table.rows:
        row += 1
        _write(ws, row, cells)
    row += 1
    for cells in table.footer:
        row += 1
        _write(ws, row, cells, bold=True)
    for col, width in enumerate(table.widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.page_setup.orientation = "landscape" if len(table.header) > 9 else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
