"""Which addresses a followed source may live at, checked on the address actually used.

A URL an editor types can point anywhere: at the bot's own host, at the cloud's metadata
service, at a router on the private network. The check runs on every resolved address
before any connection (a resolver that drops refused addresses, so the connector never
sees them) and on every hop of a redirect (IP literals skip resolvers, so each URL is
checked on its own as well)."""

from __future__ import annotations

import enum
import ipaddress
import socket
from dataclasses import dataclass

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver
from yarl import URL

MAX_URL_LENGTH = 2048
ALLOWED_SCHEMES = ("http", "https")


class Refusal(enum.StrEnum):
    """Why a URL or an address may not be fetched."""

    SCHEME = "scheme"
    MALFORMED = "malformed"
    LOOPBACK = "loopback"
    PRIVATE = "private"
    LINK_LOCAL = "link-local"
    RESERVED = "reserved"
    UNRESOLVED = "unresolved"


class RefusedAddress(Exception):
    """A URL or a resolved address the bot will not connect to; `reason` says why."""

    def __init__(self, reason: Refusal, detail: str) -> None:
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class AddressPolicy:
    """What may be fetched: public addresses, and loopback only when allowed."""

    allow_loopback: bool = False

    def refusal(self, address: str) -> Refusal | None:
        """Why this IP address is refused, or None when it may be used."""
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            return Refusal.MALFORMED
        # An IPv4 address wrapped in IPv6 (::ffff:10.0.0.1, 64:ff9b::/96 aside) is the
        # IPv4 address: judge that one.
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if ip.is_unspecified:
            return Refusal.RESERVED
        if ip.is_loopback:
            return None if self.allow_loopback else Refusal.LOOPBACK
        if ip.is_link_local:
            return Refusal.LINK_LOCAL
        if ip.is_private:
            return Refusal.PRIVATE
        if ip.is_multicast or ip.is_reserved or ip.is_unspecified or not ip.is_global:
            return Refusal.RESERVED
        return None

    def check_url(self, url: str | URL) -> URL:
        """The parsed URL when its scheme and (literal) host may be fetched; else RefusedAddress."""
        if isinstance(url, str):
            if len(url) > MAX_URL_LENGTH:
                raise RefusedAddress(Refusal.MALFORMED, "the address is too long")
            try:
                parsed = URL(url.strip())
            except ValueError as exc:
                raise RefusedAddress(Refusal.MALFORMED, str(exc)) from None
        else:
            parsed = url
        scheme = (parsed.scheme or "").lower()
        if scheme not in ALLOWED_SCHEMES:
            raise RefusedAddress(Refusal.SCHEME, scheme or "no scheme")
        host = parsed.raw_host
        if not host:
            raise RefusedAddress(Refusal.MALFORMED, "no host")
        if parsed.user is not None or parsed.password is not None:
            raise RefusedAddress(Refusal.MALFORMED, "credentials in the address")
        if _is_ip_literal(host):
            reason = self.refusal(host)
            if reason is not None:
                raise RefusedAddress(reason, host)
        elif not self.allow_loopback and _is_localhost_name(host):
            # Resolvers answer these from /etc/hosts; refuse early with the plain reason.
            raise RefusedAddress(Refusal.LOOPBACK, host)
        return parsed


def _is_localhost_name(host: str) -> bool:
    name = host.rstrip(".").lower()
    return name == "localhost" or name.endswith(".localhost")


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return False
    return True


class GuardedResolver(AbstractResolver):
    """Resolves through another resolver and drops every address the policy refuses.

    When nothing is left the connection fails before any packet is sent to a refused
    address; the error names the reason of the first refused address."""

    def __init__(self, policy: AddressPolicy, inner: AbstractResolver | None = None) -> None:
        self.policy = policy
        self._inner = inner if inner is not None else DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        try:
            found = await self._inner.resolve(host, port, family)
        except OSError as exc:
            raise RefusedAddress(Refusal.UNRESOLVED, f"{host}: {exc.strerror or exc}") from None
        allowed: list[ResolveResult] = []
        first_refusal: Refusal | None = None
        for result in found:
            reason = self.policy.refusal(result["host"])
            if reason is None:
                allowed.append(result)
            elif first_refusal is None:
                first_refusal = reason
        if not allowed:
            raise RefusedAddress(first_refusal or Refusal.UNRESOLVED, host)
        return allowed

    async def close(self) -> None:
        await self._inner.close()
