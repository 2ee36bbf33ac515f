"""The previous xlsx writer (openpyxl internals), kept only so bench/reports.py can compare against it.

Formerly app/xlsx_stream.py. A streamed xlsx: the sheet's rows go into the zip as openpyxl writes them.

openpyxl's write-only mode keeps a sheet in a temporary file and copies it into the zip when the
workbook is saved, so nothing could be sent before the last row was read. Here the sheet's writer
gets the zip entry itself as its output (the zip is written to an unseekable sink, with data
descriptors, as zipfile does for pipes), and the other parts of the workbook are written by
openpyxl's own ExcelWriter afterwards. Depends on openpyxl internals of the pinned version (3.1):
`WorksheetWriter(ws, out=...)` and `ExcelWriter.write_worksheet`.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.styles import Font
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.writer.excel import ExcelWriter

from app.reports.xlsx_stream import _Sink  # the same unseekable sink as the current writer

SHEET_PATH = "xl/worksheets/sheet1.xml"


class _RestOfWorkbook(ExcelWriter):
    """openpyxl's writer for every part but the sheet, which is already in the archive."""

    def write_worksheet(self, ws):
        ws._drawing = SpreadsheetDrawing()
        ws._rels = ws._writer._rels
        self.manifest.append(ws)


def xlsx_stream(title: str, header: list[str], rows: Iterable[list], chunk_size: int = 1 << 16) -> Iterator[bytes]:
    """Yield an xlsx workbook with one sheet (bold header row), sending bytes while rows are read."""
    sink = _Sink()
    archive = zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    # No zip64 records (Excel is picky about them); a sheet is capped at 1,048,576 rows anyway.
    with archive.open(SHEET_PATH, "w") as entry:
        sheet._writer = WorksheetWriter(sheet, out=entry)
        sheet._writer.write_top()
        bold = Font(bold=True)
        sheet.append([_bold(sheet, text, bold) for text in header])
        for row in rows:
            sheet.append(row)
            if len(sink.buffer) >= chunk_size:
                yield sink.take()
        sheet.close()
    _RestOfWorkbook(workbook, archive).save()
    yield sink.take()


def _bold(sheet, text: str, font: Font) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=text)
    cell.font = font
    return cell
