"""Settings come from the environment (or a `.env` file in the project root).

Every setting is declared once in `SETTINGS` below; `.env.example` and the README list the same names and a
test keeps the three in step.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from starlette.config import Config

from portal import paths

DEV_SECRET = "dev-only-insecure-secret-change-me"  # noqa: S105 - refused outside development, see validate()


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("ENVIRONMENT", "development", "development or production; production refuses the dev secret"),
    Setting("DATABASE_URL", "", "SQLAlchemy URL; empty means SQLite at var/portal.sqlite3"),
    Setting("SECRET_KEY", DEV_SECRET, "signs cookies and tokens; must be set in production"),
    Setting("HOST", "127.0.0.1", "address `python -m portal serve` binds to"),
    Setting("PORT", "8000", "port `python -m portal serve` listens on"),
    Setting("WORKERS", "1", "uvicorn worker processes for `python -m portal serve`"),
    Setting(
        "FORWARDED_ALLOW_IPS",
        "127.0.0.1",
        "proxies trusted for X-Forwarded-Proto/-For (comma-separated addresses, or *)",
    ),
    Setting(
        "DATABASE_CONNECT_TIMEOUT",
        "5",
        "seconds a new PostgreSQL connection may take before the page says the service is unavailable",
    ),
    Setting("VAR_DIR", "", "writable folder for the SQLite database and search index; empty means var/"),
    Setting("MAP_TILES_URL", "", "Leaflet tile URL template for map backgrounds; empty means no tiles"),
    Setting("MAP_TILES_ATTRIBUTION", "", "attribution shown with the map tiles"),
    Setting("LOG_LEVEL", "info", "uvicorn/portal log level"),
    Setting("WARM_CACHES", "true", "render every ward map in the background at start (true/false)"),
    Setting("CACHE_CHECK_SECONDS", "1", "how often a process checks whether content changed (page cache)"),
    Setting("SEARCH_SYNC_SECONDS", "5", "how often a process brings its search index up to date (0: never)"),
    Setting("STAFF_API_TOKEN", "", "bearer token for the staff explanation API; empty switches the API off"),
    Setting("SESSION_IDLE_MINUTES", "30", "a staff session ends after this many minutes without a request"),
    Setting("SESSION_MAX_HOURS", "12", "a staff session ends this many hours after sign-in, however active"),
    Setting("SIGN_IN_MAX_FAILURES", "5", "failed sign-ins in a row before an account is locked"),
    Setting("SIGN_IN_LOCK_MINUTES", "15", "how long a locked account waits; also the window for the next"),
    Setting("SIGN_IN_ADDRESS_LIMIT", "30", "failed sign-ins from one address in that window before it waits"),
    Setting(
        "SITE_URL", "http://127.0.0.1:8000", "the public address, for links in e-mails (no trailing slash)"
    ),
    Setting(
        "EXPORT_DYNAMIC_ORIGIN",
        "",
        "`export-static`: where forms, search and staff stay (https://…; empty means SITE_URL)",
    ),
    Setting("MAIL_FROM", "Neighbourhood Pledge Portal <no-reply@localhost>", "From: of every e-mail sent"),
    Setting("SMTP_HOST", "127.0.0.1", "SMTP server `send-mail` delivers the outbox to"),
    Setting("SMTP_PORT", "25", "its port"),
    Setting("SMTP_USERNAME", "", "SMTP login (empty: none)"),
    Setting("SMTP_PASSWORD", "", "SMTP password"),
    Setting("SMTP_SECURITY", "none", "none, starttls or ssl"),
    Setting(
        "MAIL_MAX_ATTEMPTS", "8", "delivery attempts before an e-mail is reported as failing (it is kept)"
    ),
    Setting("CONTACT_FALLBACK_EMAIL", "", "where a team's messages go when it has no e-mail address"),
    Setting("CONTACT_LIMIT_PER_ADDRESS_HOUR", "10", "submissions from one network address per hour"),
    Setting("CONTACT_LIMIT_PER_EMAIL_DAY", "10", "submissions giving one e-mail address per day"),
    Setting("RETENTION_DAYS", "365", "`purge` erases the personal details of submissions older than this"),
    Setting("MAX_BODY_BYTES", "1048576", "largest request body accepted (413 beyond it), except uploads"),
    Setting(
        "MAX_UPLOAD_BYTES", "22020096", "largest multipart (file upload) body to a staff page (413 beyond)"
    ),
)
MIN_TOKEN_LENGTH = 16


@dataclass(frozen=True)
class Settings:
    environment: str = "development"
    database_url: str = ""
    database_connect_timeout: float = 5.0
    secret_key: str = DEV_SECRET
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    forwarded_allow_ips: str = "127.0.0.1"
    var_dir: Path = field(default_factory=lambda: paths.VAR)
    map_tiles_url: str = ""
    map_tiles_attribution: str = ""
    log_level: str = "info"
    cache_check_seconds: float = 1.0
    search_sync_seconds: float = 5.0
    warm_caches: bool = True
    staff_api_token: str = field(default="", repr=False)  # a secret: kept out of logs and tracebacks
    session_idle_minutes: int = 30
    session_max_hours: int = 12
    sign_in_max_failures: int = 5
    sign_in_lock_minutes: int = 15
    sign_in_address_limit: int = 30
    site_url: str = "http://127.0.0.1:8000"
    export_dynamic_origin: str = ""
    mail_from: str = "Neighbourhood Pledge Portal <no-reply@localhost>"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_security: str = "none"
    mail_max_attempts: int = 8
    contact_fallback_email: str = ""
    contact_limit_per_address_hour: int = 10
    contact_limit_per_email_day: int = 10
    retention_days: int = 365
    max_body_bytes: int = 1024 * 1024
    max_upload_bytes: int = 21 * 1024 * 1024  # above photos.MAX_READ_BYTES, so the photo form says why

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env_file = paths.ROOT / ".env"
        config = Config(env_file if env_file.exists() else None, environ=environ or os.environ)
        raw = {s.name: config(s.name, cast=str, default=s.default) for s in SETTINGS}
        var_dir = Path(raw["VAR_DIR"]) if raw["VAR_DIR"] else paths.VAR
        settings = cls(
            environment=raw["ENVIRONMENT"],
            database_url=raw["DATABASE_URL"] or sqlite_url(var_dir / "portal.sqlite3"),
            database_connect_timeout=_float(raw, "DATABASE_CONNECT_TIMEOUT"),
            secret_key=raw["SECRET_KEY"],
            host=raw["HOST"],
            port=_int(raw, "PORT"),
            workers=_int(raw, "WORKERS"),
            forwarded_allow_ips=raw["FORWARDED_ALLOW_IPS"],
            var_dir=var_dir,
            map_tiles_url=raw["MAP_TILES_URL"],
            map_tiles_attribution=raw["MAP_TILES_ATTRIBUTION"],
            log_level=raw["LOG_LEVEL"],
            cache_check_seconds=_float(raw, "CACHE_CHECK_SECONDS"),
            search_sync_seconds=_float(raw, "SEARCH_SYNC_SECONDS"),
            warm_caches=_bool(raw, "WARM_CACHES"),
            staff_api_token=raw["STAFF_API_TOKEN"].strip(),
            session_idle_minutes=_int(raw, "SESSION_IDLE_MINUTES"),
            session_max_hours=_int(raw, "SESSION_MAX_HOURS"),
            sign_in_max_failures=_int(raw, "SIGN_IN_MAX_FAILURES"),
            sign_in_lock_minutes=_int(raw, "SIGN_IN_LOCK_MINUTES"),
            sign_in_address_limit=_int(raw, "SIGN_IN_ADDRESS_LIMIT"),
            site_url=raw["SITE_URL"].rstrip("/"),
            export_dynamic_origin=raw["EXPORT_DYNAMIC_ORIGIN"].strip().rstrip("/"),
            mail_from=raw["MAIL_FROM"],
            smtp_host=raw["SMTP_HOST"],
            smtp_port=_int(raw, "SMTP_PORT"),
            smtp_username=raw["SMTP_USERNAME"],
            smtp_password=raw["SMTP_PASSWORD"],
            smtp_security=raw["SMTP_SECURITY"].strip().lower(),
            mail_max_attempts=_int(raw, "MAIL_MAX_ATTEMPTS"),
            contact_fallback_email=raw["CONTACT_FALLBACK_EMAIL"].strip(),
            contact_limit_per_address_hour=_int(raw, "CONTACT_LIMIT_PER_ADDRESS_HOUR"),
            contact_limit_per_email_day=_int(raw, "CONTACT_LIMIT_PER_EMAIL_DAY"),
            retention_days=_int(raw, "RETENTION_DAYS"),
            max_body_bytes=_int(raw, "MAX_BODY_BYTES"),
            max_upload_bytes=_int(raw, "MAX_UPLOAD_BYTES"),
        )
        settings.validate()
        return settings

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)

    def validate(self) -> None:
        if self.environment not in {"development", "production"}:
            raise SettingsError("ENVIRONMENT must be 'development' or 'production'")
        if self.environment == "production" and self.secret_key == DEV_SECRET:
            raise SettingsError("SECRET_KEY must be set in production")
        if self.staff_api_token and len(self.staff_api_token) < MIN_TOKEN_LENGTH:
            raise SettingsError(
                f"STAFF_API_TOKEN must be at least {MIN_TOKEN_LENGTH} characters (or empty: the API is off)"
            )

        for name in (
            "session_idle_minutes",
            "session_max_hours",
            "sign_in_max_failures",
            "sign_in_lock_minutes",
            "sign_in_address_limit",
            "mail_max_attempts",
            "contact_limit_per_address_hour",
            "contact_limit_per_email_day",
            "retention_days",
            "max_body_bytes",
            "max_upload_bytes",
        ):
            if getattr(self, name) < 1:
                raise SettingsError(f"{name.upper()} must be at least 1")

        if self.database_connect_timeout <= 0:
            raise SettingsError("DATABASE_CONNECT_TIMEOUT must be a number of seconds above 0")
        if self.smtp_security not in {"none", "starttls", "ssl"}:
            raise SettingsError("SMTP_SECURITY must be none, starttls or ssl")
        if not self.site_url.startswith(("http://", "https://")):
            raise SettingsError("SITE_URL must start with http:// or https://")
        if self.export_dynamic_origin and not self.export_dynamic_origin.startswith(("http://", "https://")):
            raise SettingsError("EXPORT_DYNAMIC_ORIGIN must start with http:// or https:// (or be empty)")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


class SettingsError(ValueError):
    pass


def _int(raw: dict[str, str], name: str) -> int:
    try:
        return int(raw[name])
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw[name]!r}") from None


def _bool(raw: dict[str, str], name: str) -> bool:
    value = raw[name].strip().lower()
    if value not in {"true", "false", "1", "0", "yes", "no"}:
        raise SettingsError(f"{name} must be true or false, not {raw[name]!r}")
    return value in {"true", "1", "yes"}


def _float(raw: dict[str, str], name: str) -> float:
    try:
        return float(raw[name])
    except ValueError:
        raise SettingsError(f"{name} must be a number of seconds, not {raw[name]!r}") from None


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"
