"""The `vimbot` command as a person uses it: piped shell sessions, export, config errors.

Run in this process (tests/helpers.py ``vimbot``); tests/test_cli_process.py runs the real
console script."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import EXAMPLE, vimbot

REPORT_START = "\n".join(
    [
        "melden",  # the welcome: a new report (a fresh shell asks nothing before it)
        "2",  # no danger
        "Cliënt viel uit bed 😟; <b>geen</b> letsel",
        "1",  # just now
    ]
)
REPORT_END = (
    "\n".join(
        [
            "1",  # "Klopt dat?" yes: the suggested fall, to the client
            "2",  # no injury
            "Overslaan",
            "Wijkteam Zuid",
            "1",  # team leader
            "1",  # send
        ]
    )
    + "\n"
)


def _alice_reports(workdir: Path) -> None:
    """Alice makes a whole report in one piped shell session."""
    vimbot(
        "shell",
        "--user",
        "alice",
        "--name",
        "Alice",
        cwd=workdir,
        stdin=REPORT_START + "\n" + REPORT_END,
    )


def bad_config(folder: Path) -> str:
    """A configuration file with a team id that is no id and a leader that is no address;
    its name, in ``folder``."""
    (folder / "bad.toml").write_text(
        '[[teams]]\nid = "Noord Team"\nname = "N"\nleaders = ["telegram123"]\n'
    )
    return "bad.toml"


def test_piped_shell_session_ends_in_export(workdir: Path) -> None:
    first = vimbot(
        "shell", "--user", "alice", "--name", "Alice", cwd=workdir, stdin=REPORT_START + "\n"
    )
    assert first.returncode == 0, first.stderr
    assert "[1] Ja" in first.stdout and "Traceback" not in first.stderr

    second = vimbot("shell", "--user", "alice", cwd=workdir, stdin=REPORT_END)
    assert second.returncode == 0, second.stderr
    assert "We gaan verder" in second.stdout  # resumed after the end of the first input
    assert "VIM-2026-0001" in second.stdout
    assert "→ shell:leider-zuid: Nieuwe VIM-melding" in second.stdout

    exported = vimbot("export", "--format", "jsonl", cwd=workdir)
    assert exported.returncode == 0, exported.stderr
    [line] = exported.stdout.splitlines()
    record = json.loads(line)
    assert record["description"] == "Cliënt viel uit bed 😟; <b>geen</b> letsel"
    assert record["categories"] == ["fall"] and record["affected"] == ["client"]
    assert record["harm"] == "none" and record["report_type"] == "MIC"
    assert record["team"] == "zuid" and record["status"] == "new"
    assert record["reporter"] == "shell:alice" and record["anonymous"] is False
    assert record["possible_calamity"] is False
    for key in ("reference", "created_at", "occurred_at"):
        assert record[key]

    leader = vimbot("shell", "--user", "leider-zuid", cwd=workdir, stdin="")
    assert "Berichten voor jou" in leader.stdout and "Nieuwe VIM-melding" in leader.stdout


def test_anonymous_export_has_no_reporter(workdir: Path) -> None:
    lines = REPORT_START + "\n" + REPORT_END.replace("\n1\n1\n", "\n1\n2\n")
    result = vimbot("shell", "--user", "bob", "--name", "Bob", cwd=workdir, stdin=lines)
    assert "anoniem verstuurd" in result.stdout, result.stdout[-2000:]
    record = json.loads(vimbot("export", cwd=workdir).stdout.splitlines()[0])
    assert record["anonymous"] is True and record["reporter"] is None
    assert record["reporter_name"] is None


def test_config_error_is_a_clear_message_not_a_traceback(tmp_path: Path) -> None:
    result = vimbot("--config", bad_config(tmp_path), "check-config", cwd=tmp_path)
    assert result.returncode == 2
    assert "teams[0]" in result.stderr and "leaders" in result.stderr
    assert "platform:id" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout

    (tmp_path / "broken.toml").write_text("[organisation\nname=")
    result = vimbot("--config", "broken.toml", "check-config", cwd=tmp_path)
    assert result.returncode == 2 and "not valid TOML" in result.stderr

    result = vimbot("--config", "missing.toml", "shell", "--user", "x", cwd=tmp_path)
    assert result.returncode == 2 and "not found" in result.stderr


def test_check_config_summarises_the_example(workdir: Path) -> None:
    result = vimbot("--config", str(EXAMPLE), "check-config", cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert "Configuration OK" in result.stdout and "Wijkteam Noord" in result.stdout


def test_environment_overrides_secrets(workdir: Path) -> None:
    result = vimbot(
        "check-config", cwd=workdir, env={"VIMBOT_DATABASE_URL": "postgresql://vim:secret@db/vim"}
    )
    assert "postgresql+asyncpg://vim:***@db/vim" in result.stdout


def test_db_upgrade(workdir: Path) -> None:
    result = vimbot("db", "upgrade", cwd=workdir)
    assert result.returncode == 0 and "revision 0013" in result.stderr


def test_logs_never_show_the_telegram_token(tmp_path: Path) -> None:
    import logging

    from bot import logs

    logs.configure("INFO")
    for name in ("httpx", "telegram", "apscheduler", "alembic"):
        assert not logging.getLogger(name).isEnabledFor(logging.INFO)


def test_leader_acts_from_the_shell_and_sweep_dry_run(workdir: Path) -> None:
    _alice_reports(workdir)
    leader = vimbot("shell", "--user", "leider-zuid", cwd=workdir, stdin="1\n/open\n")
    assert "[1] Ik neem contact op" in leader.stdout
    assert "jij neemt contact op met de melder van VIM-2026-0001" in leader.stdout
    assert "Open meldingen (1)" in leader.stdout
    assert "→ shell:alice: Je melding VIM-2026-0001: contact opgenomen." in leader.stdout

    when = json.loads(vimbot("export", cwd=workdir).stdout)["created_at"][:10]
    later = f"{when}T23:59"
    dry = vimbot("sweep", "--dry-run", "--at", later, cwd=workdir)
    assert dry.returncode == 0, dry.stderr
    assert "would be sent" in dry.stdout
    again = vimbot("sweep", "--dry-run", "--at", later, cwd=workdir)
    assert again.stdout.split("\n")[0] == dry.stdout.split("\n")[0]  # a dry run sends nothing
    bad = vimbot("sweep", "--dry-run", "--at", "maandag", cwd=workdir)
    assert bad.returncode == 2 and "ISO date-time" in bad.stderr


def test_audit_and_privacy_commands(workdir: Path) -> None:
    _alice_reports(workdir)
    vimbot("shell", "--user", "leider-zuid", cwd=workdir, stdin="1\n")
    audit = vimbot("audit", "VIM-2026-0001", cwd=workdir)
    assert audit.returncode == 0 and "shell:leider-zuid" in audit.stdout
    assert "change" in audit.stdout

    exported = vimbot("privacy", "export", "--person", "shell:alice", cwd=workdir)
    data = json.loads(exported.stdout)
    assert data["person"]["name"] == "Alice" and data["reports"][0]["reference"]
    erased = vimbot("privacy", "erase", "--person", "shell:alice", cwd=workdir)
    assert erased.returncode == 0 and "1 report" in erased.stderr
    record = json.loads(vimbot("export", cwd=workdir).stdout.splitlines()[0])
    assert record["reporter"] is None and record["description"]

    key = vimbot("privacy", "new-key", cwd=workdir).stdout.strip()
    rotated = vimbot("privacy", "rotate-key", cwd=workdir, env={"VIMBOT_ENCRYPTION_KEY": key})
    assert rotated.returncode == 0 and "Re-encrypted" in rotated.stderr
    raw = (workdir / "cli.db").read_bytes()
    assert "Cliënt viel uit bed".encode() not in raw.replace(b"\x00", b"")
    readable = vimbot("export", cwd=workdir, env={"VIMBOT_ENCRYPTION_KEY": key})
    assert "Cliënt viel uit bed" in readable.stdout
