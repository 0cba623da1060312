"""The `vimbot` command prints configuration and people's text literally (issue 11, item 15):
rich markup must not eat ``[telegram]`` or a pattern's ``[a-z0-9]``."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import EXAMPLE, vimbot


def test_config_errors_keep_their_square_brackets(tmp_path: Path) -> None:
    (tmp_path / "token.toml").write_text("[telegram]\nenabled = true\n")
    result = vimbot("--config", "token.toml", "check-config", cwd=tmp_path)
    assert result.returncode == 2
    assert "set [telegram] token or VIMBOT_TELEGRAM_TOKEN" in result.stderr

    (tmp_path / "team.toml").write_text('[[teams]]\nid = "Noord Team"\nname = "N"\n')
    result = vimbot("--config", "team.toml", "check-config", cwd=tmp_path)
    assert result.returncode == 2
    assert "'^[a-z0-9][a-z0-9_-]*$'" in result.stderr
    assert "Configuration problem" in result.stderr and "Traceback" not in result.stderr


def test_anonymous_delay_minimum_above_maximum_is_refused(tmp_path: Path) -> None:
    (tmp_path / "delay.toml").write_text(
        "[privacy]\nanonymous_delay_min_minutes = 30\nanonymous_delay_max_minutes = 5\n"
    )
    result = vimbot("--config", "delay.toml", "check-config", cwd=tmp_path)
    assert result.returncode == 2, result.stdout
    assert "anonymous_delay_min_minutes" in result.stderr
    assert "anonymous_delay_max_minutes" in result.stderr
    assert "[privacy]" in result.stderr


def test_names_and_texts_from_the_configuration_and_the_database_print_literally(
    tmp_path: Path,
) -> None:
    config = (
        EXAMPLE.read_text()
        .replace('url = "sqlite+aiosqlite:///vimbot.db"', f'url = "sqlite:///{tmp_path / "x.db"}"')
        .replace('name = "Thuiszorg Voorbeeld"', 'name = "Thuiszorg [bold]Voorbeeld"')
        .replace('name = "Wijkteam Noord"', 'name = "Wijkteam [noord]"')
    )
    assert "[noord]" in config and "[bold]" in config
    (tmp_path / "config.toml").write_text(config)

    checked = vimbot("check-config", cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert "Thuiszorg [bold]Voorbeeld" in checked.stdout
    assert "Wijkteam [noord]" in checked.stdout

    assert vimbot("db", "upgrade", cwd=tmp_path).returncode == 0
    first = vimbot("sweep", "--at", "2026-11-10T09:05", cwd=tmp_path)  # installed (no digests)
    assert "digest:weekly/noord/2026-W45: before the installation" in first.stdout
    swept = vimbot("sweep", "--dry-run", "--at", "2026-11-23T09:05", cwd=tmp_path)
    assert swept.returncode == 0, swept.stderr
    assert "Weekoverzicht Wijkteam [noord], week 47" in swept.stdout

    audit = vimbot("audit", "[red]VIM-2026-0001", cwd=tmp_path)
    assert "No audit entries for [red]VIM-2026-0001." in audit.stdout
