"""Category suggestion measured on a labelled set of descriptions (categories.yaml).

Per category: precision (of the times it was suggested, how often it belonged) and recall (of
the descriptions it belongs to, how often it was suggested). The figures are printed (``-s``)
and in the terminal summary of every run (tests/conftest.py).

What is asserted, and why:
- overall precision >= 0.9: a suggestion is pre-ticked, one tap confirms it, so a wrong one
  easily ends up in the report; at most one in ten may be wrong;
- overall recall >= 0.85: a missed category costs the person a tap in the list, no more;
- no category is suggested with a measured precision below 0.8 (the confidence floor): a
  category whose words are that unreliable is better left to the person than pre-ticked.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import yaml

from bot.domain.taxonomy import CATEGORY_CODES, suggest_categories
from tests.corpus import SUMMARY

LABELLED = Path(__file__).with_name("categories.yaml")
PRECISION, RECALL, FLOOR = 0.9, 0.85, 0.8


def load() -> list[tuple[str, set[str]]]:
    data = yaml.load(LABELLED.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    return [(text, set(filter(None, codes.split("+")))) for text, codes in data["descriptions"]]


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


def test_category_suggestion_precision_and_recall() -> None:
    labelled = load()
    assert len(labelled) >= 100
    for _, codes in labelled:
        assert codes <= set(CATEGORY_CODES), codes
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    wrong: list[str] = []
    for text, expected in labelled:
        got = set(suggest_categories(text))
        for code in got & expected:
            tp[code] += 1
        for code in got - expected:
            fp[code] += 1
        for code in expected - got:
            fn[code] += 1
        if got != expected:
            wrong.append(f"  {text!r}: suggested {sorted(got)}, labelled {sorted(expected)}")
    lines = [f"category suggestion: {len(labelled)} labelled descriptions"]
    lines.append(f"  {'category':<26}{'precision':>10}{'recall':>8}{'tp':>5}{'fp':>4}{'fn':>4}")
    for code in CATEGORY_CODES:
        if tp[code] + fp[code] + fn[code]:
            precision = _ratio(tp[code], tp[code] + fp[code])
            recall = _ratio(tp[code], tp[code] + fn[code])
            lines.append(
                f"  {code:<26}{precision:>10.2f}{recall:>8.2f}"
                f"{tp[code]:>5}{fp[code]:>4}{fn[code]:>4}"
            )
    all_tp, all_fp, all_fn = sum(tp.values()), sum(fp.values()), sum(fn.values())
    precision = _ratio(all_tp, all_tp + all_fp)
    recall = _ratio(all_tp, all_tp + all_fn)
    lines.append(
        f"  {'overall':<26}{precision:>10.2f}{recall:>8.2f}{all_tp:>5}{all_fp:>4}{all_fn:>4}"
    )
    print("\n" + "\n".join(lines + wrong))
    SUMMARY.extend(lines)
    below = [
        code
        for code in CATEGORY_CODES
        if tp[code] + fp[code] and tp[code] / (tp[code] + fp[code]) < FLOOR
    ]
    assert precision >= PRECISION, "\n".join(lines + wrong)
    assert recall >= RECALL, "\n".join(lines + wrong)
    assert not below, f"suggested below the confidence floor {FLOOR}: {below}"
