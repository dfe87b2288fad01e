"""Staff passwords, session tokens and CSRF tokens. Pure functions, no database.

- Passwords are hashed with Argon2id (argon2-cffi's defaults, the RFC 9106 low-memory profile); a hash made
  with older parameters is upgraded at the next sign-in.
- The password rule follows the NCSC's advice, length over complexity: at least 12 characters (three
  random words are ideal), no composition rules, and no password that zxcvbn (Dropbox's estimator, with
  its lists of common passwords, names and keyboard patterns) can guess in under about 10^8 tries, or that
  contains the person's own e-mail address or name.
- A session is a random 256-bit token. The cookie carries it signed (itsdangerous, with SECRET_KEY); the
  database keeps only its SHA-256, so a copy of the database cannot be used to sign in.
- CSRF: the signed double-submit pattern. Each browser gets a random token in a cookie; every form
  carries the same token in a hidden field; a state-changing request is refused unless both are present,
  equal, and the cookie's signature is good. Staff get a fresh token at sign-in.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from itsdangerous import BadSignature, URLSafeSerializer
from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 256
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable: moderate protection from offline slow-hash scenario"


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> tuple[bool, bool]:
    """(matches, needs rehash). A missing or corrupt hash never matches."""
    if not stored_hash:
        return False, False
    try:
        _hasher().verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False, False
    return True, _hasher().check_needs_rehash(stored_hash)


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why this password is refused, in plain words; None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Your password must be at least {MIN_LENGTH} characters long. Three random words work well."
    if len(password) > MAX_LENGTH:
        return f"Your password must be {MAX_LENGTH} characters or fewer"
    lowered = password.lower()
    own = [
        part for part in [email.lower(), email.lower().split("@")[0], *name.lower().split()] if len(part) >= 4
    ]
    if any(part in lowered for part in own):
        return "Your password must not contain your e-mail address or your name"
    result = zxcvbn(password[:100], user_inputs=own)
    if result["score"] < MIN_SCORE:
        warning = result["feedback"].get("warning") or "It would be too easy to guess."
        return f"Choose a password that is harder to guess. {warning} Three random words work well."
    return None


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What the database stores for a session token."""
    return hashlib.sha256(token.encode()).hexdigest()


def _serializer(secret_key: str, salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=salt)


def sign(secret_key: str, salt: str, token: str) -> str:
    return _serializer(secret_key, salt).dumps(token)


def unsign(secret_key: str, salt: str, value: str | None) -> str | None:
    """The token inside a signed cookie value, or None if it is missing or was tampered with."""
    if not value:
        return None
    try:
        token = _serializer(secret_key, salt).loads(value)
    except BadSignature:
        return None
    return token if isinstance(token, str) else None


def same(a: str | None, b: str | None) -> bool:
    """Constant-time comparison of two tokens; False if either is missing."""
    return bool(a) and bool(b) and hmac.compare_digest(a.encode(), b.encode())
