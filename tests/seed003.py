"""A year of reports shaped like seeds/003 (the 2024 annual report of a care organisation):
53 reports, 90 ticks of a kind of report, 7 "anders" with what was written."""

from __future__ import annotations

import json
from typing import Any

# The table "Aard van de melding" as printed (the seed's spelling of the labels).
SEED_TABLE: tuple[tuple[str, str, int], ...] = (
    ("near_accident", "Bijna ongeval", 2),
    ("verbal_aggression", "Verbale agressie", 31),
    ("nonverbal_aggression", "Non verbale agressie", 8),
    ("physical_aggression", "Fysieke agressie", 10),
    ("transgressive_behaviour", "(Seksueel-) grensoverschrijdend gedrag", 1),
    ("accident", "Ongeval", 4),
    ("threat", "Bedreigen", 21),
    ("suicide_attempt", "Tentamen suïcide", 5),
    ("medication_dispensing", "Medicatieverstrekking", 1),
    ("other", "Anders", 7),
)
OTHER_TEXTS: tuple[tuple[str, int], ...] = (
    ("Natuurlijk overlijden", 1),
    ("vermoeden illegale activiteiten vanuit woning", 1),
    ("drugs in woning", 2),
    ("inbraak", 1),
    ("onbevoegd persoon in woning client", 1),
    ("deur vernield", 1),
)
REPORTS = 53


def seed003_records(year: int = 2024) -> list[dict[str, Any]]:
    """The records, in the shape of ``vimbot export --format jsonl``: tick i of the table
    goes to report i mod 53, so no report has a kind twice and every report has one."""
    categories: list[list[str]] = [[] for _ in range(REPORTS)]
    tick = 0
    for _code, label, count in SEED_TABLE:
        for _ in range(count):
            categories[tick % REPORTS].append(label)
            tick += 1
    others = [text for text, n in OTHER_TEXTS for _ in range(n)]
    records = []
    for i, kinds in enumerate(categories):
        month = i % 12 + 1
        record: dict[str, Any] = {
            "reference": f"VIM-{year}-{i + 1:04d}",
            "created_at": f"{year}-{month:02d}-{i % 27 + 1:02d}T10:00:00+01:00",
            "occurred_at": f"{year}-{month:02d}-{i % 27 + 1:02d}",
            "description": f"Melding {i + 1}",
            "categories": kinds,
            "affected": ["employee"],
            "harm": "none",
            "team": "noord" if i % 3 else "zuid",
        }
        if "Anders" in kinds:
            record["category_other"] = "  " + others.pop(0) + " "
        records.append(record)
    return records


def seed003_jsonl(year: int = 2024) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in seed003_records(year))
