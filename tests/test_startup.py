"""Opening the database at start: a database that is still starting is waited for; one that
can't work is a plain message and exit code 2, never a traceback (issue 11, item 10)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from structlog.testing import capture_logs

from tests.fakes.recording import free_port
from tests.fakes.tcp_proxy import TcpProxy
from tests.helpers import make_config, vimbot

PG_URL = os.environ.get("VIMBOT_TEST_DATABASE_URL")
needs_pg = pytest.mark.skipif(not PG_URL, reason="needs VIMBOT_TEST_DATABASE_URL")


def _pg(**parts: object) -> str:
    return make_url(PG_URL or "").set(**parts).render_as_string(hide_password=False)


def _no_traceback(result) -> None:  # type: ignore[no-untyped-def]
    assert "Traceback" not in result.stderr + result.stdout, result.stderr[-3000:]


@needs_pg
def test_missing_postgres_database_is_a_plain_message(tmp_path: Path) -> None:
    url = _pg(database="vimbot_no_such_db", password="pw-not-shown")
    for command in (["sweep", "--dry-run"], ["shell", "--user", "x"], ["run"]):
        result = vimbot(*command, cwd=tmp_path, env={"VIMBOT_DATABASE_URL": url})
        assert result.returncode == 2, (command, result.stderr[-3000:])
        _no_traceback(result)
        assert "vimbot_no_such_db" in result.stderr and "does not exist" in result.stderr
        assert "pw-not-shown" not in result.stderr + result.stdout
        assert "***" in result.stderr  # the URL is named, without its password


def test_sqlite_file_that_cannot_be_made_is_a_plain_message(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a directory")
    url = f"sqlite:///{tmp_path / 'a-file' / 'sub' / 'vimbot.db'}"
    for command in (["sweep", "--dry-run"], ["shell", "--user", "x"]):
        result = vimbot(*command, cwd=tmp_path, env={"VIMBOT_DATABASE_URL": url})
        assert result.returncode == 2, (command, result.stderr[-3000:])
        _no_traceback(result)
        assert "cannot open the SQLite database" in result.stderr
        assert "writ" in result.stderr  # what to check


def test_refused_connection_is_retried_then_a_plain_message(tmp_path: Path) -> None:
    url = f"postgresql://vimbot:pw-not-shown@127.0.0.1:{free_port()}/vimbot"
    env = {"VIMBOT_DATABASE_URL": url, "VIMBOT_DATABASE_WAIT_AT_START": "1"}
    result = vimbot("sweep", "--dry-run", cwd=tmp_path, env=env)
    assert result.returncode == 2, result.stderr[-3000:]
    _no_traceback(result)
    assert "could not reach the database" in result.stderr
    assert result.stderr.count("database_unreachable_retrying") >= 2  # logged, with backoff
    assert "pw-not-shown" not in result.stderr


@needs_pg
async def test_database_that_is_starting_is_waited_for() -> None:
    from bot.startup import reachable
    from storage.db import Database

    target = make_url(PG_URL or "")
    proxy = TcpProxy(target.host or "127.0.0.1", target.port or 5432)  # down: refuses
    db = Database(_pg(host="127.0.0.1", port=proxy.port, password="pw-not-shown"))
    pauses: list[float] = []

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 3:
            await proxy.start()  # the database container is up

    try:
        with capture_logs() as logs:
            await reachable(db, sleep=sleep)
        assert pauses == [0.5, 1.0, 2.0]  # exponential backoff
        retried = [e for e in logs if e["event"] == "database_unreachable_retrying"]
        assert len(retried) == 3 and "pw-not-shown" not in str(retried)
        assert retried[0]["reason"] == "ConnectionRefusedError"
    finally:
        await db.dispose()
        await proxy.cut()


async def test_refused_for_too_long_gives_up_after_a_bounded_wait() -> None:
    from bot.retry import Backoff, StartupError
    from bot.startup import open_database

    config = make_config(database={"url": f"postgresql://u:pw@127.0.0.1:{free_port()}/x"})
    pauses: list[float] = []

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)

    with pytest.raises(StartupError, match=r"could not reach the database at .*u:\*\*\*@"):
        await open_database(config, backoff=Backoff(first=1, longest=4, total=10), sleep=sleep)
    assert pauses == [1, 2, 4, 3]  # doubling, capped, never more than the total


@needs_pg
async def test_permanent_problems_are_not_retried() -> None:
    from bot.retry import StartupError
    from bot.startup import open_database

    async def sleep(seconds: float) -> None:
        raise AssertionError("a permanent problem is not retried")

    missing = make_config(database={"url": _pg(database="vimbot_no_such_db")})
    with pytest.raises(StartupError, match="does not exist"):
        await open_database(missing, sleep=sleep)
    nobody = make_config(database={"url": _pg(username="vimbot_no_such_role", password="x")})
    with pytest.raises(StartupError, match="refused the login"):
        await open_database(nobody, sleep=sleep)
