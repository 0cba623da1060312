"""The figures as a document people hand on: HTML and PDF, with charts (issue 19).

The same figures as :func:`bot.figures.markdown`, laid out as blocks once (headings, text,
tables, lists, charts) and written as a self-contained HTML page (charts as embedded PNG) or
a PDF (text selectable, charts embedded as images). Charts use matplotlib's Agg backend (no
display) in grey shades with hatching and the numbers on the bars, so they read printed in
black and white. The PDF is written by fpdf2 with the DejaVu font matplotlib ships (pure
Python, no system packages).

``anonymised``: the form sent in a chat — no free texts that could name someone (no "anders"
words, no action descriptions or owners).

Rendering is CPU work: call it from a thread (``asyncio.to_thread``) on the event loop.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from fpdf import FPDF

from bot.figures import CONTACT_BUCKETS, Figures, after_report_items
from bot.i18n import Translator
from bot.terms import worded_hours

GREYS = ("#404040", "#bfbfbf")
HATCHES = ("", "//")


@dataclass(frozen=True, slots=True)
class Block:
    kind: str  # h1, h2, h3, p, list, table, chart
    text: str = ""
    items: tuple[str, ...] = ()
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    image: bytes = b""  # PNG, for a chart


def _png(fig: Any) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=150, bbox_inches="tight")
    plt.close(fig)
    return out.getvalue()


def _hbar(title: str, labels: Sequence[str], values: Sequence[int]) -> bytes:
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(labels) + 1))
    positions = range(len(labels))
    bars = ax.barh(
        list(positions), list(values), color=GREYS[0], edgecolor="black", hatch=HATCHES[0]
    )
    ax.set_yticks(list(positions), list(labels), fontsize=8)
    ax.invert_yaxis()
    ax.set_title(title, fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    ax.margins(x=0.12)
    ax.bar_label(bars, fontsize=8, padding=2)
    return _png(fig)


def _months_chart(figures: Figures, t: Translator) -> bytes:
    fig, ax = plt.subplots(figsize=(7, 3))
    now = [n for _, n in figures.months]
    before = [n for _, n in figures.previous_months][: len(now)]
    before += [0] * (len(now) - len(before))
    x = list(range(len(now)))
    width = 0.4
    for offset, values, label, grey, hatch in (
        (-width / 2, now, figures.key, GREYS[0], HATCHES[0]),
        (width / 2, before, figures.previous_key, GREYS[1], HATCHES[1]),
    ):
        bars = ax.bar(
            [i + offset for i in x],
            values,
            width,
            label=label,
            color=grey,
            edgecolor="black",
            hatch=hatch,
        )
        ax.bar_label(bars, fontsize=7)
    ax.set_xticks(x, [m[5:] for m, _ in figures.months], fontsize=8)
    ax.set_xlabel(t("document.month"), fontsize=8)
    ax.set_title(
        t("document.chart.months", period=figures.key, previous=figures.previous_key), fontsize=10
    )
    ax.legend(fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def _contact_label(key: str, t: Translator) -> str:
    limit = dict(CONTACT_BUCKETS).get(key, float("inf"))
    if limit == float("inf"):
        return t(f"document.contact.{key}")
    return t("document.contact.within", limit=worded_hours(int(limit), t))


def charts(figures: Figures, t: Translator) -> list[tuple[str, bytes]]:
    """The four charts: (title, PNG)."""
    kinds = [(c, n) for c, n in figures.categories.items() if n] or list(
        figures.categories.items()
    )[:1]
    contact_keys = [name for name, _ in CONTACT_BUCKETS] + ["not_contacted"]
    return [
        (
            t("document.chart.months", period=figures.key, previous=figures.previous_key),
            _months_chart(figures, t),
        ),
        (
            t("document.chart.kinds"),
            _hbar(
                t("document.chart.kinds"),
                [t(f"category.{c}") for c, _ in kinds],
                [n for _, n in kinds],
            ),
        ),
        (
            t("document.chart.harm"),
            _hbar(
                t("document.chart.harm"),
                [t(f"figures.harm.{k}") for k in figures.harm],
                list(figures.harm.values()),
            ),
        ),
        (
            t("document.chart.contact"),
            _hbar(
                t("document.chart.contact"),
                [_contact_label(k, t) for k in contact_keys],
                [figures.contact_times.get(k, 0) for k in contact_keys],
            ),
        ),
    ]


def _change(now: int, before: int) -> str:
    return f"{now - before:+d}"


def blocks(figures: Figures, t: Translator, anonymised: bool = False) -> list[Block]:
    """The document's content, in seeds/003's order."""
    title_key = {
        "yearly": "figures.title_yearly",
        "half": "figures.title_half",
        "quarterly": "figures.title_quarterly",
    }[figures.kind]
    out = [
        Block("h1", f"{t(title_key, period=figures.key)} — {figures.organisation}"),
        Block("p", t("figures.covers", start=t.day(figures.start), end=t.day(figures.last_day))),
    ]
    if figures.team is not None:
        out.append(Block("p", t("figures.team_only", team=figures.team)))
    if figures.introduction:
        out.append(Block("h2", t("figures.introduction")))
        out += [Block("p", part.strip()) for part in figures.introduction.split("\n\n")]
    chart_list = charts(figures, t)
    out.append(Block("h2", t("figures.reports_heading")))
    text = t("figures.total", count=figures.reports)
    if figures.ticks > figures.reports:
        text += " " + t("figures.several_kinds", ticks=figures.ticks, count=figures.reports)
    out.append(Block("p", text))
    before = figures.previous
    header: tuple[str, ...] = (t("figures.kind"), t("figures.count"))
    if before is not None:
        header += (figures.previous_key, t("figures.change"))
    rows = []
    for code, n in figures.categories.items():
        row: tuple[str, ...] = (t(f"category.{code}"), str(n))
        if before is not None:
            row += (str(before[code]), _change(n, before[code]))
        rows.append(row)
    out.append(Block("table", header=header, rows=tuple(rows)))
    if before is not None:
        out.append(
            Block(
                "p",
                t(
                    "figures.compared",
                    previous=figures.previous_key,
                    before=before["reports"],
                    change=_change(figures.reports, before["reports"]),
                ),
            )
        )
    out.append(Block("chart", chart_list[0][0], image=chart_list[0][1]))
    out.append(Block("chart", chart_list[1][0], image=chart_list[1][1]))
    if figures.other and not anonymised:
        out.append(Block("h3", t("figures.other_heading")))
        out.append(Block("list", items=tuple(f"{text} ({n})" for text, n in figures.other)))
    out.append(Block("h2", t("figures.split_heading")))
    out.append(Block("list", items=tuple(f"{k}: {n}" for k, n in figures.report_types.items())))
    out.append(Block("chart", chart_list[2][0], image=chart_list[2][1]))
    out.append(Block("h3", t("figures.per_team")))
    out.append(
        Block(
            "table",
            header=(t("figures.per_team"), t("figures.count")),
            rows=tuple((name or t("notify.no_team"), str(n)) for _, name, n in figures.teams),
        )
    )
    out.append(Block("h2", t("figures.after_heading")))
    items = [f"{t(f'figures.follow_up.{k}')}: {n}" for k, n in figures.follow_up.items()]
    items += after_report_items(figures, t, contact=True)
    out.append(Block("list", items=tuple(items)))
    out.append(Block("p", t("figures.not_recorded")))
    out.append(Block("chart", chart_list[3][0], image=chart_list[3][1]))
    out.append(Block("h2", t("figures.calamities_heading")))
    lines = [
        t(
            "figures.calamity_line",
            reference=c.reference,
            established=c.established_on.isoformat() if c.established_on else "—",
            informed=c.client_informed_on.isoformat() if c.client_informed_on else "—",
            igj=c.igj_reported_on.isoformat() if c.igj_reported_on else "—",
        ).removeprefix("- ")
        for c in figures.calamities
    ]
    lines += [
        t("figures.arbeidsinspectie_line", reference=ref, day=day.isoformat()).removeprefix("- ")
        for ref, day in figures.arbeidsinspectie
    ]
    out.append(Block("list", items=tuple(lines)) if lines else Block("p", t("figures.none")))
    out.append(Block("h2", t("figures.actions_heading")))
    states = [f"{t(f'figures.action.{k}')}: {n}" for k, n in figures.actions.items()]
    states += [f"{t(f'figures.effectiveness.{k}')}: {n}" for k, n in figures.effectiveness.items()]
    out.append(Block("list", items=tuple(states)))
    if figures.action_lines and not anonymised:
        out.append(
            Block(
                "table",
                header=(
                    t("document.action"),
                    t("document.owner"),
                    t("document.deadline"),
                    t("document.state"),
                ),
                rows=tuple(
                    (
                        a.description,
                        a.owner,
                        a.deadline.isoformat(),
                        t(f"figures.action.{a.status}")
                        + (
                            f", {t(f'figures.effectiveness.{a.effectiveness}')}"
                            if a.effectiveness
                            else ""
                        ),
                    )
                    for a in figures.action_lines
                ),
            )
        )
    return out


# ---- HTML ------------------------------------------------------------------------------------

_CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; max-width: 50em; margin: 2em auto;
       color: #000; line-height: 1.4; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid #000; padding: 0.2em 0.6em; text-align: left; }
td:not(:first-child) { text-align: right; }
figure { margin: 1em 0; } img { max-width: 100%; }
@media print { h2 { page-break-after: avoid; } figure { page-break-inside: avoid; } }
"""


def to_html(figures: Figures, t: Translator, anonymised: bool = False) -> str:
    """A self-contained HTML page (charts as embedded PNG images)."""
    e = html.escape
    body: list[str] = []
    title = ""
    for block in blocks(figures, t, anonymised):
        if block.kind in ("h1", "h2", "h3"):
            title = title or block.text
            body.append(f"<{block.kind}>{e(block.text)}</{block.kind}>")
        elif block.kind == "p":
            body.append(f"<p>{e(block.text)}</p>")
        elif block.kind == "list":
            body.append("<ul>" + "".join(f"<li>{e(i)}</li>" for i in block.items) + "</ul>")
        elif block.kind == "table":
            head = "".join(f"<th>{e(h)}</th>" for h in block.header)
            rows = "".join(
                "<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in block.rows
            )
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        elif block.kind == "chart":
            data = base64.b64encode(block.image).decode("ascii")
            body.append(
                f'<figure><img src="data:image/png;base64,{data}" alt="{e(block.text)}">'
                f"<figcaption>{e(block.text)}</figcaption></figure>"
            )
    return (
        f'<!DOCTYPE html>\n<html lang="{t.language}"><head><meta charset="utf-8">'
        f"<title>{e(title)}</title><style>{_CSS}</style></head><body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


# ---- PDF -------------------------------------------------------------------------------------

_FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def to_pdf(figures: Figures, t: Translator, anonymised: bool = False) -> bytes:
    """A PDF (A4): text selectable, the charts embedded as images."""
    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(_FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(_FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(f"{figures.organisation} {figures.key}")
    pdf.set_creator("vimbot")
    pdf.add_page()
    width = pdf.epw
    sizes = {"h1": 16, "h2": 13, "h3": 11}
    for block in blocks(figures, t, anonymised):
        if block.kind in sizes:
            pdf.ln(2)
            pdf.set_font("DejaVu", "B", sizes[block.kind])
            pdf.multi_cell(width, 7, block.text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        elif block.kind == "p":
            pdf.set_font("DejaVu", "", 10)
            pdf.multi_cell(width, 5, block.text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        elif block.kind == "list":
            pdf.set_font("DejaVu", "", 10)
            for item in block.items:
                pdf.multi_cell(width, 5, f"• {item}", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        elif block.kind == "table":
            pdf.set_font("DejaVu", "", 9)
            columns = len(block.header)
            first = 0.5 if columns > 2 else 0.7
            rest = (1 - first) / (columns - 1)
            col_widths = (first, *([rest] * (columns - 1)))
            with pdf.table(
                col_widths=col_widths,
                text_align=("LEFT", *(["RIGHT"] * (columns - 1))),
                line_height=5,
            ) as table:
                head = table.row()
                for cell in block.header:
                    head.cell(cell)
                for row in block.rows:
                    line = table.row()
                    for cell in row:
                        line.cell(cell)
            pdf.ln(2)
        elif block.kind == "chart":
            pdf.image(io.BytesIO(block.image), w=min(width, 170))
            pdf.ln(2)
    return bytes(pdf.output())
