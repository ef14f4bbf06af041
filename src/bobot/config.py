"""Settings, read once from the environment by the entry points (never at import time)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import time
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bobot.domain.calendar import ShopCalendar, parse_holidays, parse_ship_days

DEV_SECRET = "dev-only-secret-change-me"

#: Every environment variable bobot reads, with its default and meaning (the README's table).
VARIABLES: dict[str, tuple[str, str]] = {
    "DATABASE_URL": (
        "sqlite://var/bobot.sqlite3",
        "Tortoise database URL: sqlite://PATH or postgres://USER:PASS@HOST:PORT/DB",
    ),
    "BOBOT_ENV": (
        "development",
        "development (GraphiQL on) or production (GraphiQL off, secret required)",
    ),
    "BOBOT_SECRET_KEY": (DEV_SECRET, "secret for signed customer links; must be set in production"),
    "BOBOT_PUBLIC_URL": (
        "http://127.0.0.1:8000",
        "the base of every link in a message (customer pages live under /l/)",
    ),
    "BOBOT_SHOP_NAME": ("bobot demo shop", "the shop's name, shown on customer pages and emails"),
    "BOBOT_LINK_DAYS": ("90", "days a signed customer link keeps working"),
    "BOBOT_SILENT_CONSENT_DAYS": (
        "30",
        "a first, definite delay of at most this many days past the promise is accepted by "
        "silence; longer ones need the customer's yes",
    ),
    "BOBOT_INVITE_HOLD_HOURS": (
        "48",
        "hours a waitlist invitation holds its units for the customer before they go to the next",
    ),
    "BOBOT_SMTP_URL": (
        "",
        "where email goes: smtp://host:port, smtp+starttls://user:pass@host:587 or "
        "smtps://user:pass@host:465; unset: kept locally and shown at /dev/mail (development)",
    ),
    "BOBOT_MAIL_FROM": ("bobot demo shop <shop@localhost>", "the From address of customer email"),
    "BOBOT_MAIL_REPLY_TO": ("", "the Reply-To address of customer email (unset: none)"),
    "BOBOT_SHIPPING_COST": ("4.95", "shipping cost of each shipment"),
    "BOBOT_CURRENCY": ("USD", "currency of costs"),
    "BOBOT_HANDLING_DAYS": ("1", "ship days from stock arriving to the parcel leaving"),
    "BOBOT_PROMISE_MARGIN_DAYS": (
        "2",
        "ship days added to the expected date when a date is promised (the shop-wide"
        " margin; with learned margins on, the prior before any delivery is recorded)",
    ),
    "BOBOT_LEARNED_MARGINS": (
        "on",
        "on: each supplier's promise margin is learned from its deliveries (its delay at"
        " `BOBOT_PROMISE_QUANTILE`); off: every promise adds `BOBOT_PROMISE_MARGIN_DAYS`",
    ),
    "BOBOT_PROMISE_QUANTILE": (
        "0.9",
        "share of a supplier's deliveries a learned margin covers, between 0 and 1 (exclusive)",
    ),
    "BOBOT_TIMEZONE": (
        "UTC",
        "the shop's IANA time zone (e.g. Europe/Berlin): today, lateness, dates shown, and"
        " how an offset-less `backordersEndAt` is read",
    ),
    "BOBOT_SHIP_DAYS": ("Mon-Fri", "days the shop ships, e.g. `Mon-Sat` or `Mon,Tue,Sat`"),
    "BOBOT_HOLIDAYS": ("", "comma-separated ISO dates the shop does not ship, e.g. `2026-12-25`"),
    "BOBOT_DEFAULT_LEAD_DAYS": (
        "28",
        "lead time assumed for a product with no active supplier offer",
    ),
    "BOBOT_AGING_DAYS": ("14", "days a backorder may wait before a BACKORDER_AGING alert"),
    "BOBOT_SERVICE_LEVEL": (
        "0.95",
        "share of lead times the safety stock should cover without running out (0.5-0.999):"
        " the demand outlook's safety stock and reorder point",
    ),
    "BOBOT_FORECAST_PROCESSES": (
        "1",
        "processes that fit the demand outlook's forecasts, off the event loop (0: a thread)",
    ),
    "BOBOT_WORKER_INTERVAL": ("30", "seconds between the worker's periodic runs"),
    "BOBOT_WORKER_POLL": ("1", "seconds between the worker's looks at new history"),
    "BOBOT_DB_POOL_MAX": ("10", "PostgreSQL connection pool size per process"),
    "BOBOT_HOST": ("127.0.0.1", "address `bobot serve` binds"),
    "BOBOT_PORT": ("8000", "port `bobot serve` binds"),
    "BOBOT_OUTBOX_MAX_ATTEMPTS": ("8", "attempts at a delivery before it is marked FAILED"),
    "BOBOT_OUTBOX_BACKOFF": (
        "2",
        "seconds before a delivery's second attempt, doubling after (with jitter)",
    ),
    "BOBOT_OUTBOX_LEASE": ("120", "seconds a worker's claim keeps other workers off a delivery"),
    "BOBOT_OUTBOX_CONCURRENCY": ("16", "deliveries a worker sends at once"),
    "BOBOT_OUTBOX_BATCH": ("200", "deliveries a worker claims at a time"),
    "BOBOT_WEBHOOK_TIMEOUT": ("10", "seconds a webhook receiver has to answer"),
    "BOBOT_WEBHOOK_ALLOW_PRIVATE": (
        "0",
        "set (to 1) to allow webhook URLs on loopback, link-local or private addresses"
        " in production",
    ),
    "BOBOT_MAX_BODY_BYTES": (
        "262144",
        "largest request body accepted (bytes); a larger one gets HTTP 413",
    ),
    "BOBOT_CORS_ORIGINS": (
        "",
        "comma-separated browser origins allowed to call the API (CORS); empty: none",
    ),
    "BOBOT_WRITE_RATE": (
        "",
        "mutations allowed per token, e.g. `60/min` (also `/s`, `/hour`); empty: no limit."
        " Beyond it: `RATE_LIMITED`, HTTP 429 and `Retry-After`",
    ),
    "SLACK_BOT_TOKEN": (
        "",
        "the bot's `xoxb-` token; without it (or the secret) the bot is off, and in development"
        " its messages are logged and shown at /dev/slack",
    ),
    "SLACK_SIGNING_SECRET": ("", "the Slack app's signing secret, to verify requests"),
    "SLACK_API_URL": (
        "https://slack.com/api/",
        "the Slack Web API base URL (point it at a stand-in to try the bot offline)",
    ),
    "SLACK_ALERT_CHANNEL": ("", "channel ID where gap alerts and the daily digest are posted"),
    "SLACK_STAFF_IDS": ("", "comma-separated Slack user IDs treated as staff"),
    "SLACK_APPROVER_IDS": (
        "",
        "comma-separated Slack user IDs who may approve or reject supplier switches "
        "(they count as staff too)",
    ),
    "SLACK_STAFF_GROUPS": (
        "",
        "comma-separated Slack user group IDs (`S...`) whose members are staff",
    ),
    "SLACK_APPROVER_GROUPS": (
        "",
        "comma-separated Slack user group IDs whose members are approvers (and staff);"
        " checked afresh on each approval",
    ),
    "SLACK_GROUP_CACHE_SECONDS": (
        "300",
        "seconds the members of a Slack user group are kept before they are read again",
    ),
    "SLACK_DIGEST_AT": ("08:00", "shop time (HH:MM) of the daily digest"),
    "SLACK_APP_TOKEN": ("", "optional `xapp-` token: connect by Socket Mode instead of HTTP"),
}


@dataclass(frozen=True)
class Rate:
    """``count`` writes per ``seconds``, written ``60/min``, ``10/s`` or ``1000/hour``."""

    count: int
    seconds: float

    @classmethod
    def parse(cls, text: str) -> Rate:
        count, _, unit = text.strip().partition("/")
        seconds = _RATE_UNITS.get(unit.strip().lower())
        if not count.strip().isdigit() or int(count) < 1 or seconds is None:
            raise ConfigError(f"a rate is N/s, N/min or N/hour, got {text!r}")
        return cls(int(count), seconds)


_RATE_UNITS = {"s": 1.0, "second": 1.0, "min": 60.0, "minute": 60.0, "h": 3600.0, "hour": 3600.0}


class ConfigError(ValueError):
    pass


_SWITCH = {
    "on": True,
    "1": True,
    "true": True,
    "yes": True,
    "off": False,
    "0": False,
    "false": False,
    "no": False,
}


@dataclass(frozen=True)
class Settings:
    database_url: str = VARIABLES["DATABASE_URL"][0]
    env: str = "development"
    secret_key: str = DEV_SECRET
    public_url: str = "http://127.0.0.1:8000"
    shop_name: str = "bobot demo shop"
    link_days: int = 90
    silent_consent_days: int = 30
    invite_hold_hours: int = 48
    smtp_url: str = ""
    mail_from: str = "bobot demo shop <shop@localhost>"
    mail_reply_to: str = ""
    shipping_cost: Decimal = Decimal("4.95")
    currency: str = "USD"
    handling_days: int = 1
    promise_margin_days: int = 2
    learned_margins: bool = True
    promise_quantile: float = 0.9
    default_lead_days: int = 28
    aging_days: int = 14
    service_level: float = 0.95
    forecast_processes: int = 1
    worker_interval: float = 30.0
    worker_poll: float = 1.0
    db_pool_max: int = 10
    host: str = "127.0.0.1"
    port: int = 8000
    calendar: ShopCalendar = field(default_factory=ShopCalendar)
    outbox_max_attempts: int = 8
    outbox_backoff: float = 2.0
    outbox_lease: float = 120.0
    outbox_concurrency: int = 16
    outbox_batch: int = 200
    webhook_timeout: float = 10.0
    webhook_allow_private: bool = False
    max_body_bytes: int = 262_144
    cors_origins: tuple[str, ...] = ()
    write_rate: Rate | None = None
    slack_bot_token: str = ""
    slack_signing_secret: str = ""
    slack_api_url: str = VARIABLES["SLACK_API_URL"][0]
    slack_alert_channel: str = ""
    slack_staff_ids: frozenset[str] = frozenset()
    slack_approver_ids: frozenset[str] = frozenset()
    slack_staff_groups: frozenset[str] = frozenset()
    slack_approver_groups: frozenset[str] = frozenset()
    slack_group_cache_seconds: float = 300.0
    slack_digest_at: time = time(8, 0)
    slack_app_token: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def debug(self) -> bool:
        return self.env == "development"

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def slack_enabled(self) -> bool:
        """The bot runs when it has a token and the secret that signs Slack's requests."""
        return bool(self.slack_bot_token and self.slack_signing_secret)

    @property
    def slack_preview(self) -> bool:
        """Development without Slack: the bot's messages are logged instead of sent
        (:mod:`bobot.slack.preview`)."""
        return self.debug and not self.slack_enabled

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ

        def get(name: str) -> str:
            return env.get(name, VARIABLES[name][0])

        def integer(name: str, minimum: int = 0) -> int:
            raw = get(name)
            try:
                value = int(raw)
            except ValueError:
                raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
            if value < minimum:
                raise ConfigError(f"{name} must be at least {minimum}, got {value}")
            return value

        try:
            shipping_cost = Decimal(get("BOBOT_SHIPPING_COST"))
        except InvalidOperation:
            raise ConfigError("BOBOT_SHIPPING_COST must be a decimal number") from None
        mode = get("BOBOT_ENV")
        if mode not in ("development", "production"):
            raise ConfigError(f"BOBOT_ENV must be development or production, got {mode!r}")
        secret = get("BOBOT_SECRET_KEY")
        if mode == "production" and secret == DEV_SECRET:
            raise ConfigError("BOBOT_SECRET_KEY must be set in production")

        public_url = get("BOBOT_PUBLIC_URL").rstrip("/")
        if urlsplit(public_url).scheme not in ("http", "https") or not urlsplit(public_url).netloc:
            raise ConfigError(
                f"BOBOT_PUBLIC_URL must be an http(s) URL such as https://shop.example, "
                f"got {public_url!r}"
            )

        smtp_url = get("BOBOT_SMTP_URL").strip()
        if smtp_url and urlsplit(smtp_url).scheme not in ("smtp", "smtp+starttls", "smtps"):
            raise ConfigError(
                "BOBOT_SMTP_URL must be smtp://host:port, smtp+starttls://... or smtps://..., "
                f"got {smtp_url!r}"
            )
        mail_from = get("BOBOT_MAIL_FROM").strip()
        if "@" not in mail_from:
            raise ConfigError(f"BOBOT_MAIL_FROM must be an email address, got {mail_from!r}")

        def seconds(name: str) -> float:
            try:
                value = float(get(name))
            except ValueError:
                raise ConfigError(f"{name} must be a number of seconds") from None
            if value <= 0:
                raise ConfigError(f"{name} must be more than 0 seconds")
            return value

        def user_ids(name: str) -> frozenset[str]:
            return frozenset(part.strip() for part in get(name).split(",") if part.strip())

        learned = get("BOBOT_LEARNED_MARGINS").strip().lower()
        if learned not in _SWITCH:
            raise ConfigError(f"BOBOT_LEARNED_MARGINS must be on or off, got {learned!r}")
        raw_quantile = get("BOBOT_PROMISE_QUANTILE")
        try:
            quantile = float(raw_quantile)
        except ValueError:
            quantile = float("nan")
        if not 0 < quantile < 1:  # also refuses nan
            raise ConfigError(
                f"BOBOT_PROMISE_QUANTILE must be a number between 0 and 1 (exclusive), "
                f"such as 0.9, got {raw_quantile!r}"
            )

        digest_at = get("SLACK_DIGEST_AT")
        try:
            hour, minute = (int(part) for part in digest_at.split(":"))
            digest_time = time(hour, minute)
        except ValueError:
            raise ConfigError(f"SLACK_DIGEST_AT must be HH:MM, got {digest_at!r}") from None

        return cls(
            calendar=_calendar(get),
            database_url=get("DATABASE_URL"),
            env=mode,
            secret_key=secret,
            public_url=public_url,
            shop_name=get("BOBOT_SHOP_NAME").strip() or VARIABLES["BOBOT_SHOP_NAME"][0],
            link_days=integer("BOBOT_LINK_DAYS", 1),
            silent_consent_days=integer("BOBOT_SILENT_CONSENT_DAYS"),
            invite_hold_hours=integer("BOBOT_INVITE_HOLD_HOURS", 1),
            smtp_url=smtp_url,
            mail_from=mail_from,
            mail_reply_to=get("BOBOT_MAIL_REPLY_TO").strip(),
            shipping_cost=shipping_cost,
            currency=get("BOBOT_CURRENCY"),
            handling_days=integer("BOBOT_HANDLING_DAYS"),
            promise_margin_days=integer("BOBOT_PROMISE_MARGIN_DAYS"),
            learned_margins=_SWITCH[learned],
            promise_quantile=quantile,
            default_lead_days=integer("BOBOT_DEFAULT_LEAD_DAYS", 1),
            aging_days=integer("BOBOT_AGING_DAYS", 1),
            service_level=_service_level(get("BOBOT_SERVICE_LEVEL")),
            forecast_processes=integer("BOBOT_FORECAST_PROCESSES"),
            worker_interval=seconds("BOBOT_WORKER_INTERVAL"),
            worker_poll=seconds("BOBOT_WORKER_POLL"),
            db_pool_max=integer("BOBOT_DB_POOL_MAX", 1),
            host=get("BOBOT_HOST"),
            port=integer("BOBOT_PORT", 1),
            outbox_max_attempts=integer("BOBOT_OUTBOX_MAX_ATTEMPTS", 1),
            outbox_backoff=seconds("BOBOT_OUTBOX_BACKOFF"),
            outbox_lease=seconds("BOBOT_OUTBOX_LEASE"),
            outbox_concurrency=integer("BOBOT_OUTBOX_CONCURRENCY", 1),
            outbox_batch=integer("BOBOT_OUTBOX_BATCH", 1),
            webhook_timeout=seconds("BOBOT_WEBHOOK_TIMEOUT"),
            webhook_allow_private=get("BOBOT_WEBHOOK_ALLOW_PRIVATE").lower()
            in ("1", "true", "yes", "on"),
            max_body_bytes=integer("BOBOT_MAX_BODY_BYTES", 1024),
            cors_origins=tuple(
                origin.strip() for origin in get("BOBOT_CORS_ORIGINS").split(",") if origin.strip()
            ),
            write_rate=Rate.parse(rate) if (rate := get("BOBOT_WRITE_RATE").strip()) else None,
            slack_bot_token=get("SLACK_BOT_TOKEN"),
            slack_signing_secret=get("SLACK_SIGNING_SECRET"),
            slack_api_url=get("SLACK_API_URL"),
            slack_alert_channel=get("SLACK_ALERT_CHANNEL"),
            slack_staff_ids=user_ids("SLACK_STAFF_IDS"),
            slack_approver_ids=user_ids("SLACK_APPROVER_IDS"),
            slack_staff_groups=user_ids("SLACK_STAFF_GROUPS"),
            slack_approver_groups=user_ids("SLACK_APPROVER_GROUPS"),
            slack_group_cache_seconds=seconds("SLACK_GROUP_CACHE_SECONDS"),
            slack_digest_at=digest_time,
            slack_app_token=get("SLACK_APP_TOKEN"),
        )


def _service_level(text: str) -> float:
    try:
        level = float(text)
    except ValueError:
        level = -1.0
    if not 0.5 <= level <= 0.999:
        raise ConfigError(f"BOBOT_SERVICE_LEVEL must be between 0.5 and 0.999, got {text!r}")
    return level


def _calendar(get: Callable[[str], str]) -> ShopCalendar:
    name = get("BOBOT_TIMEZONE").strip()
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ConfigError(
            f"BOBOT_TIMEZONE must be an IANA time zone such as Europe/Berlin, got {name!r}"
        ) from None
    try:
        ship_days = parse_ship_days(get("BOBOT_SHIP_DAYS"))
    except ValueError as error:
        raise ConfigError(f"BOBOT_SHIP_DAYS: {error}") from None
    try:
        holidays = parse_holidays(get("BOBOT_HOLIDAYS"))
    except ValueError as error:
        raise ConfigError(f"BOBOT_HOLIDAYS: {error}") from None
    return ShopCalendar(zone=zone, ship_days=ship_days, holidays=holidays)
