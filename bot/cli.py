"""The ``vimbot`` command: run, shell, export, db upgrade, check-config."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from bot import __version__, logs
from bot.clock import SystemClock
from bot.config import Config, ConfigError, check_address, load_config
from bot.notifications import receivers_configured
from bot.retry import Backoff, StartupError
from bot.service import ReportService
from storage import crypto, migrate
from storage.db import Database, safe_url

app = typer.Typer(
    help="vimbot — report incidents (VIM) from the messenger you already use.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
app.add_typer(db_app, name="db")

err = Console(stderr=True)
T = TypeVar("T")


def _say(console: Console, text: str, style: str = "") -> None:
    """Text built from the configuration, the database or what a person typed: printed as it
    is — never read as rich markup (``[telegram]``, a pattern's ``[a-z]``) or emoji codes, and
    never wrapped in the middle of a key or a pattern."""
    console.print(Text(text, style=style), soft_wrap=True)


class _State:
    config_path: Path | None = None
    warned = False


def _config() -> Config:
    """The configuration, with the encryption keys set up for this process.

    Without a key the embedded demo runs with a loud warning; production refuses to start.
    """
    config = load_config(_State.config_path)
    try:
        cipher = crypto.configure(config.encryption.key)
    except crypto.KeyError_ as problem:
        raise ConfigError(str(problem)) from None
    if not cipher.enabled:
        if config.privacy.production:
            raise ConfigError(
                "production mode needs an encryption key: set VIMBOT_ENCRYPTION_KEY "
                "(make one with `vimbot privacy new-key`)"
            )
        if not _State.warned:
            err.print(
                "[bold yellow]WARNING: no VIMBOT_ENCRYPTION_KEY — report texts and reporters' "
                "names are stored unencrypted. Fine for a demo, never for real reports."
                "[/bold yellow]"
            )
            _State.warned = True
    return config


def _run(coro_fn: Callable[[], Awaitable[T]]) -> T:
    async def main() -> T:
        return await coro_fn()

    return asyncio.run(main())


async def _open_database(config: Config, upgrade_sqlite: bool = True) -> Database:
    """The database, once reachable; the schema brought up to date on the embedded SQLite."""
    from bot.startup import open_database

    return await open_database(
        config, upgrade_sqlite, backoff=Backoff(total=config.database.wait_at_start)
    )


@app.callback()
def main_options(
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            help="Configuration file (default: $VIMBOT_CONFIG, else config.toml).",
            show_default=False,
        ),
    ] = None,
) -> None:
    if config is None:
        env = os.environ.get("VIMBOT_CONFIG")
        config = Path(env) if env else Path("config.toml")
        if not env and not config.exists():
            err.print(
                "[yellow]No config.toml found; running on the embedded defaults "
                "(see config.example.toml).[/yellow]"
            )
            config = None
    _State.config_path = config


@app.command()
def shell(
    user: Annotated[str, typer.Option("--user", "-u", help="Your id; your address is shell:ID.")],
    name: Annotated[str | None, typer.Option("--name", "-n", help="Your name.")] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="nl or en.")] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Folder for the documents of queued messages (default: a new private "
            "temporary folder).",
        ),
    ] = None,
) -> None:
    """Talk to the bot in this terminal (the terminal adapter)."""
    from bot.adapters.terminal import TerminalAdapter
    from bot.register import render_document

    logs.configure("WARNING")
    config = _config()

    async def go() -> None:
        db = await _open_database(config)
        try:
            service = ReportService(config, db, SystemClock())

            async def render(instruction: str) -> tuple[str, bytes]:
                return await render_document(db, config, instruction)

            await TerminalAdapter(
                service, user, name, lang, render_document=render, out_dir=out
            ).run()
        finally:
            await db.dispose()

    _run(go)


@app.command()
def run(
    user: Annotated[
        str, typer.Option("--user", "-u", help="Terminal user when no messenger is configured.")
    ] = os.environ.get("USER") or "demo",
) -> None:
    """Start the bot: every configured messenger plus the scheduler.

    With no messenger configured it runs the terminal adapter, so you can report right away.
    """
    from bot.runner import run_bot

    config = _config()
    logs.configure("WARNING" if not config.messengers else "INFO")
    _run(lambda: run_bot(config, user))


EXPORT_FORMATS = ("jsonl", "csv", "xlsx", "fhir")


def _day_option(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"'{value}' is not a date like 2024-01-31", param_hint=option
        ) from None


@app.command("export")
def export(
    fmt: Annotated[str, typer.Option("--format", "-f", help="jsonl, csv, xlsx or fhir.")] = "jsonl",
    first: Annotated[
        str | None, typer.Option("--from", help="Reports made on or after this date.")
    ] = None,
    last: Annotated[
        str | None, typer.Option("--to", help="Reports made on or before this date.")
    ] = None,
    team: Annotated[str | None, typer.Option("--team", help="One team's reports only.")] = None,
    anonymised: Annotated[
        bool, typer.Option("--anonymised", help="Leave out texts and identities (committee).")
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write to this file (default: standard output)."),
    ] = None,
) -> None:
    """The register: every report with its whole follow-up (audited, like viewing a report)."""
    from bot.exporting import flat_register_row
    from bot.register import load_register
    from bot.spreadsheet import csv_text, xlsx_bytes

    if fmt not in EXPORT_FORMATS:
        raise ConfigError(f"unknown export format '{fmt}' (supported: {', '.join(EXPORT_FORMATS)})")
    first_day, last_day = _day_option(first, "--from"), _day_option(last, "--to")
    config = _config()
    if team is not None and team not in {t.id for t in config.teams}:
        raise typer.BadParameter(f"no team '{team}' in the configuration", param_hint="--team")
    actor = f"cli:{os.environ.get('USER') or 'unknown'}"

    async def go() -> list[dict[str, Any]]:
        db = await _open_database(config, upgrade_sqlite=False)
        try:
            return await load_register(
                db, config, first_day, last_day, team, anonymised, SystemClock().now(), actor, fmt
            )
        finally:
            await db.dispose()

    records = _run(go)
    data: str | bytes
    if fmt == "jsonl":
        data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    elif fmt == "fhir":
        from bot.fhir import bundle  # R4B Bundle of AdverseEvents (docs/fhir.md)

        data = json.dumps(bundle(records, config, SystemClock().now()), ensure_ascii=False) + "\n"
    else:
        flat = [flat_register_row(r) for r in records]
        header = list(flat[0]) if flat else ["reference"]
        table = [[row.get(key) for key in header] for row in flat]
        if fmt == "csv":
            data = csv_text(header, table)
        else:
            data = xlsx_bytes([("Register", header, table)])
    _write_out(data, out)


@app.command("import")
def import_(
    source: Annotated[str, typer.Argument(help="A JSON-lines file, or - for standard input.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="Input format.")] = "jsonl",
) -> None:
    """Bring past reports in (the shape of `export --format jsonl`): all or nothing."""
    from bot.importing import ImportResult, check_lines, import_reports

    if fmt != "jsonl":
        raise ConfigError(f"unknown import format '{fmt}' (supported: jsonl)")
    config = _config()
    if source == "-":
        text = sys.stdin.read()
    else:
        try:
            text = Path(source).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as problem:
            _say(err, f"Cannot read {source}: {problem}")
            raise SystemExit(1) from None
    checked = check_lines(text.splitlines(), config)

    async def go() -> ImportResult:
        db = await _open_database(config)
        try:
            return await import_reports(db, checked, SystemClock().now())
        finally:
            await db.dispose()

    result = ImportResult(0, 0, checked.problems) if checked.problems else _run(go)
    if result.problems:
        for line, wrong in result.problems:
            _say(err, f"line {line}: {wrong}")
        _say(err, f"Nothing imported: {len(result.problems)} problem(s).")
        raise SystemExit(1)
    _say(err, f"Imported {result.added} report(s); {result.present} already present.")


report_app = typer.Typer(
    help="The organisation's figures: annual, half-yearly and quarterly reports.",
    no_args_is_help=True,
)
app.add_typer(report_app, name="report")
REPORT_FORMATS = ("md", "csv", "xlsx", "json", "html", "pdf")


def _write_out(data: str | bytes, out: Path | None) -> None:
    """To ``--out`` (or standard output): text as UTF-8."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if out is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(raw)
        sys.stdout.buffer.flush()
        return
    try:
        out.write_bytes(raw)
    except OSError as problem:
        raise ConfigError(f"--out: cannot write {out}: {problem.strerror}") from None
    _say(err, f"Written to {out}.")


def _figures_report(
    kind: str, key: str, option: str, team: str | None, fmt: str, out: Path | None
) -> None:
    from bot.digests import period_of
    from bot.figures import CSV_HEADER, as_json, markdown, rows
    from bot.i18n import Translator
    from bot.register import load_figures
    from bot.spreadsheet import csv_text, xlsx_bytes

    if fmt not in REPORT_FORMATS:
        raise typer.BadParameter(
            f"'{fmt}' is not one of {', '.join(REPORT_FORMATS)}", param_hint="--format"
        )
    config = _config()
    try:
        period = period_of(kind, key, config)
    except ValueError:
        example = {"yearly": "2024", "half": "2026-H1", "quarterly": "2026-Q3"}[kind]
        raise typer.BadParameter(f"'{key}' is not like {example}", param_hint=option) from None
    if team is not None and team not in {t.id for t in config.teams}:
        raise typer.BadParameter(f"no team '{team}' in the configuration", param_hint="--team")

    async def go() -> Any:
        db = await _open_database(config, upgrade_sqlite=False)
        try:
            return await load_figures(db, config, period, team)
        finally:
            await db.dispose()

    figures = _run(go)
    data: str | bytes
    if fmt == "csv":
        data = csv_text(CSV_HEADER, rows(figures))
    elif fmt == "json":
        data = json.dumps(as_json(figures), ensure_ascii=False, indent=2) + "\n"
    elif fmt == "xlsx":
        data = xlsx_bytes([("Cijfers", CSV_HEADER, rows(figures))])
    elif fmt in ("html", "pdf"):
        from bot.documents import to_html, to_pdf

        t = Translator(config.organisation.language)
        data = to_html(figures, t) if fmt == "html" else to_pdf(figures, t)
    else:
        data = markdown(figures, Translator(config.organisation.language))
    _write_out(data, out)


TeamOption = Annotated[str | None, typer.Option("--team", help="One team's figures only.")]
FormatOption = Annotated[
    str, typer.Option("--format", "-f", help="md, csv, xlsx, json, html or pdf.")
]
OutOption = Annotated[
    Path | None, typer.Option("--out", "-o", help="Write to this file (default: standard output).")
]


@report_app.command("annual")
def report_annual(
    year: Annotated[int, typer.Option("--year", help="The calendar year, e.g. 2024.")],
    team: TeamOption = None,
    fmt: FormatOption = "md",
    out: OutOption = None,
) -> None:
    """The annual report (jaarverslag) of a calendar year."""
    _figures_report("yearly", f"{year:04d}", "--year", team, fmt, out)


@report_app.command("half")
def report_half(
    half: Annotated[str, typer.Option("--half", help="The half year, e.g. 2026-H1.")],
    team: TeamOption = None,
    fmt: FormatOption = "md",
    out: OutOption = None,
) -> None:
    """The half-yearly report (for the board's policy review)."""
    _figures_report("half", half, "--half", team, fmt, out)


@report_app.command("quarterly")
def report_quarterly(
    quarter: Annotated[str, typer.Option("--quarter", help="The quarter, e.g. 2026-Q3.")],
    team: TeamOption = None,
    fmt: FormatOption = "md",
    out: OutOption = None,
) -> None:
    """The quarterly report (for the VIM committee's analysis)."""
    _figures_report("quarterly", quarter, "--quarter", team, fmt, out)


draft_app = typer.Typer(
    help="Drafts of the notifications to the authorities (checked and submitted by you; "
    "the bot never sends them).",
    no_args_is_help=True,
)
app.add_typer(draft_app, name="draft")


def _draft(kind: str, reference: str) -> None:
    from bot.register import load_draft

    config = _config()
    actor = f"cli:{os.environ.get('USER') or 'unknown'}"

    async def go() -> Any:
        db = await _open_database(config, upgrade_sqlite=False)
        try:
            return await load_draft(db, config, kind, reference, SystemClock().now(), actor)
        finally:
            await db.dispose()

    draft = _run(go)
    if draft is None:
        _say(err, f"No report {reference}.", "red")
        raise typer.Exit(1)
    typer.echo(draft.text())


ReferenceArgument = Annotated[str, typer.Argument(help="The report, e.g. VIM-2026-0001.")]


@draft_app.command("igj")
def draft_igj(reference: ReferenceArgument) -> None:
    """The IGJ calamity notification, prefilled: check it and submit it in the IGJ's portal."""
    _draft("igj", reference)


@draft_app.command("arbeidsinspectie")
def draft_arbeidsinspectie(reference: ReferenceArgument) -> None:
    """The report of a serious work accident to the Arbeidsinspectie, prefilled: check it and
    submit it through the Arbeidsinspectie's form."""
    _draft("arbeidsinspectie", reference)


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Apply the schema migrations."""
    config = _config()

    async def go() -> str | None:
        from bot.startup import reachable

        db = Database(config.database.url)
        try:
            await reachable(db, backoff=Backoff(total=config.database.wait_at_start))
            await migrate.upgrade(db, revision)
            return await migrate.current_revision(db)
        finally:
            await db.dispose()

    current = _run(go)
    _say(err, f"Database schema at revision {current}.")


@app.command()
def sweep(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only list; send nothing.")] = False,
    at: Annotated[
        str | None, typer.Option("--at", help="The moment, as ISO date-time (default: now).")
    ] = None,
) -> None:
    """List (or send) the nudges and digests due at a moment."""
    from datetime import datetime

    from bot.casework.scheduled import Sweeper

    logs.configure("WARNING")
    config = _config()
    moment = SystemClock().now()
    if at is not None:
        try:
            moment = datetime.fromisoformat(at)
        except ValueError:
            raise ConfigError(
                f"--at: '{at}' is not an ISO date-time like 2026-11-23T09:00"
            ) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=config.organisation.tz)

    async def go() -> tuple[list[Any], list[str]]:
        db = await _open_database(config, upgrade_sqlite=False)
        try:
            sweeper = Sweeper(config, db, SystemClock())
            nudges = await sweeper.sweep_nudges(moment, dry_run=dry_run)
            digests = await sweeper.send_due_digests(moment, dry_run=dry_run)
            return [*nudges, *digests], sweeper.skipped
        finally:
            await db.dispose()

    planned, skipped = _run(go)
    out = Console(soft_wrap=True)
    when = moment.astimezone(config.organisation.tz).isoformat(timespec="minutes")
    verb = "would be sent" if dry_run else "queued"
    _say(out, f"{len(planned)} message(s) {verb} at {when}:")
    for item in planned:
        first_line = item.message.text.split("\n")[0]
        _say(out, f"  {item.what} → {item.address}: {first_line}")
    recorded = "would be recorded" if dry_run else "recorded"
    for what in skipped:
        _say(out, f"  {what}: before the installation, {recorded} without sending")


privacy_app = typer.Typer(help="Privacy: keys, inzage, erasure (AVG).", no_args_is_help=True)
app.add_typer(privacy_app, name="privacy")


@privacy_app.command("new-key")
def privacy_new_key() -> None:
    """Print a new encryption key (for VIMBOT_ENCRYPTION_KEY)."""
    typer.echo(crypto.new_key())


@privacy_app.command("rotate-key")
def privacy_rotate_key() -> None:
    """Re-encrypt everything with the first key of VIMBOT_ENCRYPTION_KEY (new,old)."""
    from bot.privacy import rotate_keys

    config = _config()
    if not crypto.current().enabled:
        raise ConfigError("set VIMBOT_ENCRYPTION_KEY first (new key first, then the old ones)")

    async def go() -> int:
        db = await _open_database(config, upgrade_sqlite=False)
        try:
            return await rotate_keys(db)
        finally:
            await db.dispose()

    _say(err, f"Re-encrypted {_run(go)} rows with the first key.")


@privacy_app.command("export")
def privacy_export(
    person: Annotated[str, typer.Option("--person", help="The address, e.g. telegram:123.")],
) -> None:
    """Everything stored about a person, as JSON (AVG inzage)."""
    from bot.privacy import export_person

    config = _config()

    async def go() -> dict[str, Any]:
        db = await _open_database(config, upgrade_sqlite=False)
        try:
            return await export_person(db, config, person, SystemClock().now())
        finally:
            await db.dispose()

    sys.stdout.write(json.dumps(_run(go), ensure_ascii=False, indent=2) + "\n")


@privacy_app.command("erase")
def privacy_erase(
    person: Annotated[str, typer.Option("--person", help="The address, e.g. telegram:123.")],
) -> None:
    """Remove a person's identity from their reports; the anonymised content stays."""
    from bot.privacy import Erased, erase_person

    try:
        check_address(person)
    except ValueError as problem:
        raise typer.BadParameter(str(problem), param_hint="--person") from None
    config = _config()

    async def go() -> Erased:
        db = await _open_database(config, upgrade_sqlite=False)
        try:
            return await erase_person(db, person, SystemClock().now())
        finally:
            await db.dispose()

    erased = _run(go)
    if not erased.found:
        _say(err, f"Nothing is stored about {person}: nothing to erase.")
        return
    _say(
        err,
        f"Identity removed from {erased.reports} report(s); profile, drafts and messages "
        "that named them deleted or rewritten.",
    )


@app.command()
def audit(
    reference: Annotated[str, typer.Argument(help="A reference like VIM-2026-0042.")],
) -> None:
    """Who viewed or changed a report, when and through which channel."""
    config = _config()

    async def go() -> list[Any]:
        db = await _open_database(config, upgrade_sqlite=False)
        try:
            async with db.transaction() as store:
                return list(await store.audit_of(reference.upper()))
        finally:
            await db.dispose()

    entries = _run(go)
    table = Table("when", "who", "what", "channel", "detail")
    tz = config.organisation.tz
    for entry in entries:
        table.add_row(
            entry.at.astimezone(tz).isoformat(timespec="seconds"),
            Text(entry.actor or ""),
            Text(entry.action),
            Text(entry.channel or ""),
            Text(json.dumps(entry.detail, ensure_ascii=False)),
        )
    out = Console(soft_wrap=True)
    if entries:
        out.print(table)
    else:
        _say(out, f"No audit entries for {reference}.")


@app.command("check-config")
def check_config() -> None:
    """Validate the configuration and print a summary."""
    config = _config()
    out = Console(soft_wrap=True)
    source = escape(str(_State.config_path or "defaults"))
    out.print(f"[bold green]Configuration OK[/bold green] ({source})", emoji=False)
    org = config.organisation
    _say(
        out,
        f"Organisation: {org.name} · {org.timezone} · language {org.language} · "
        f"vestigingsnummer {org.vestigingsnummer or '(not set)'}",
    )
    _say(out, f"Database: {safe_url(config.database.url)}")
    table = Table("team", "name", "leaders", "members", "channels")
    for team in config.teams:
        table.add_row(
            Text(team.id),
            Text(team.name),
            Text(", ".join(team.leaders)) if team.leaders else Text("none", style="red"),
            str(len(team.members)),
            Text(", ".join(team.channels)),
        )
    out.print(table)
    roles = config.roles
    for label, addresses in (
        ("coordinator", roles.coordinator),
        ("board", roles.board),
        ("confidential adviser", roles.confidential_adviser),
        ("committee", roles.committee),
        ("hr", roles.hr),
    ):
        shown = Text(", ".join(addresses)) if addresses else Text("(none)", style="yellow")
        out.print(Text.assemble(f"{label}: ", shown), soft_wrap=True)
    messengers = config.messengers or ["terminal only"]
    _say(out, f"Messengers: {', '.join(messengers)}")
    if not receivers_configured(config):
        _say(
            err,
            "WARNING: this configuration cannot deliver reports: there is no team leader "
            "and no coordinator. Reports are kept, but nobody is told. Add leaders to a team "
            "([[teams]] leaders) or a coordinator ([roles] coordinator).",
        )


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


def main(argv: list[str] | None = None) -> Any:
    """Entry point: a configuration problem is a clear message and exit code 2, not a traceback."""
    try:
        return app(args=argv, standalone_mode=True)
    except ConfigError as problem:
        err.print("[bold red]Configuration problem[/bold red]")
        _say(err, str(problem))
        raise SystemExit(2) from None
    except StartupError as problem:
        err.print(f"[bold red]Could not start[/bold red]\n{escape(str(problem))}", highlight=False)
        raise SystemExit(2) from None
    except KeyboardInterrupt:
        err.print("\nStopped. Anything you were typing is kept for next time.")
        raise SystemExit(130) from None
