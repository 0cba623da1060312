"""Configuration: a TOML file validated by pydantic, with secrets from the environment.

Environment variables override the file: ``VIMBOT_<SECTION>_<KEY>`` (for example
``VIMBOT_TELEGRAM_TOKEN``, ``VIMBOT_SLACK_BOT_TOKEN``, ``VIMBOT_DATABASE_URL``).
An invalid file gives a :class:`ConfigError` whose message names the key and the problem.
"""

from __future__ import annotations

import re
import tomllib
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

PLATFORMS = ("telegram", "slack", "shell")
DEFAULT_URL = "sqlite+aiosqlite:///vimbot.db"  # the embedded database, next to the bot
ADDRESS = re.compile(r"^(telegram|slack|shell):[A-Za-z0-9_.@\-]+$")


class ConfigError(Exception):
    """The configuration can't be used; the message says where and why, for a person."""


def check_address(value: str) -> str:
    if not ADDRESS.match(value):
        raise ValueError(
            f"'{value}' is not an address; write platform:id, e.g. 'telegram:123456', "
            "'slack:U024BE7LH' or 'shell:alice'"
        )
    return value


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Organisation(_Section):
    name: str = "Zorgorganisatie"
    timezone: str = "Europe/Amsterdam"
    language: str = "nl"
    # The KvK establishment number the IGJ asks for when a calamity is reported.
    vestigingsnummer: str | None = None
    # For /procedure and help: the VIM coordinator's display name, and when the periodic VIM
    # meeting is ("elk kwartaal"). Unset, the procedure leaves that line out.
    coordinator_name: str | None = Field(default=None, max_length=100)
    vim_meeting: str | None = Field(default=None, max_length=200)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone '{value}' (e.g. 'Europe/Amsterdam')") from exc
        return value

    @field_validator("language")
    @classmethod
    def _spoken_language(cls, value: str) -> str:
        if value not in ("nl", "en"):
            raise ValueError("language must be 'nl' or 'en'")
        return value

    @field_validator("vestigingsnummer")
    @classmethod
    def _twelve_digits(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"\d{12}", value):
            raise ValueError("a KvK vestigingsnummer has 12 digits, e.g. '000037055054'")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


DATABASE_SCHEMES = frozenset(
    {"sqlite", "sqlite+aiosqlite", "postgresql", "postgres", "postgresql+asyncpg"}
)


class DatabaseSection(_Section):
    url: str = DEFAULT_URL
    # Seconds to wait at start for a database that refuses connections (still starting).
    wait_at_start: float = Field(default=120.0, ge=0)

    @field_validator("url")
    @classmethod
    def _usable_url(cls, value: str) -> str:
        """SQLite or PostgreSQL, written as a URL (the driver is vimbot's to choose)."""
        scheme, separator, rest = value.partition("://")
        if not separator or scheme.lower() not in DATABASE_SCHEMES or not rest:
            raise ValueError(
                f"'{value}' is not a database URL vimbot can use: write "
                "sqlite:///path/to/vimbot.db or postgresql://user@host:5432/dbname"
            )
        return value


class Team(_Section):
    # at most 32 characters: a Telegram button carries it in 64 bytes with the question token
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=32)
    name: str
    leaders: list[str] = []
    members: list[str] = []
    channels: list[str] = []

    @field_validator("leaders", "members", "channels")
    @classmethod
    def _addresses(cls, values: list[str]) -> list[str]:
        return [check_address(v) for v in values]


class Roles(_Section):
    coordinator: list[str] = Field(
        default=[], validation_alias=AliasChoices("coordinator", "kwaliteitscoordinator")
    )
    board: list[str] = Field(default=[], validation_alias=AliasChoices("board", "directie"))
    confidential_adviser: list[str] = Field(
        default=[], validation_alias=AliasChoices("confidential_adviser", "vertrouwenspersoon")
    )
    committee: list[str] = Field(
        default=[], validation_alias=AliasChoices("committee", "vim_commissie")
    )
    # P&O / arbo: reports concerning an employee (MIM) and serious work accidents.
    hr: list[str] = Field(default=[], validation_alias=AliasChoices("hr", "p_en_o", "arbo"))

    @field_validator("coordinator", "board", "confidential_adviser", "committee", "hr")
    @classmethod
    def _addresses(cls, values: list[str]) -> list[str]:
        return [check_address(v) for v in values]


class Telegram(_Section):
    enabled: bool = False
    token: str | None = None
    base_url: str | None = None  # e.g. a local Bot API server or a test double
    mode: str = Field(default="polling", pattern="^(polling|webhook)$")
    # Webhook mode: the public HTTPS address Telegram posts to (ending in /telegram/webhook),
    # and the secret it sends along (1-256 characters: letters, digits, _ and -).
    webhook_url: str | None = None
    webhook_secret: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,256}$")
    poll_timeout: int = Field(default=30, ge=0, le=60)  # long-polling wait, in seconds


class Slack(_Section):
    enabled: bool = False
    bot_token: str | None = None
    app_token: str | None = None
    signing_secret: str | None = None
    api_url: str | None = None  # Web API base URL (slack_sdk base_url)
    mode: str = Field(default="socket", pattern="^(socket|http)$")


class Server(_Section):
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)


HHMM = r"^([01]\d|2[0-3]):[0-5]\d$"


def _time_of(value: str) -> time:
    hour, minute = map(int, value.split(":"))
    return time(hour, minute)


class Policy(_Section):
    """The organisation's deadlines (defaults: the policy in seeds/002, section 7)."""

    contact_working_days: int = Field(default=1, ge=0, le=10)
    triage_hours: int = Field(default=24, ge=1, le=240)
    exploration_working_days: int = Field(default=3, ge=1, le=30)
    analysis_days: int = Field(default=14, ge=1, le=90)
    client_informed_hours: int = Field(default=24, ge=1, le=240)
    igj_working_days: int = Field(default=3, ge=1, le=30)
    doubt_window_weeks: int = Field(default=6, ge=1, le=26)
    effectiveness_check_months: int = Field(default=3, ge=1, le=24)
    # The board reviews the policy at least yearly (§16): due this many months after the last
    # review (the first: after the installation).
    policy_review_months: int = Field(default=12, ge=1, le=24)
    # Under stricter follow-up after an IGJ measure (§14): a progress report every this many
    # weeks.
    strict_followup_weeks: int = Field(default=4, ge=1, le=26)
    # A reminder goes this many hours before a deadline; escalation at the deadline to the
    # coordinator, and this many hours later to the board.
    remind_hours_before: int = Field(default=4, ge=0, le=72)
    escalate_to_board_after_hours: int = Field(default=24, ge=1, le=240)
    # Working hours on working days (the Dutch calendar: no weekends, no national holidays).
    # A reminder lands in them, before its deadline; a deadline outside them says so.
    working_hours_start: str = Field(default="08:00", pattern=HHMM)
    working_hours_end: str = Field(default="18:00", pattern=HHMM)
    # When non-urgent escalations are held back (urgent nudges go day and night). Unset, they
    # are the hours outside working hours; set them only for a different night window.
    quiet_hours_start: str | None = Field(default=None, pattern=HHMM)
    quiet_hours_end: str | None = Field(default=None, pattern=HHMM)
    # More reports than this of one category in a month suggests further investigation.
    category_month_threshold: int = Field(default=5, ge=1, le=100)
    # First contact and care for the reporter after aggression against staff, serious harm or
    # a possible calamity: within these hours, day and night (§7: "direct / binnen 24 uur").
    contact_urgent_hours: int = Field(default=24, ge=1, le=72)
    # A work accident with death or serious injury: the employer reports it to the
    # Arbeidsinspectie "direct" — this many hours at the most.
    arbeidsinspectie_hours: int = Field(default=24, ge=1, le=72)

    @model_validator(mode="after")
    def _working_hours_in_order(self) -> Policy:
        if self.working_start >= self.working_end:
            raise ValueError(
                f"[policy] working_hours_start ({self.working_hours_start}) must be before "
                f"working_hours_end ({self.working_hours_end}) on the same day"
            )
        return self

    @property
    def working_start(self) -> time:
        return _time_of(self.working_hours_start)

    @property
    def working_end(self) -> time:
        return _time_of(self.working_hours_end)

    @property
    def quiet_start(self) -> time:
        """Quiet from: ``quiet_hours_start``, else the end of working hours."""
        return _time_of(self.quiet_hours_start or self.working_hours_end)

    @property
    def quiet_end(self) -> time:
        """Quiet until: ``quiet_hours_end``, else the start of working hours."""
        return _time_of(self.quiet_hours_end or self.working_hours_start)


class Digests(_Section):
    """When the reviews go out (organisation's timezone)."""

    weekly_day: str = Field(default="mon", pattern="^(mon|tue|wed|thu|fri|sat|sun)$")
    weekly_time: str = Field(default="09:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")


class Encryption(_Section):
    # Set it in the environment as VIMBOT_ENCRYPTION_KEY (make one: `vimbot privacy new-key`);
    # several keys separated by commas rotate: the first encrypts, all decrypt.
    key: str | None = None


class Privacy(_Section):
    # In production the bot refuses to start without an encryption key.
    production: bool = False
    # The leaders' notification of an anonymous report waits a random few minutes, so it
    # can't be matched to who was typing to the bot.
    anonymous_delay_min_minutes: int = Field(default=2, ge=0, le=60)
    anonymous_delay_max_minutes: int = Field(default=8, ge=0, le=120)
    draft_reminder_hours: int = Field(default=2, ge=1, le=48)
    draft_delete_hours: int = Field(default=72, ge=2, le=24 * 30)
    # After closing, personal data (texts, identities) is kept this long; counts remain.
    retention_years: int = Field(default=5, ge=1, le=115)
    # At most this many new reports per person per hour (a flood can't bury real reports).
    max_reports_per_hour: int = Field(default=10, ge=1, le=1000)

    @model_validator(mode="after")
    def _delay_in_order(self) -> Privacy:
        low, high = self.anonymous_delay_min_minutes, self.anonymous_delay_max_minutes
        if low > high:
            raise ValueError(
                f"[privacy] anonymous_delay_min_minutes ({low}) is greater than "
                f"anonymous_delay_max_minutes ({high}): the minimum can't exceed the maximum"
            )
        return self


class ReportsSection(_Section):
    """The organisation's own texts in `vimbot report` (as an annual report's "Inleiding")."""

    # the name shown on the reports (default: [organisation] name)
    organisation_name: str | None = None
    # the introduction above the figures; Markdown is fine
    introduction: str = ""


class Limits(_Section):
    max_text_length: int = Field(default=4000, ge=100, le=20000)


class Config(BaseSettings):
    """The whole configuration. Sections mirror ``config.example.toml``."""

    model_config = SettingsConfigDict(
        env_prefix="VIMBOT_",
        env_nested_delimiter="_",
        env_nested_max_split=1,
        extra="ignore",
        case_sensitive=False,
    )

    organisation: Organisation = Organisation()
    database: DatabaseSection = DatabaseSection()
    teams: list[Team] = []
    roles: Roles = Roles()
    telegram: Telegram = Telegram()
    slack: Slack = Slack()
    server: Server = Server()
    limits: Limits = Limits()
    policy: Policy = Policy()
    digests: Digests = Digests()
    encryption: Encryption = Encryption()
    privacy: Privacy = Privacy()
    reports: ReportsSection = ReportsSection()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment wins over the file (secrets, containers); the file is passed as init.
        return (env_settings, init_settings)

    @model_validator(mode="after")
    def _consistent(self) -> Config:
        ids = [team.id for team in self.teams]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"team id {duplicates[0]!r} is used more than once")
        if self.telegram.enabled and not self.telegram.token:
            raise ValueError(
                "telegram is enabled but has no token: "
                "set [telegram] token or VIMBOT_TELEGRAM_TOKEN"
            )
        if self.telegram.token and not re.fullmatch(r"\d+:[A-Za-z0-9_-]{20,}", self.telegram.token):
            raise ValueError(
                "the Telegram token does not look like '123456:ABC-DEF…' from BotFather"
            )
        if (
            self.telegram.mode == "webhook"
            and self.telegram.enabled
            and not (self.telegram.webhook_url and self.telegram.webhook_secret)
        ):
            raise ValueError("telegram webhook mode needs webhook_url and webhook_secret")
        slack = self.slack
        if slack.enabled and not slack.bot_token:
            raise ValueError(
                "slack is enabled but has no bot token: set [slack] bot_token or "
                "VIMBOT_SLACK_BOT_TOKEN"
            )
        if slack.enabled and slack.mode == "socket" and not slack.app_token:
            raise ValueError(
                "slack Socket Mode needs an app token: set [slack] app_token or "
                'VIMBOT_SLACK_APP_TOKEN (or use mode = "http")'
            )
        if slack.enabled and slack.mode == "http" and not slack.signing_secret:
            raise ValueError(
                "slack HTTP mode needs the signing secret: set [slack] signing_secret or "
                "VIMBOT_SLACK_SIGNING_SECRET"
            )
        return self

    def team(self, team_id: str | None) -> Team | None:
        return next((team for team in self.teams if team.id == team_id), None)

    def teams_of(self, address: str) -> list[Team]:
        return [team for team in self.teams if address in team.members]

    @property
    def messengers(self) -> list[str]:
        return [name for name in ("telegram", "slack") if getattr(self, name).enabled]


def _location(loc: tuple[int | str, ...], data: dict[str, Any]) -> str:
    """``('teams', 0, 'leaders', 1)`` → ``teams[0] (noord).leaders[1]``."""
    parts: list[str] = []
    node: Any = data
    for item in loc:
        if isinstance(item, int):
            parts[-1] += f"[{item}]"
            if isinstance(node, list) and item < len(node):
                node = node[item]
                if isinstance(node, dict) and "id" in node:
                    parts[-1] += f" ({node['id']})"
        else:
            parts.append(str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return ".".join(parts) or "(top level)"


def _describe(error: ValidationError, data: dict[str, Any], source: str) -> str:
    lines = [f"{source}: the configuration has {error.error_count()} problem(s):"]
    for item in error.errors(include_url=False):
        where = _location(tuple(item["loc"]), data)
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key (a typo?)"
        lines.append(f"  - {where}: {message}")
    return "\n".join(lines)


def load_config(path: str | Path | None) -> Config:
    """Read and validate the configuration; raise :class:`ConfigError` with a clear message."""
    data: dict[str, Any] = {}
    source = "defaults"
    if path is not None:
        file = Path(path)
        source = str(file)
        if not file.is_file():
            raise ConfigError(f"{file}: configuration file not found (copy config.example.toml)")
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{file}: not valid TOML: {exc}") from None
        except UnicodeDecodeError:
            raise ConfigError(f"{file}: not a UTF-8 text file") from None
    try:
        return Config(**data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, data, source)) from None
