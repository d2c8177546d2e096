"""A list of articles as a file an office opens in Excel or WPS: every row, Chinese headers.

CSV starts with a UTF-8 byte order mark (without one, Excel reads UTF-8 as the local code page
and shows 鎴戞牎…); xlsx has one sheet, named in Chinese, its dates real dates. Neither holds
markup (a search snippet's ``<mark>``) or the store's internal columns.
"""
from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

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


def to_xlsx(rows: list[dict]) -> bytes:
    columns = _columns(rows)
    book = Workbook(write_only=False)
    sheet = book.active
    sheet.title = SHEET
    sheet.append([HEADERS[c] for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        values = []
        for c in columns:
            value = row.get(c)
            if c == "published_at" and as_moment(value) is not None:
                values.append(as_moment(value))
            elif c == "views" and isinstance(value, int):
                values.append(value)
            else:
                values.append(_text(c, value)[:XLSX_CELL_CHARS])
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f":  # openpyxl reads a text starting with = as a formula: keep it text
                cell.data_type = "s"
    if "published_at" in columns:
        letter = sheet.cell(row=1, column=columns.index("published_at") + 1).column_letter
        for (cell,) in sheet.iter_rows(min_row=2, min_col=columns.index("published_at") + 1,
                                       max_col=columns.index("published_at") + 1):
            if cell.value is not None and not isinstance(cell.value, str):
                cell.number_format = "yyyy-mm-dd hh:mm" if (cell.value.hour or cell.value.minute) else "yyyy-mm-dd"
        sheet.column_dimensions[letter].width = 17
    for c, width in (("title", 48), ("site", 20), ("source", 16), ("url", 40), ("text", 60), ("snippet", 50)):
        if c in columns:
            sheet.column_dimensions[sheet.cell(row=1, column=columns.index(c) + 1).column_letter].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
