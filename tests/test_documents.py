"""The figures as documents (issue 19): `vimbot report … --format html|pdf` on a year shaped
like seeds/003 has the organisation's introduction and every section; the PDF is a real PDF
whose text extracts (pypdf) and whose four charts are embedded images; the anonymised form
leaves out the free texts."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

from PIL import Image
from pypdf import PdfReader

from bot.digests import period_of
from bot.documents import charts, to_html, to_pdf
from bot.i18n import Translator
from bot.register import load_figures
from storage.db import Database
from tests.helpers import vimbot
from tests.seed003 import seed003_jsonl

INTRO = "Alle afwijkingen, incidenten en calamiteiten worden gemeld via vimbot."  # [reports]
SECTIONS = (
    "Jaarverslag Veilig Incident Melden (VIM) 2024",
    "Inleiding",
    INTRO,
    "Verbale agressie",
    "Acties na melding",
)


def _year(workdir: Path) -> None:
    (workdir / "2024.jsonl").write_text(seed003_jsonl(), encoding="utf-8")
    result = vimbot("import", "--format", "jsonl", "2024.jsonl", cwd=workdir)
    assert result.returncode == 0, result.stderr


def test_the_annual_report_as_html_has_its_sections_and_four_chart_images(
    workdir: Path,
) -> None:
    _year(workdir)
    result = vimbot(
        "report", "annual", "--year", "2024", "--format", "html", "--out", "j.html", cwd=workdir
    )
    assert result.returncode == 0, result.stderr
    page = (workdir / "j.html").read_text(encoding="utf-8")
    for section in SECTIONS:
        assert section in page
    images = re.findall(r'<img src="data:image/png;base64,([^"]+)"', page)
    assert len(images) == 4
    for data in images:
        with Image.open(io.BytesIO(base64.b64decode(data))) as image:
            assert image.format == "PNG" and image.width > 300


def test_the_annual_report_as_pdf_is_a_pdf_with_text_and_embedded_charts(
    workdir: Path,
) -> None:
    _year(workdir)
    result = vimbot(
        "report", "annual", "--year", "2024", "--format", "pdf", "--out", "j.pdf", cwd=workdir
    )
    assert result.returncode == 0, result.stderr
    raw = (workdir / "j.pdf").read_bytes()
    assert raw.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(raw))
    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = " ".join(text.split())
    for section in SECTIONS:
        assert " ".join(section.split()) in flat, section
    assert "53" in flat  # the number of reports
    images = [image for page in reader.pages for image in page.images]
    assert len(images) == 4


async def test_charts_read_in_black_and_white(sqlite_db: Database, config) -> None:
    """Grey shades only: every pixel of every chart has red = green = blue."""
    period = period_of("yearly", "2026", config)
    figures = await load_figures(sqlite_db, config, period, None)
    for _title, png in charts(figures, Translator("nl")):
        with Image.open(io.BytesIO(png)) as image:
            raw = image.convert("RGB").tobytes()
            assert raw[0::3] == raw[1::3] == raw[2::3]


def test_html_escapes_what_people_typed() -> None:
    from datetime import date

    from bot.figures import Figures

    figures = Figures(
        kind="yearly",
        key="2024",
        start=date(2024, 1, 1),
        last_day=date(2024, 12, 31),
        organisation="<script>Org</script>",
        introduction="",
        team=None,
        reports=1,
        categories={"other": 1},
        other=[("<b>gevaar</b>", 1)],
        previous_key="2023",
        previous=None,
        report_types={"MIC": 1, "MIM": 0},
        harm={"none": 1},
        teams=[],
        months=[("2024-01", 1)],
        follow_up={},
        after_report={
            "contact_in_time": 0,
            "contact_expected": 0,
            "contact_in_time_percent": 0,
            "aftercare_offered": 0,
            "aftercare_given": 0,
            "aftercare_declined": 0,
            "client_talk": 0,
            "police_report": 0,
            "care_ended": 0,
            "client_informed": 0,
        },
        in_time={},
        calamities=[],
        arbeidsinspectie=[],
        actions={"open": 0, "done": 0, "not_doing": 0},
        effectiveness={},
    )
    t = Translator("nl")
    page = to_html(figures, t)
    assert "<script>" not in page and "&lt;b&gt;gevaar&lt;/b&gt;" in page
    assert "gevaar" not in to_html(figures, t, anonymised=True)
    pdf = PdfReader(io.BytesIO(to_pdf(figures, t, anonymised=True)))
    assert "gevaar" not in "".join(p.extract_text() for p in pdf.pages)
