"""`mentorbot report`: the funder report written from a simulated year, read back as HTML,
refused in one line when asked for something that is not there, and printed to PDF where a
browser is installed."""

from __future__ import annotations

import re
import shutil
import stat
import subprocess

import pytest

from tests.support.report_html import LAKESIDE, MEMBERS, RIVERSIDE, ReportPage, simulated_year

BROWSERS = ("chromium", "chromium-browser", "google-chrome")


@pytest.fixture
def year(core):
    return simulated_year(core)


def test_writes_the_report_to_an_owner_only_file(cli, year, tmp_path):
    """The file holds every program and cohort, readable by its owner only, and the command
    says in one line where it is and what it holds."""
    result = cli("report", "--period", "2026Q1", "-o", "report.html")
    assert result.exit_code == 0, result.output
    assert result.output == (
        "Report written to report.html: 2 program(s), 6 pair(s), 2026-01-01 to 2026-03-31, "
        "no member named.\n"
    )
    written = tmp_path / "report.html"
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    page = ReportPage(written.read_bytes())
    assert page.programs == [RIVERSIDE, LAKESIDE]
    assert dict(page.cohorts) == {RIVERSIDE: ["Fall", "Spring", ""], LAKESIDE: ["Fall"]}
    river = (RIVERSIDE, None)
    assert [page.figure(river, n) for n in ("meetings", "hours", "rating_average")] == [
        "2",
        "2.0",
        "3.5",
    ]
    assert page.figure(river, "reflections_midpoint_received") == "3"
    content = written.read_text(encoding="utf-8")
    for private in year.private:
        assert private not in content
    for name in MEMBERS.values():
        assert name not in content


def test_names_only_with_the_flag(cli, year, tmp_path):
    """`--with-names` lists each cohort's pairs by name, and says so."""
    result = cli("report", "--with-names", "-o", "named.html")
    assert result.exit_code == 0, result.output
    assert "members named" in result.output
    content = (tmp_path / "named.html").read_text(encoding="utf-8")
    for name in MEMBERS.values():
        assert name in content
    for private in year.private:
        assert private not in content


def test_one_program_by_name_or_id(cli, year, tmp_path):
    """`--program` takes a name in any letter case or the id `program list` shows."""
    for key in ("lakeside branches", "2"):
        result = cli("report", "--program", key, "--cohort", "Fall", "-o", "one.html")
        assert result.exit_code == 0, result.output
        assert "1 program(s), 1 pair(s)" in result.output
        page = ReportPage((tmp_path / "one.html").read_bytes())
        assert page.programs == [LAKESIDE]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--program", "Hillside"], "There is no program “Hillside”"),
        (["--cohort", "Winter"], "No pairs in cohort “Winter”"),
        (["--program", LAKESIDE, "--cohort", "Spring"], "are in cohort “Spring”"),
        (["--period", "2026Q1", "--from", "2026-01-01"], "either --period or --from/--to"),
        (["--period", "2026Q5"], "2026Q5"),
        (["--from", "2026-03-01", "--to", "2026-02-01"], "before --from"),
    ],
)
def test_refusals_are_one_line_and_write_nothing(cli, year, tmp_path, args, says):
    """An unknown program or cohort, or a period that cannot be, is refused in one line
    saying what is wrong; no file is written."""
    result = cli("report", *args, "-o", "refused.html")
    assert result.exit_code == 1
    assert says in result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    assert not (tmp_path / "refused.html").exists()


def test_the_file_is_required(cli, year):
    """Without `-o` the command says it needs the file (it never prints HTML to a terminal)."""
    result = cli("report")
    assert result.exit_code == 2
    assert "--output" in result.output


def test_prints_to_pdf_with_a_page_a_program(cli, year, tmp_path):
    """Where a Chromium is installed, it prints the report headless to a PDF with at least a
    page for each program (each starts a page of its own)."""
    browser = next((found for name in BROWSERS if (found := shutil.which(name))), None)
    if browser is None:
        pytest.skip(f"no browser to print with: none of {', '.join(BROWSERS)} is on PATH")
    assert cli("report", "-o", "report.html").exit_code == 0
    pdf = tmp_path / "report.pdf"
    subprocess.run(
        [
            browser,
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            (tmp_path / "report.html").as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    content = pdf.read_bytes()
    assert content.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", content))
    assert pages >= 2
