"""The installed ``vimbot`` console script in a real process: what the in-process runs of
tests/test_cli.py cannot see (the entry point, exit codes, what reaches stderr at exit)."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import vimbot_process
from tests.test_cli import REPORT_START, bad_config


def test_a_configuration_problem_exits_2_with_a_message_on_stderr(tmp_path: Path) -> None:
    result = vimbot_process("--config", bad_config(tmp_path), "check-config", cwd=tmp_path)
    assert result.returncode == 2
    assert "Configuration problem" in result.stderr and "platform:id" in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr


def test_a_piped_shell_session_exits_0_and_keeps_the_draft(workdir: Path) -> None:
    result = vimbot_process(
        "shell", "--user", "alice", "--name", "Alice", cwd=workdir, stdin=REPORT_START + "\n"
    )
    assert result.returncode == 0, result.stderr
    assert "[1] Ja" in result.stdout and "Wanneer" in result.stdout
    assert "Traceback" not in result.stderr and "Exception" not in result.stderr
    again = vimbot_process("shell", "--user", "alice", cwd=workdir, stdin="")
    assert again.returncode == 0 and "We gaan verder" in again.stdout
