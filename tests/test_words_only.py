"""A whole report in the real `vimbot shell`, every question answered in words, never a number,
and not once "Dat herken ik niet" (issue 16)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import vimbot

ANSWERS = [
    "melden",  # the welcome: a new report
    "nee",  # danger now?
    "mevrouw viel in de badkamer en heeft haar pols bezeerd",  # what happened
    "gisteren om 15u",  # when
    "ja",  # "Klopt dat?": the suggested fall, to the client
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


def _report_in_words(workdir: Path, user: str) -> None:
    vimbot("shell", "--user", user, "--name", user.title(), cwd=workdir, stdin=WITNESS)


WITNESS = (
    "\n".join(
        (
            "melden",
            "nee",
            "mevrouw is gevallen",
            "net",
            "ja",
            "weet ik niet",
            "overslaan",
        )
    )
    + "\nzuid\nleidinggevende\nversturen\n"
)


def test_queued_notifications_number_their_options_apart(workdir: Path) -> None:
    """Two queued notifications: each option has a number of its own, so a number picks a
    button of one report; the typed word asks which report."""
    _report_in_words(workdir, "wim")
    _report_in_words(workdir, "wim")
    leader = vimbot("shell", "--user", "leider-zuid", cwd=workdir, stdin="4\n")
    first, second = leader.stdout.split("Nieuwe VIM-melding")[1:3]
    assert "VIM-2026-0001" in first and "[1] Ik neem contact op" in first and "[2] Triage" in first
    assert "VIM-2026-0002" in second and "[3] Ik neem contact op" in second
    assert "[4] Triage" in second
    after = leader.stdout.split("[4] Triage")[-1]
    assert "VIM-2026-0002:" in after and "herken ik niet" not in leader.stdout  # its triage
