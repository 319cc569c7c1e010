"""Webhook mode: PTB's webhook server receives the updates Telegram posts to WEBHOOK_URL.

Telegram sends WEBHOOK_SECRET back in the X-Telegram-Bot-Api-Secret-Token header of each
post; PTB's server answers 403 to a request without the matching header and hands it to
nobody. setWebhook is called with:
- allowed_updates: the same three kinds polling asks for (nothing else is handled);
- drop_pending_updates=False: updates that arrived while the bot was restarting are
  readers' commands and editors' posts; Telegram keeps them, and they are still wanted.
The webhook is left set at stop, so Telegram queues updates until the bot is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from telegram.error import InvalidToken, TelegramError

from bot.polling import TOKEN_REJECTED, describe

if TYPE_CHECKING:
    from bot.app import BotApplication

log = logging.getLogger(__name__)

# Without getUpdates nothing shows that the Bot API still answers: ask it now and then.
PROBE_EVERY_S = 20.0


class WebhookFailed(Exception):
    """Webhook mode cannot start; the message is one line naming the setting."""


def webhook_path(url: str) -> str:
    """The path the listener serves: the URL's own (`/` when it has none)."""
    return urlsplit(url).path or "/"


async def serve_webhook(app: BotApplication, stop: asyncio.Event, started: list[str]) -> None:
    """Listen for Telegram's posts until `stop` is set."""
    settings = app.bot_data.settings
    assert settings.webhook_url is not None and settings.webhook_secret is not None
    assert app.updater is not None
    from bot.app import ALLOWED_UPDATES  # bot.app imports this module: a real cycle

    try:
        await app.updater.start_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=webhook_path(settings.webhook_url),
            webhook_url=settings.webhook_url,
            allowed_updates=list(ALLOWED_UPDATES),
            drop_pending_updates=False,
            secret_token=settings.webhook_secret.get_secret_value(),
            bootstrap_retries=3,
        )
    except InvalidToken:
        raise WebhookFailed(TOKEN_REJECTED) from None
    except OSError as exc:
        raise WebhookFailed(
            f"WEBHOOK_PORT {settings.webhook_port} on WEBHOOK_LISTEN {settings.webhook_listen}"
            f" cannot be opened ({exc.strerror or exc})"
        ) from None
    except TelegramError as exc:
        raise WebhookFailed(
            f"WEBHOOK_URL {settings.webhook_url}: setWebhook was refused ({describe(exc)})"
        ) from None
    started.append("updater")
    app.bot_data.api_health.ok()
    log.info(
        "running (webhook on %s:%d%s for %s)",
        settings.webhook_listen,
        settings.webhook_port,
        webhook_path(settings.webhook_url),
        settings.webhook_url,
    )
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), PROBE_EVERY_S)
        if stop.is_set():
            break
        try:
            await app.bot.get_me()
            app.bot_data.api_health.ok()
        except TelegramError as exc:
            log.warning("webhook: the Bot API did not answer getMe (%s)", describe(exc))
