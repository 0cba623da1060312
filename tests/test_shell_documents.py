"""``vimbot shell`` reading a queued digest that carries a document: the message as
``→ ADDRESS: text`` and the path of its PDF, made when it is read, readable by this person
only (``--out DIR``, else a new private temporary folder)."""

from __future__ import annotations

import asyncio
import shutil
import stat
from datetime import UTC, datetime
from pathlib import Path

from bot.config import load_config
from bot.events import Outbound, payload_of
from storage.db import Database
from tests.helpers import vimbot


def _queue_quarterly(workdir: Path, address: str) -> None:
    config = load_config(workdir / "config.toml")

    async def enqueue() -> None:
        db = Database(config.database.url)
        try:
            async with db.transaction() as store:
                message = Outbound("Kwartaalanalyse 2026-Q3", document="quarterly/2026-Q3")
                await store.enqueue(address, payload_of(message), datetime.now(UTC))
        finally:
            await db.dispose()

    asyncio.run(enqueue())


def _path(stdout: str) -> Path:
    line = next(line for line in stdout.splitlines() if "Document: " in line)
    return Path(line.split("Document: ", 1)[1].strip())


def test_the_shell_prints_the_path_of_a_queued_digests_pdf(workdir: Path) -> None:
    assert vimbot("db", "upgrade", cwd=workdir).returncode == 0
    _queue_quarterly(workdir, "shell:committee")
    out = workdir / "documents"
    result = vimbot("shell", "--user", "committee", "--out", str(out), cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert "→ shell:committee: Kwartaalanalyse 2026-Q3" in result.stdout
    path = _path(result.stdout)
    assert path == (out / "vim-quarterly-2026-Q3.pdf").resolve()
    assert path.read_bytes().startswith(b"%PDF")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # the person's own file

    again = vimbot("shell", "--user", "committee", "--out", str(out), cwd=workdir)
    assert "Kwartaalanalyse" not in again.stdout  # read once, as any queued message


def test_without_out_the_pdf_goes_to_a_private_temporary_folder(workdir: Path) -> None:
    assert vimbot("db", "upgrade", cwd=workdir).returncode == 0
    _queue_quarterly(workdir, "shell:board")
    result = vimbot("shell", "--user", "board", cwd=workdir)
    assert result.returncode == 0, result.stderr
    path = _path(result.stdout)
    try:
        assert path.read_bytes().startswith(b"%PDF")
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        assert path.parent != workdir
    finally:
        shutil.rmtree(path.parent)
