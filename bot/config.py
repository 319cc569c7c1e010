"""Settings read from the environment and `.env`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.logs import url_secrets

TOKEN_PATTERN = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{20,100}$")
# Telegram's broadcast ceilings (messages/s): without and with paid broadcast.
FREE_PUSH_RATE = 30.0
PAID_PUSH_RATE = 1000.0
# Telegram: chat and user ids "have at most 52 significant bits"; anything larger is not an
# id any chat can have, and would fail on every send (or overflow a 64-bit column).
MAX_CHAT_ID = 2**52
WEBHOOK_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def _check_chat_id(value: int, what: str) -> int:
    if value == 0 or abs(value) > MAX_CHAT_ID:
        raise ValueError(f"{value} is not a Telegram {what} id (at most 52 bits, not 0)")
    return value


class Settings(BaseSettings):
    """Every setting of the bot; names match the environment variables."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        extra="ignore",
        case_sensitive=False,
    )

    bot_token: SecretStr | None = None
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    database_path: Path = Path("data/bot.sqlite3")
    # postgresql://user:password@host:port/database puts the store on PostgreSQL (more
    # than one replica, or surviving the loss of a machine); unset: the SQLite file above.
    database_url: SecretStr | None = None
    seeds_dir: Path = Path("seeds")
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_base_file_url: str | None = None
    log_level: str = "INFO"
    # Unset: Telegram's ceiling for the mode (30/s, or 1000/s with PAID_BROADCAST).
    push_rate: float = Field(default=FREE_PUSH_RATE, gt=0)
    paid_broadcast: bool = False
    # A transient failure (5xx, network) is retried this long before it is dead-lettered.
    delivery_deadline_seconds: float = Field(default=6 * 3600.0, ge=60)
    channel_id: int | None = None
    seeds_poll_seconds: float = Field(default=5.0, gt=0)
    max_import_bytes: int = Field(default=2_000_000, gt=0)
    flood_limit: int = Field(default=12, ge=1)
    follow_interval_seconds: float = Field(default=60.0, ge=1)
    follow_urls: Annotated[tuple[str, ...], NoDecode] = ()
    follow_allow_loopback: bool = False
    follow_max_bytes: int = Field(default=5_000_000, gt=0)
    # A 401 can be a passing fault of the Bot API; only one that lasts ends polling.
    token_rejected_grace_seconds: float = Field(default=60.0, ge=0)
    # Webhook mode: set WEBHOOK_URL (the public https address Telegram posts to) and
    # WEBHOOK_SECRET; the listener's path is the URL's. Unset: long polling.
    webhook_url: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_secret: SecretStr | None = None
    # Health and metrics HTTP server; off unless HEALTH_PORT is set.
    health_port: int | None = Field(default=None, ge=1, le=65535)
    health_listen: str = "127.0.0.1"
    # Rotating backups: a consistent copy into BACKUP_DIR every BACKUP_EVERY seconds.
    backup_dir: Path | None = None
    backup_every: float = Field(default=6 * 3600.0, ge=1)
    backup_keep: int = Field(default=8, ge=1)
    # The clock of chats that chose no zone: quiet hours, digests and times shown.
    timezone: str = "UTC"
    # inline: the push engine runs on the bot's own event loop; process: in a child process
    # the bot supervises, so a fan-out never delays a command (bot/engineproc.py).
    push_engine: Literal["inline", "process"] = "inline"

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _parse_admin_ids(cls, value: Any) -> frozenset[int]:
        if value is None or value == "":
            return frozenset()
        if isinstance(value, int):
            return frozenset({_check_chat_id(value, "user")})
        if isinstance(value, (list, tuple, set, frozenset)):
            return frozenset(_check_chat_id(int(v), "user") for v in value)
        parts = [p.strip() for p in str(value).split(",") if p.strip()]
        ids = set()
        for part in parts:
            if not part.lstrip("-").isdigit():
                raise ValueError(f"{part!r} is not a numeric Telegram user id")
            ids.add(_check_chat_id(int(part), "user"))
        return frozenset(ids)

    @field_validator("channel_id")
    @classmethod
    def _check_channel_id(cls, value: int | None) -> int | None:
        return None if value is None else _check_chat_id(value, "chat")

    @field_validator("follow_urls", mode="before")
    @classmethod
    def _parse_follow_urls(cls, value: Any) -> tuple[str, ...]:
        if value is None or value == "":
            return ()
        parts = value if isinstance(value, (list, tuple)) else str(value).replace(",", " ").split()
        urls = tuple(str(p).strip() for p in parts if str(p).strip())
        for url in urls:
            if not url.lower().startswith(("http://", "https://")):
                raise ValueError(f"{url[:80]!r} is not an http:// or https:// address")
        return urls

    @field_validator("bot_token", mode="before")
    @classmethod
    def _check_token(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        raw = value.get_secret_value() if isinstance(value, SecretStr) else str(value)
        if not TOKEN_PATTERN.match(raw.strip()):
            # Never echo the value: a near-miss token is still a secret.
            raise ValueError("does not look like a token from @BotFather (digits:secret)")
        return raw.strip()

    @field_validator("database_url", mode="before")
    @classmethod
    def _check_database_url(cls, value: Any) -> Any:
        raw = value.get_secret_value() if isinstance(value, SecretStr) else value
        if raw is None or not str(raw).strip():
            return None
        text = str(raw).strip()
        # Never echo the value: the URL carries the database password.
        if not text.lower().startswith(("postgresql://", "postgres://")):
            raise ValueError(
                "must be a postgresql://user:password@host:port/database URL"
                " (unset it to use the SQLite file DATABASE_PATH)"
            )
        try:
            parts = urlsplit(text)
            _ = parts.port  # a port that is not a number raises here
        except ValueError:
            raise ValueError(
                "is not a valid postgresql:// URL (check the host, the port number, and that"
                " special characters in the password are percent-encoded)"
            ) from None
        return text

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        from bot.localtime import canonical_zone

        name = canonical_zone(value)
        if name is None:
            raise ValueError(f"{value[:64]!r} is not an IANA time zone such as Europe/Berlin")
        return name

    @field_validator("log_level")
    @classmethod
    def _check_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @field_validator("telegram_base_url")
    @classmethod
    def _check_base_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("backup_every", mode="before")
    @classmethod
    def _parse_duration(cls, value: Any) -> Any:
        # "6h", "30m", "90s" or plain seconds.
        if isinstance(value, str):
            text = value.strip().lower()
            units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
            if text and text[-1] in units:
                number = text[:-1].strip()
                try:
                    return float(number) * units[text[-1]]
                except ValueError:
                    raise ValueError("must be seconds or a duration like 30m, 6h, 1d") from None
        return value

    @field_validator("webhook_url")
    @classmethod
    def _check_webhook_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError("must be the public https:// address Telegram posts updates to")
        return value

    @field_validator("webhook_secret", mode="before")
    @classmethod
    def _check_webhook_secret(cls, value: Any) -> Any:
        raw = value.get_secret_value() if isinstance(value, SecretStr) else value
        if raw is None or raw == "":
            return None
        # Telegram's rule for secret_token: 1-256 characters A-Z, a-z, 0-9, _ and -.
        if not WEBHOOK_SECRET_PATTERN.match(str(raw)):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return raw

    @model_validator(mode="after")
    def _check_webhook(self) -> Settings:
        if self.webhook_url is not None and self.webhook_secret is None:
            raise ValueError(
                "WEBHOOK_URL needs WEBHOOK_SECRET (1-256 characters of A-Z, a-z, 0-9, _ and -)"
                ": without it anyone who finds the address can send the bot updates"
            )
        return self

    @model_validator(mode="after")
    def _check_backups(self) -> Settings:
        if self.backup_dir is not None and self.database_url is not None:
            raise ValueError(
                "BACKUP_DIR copies the SQLite file DATABASE_PATH; with DATABASE_URL back up"
                " PostgreSQL with pg_dump (docs/operations.md) and unset BACKUP_DIR"
            )
        return self

    @model_validator(mode="after")
    def _check_push_rate(self) -> Settings:
        ceiling = PAID_PUSH_RATE if self.paid_broadcast else FREE_PUSH_RATE
        if "push_rate" not in self.model_fields_set:
            self.push_rate = ceiling  # paying for paid broadcast should also speed it up
        elif self.push_rate > ceiling:
            hint = (
                "lower it"
                if self.paid_broadcast
                else "set PAID_BROADCAST=true (paid, up to 1000/s) or lower it"
            )
            raise ValueError(
                f"PUSH_RATE {self.push_rate:g} is above Telegram's ceiling of {ceiling:g}"
                f" messages/s{' with paid broadcast' if self.paid_broadcast else ''}: {hint}"
            )
        return self

    @property
    def store(self) -> Path | str:
        """Where the store lives: the DATABASE_URL when set, else the SQLite file."""
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return self.database_path

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values no log line may show: the token, the webhook secret, the database URL
        and its password."""
        found = [s.get_secret_value() for s in (self.bot_token, self.webhook_secret) if s]
        if self.database_url is not None:
            found += url_secrets(self.database_url.get_secret_value())
        return tuple(found)

    @property
    def file_base_url(self) -> str:
        """The file download prefix that belongs to telegram_base_url."""
        if self.telegram_base_file_url:
            return self.telegram_base_file_url
        base = self.telegram_base_url.rstrip("/")
        if base.endswith("/bot"):
            return base[: -len("/bot")] + "/file/bot"
        return base + "/file/bot"

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.admin_ids


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line for the operator."""


def load_settings(**overrides: Any) -> Settings:
    """Load settings, turning validation errors into one readable line."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        message = str(first["msg"]).removeprefix("Value error, ")
        hint = "Fix it in .env or the environment."
        if not first["loc"]:  # a check of several settings names them itself
            raise SettingsError(f"{message}. {hint}") from None
        name = str(first["loc"][0]).upper()
        raise SettingsError(f"Setting {name} {message}. {hint}") from None


MISSING_TOKEN_MESSAGE = (
    "BOT_TOKEN is not set. Get a token from @BotFather and put BOT_TOKEN=... into .env "
    "(see .env.example). To try the bot without a token, run: python -m bot console"
)
