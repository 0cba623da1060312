"""Structured logging (structlog). Logs carry references, counts and kinds — never report
text, never who sent an anonymous report."""

from __future__ import annotations

import logging
import sys

import structlog

# Libraries whose INFO lines are noise, or worse: httpx logs every request URL, and a
# Telegram URL contains the bot token.
QUIET = (
    "httpx",
    "httpcore",
    "telegram",
    "apscheduler",
    "alembic",
    "aiohttp.access",
    "asyncio",
    "slack_bolt",
    "slack_sdk",
)


def configure(level: str = "INFO", json: bool = False) -> None:
    logging.basicConfig(stream=sys.stderr, level=level, format="%(message)s")
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    renderer = (
        structlog.processors.JSONRenderer()
        if json
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
