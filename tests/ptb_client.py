"""PTB's own default transport (httpx) for tests that talk to the fake Bot API with it."""

from __future__ import annotations

import ssl
from typing import Any

from telegram import Bot
from telegram.request import HTTPXRequest

# One TLS context for every client of the process: each new HTTPXRequest otherwise builds
# its own and loads the system's CA bundle (~40 ms of CPU, two per Bot), for a loopback
# http:// server that never uses it. Verification stays as httpx's default would have it.
_TLS = ssl.create_default_context()


def httpx_request() -> HTTPXRequest:
    """PTB's default request, as Bot() would build it, on the shared TLS context."""
    return HTTPXRequest(httpx_kwargs={"verify": _TLS})


def httpx_bot(token: str, base_url: str, **kwargs: Any) -> Bot:
    """A Bot as Bot(token, base_url=…) builds it (httpx for calls and for getUpdates)."""
    return Bot(
        token,
        base_url=base_url,
        request=httpx_request(),
        get_updates_request=httpx_request(),
        **kwargs,
    )
