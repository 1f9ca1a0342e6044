"""CSV downloads (pmc_common.exports, API.md 5.5): a BOM, RFC 4180 with CRLF, every cell a spreadsheet would
run as a formula led by an apostrophe (OWASP), rows written a chunk at a time."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pmc_common.exports import csv_attachment, csv_chunks, neutralised


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_starting_like_a_formula_is_text(start: str) -> None:
    assert neutralised(start + "SUM(A1)") == "'" + start + "SUM(A1)"


def test_other_cells_are_left_alone() -> None:
    assert [neutralised(c) for c in ("", "4", "metro|bus", "'quoted", " =x")] == [
        "",
        "4",
        "metro|bus",
        "'quoted",
        " =x",
    ]


def test_rows_come_a_chunk_at_a_time_after_the_bom_and_header() -> None:
    chunks = list(csv_chunks(["a", "b"], ([str(n), "x"] for n in range(5)), rows_per_chunk=2))
    assert chunks[0] == "\ufeffa,b\r\n0,x\r\n1,x\r\n".encode()
    assert len(chunks) == 3


@given(st.lists(st.lists(st.text(max_size=8), min_size=2, max_size=2), max_size=6))
def test_any_cells_read_back_as_written_but_guarded(rows: list[list[str]]) -> None:
    data = b"".join(csv_chunks(["a", "b"], rows, rows_per_chunk=4)).decode("utf-8")
    assert data.startswith("\ufeff")
    read = list(csv.reader(io.StringIO(data.removeprefix("\ufeff"), newline="")))
    assert read == [["a", "b"], *([neutralised(c) for c in row] for row in rows)]


def test_the_attachment_names_its_file() -> None:
    response = csv_attachment("SUR-7M2K9Q4T.csv", ["a"], [])
    assert response.headers["content-disposition"] == 'attachment; filename="SUR-7M2K9Q4T.csv"'
    assert response.media_type == "text/csv; charset=utf-8"
