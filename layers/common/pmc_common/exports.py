"""CSV downloads (API.md 5.5 and any later export): UTF-8 with a BOM, RFC 4180 with CRLF by the csv module,
cells a spreadsheet would run as formulas neutralised, written a batch of rows at a time as the rows come.

Starlette streams it; deployed, Mangum (and Lambda) buffer the whole body, so an export is bounded by Lambda's
6 MB response limit. Only the rows of one batch are held here: the caller's iterator decides what is read."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

from starlette.responses import StreamingResponse

BOM = "\ufeff"
ROWS_PER_CHUNK = 100
# OWASP's CSV injection advice: a cell starting with one of these is a formula to Excel, LibreOffice or
# Sheets; a leading apostrophe makes it text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def csv_chunks(
    header: Sequence[str], rows: Iterable[Sequence[str]], rows_per_chunk: int = ROWS_PER_CHUNK
) -> Iterator[bytes]:
    """The document's bytes: the BOM and header, then `rows_per_chunk` rows at a time, every cell guarded."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    buffer.write(BOM)
    writer.writerow([neutralised(c) for c in header])
    waiting = 0
    for row in rows:
        writer.writerow([neutralised(c) for c in row])
        waiting += 1
        if waiting == rows_per_chunk:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            waiting = 0
    yield buffer.getvalue().encode("utf-8")


def csv_attachment(filename: str, header: Sequence[str], rows: Iterable[Sequence[str]]) -> StreamingResponse:
    """A `text/csv; charset=utf-8` attachment named `filename`, streamed (see the module's note on Lambda)."""
    return StreamingResponse(
        csv_chunks(header, rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )
