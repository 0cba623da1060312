"""python-telegram-bot's networking on aiohttp instead of httpx.

PTB talks to the Bot API through a replaceable ``BaseRequest``; its default is httpx. On a
busy bot every turn makes two or three Bot API calls (answer the button, send or edit the
question, fetch updates), and httpx with httpcore spends noticeably more CPU per call than
aiohttp's client, which the bot already uses for its own HTTP server. Everything above the
transport (retries, flood control, error mapping, JSON) stays PTB's own: this class only
moves bytes, as ``HTTPXRequest`` does.

Parameters go as ``application/x-www-form-urlencoded``, encoded by yarl's quoter (aiohttp's
own URL library, in C): aiohttp's ``FormData`` builds a multipart writer (with a fresh
uuid4 boundary) for every call and encodes with ``urllib.parse.urlencode``, about 40 µs of
CPU per call against 4.
"""

from __future__ import annotations

import functools
from typing import Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData
from yarl import URL


class AiohttpRequest(BaseRequest):
    """A connection pool of ``pool_size`` connections to the Bot API, on aiohttp.

    Timeouts as in PTB: ``connect`` bounds opening a connection, ``read`` bounds waiting for
    the answer (PTB adds the long-polling time for ``getUpdates``), ``pool`` bounds waiting
    for a free connection. aiohttp has no separate write timeout; ``write`` and
    ``media_write`` bound the whole request instead, together with the read timeout.
    """

    __slots__ = (
        "_connect_timeout",
        "_media_write_timeout",
        "_pool_size",
        "_pool_timeout",
        "_read_timeout",
        "_session",
        "_write_timeout",
    )

    def __init__(
        self,
        pool_size: int = 128,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        fields = request_data.json_parameters if request_data else None
        read = _given(read_timeout, self._read_timeout)
        write = _given(write_timeout, self._media_write_timeout if files else self._write_timeout)
        connect = _given(connect_timeout, self._connect_timeout)
        pool = _given(pool_timeout, self._pool_timeout)
        timeout = _timeout(read, write, connect, pool)
        data: Any = _form(fields, files) if files else _urlencoded(fields)
        try:
            async with self._session.request(
                method, _url(url), data=data, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:  # aiohttp's are TimeoutErrors
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{error.__class__.__name__}: {error}") from error


FORM = "application/x-www-form-urlencoded"


@functools.lru_cache(maxsize=64)
def _timeout(
    read: float | None, write: float | None, connect: float | None, pool: float | None
) -> aiohttp.ClientTimeout:
    """aiohttp's timeouts for PTB's four (the same few on every call: made once each)."""
    return aiohttp.ClientTimeout(
        total=None if read is None or write is None else read + write + (connect or 0),
        connect=None if connect is None and pool is None else (connect or 0) + (pool or 0),
        sock_connect=connect,
        sock_read=read,
    )


@functools.lru_cache(maxsize=256)
def _url(url: str) -> URL:
    """A method's URL, parsed once rather than at every call."""
    return URL(url)


def _given(value: ODVInput[float], default: float | None) -> float | None:
    return default if isinstance(value, DefaultValue) else value


def _urlencoded(fields: dict[str, str] | None) -> aiohttp.BytesPayload | None:
    """The parameters as an ``application/x-www-form-urlencoded`` body."""
    if not fields:
        return None
    body = URL.build(query=fields).raw_query_string.encode()
    return aiohttp.BytesPayload(body, content_type=FORM)


def _form(fields: dict[str, str] | None, files: dict[str, Any]) -> aiohttp.FormData:
    """multipart/form-data with the parameters and the files PTB prepared."""
    form = aiohttp.FormData()
    for name, value in (fields or {}).items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in files.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form
