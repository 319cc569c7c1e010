"""Fetching followed sources: address safety on every hop, politeness, limits."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.fakeapi.feeds import FakeResolver, FeedServer
from bot.follow.fetcher import Fetcher, FetchError, FetchFailure, parse_retry_after
from bot.follow.safety import AddressPolicy, Refusal, RefusedAddress

UA = "briefing-bot/test"


@pytest.fixture
async def feeds() -> AsyncIterator[FeedServer]:
    async with FeedServer() as server:
        yield server


def fetcher(resolver: FakeResolver | None = None, **kwargs: object) -> Fetcher:
    table = {"news.test": "127.0.0.1", "intranet.test": "10.0.0.7", "meta.test": "169.254.169.254"}
    return Fetcher(
        AddressPolicy(allow_loopback=bool(kwargs.pop("loopback", True))),
        user_agent=UA,
        resolver=resolver or FakeResolver(table),
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.org/feed", Refusal.SCHEME),
        ("file:///etc/passwd", Refusal.SCHEME),
        ("javascript:alert(1)", Refusal.SCHEME),
        ("http://127.0.0.1/feed", Refusal.LOOPBACK),
        ("http://[::1]/feed", Refusal.LOOPBACK),
        ("http://localhost:8080/", Refusal.LOOPBACK),
        ("http://10.1.2.3/", Refusal.PRIVATE),
        ("http://192.168.0.1/", Refusal.PRIVATE),
        ("http://[::ffff:172.16.0.1]/", Refusal.PRIVATE),
        ("http://169.254.169.254/latest/meta-data", Refusal.LINK_LOCAL),
        ("http://0.0.0.0/", Refusal.RESERVED),
        ("http://user:pw@example.org/", Refusal.MALFORMED),
    ],
)
def test_urls_refused_with_a_reason(url: str, reason: Refusal) -> None:
    with pytest.raises(RefusedAddress) as caught:
        AddressPolicy().check_url(url)
    assert caught.value.reason is reason


def test_loopback_only_when_allowed_and_public_addresses_pass() -> None:
    assert AddressPolicy(allow_loopback=True).check_url("http://127.0.0.1:9/x").port == 9
    assert AddressPolicy().check_url("https://example.org/live").host == "example.org"
    with pytest.raises(RefusedAddress):
        AddressPolicy(allow_loopback=True).check_url("http://10.0.0.1/")


async def test_a_name_resolving_to_a_private_address_is_refused_before_connecting() -> None:
    resolver = FakeResolver({"intranet.test": "10.0.0.7"})
    client = fetcher(resolver)
    try:
        with pytest.raises(FetchError) as caught:
            await client.fetch("http://intranet.test/feed")
    finally:
        await client.close()
    assert caught.value.kind is FetchFailure.REFUSED
    assert "private" in str(caught.value)
    assert resolver.asked == ["intranet.test"]


async def test_loopback_name_refused_unless_allowed(feeds: FeedServer) -> None:
    feeds.put("feed", "<rss/>", "application/rss+xml")
    strict = fetcher(loopback=False)
    try:
        with pytest.raises(FetchError) as caught:
            await strict.fetch(feeds.url("feed", host="news.test"))
    finally:
        await strict.close()
    assert "loopback" in str(caught.value)
    assert feeds.requests == []


@pytest.mark.parametrize(
    "target", ["http://intranet.test/admin", "http://10.9.8.7/x", "http://meta.test/latest"]
)
async def test_redirect_to_a_private_address_is_refused(feeds: FeedServer, target: str) -> None:
    feeds.redirect("moved", target)
    client = fetcher()
    try:
        with pytest.raises(FetchError) as caught:
            await client.fetch(feeds.url("moved", host="news.test"))
    finally:
        await client.close()
    assert caught.value.kind is FetchFailure.REFUSED


async def test_redirects_followed_within_limits(feeds: FeedServer) -> None:
    feeds.put("final", "<html><body><p>hi</p></body></html>", "text/html")
    feeds.redirect("a", "/b")
    feeds.redirect("b", feeds.url("final", host="news.test"), status=301)
    for n in range(7):
        feeds.redirect(f"loop{n}", f"/loop{n + 1}")
    client = fetcher()
    try:
        got = await client.fetch(feeds.url("a", host="news.test"))
        assert got.url.endswith("/final") and got.body and b"hi" in got.body
        with pytest.raises(FetchError) as caught:
            await client.fetch(feeds.url("loop0"))
    finally:
        await client.close()
    assert caught.value.kind is FetchFailure.REDIRECTS


async def test_conditional_get_user_agent_and_compression(feeds: FeedServer) -> None:
    feeds.put("gz", "x" * 5000, "text/plain", compress="gzip")
    feeds.put("br", "y" * 5000, "text/plain", compress="br")
    client = fetcher()
    try:
        first = await client.fetch(feeds.url("gz"))
        assert first.body == b"x" * 5000 and first.validators.etag
        again = await client.fetch(feeds.url("gz"), first.validators)
        assert again.not_modified
        brotli_body = await client.fetch(feeds.url("br"))
        assert brotli_body.body == b"y" * 5000
    finally:
        await client.close()
    sent = feeds.hits("gz")
    assert sent[0]["User-Agent"] == UA
    assert sent[1]["If-None-Match"] == first.validators.etag
    assert "If-Modified-Since" in sent[1]
    assert "br" in feeds.hits("br")[0]["Accept-Encoding"]


async def test_size_limit_time_out_and_errors(feeds: FeedServer) -> None:
    feeds.put("huge", b"z" * 300_000, "text/html")
    feeds.put("bomb", b"0" * 300_000, "text/html", compress="gzip")
    feeds.put("slow", "late", "text/html", delay=3)
    feeds.fail("broken", 500)
    feeds.fail("busy", 429, **{"Retry-After": "120"})
    client = fetcher(max_bytes=100_000, timeout_s=0.5)
    try:
        outcomes = {}
        for path in ("huge", "bomb", "slow", "broken", "busy"):
            with pytest.raises(FetchError) as caught:
                await client.fetch(feeds.url(path))
            outcomes[path] = caught.value
    finally:
        await client.close()
    assert outcomes["huge"].kind is FetchFailure.TOO_LARGE
    assert outcomes["bomb"].kind is FetchFailure.TOO_LARGE
    assert outcomes["slow"].kind is FetchFailure.TIMEOUT
    assert (outcomes["broken"].kind, outcomes["broken"].status) == (FetchFailure.HTTP, 500)
    assert outcomes["busy"].kind is FetchFailure.THROTTLED
    assert outcomes["busy"].retry_after == 120


def test_retry_after_as_date_or_seconds() -> None:
    assert parse_retry_after("30") == 30
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        *(
            st.ip_addresses(network=net)
            for net in (
                "10.0.0.0/8",
                "172.16.0.0/12",
                "192.168.0.0/16",
                "169.254.0.0/16",
                "100.64.0.0/10",
                "fc00::/7",
                "fe80::/10",
                "127.0.0.0/8",
                "::1/128",
            )
        )
    )
)
def test_every_non_public_address_is_refused(ip: object) -> None:
    text = str(ip)
    assert AddressPolicy().refusal(text) is not None
    assert AddressPolicy().refusal(f"::ffff:{text}" if ":" not in text else text) is not None
    host = f"[{text}]" if ":" in text else text
    with pytest.raises(RefusedAddress):
        AddressPolicy().check_url(f"http://{host}/feed")


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["93.184.216.34", "151.101.1.69", "2606:4700::6810:85e5", "8.8.8.8"]))
def test_public_addresses_pass(address: str) -> None:
    assert AddressPolicy().refusal(address) is None
