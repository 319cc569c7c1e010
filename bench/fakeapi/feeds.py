"""A publisher on loopback for the follow tests: pages and feeds that change over time.

Serves whatever a test puts at a path (a feed, a live blog, a page), answers conditional
requests with 304, and on demand fails (500, 429 with Retry-After), stalls, sends too
much, sends garbage or redirects — to a private address too, which the bot must refuse
before connecting (names are resolved by `FakeResolver`, never by real DNS)."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import html
import json
import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import brotli
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult


@dataclass
class FeedEntry:
    """One entry as the publisher writes it."""

    id: str
    title: str
    body: str
    published: str = "2025-10-08T21:00:00+00:00"
    updated: str | None = None
    status: str | None = None  # JSON-LD creativeWorkStatus, e.g. "Deleted"


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    compress: str | None = None  # "gzip" or "br"
    validators: bool = True  # ETag and Last-Modified


class FeedServer:
    """An aiohttp server on 127.0.0.1 whose routes a test sets and changes."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.changed = asyncio.Event()

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("GET", "/{path:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.2)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FeedServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}/{path.lstrip('/')}"

    def put(self, path: str, body: bytes | str, content_type: str, **options: Any) -> Route:
        data = body.encode() if isinstance(body, str) else body
        route = Route(body=data, content_type=content_type, **options)
        self.routes[path.lstrip("/")] = route
        return route

    def fail(self, path: str, status: int, **headers: str) -> None:
        self.routes[path.lstrip("/")] = Route(body=b"error", status=status, headers=headers)

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        self.routes[path.lstrip("/")] = Route(status=status, headers={"Location": location})

    def hits(self, path: str) -> list[dict[str, str]]:
        return [headers for p, headers in self.requests if p == path.lstrip("/")]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["path"]
        self.requests.append((path, dict(request.headers)))
        route = self.routes.get(path)
        if route is None:
            return web.Response(status=404, text="not here")
        if route.delay:
            await asyncio.sleep(route.delay)
        headers = dict(route.headers)
        if route.status != 200:
            return web.Response(status=route.status, body=route.body, headers=headers)
        etag = '"' + hashlib.sha256(route.body).hexdigest()[:16] + '"'
        if route.validators:
            headers["ETag"] = etag
            headers["Last-Modified"] = format_datetime(datetime(2025, 10, 8, tzinfo=UTC), True)
            if request.headers.get("If-None-Match") == etag:
                return web.Response(status=304, headers=headers)
        body = route.body
        if route.compress == "gzip":
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        elif route.compress == "br":
            body = brotli.compress(body)
            headers["Content-Encoding"] = "br"
        headers["Content-Type"] = route.content_type
        return web.Response(status=200, body=body, headers=headers)


class FakeResolver(AbstractResolver):
    """Name resolution for tests: a fixed table, so no name ever reaches real DNS."""

    def __init__(self, table: dict[str, str]) -> None:
        self.table = table
        self.asked: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.asked.append(host)
        address = self.table.get(host)
        if address is None:
            raise OSError(socket.EAI_NONAME, "Name or service not known")
        fam = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [
            {
                "hostname": host,
                "host": address,
                "port": port,
                "family": fam,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
        ]

    async def close(self) -> None:
        return None


# --- documents ----------------------------------------------------------------------------


def rss(title: str, entries: list[FeedEntry]) -> str:
    items = "".join(
        f'<item><guid isPermaLink="false">{html.escape(e.id)}</guid>'
        f"<title>{html.escape(e.title)}</title>"
        f"<description>{html.escape('<p>' + e.body + '</p>')}</description>"
        f"<pubDate>{format_datetime(datetime.fromisoformat(e.published))}</pubDate></item>"
        for e in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{html.escape(title)}</title><link>https://example.org/</link>"
        f"<description>live</description>{items}</channel></rss>"
    )


def atom(title: str, entries: list[FeedEntry], deleted: tuple[str, ...] = ()) -> str:
    body = "".join(
        f"<entry><id>{html.escape(e.id)}</id><title>{html.escape(e.title)}</title>"
        f"<updated>{e.updated or e.published}</updated><published>{e.published}</published>"
        f'<content type="html">{html.escape("<p>" + e.body + "</p>")}</content></entry>'
        for e in entries
    )
    tombs = "".join(
        f'<at:deleted-entry ref="{html.escape(ref)}" when="2025-10-08T23:00:00Z"/>'
        for ref in deleted
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"'
        ' xmlns:at="http://purl.org/atompub/tombstones/1.0">'
        f"<title>{html.escape(title)}</title><id>urn:feed</id>"
        f"<updated>2025-10-08T23:00:00Z</updated>{tombs}{body}</feed>"
    )


def json_feed(title: str, entries: list[FeedEntry]) -> str:
    return json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": title,
            "items": [
                {
                    "id": e.id,
                    "title": e.title,
                    "content_text": e.body,
                    "date_published": e.published,
                }
                for e in entries
            ],
        }
    )


def liveblog(title: str, entries: list[FeedEntry], *, lead: str = "") -> str:
    data = {
        "@context": "https://schema.org",
        "@type": "LiveBlogPosting",
        "headline": title,
        "liveBlogUpdate": [
            {
                "@type": "BlogPosting",
                "@id": e.id,
                "headline": e.title,
                "datePublished": e.published,
                "dateModified": e.updated or e.published,
                "articleBody": e.body,
                **({"creativeWorkStatus": e.status} if e.status else {}),
            }
            for e in entries
        ],
    }
    posts = "".join(
        f"<article><h2>{html.escape(e.title)}</h2><p>{html.escape(e.body)}</p></article>"
        for e in entries
    )
    script = json.dumps(data).replace("</", "<\\/")
    return (
        f"<!doctype html><html><head><title>{html.escape(title)}</title>"
        f'<script type="application/ld+json">{script}</script></head>'
        f"<body><nav><a href='/'>Home</a></nav><h1>{html.escape(title)}</h1>"
        f"<p>{html.escape(lead)}</p>{posts}</body></html>"
    )


def article(title: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        "</head><body><header><nav><ul><li><a href='/a'>Politics</a></li>"
        "<li><a href='/b'>Sports</a></li></ul></nav></header><main><article>"
        f"<h1>{html.escape(title)}</h1>{body}</article></main>"
        "<footer><p>Copyright 2025 Example Media. All rights reserved.</p></footer>"
        "</body></html>"
    )
