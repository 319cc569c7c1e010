"""The Telegram edge of the metrics: updates handled per command, reply requests by outcome."""

from __future__ import annotations

import json
import re
import time
from typing import Any

from telegram import Update
from telegram.ext import Application, CommandHandler
from telegram.request import BaseRequest, RequestData

from bot import metrics
from bot.delivery.ratelimit import UPDATES_IN_FLIGHT
from bot.delivery.transport import AiohttpRequest

_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@\w+)?(?:\s|$)")


class MeteredApplication(Application):  # type: ignore[type-arg]
    """An Application that counts and times every update it processes."""

    _known_commands: frozenset[str] | None = None

    def command_of(self, update: object) -> str:
        """The metric label of an update: its command, 'callback', 'message' or 'other'."""
        if not isinstance(update, Update):
            return "other"
        if update.callback_query is not None:
            return "callback"
        message = update.effective_message
        if message is None:
            return "other"
        match = _COMMAND.match(message.text or message.caption or "")
        if match is None:
            return "message"
        if self._known_commands is None:
            self._known_commands = frozenset(
                command
                for handlers in self.handlers.values()
                for handler in handlers
                if isinstance(handler, CommandHandler)
                for command in handler.commands
            )
        name = match.group(1).lower()
        # Only commands the bot knows become labels: typed junk cannot grow the series.
        return name if name in self._known_commands else "unknown_command"

    async def process_update(self, update: object) -> None:
        started = time.perf_counter()
        # Pushes give way while an update is handled (bot/delivery/ratelimit.py).
        UPDATES_IN_FLIGHT.begin()
        try:
            await super().process_update(update)
        finally:
            UPDATES_IN_FLIGHT.end()
            metrics.update_handled(self.command_of(update), time.perf_counter() - started)


class MeteredRequest(AiohttpRequest):
    """The reply transport, counting each request by method and outcome, and 429 waits."""

    __slots__ = ()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1][:40]
        try:
            status, body = await super().do_request(
                url,
                method,
                request_data,
                read_timeout=read_timeout,
                write_timeout=write_timeout,
                connect_timeout=connect_timeout,
                pool_timeout=pool_timeout,
            )
        except Exception:
            metrics.api_request(api_method, "network")
            raise
        if status == 429:
            metrics.api_request(api_method, "retry_after", retry_after_s=_retry_after(body))
        elif status >= 500:
            metrics.api_request(api_method, "server_error")
        elif status >= 400:
            metrics.api_request(api_method, "client_error")
        else:
            metrics.api_request(api_method, "ok")
        return status, body


def _retry_after(body: bytes) -> float:
    try:
        return float(json.loads(body)["parameters"]["retry_after"])
    except (ValueError, KeyError, TypeError):
        return 0.0
