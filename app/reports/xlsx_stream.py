"""A streamed xlsx: the rows go into the zip as they are read, with flat memory.

The workbook's parts (content types, workbook, styles with the formats below, theme, properties)
are made by XlsxWriter in `constant_memory` mode for a sheet with only the header row. The rows of
the sheet are serialised here, straight into the sheet's zip entry (the zip is written to an
unseekable sink with data descriptors, as zipfile does for pipes), and handed out in chunks while
rows are still being read: nothing waits for the last row, and nothing but one batch of rows is
held in memory.

The per-cell work is one type lookup and one f-string: XlsxWriter's own `write_row` spends some
twenty Python calls per cell (about 10x slower, see docs/performance.md), and openpyxl more.

Cells: `str` → inline string (XML-illegal characters removed); `int`/`float` → number (NaN and
infinity left empty); `bool` → TRUE/FALSE; naive `datetime` → date-time cell (dd-mm-jjjj uu:mm),
`date` → date cell; a column whose kind is `"euro"` holds integer cents and becomes a euro
currency cell (`€ 1.500,00` in a Dutch Excel). `None` and `""` leave the cell empty.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime

import xlsxwriter

SHEET_PATH = "xl/worksheets/sheet1.xml"
BATCH_ROWS = 500
DATETIME_FORMAT = "dd-mm-yyyy hh:mm"
DATE_FORMAT = "dd-mm-yyyy"
#: Euro with a thousands separator, shown in Dutch notation in a Dutch Excel ([$€-413] = nl-NL).
EURO_FORMAT = "[$€-413] #,##0.00"
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_STRING_CACHE = 2048
_EXCEL_EPOCH = date(1899, 12, 30).toordinal()
_MAX_WIDTH = 60


class _Sink:
    """An unseekable file that collects what zipfile writes, for the caller to hand out in chunks."""

    def __init__(self) -> None:
        self.buffer = bytearray()

    def write(self, data: bytes) -> int:
        self.buffer += data
        return len(data)

    def flush(self) -> None:
        """Nothing to flush: the caller takes the buffer."""

    def take(self) -> bytes:
        data = bytes(self.buffer)
        self.buffer.clear()
        return data


def _template(title: str, header: Sequence[str], kinds: Sequence[str | None]) -> tuple[dict[str, bytes], str, str,
                                                                                          dict[str, int]]:
    """Return the workbook's parts made by XlsxWriter, the sheet XML around the data rows, and style ids."""
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": True})
    sheet = workbook.add_worksheet(_sheet_name(title))
    styles = {"bold": workbook.add_format({"bold": True}),
              "datetime": workbook.add_format({"num_format": DATETIME_FORMAT}),
              "date": workbook.add_format({"num_format": DATE_FORMAT}),
              "euro": workbook.add_format({"num_format": EURO_FORMAT})}
    for i, (text, kind) in enumerate(zip(header, kinds, strict=True)):
        width = 18 if kind in ("datetime", "euro") else min(_MAX_WIDTH, max(10, len(text) + 2))
        sheet.set_column(i, i, width)
    sheet.freeze_panes(1, 0)
    sheet.write_row(0, 0, list(header), styles["bold"])
    # A second row that uses every format, so XlsxWriter gives each its style id; it is left out below.
    for i, name in enumerate(("datetime", "date", "euro")):
        sheet.write_number(1, i, 1, styles[name])
    workbook.close()
    with zipfile.ZipFile(out) as template:
        parts = {name: template.read(name) for name in template.namelist()}
    xml = parts.pop(SHEET_PATH).decode("utf-8")
    xml = re.sub(r"<dimension ref=\"[^\"]*\"/>", "", xml)
    head, rest = xml.split("<sheetData>", 1)
    data, tail = rest.split("</sheetData>", 1)
    header_row = data[:data.index("</row>") + len("</row>")]
    return parts, head + "<sheetData>" + header_row, "</sheetData>" + tail, {
        name: style.xf_index for name, style in styles.items()}


def _sheet_name(title: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Blad1"


def _escape(value: str) -> str:
    value = _ILLEGAL_XML.sub("", value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cell_writer(style: dict[str, int], kind: str | None) -> Callable[[object], str]:
    """Return a function value -> the cell's XML, for one column.

    Cells carry no `r` reference: each follows the one before it (an empty `<c/>` keeps the place of
    an empty value), which the format allows and saves building a reference per cell. Strings that
    repeat in a column (labels, buurt names, organisations) are serialised once.
    """
    dt, d, euro = style["datetime"], style["date"], style["euro"]
    seen: dict[str, str] = {}
    special = _SPECIAL.search

    def cell(v) -> str:
        t = type(v)
        if t is str:
            xml = seen.get(v)
            if xml is None:
                if not v:
                    return "<c/>"
                xml = '<c t="inlineStr"><is><t xml:space="preserve">' + (
                    _escape(v) if special(v) else v) + "</t></is></c>"
                if len(seen) >= _STRING_CACHE:
                    seen.clear()
                seen[v] = xml
            return xml
        if t is int:
            if kind == "euro":
                return f'<c s="{euro}"><v>{v / 100!r}</v></c>'
            return "<c><v>" + str(v) + "</v></c>"
        if v is None:
            return "<c/>"
        if t is float:
            if not math.isfinite(v):
                return "<c/>"
            return f'<c s="{euro}"><v>{v / 100!r}</v></c>' if kind == "euro" else "<c><v>" + repr(v) + "</v></c>"
        if t is bool:
            return "<c t=\"b\"><v>1</v></c>" if v else "<c t=\"b\"><v>0</v></c>"
        if t is datetime:
            serial = (v.toordinal() - _EXCEL_EPOCH
                      + (v.hour * 3600 + v.minute * 60 + v.second + v.microsecond / 1e6) / 86400)
            return f'<c s="{dt}"><v>{serial!r}</v></c>'
        if t is date:
            return f'<c s="{d}"><v>{v.toordinal() - _EXCEL_EPOCH}</v></c>'
        return cell(str(v))

    return cell


def xlsx_stream(title: str, header: list[str], rows: Iterable[Sequence], chunk_size: int = 1 << 16,
                kinds: Sequence[str | None] | None = None, compresslevel: int = 1) -> Iterator[bytes]:
    """Yield an xlsx workbook with one sheet (bold, frozen header row), sending bytes while rows are read.

    `kinds` names per column how values are meant (`"euro"`: integer cents shown as a euro amount);
    other values are written by their Python type.
    """
    kinds = list(kinds) if kinds is not None else [None] * len(header)
    parts, head, tail, style = _template(title, header, kinds)
    sink = _Sink()
    # compresslevel 1: several times faster than zlib's default, the file only ~15 % larger.
    archive = zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED, allowZip64=False, compresslevel=compresslevel)
    for name in ("[Content_Types].xml", "_rels/.rels"):
        archive.writestr(name, parts.pop(name))
    writers = [_cell_writer(style, kind) for kind in kinds]
    with archive.open(SHEET_PATH, "w") as entry:
        entry.write(head.encode("utf-8"))
        batch: list[str] = []
        for row in rows:
            batch.append("<row>" + "".join([w(v) for w, v in zip(writers, row)]) + "</row>")
            if len(batch) == BATCH_ROWS:
                entry.write("".join(batch).encode("utf-8", "replace"))
                batch.clear()
                if len(sink.buffer) >= chunk_size:
                    yield sink.take()
        entry.write(("".join(batch) + tail).encode("utf-8", "replace"))
    for name, data in parts.items():
        archive.writestr(name, data)
    archive.close()
    yield sink.take()
