"""A whole report in the real `vimbot shell`, every question answered in words, never a number,
and not once "Dat herken ik niet" (issue 16)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import vimbot

ANSWERS = [
    "nee",  # danger now?
    "mevrouw viel in de badkamer en heeft haar pols bezeerd",  # what happened
    "gisteren om 15u",  # when
    "klaar",  # categories: the suggested fall is ticked
    "klaar",  # affected: the suggested client is ticked
    "licht letsel",  # harm
    "zelf verbonden",  # first aid
    "overslaan",  # measures
    "zuid",  # team
    "leidinggevende",  # contact wish
    "versturen",  # summary
]


def test_a_report_answered_in_words_only(workdir: Path) -> None:
    assert not any(answer.strip().isdigit() for answer in ANSWERS)
    result = vimbot(
        "shell", "--user", "wim", "--name", "Wim", cwd=workdir, stdin="\n".join(ANSWERS) + "\n"
    )
    assert result.returncode == 0, result.stderr
    assert "herken ik niet" not in result.stdout, result.stdout
    assert "VIM-2026-0001" in result.stdout, result.stdout
    exported = vimbot("export", "--format", "jsonl", cwd=workdir)
    [record] = [json.loads(line) for line in exported.stdout.splitlines()]
    assert record["categories"] == ["fall"] and record["affected"] == ["client"]
    assert record["harm"] == "minor" and record["first_aid"] == "given"
    assert record["team"] == "zuid" and record["contact_wish"] == "team_leader"
    assert record["occurred_at"]
