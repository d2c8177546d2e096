"""A list of articles as a file an office opens in Excel or WPS: every row, Chinese headers.

CSV starts with a UTF-8 byte order mark (without one, Excel reads UTF-8 as the local code page
and shows 鎴戞牎…); xlsx has one sheet, named in Chinese, its dates real dates. Neither holds
markup (a search snippet's ``<mark>``) or the store's internal columns.
"""
from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from crawler.reading_room.values import as_moment, display_date, json_list, unmarked

# stored column -> header, in the order of the file
HEADERS = {
    "title": "标题",
    "site": "学校",
    "published_at": "发布时间",
    "source": "来源",
    "author": "作者",
    "editor": "责任编辑",
    "views": "浏览次数",
    "keywords": "关键词",
    "topics": "主题",
    "snippet": "检索摘要",
    "text": "正文",
    "url": "原文网址",
}
EXPORT_COLUMNS = tuple(c for c in HEADERS if c != "snippet")  # what the query selects; the snippet comes with q
XLSX_CELL_CHARS = 32767  # Excel's limit for one cell
SHEET = "文章"


def _columns(rows: list[dict]) -> list[str]:
    present = set(rows[0]) if rows else set(EXPORT_COLUMNS)
    return [c for c in HEADERS if c in present]


def _text(column: str, value) -> str:
    if value is None:
        return ""
    if column in ("keywords", "topics"):
        return "、".join(json_list(value))
    if column == "snippet":
        return unmarked(value)
    if column == "published_at":
        return display_date(value)
    return str(value)


# a cell Excel or WPS would run as a formula (=HYPERLINK(…), +, -, @): a school page's title is
# no formula; in CSV such a text is quoted with a leading apostrophe, as spreadsheets expect
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _inert(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(rows: list[dict]) -> bytes:
    columns = _columns(rows)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([HEADERS[c] for c in columns])
    for row in rows:
        writer.writerow([_inert(_text(c, row.get(c))) for c in columns])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


WIDTHS = {"title": 48, "site": 20, "published_at": 17, "source": 16, "url": 40, "text": 60, "snippet": 50}


def to_xlsx(rows: list[dict]) -> bytes:
    """One sheet, written row by row (openpyxl's write-only mode: time and memory grow with the
    rows, not faster); dates are dates, views numbers, every other cell text, never a formula."""
    columns = _columns(rows)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET)
    for number, column in enumerate(columns, start=1):
        if column in WIDTHS:
            sheet.column_dimensions[get_column_letter(number)].width = WIDTHS[column]
    sheet.freeze_panes = "A2"
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=HEADERS[column])
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, column, row.get(column)) for column in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_cell(sheet, column: str, value) -> WriteOnlyCell:
    moment = as_moment(value) if column == "published_at" else None
    if moment is not None:
        cell = WriteOnlyCell(sheet, value=moment)
        cell.number_format = "yyyy-mm-dd hh:mm" if (moment.hour or moment.minute) else "yyyy-mm-dd"
        return cell
    if column == "views" and isinstance(value, int):
        return WriteOnlyCell(sheet, value=value)
    cell = WriteOnlyCell(sheet, value=_text(column, value)[:XLSX_CELL_CHARS])
    cell.data_type = "s"  # openpyxl takes a text starting with = for a formula: it stays text
    return cell
