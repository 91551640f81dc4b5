"""Users and their bearer tokens; only a SHA-256 of each token is stored."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, delete, func, select, update

from ..adapters import clock
from ..adapters.db import ConsoleSession, User, aware
from ..domain.errors import Conflict, Invalid, NotFound
from ..domain.text import T, Text
from . import audit

if TYPE_CHECKING:
    from .context import Context

ROLES = ("sales", "admin")
NAME = re.compile(r"[A-Za-z0-9._@-]{1,64}\Z")  # \Z: "$" would let a trailing line feed through
TOKEN_PREFIX = "qa_"


@dataclass(frozen=True)
class Principal:
    """Who is calling: a user's name and role."""

    name: str
    role: str

    def can(self, role: str) -> bool:
        return self.role == "admin" or self.role == role


@dataclass(frozen=True)
class UserInfo:
    name: str
    role: str
    created_at: datetime
    revoked_at: datetime | None
    # Shown to customers as the person who prepared a quote; where their mail goes (optional).
    full_name: str | None = None
    email: str | None = None
    # The language of their mail (tr or en); None: the default language.
    language: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class NewUser:
    """A user just created, with its token: shown once, only its hash is stored."""

    user: UserInfo
    token: str


def hash_token(token: str) -> str:
    # Tokens are 256 random bits, so a plain fast hash is enough: there is
    # nothing to brute-force, and look-ups stay one indexed equality.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _info(user: User) -> UserInfo:
    return UserInfo(user.name, user.role, aware(user.created_at), aware(user.revoked_at), user.full_name, user.email,
                    user.language)


def create_user(
    ctx: Context, name: str, role: str, by: str | None = None, *, full_name: str | None = None, email: str | None = None,
    language: str | None = None,
) -> NewUser:
    """Create (or re-activate a revoked) user with a new token, and optionally their full name, e-mail and
    mail language (checked by the edges' schemas: ``interface/schemas/admin.py`` ``UserDetailsSchema``)."""
    full_name, email = _details(full_name, email)
    language = _language(language)
    if not NAME.match(name):
        raise Invalid(T("A user name is 1-64 of A-Z, a-z, 0-9, '.', '_', '@' and '-'."), {"name": [T("Invalid name.")]})
    if role not in ROLES:
        raise Invalid(T("The role must be one of {roles}.", roles=", ".join(ROLES)), {"role": [T("Unknown role.")]})
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = clock.now()
    with ctx.database.transaction() as session:
        user = session.scalars(select(User).where(User.name == name)).first()
        if user is not None and user.revoked_at is None:
            raise Conflict(T("User {name} already exists; revoke it first to issue a new token.", name=repr(name)))
        before = None
        if user is None:
            user = User(name=name, role=role, token_hash=hash_token(token), created_at=now, full_name=full_name,
                        email=email, language=language)
            session.add(user)
        else:
            before = {"name": name, "role": user.role, "active": False}
            user.role, user.token_hash, user.created_at, user.revoked_at = role, hash_token(token), now, None
            user.password_hash = None  # the name may belong to someone else now: no old password signs in
            user.full_name, user.email = full_name, email  # the name may belong to someone else now
            user.language, user.digest_at, user.seen_at = language, None, None
        after = {"name": name, "role": role, "active": True}
        if full_name is not None or email is not None:
            after.update(full_name=full_name, email=email)
        if language is not None:
            after.update(language=language)
        audit.record(
            session, actor=by, kind="user", action="create", subject=f"user {name}", before=before, after=after,
        )
        session.flush()
        return NewUser(_info(user), token)


def _lock_user_and_admins(session, name: str) -> User | None:
    """The user ``name``, with the rows of every active admin locked too (in one order: no deadlock).

    Two admins demoting or revoking each other at once are then taken one after
    the other, so the second sees the first's change and the last admin stays.
    """
    rows = session.scalars(
        select(User)
        .where((User.name == name) | ((User.role == "admin") & User.revoked_at.is_(None)))
        .order_by(User.id)
        .with_for_update()
    ).all()
    return next((u for u in rows if u.name == name), None)


def _other_active_admins(session, name: str) -> int:
    return session.scalar(
        select(func.count()).select_from(User).where(User.role == "admin", User.revoked_at.is_(None), User.name != name)
    )


def _keep_the_last_admin(session, user: User, message: Text, field_message: Text) -> None:
    """Refuse to take the admin role from the last active admin (nobody could manage users then)."""
    if user.role == "admin" and not _other_active_admins(session, user.name):
        raise Conflict(message, {"name": [field_message]}, kind="last-admin")


def revoke_user(ctx: Context, name: str, by: str | None = None) -> None:
    """Revoke a user's token; the last active admin cannot be revoked (nobody could manage users then)."""
    with ctx.database.transaction() as session:
        user = _lock_user_and_admins(session, name)
        if user is None or user.revoked_at is not None:
            raise NotFound(T("No active user {name}.", name=repr(name)))
        _keep_the_last_admin(
            session, user, T("{name} is the last active admin; create another admin before revoking this one.", name=name),
            T("The last active admin cannot be revoked."),
        )
        user.revoked_at = clock.now()
        session.execute(delete(ConsoleSession).where(ConsoleSession.user_id == user.id))
        audit.record(
            session, actor=by, kind="user", action="revoke", subject=f"user {name}",
            before={"name": name, "role": user.role, "active": True},
            after={"name": name, "role": user.role, "active": False},
        )


def set_role(ctx: Context, name: str, role: str, by: str | None = None) -> UserInfo:
    """Give an active user another role; the last active admin cannot be demoted (as they cannot be revoked).

    Setting the role a user already has changes nothing and records nothing.
    """
    if role not in ROLES:
        raise Invalid(T("The role must be one of {roles}.", roles=", ".join(ROLES)), {"role": [T("Unknown role.")]})
    with ctx.database.transaction() as session:
        user = _lock_user_and_admins(session, name)
        if user is None or user.revoked_at is not None:
            raise NotFound(T("No active user {name}.", name=repr(name)))
        if user.role == role:
            return _info(user)
        if role != "admin":
            _keep_the_last_admin(
                session, user,
                T("{name} is the last active admin; make another user admin before changing this one's role.", name=name),
                T("The last active admin keeps the admin role."),
            )
        before = user.role
        user.role = role
        audit.record(
            session, actor=by, kind="user", action="role", subject=f"user {name}",
            before={"name": name, "role": before}, after={"name": name, "role": role},
        )
        session.flush()
        return _info(user)


# --- full name and e-mail (payments-users) ---------------------------------------------


def _details(full_name: str | None, email: str | None) -> tuple[str | None, str | None]:
    """Blank is none; at most 200 and 254 characters (the columns)."""
    full_name = (full_name or "").strip() or None
    email = (email or "").strip() or None
    errors = {}
    if full_name is not None and len(full_name) > 200:
        errors["full_name"] = [T("At most {max} characters.", max=200)]
    if email is not None and (len(email) > 254 or "@" not in email):
        errors["email"] = [T("An e-mail address such as name@example.com.")]
    if errors:
        raise Invalid(next(iter(errors.values()))[0], errors)
    return full_name, email


# The languages a user's mail may be in (None: the default language, config DEFAULT_LANGUAGE).
USER_LANGUAGES = ("tr", "en")


def _language(code: str | None) -> str | None:
    """Blank is none; otherwise one of :data:`USER_LANGUAGES`."""
    code = (code or "").strip() or None
    if code is not None and code not in USER_LANGUAGES:
        message = T("The language must be one of {languages}.", languages=", ".join(USER_LANGUAGES))
        raise Invalid(message, {"language": [message]})
    return code


def get_user(ctx: Context, name: str) -> UserInfo:
    """One user, active or revoked."""
    with ctx.database.reading() as session:
        user = session.scalars(select(User).where(User.name == name)).first()
        if user is None:
            raise NotFound(T("No user {name}.", name=repr(name)))
        return _info(user)


def set_details(ctx: Context, name: str, changes: dict[str, str | None], by: str | None = None) -> UserInfo:
    """Change an active user's ``full_name``, ``email`` and/or ``language`` (the keys given; None or blank clears one).

    A change is an audit entry with the values before and after; changing nothing records nothing.
    """
    with ctx.database.transaction() as session:
        user = session.scalars(select(User).where(User.name == name).with_for_update()).first()
        if user is None or user.revoked_at is not None:
            raise NotFound(T("No active user {name}.", name=repr(name)))
        full_name, email = _details(changes.get("full_name", user.full_name), changes.get("email", user.email))
        language = _language(changes.get("language", user.language))
        before = {"full_name": user.full_name, "email": user.email}
        after = {"full_name": full_name, "email": email}
        if "language" in changes:
            before["language"], after["language"] = user.language, language
        if before != after:
            user.full_name, user.email, user.language = full_name, email, language
            audit.record(
                session, actor=by, kind="user", action="details", subject=f"user {name}",
                before={"name": name, **before}, after={"name": name, **after},
            )
        session.flush()
        return _info(user)


def list_users(ctx: Context) -> list[UserInfo]:
    """Every user, active or revoked, by name."""
    with ctx.database.reading() as session:
        return [_info(u) for u in session.scalars(select(User).order_by(User.name))]


_USERS = User.__table__
# Built once: a Core statement (no ORM session, identity map or rollback), as every staff request runs it.
_BY_TOKEN = select(_USERS.c.name, _USERS.c.role, _USERS.c.revoked_at).where(
    _USERS.c.token_hash == bindparam("token_hash")
)


def authenticate(ctx: Context, token: str) -> Principal | None:
    """The active user holding ``token``, or None.

    Asked of the database on every call (nothing remembered), so a revocation
    holds from the next request on; one statement outside a transaction
    (``Database.read_row``), the cheapest way to ask it.
    """
    row = ctx.database.read_row(_BY_TOKEN, {"token_hash": hash_token(token)})
    if row is None or row.revoked_at is not None:
        return None
    return Principal(row.name, row.role)


# --- Console passwords (the staff console at /desk) --------------------------------------
#
# Only an argon2id hash (salted, slow: argon2-cffi's RFC 9106 "low memory" profile) is stored
# in users.password_hash. A console session is a row of console_sessions (:func:`start_session`)
# whose cookie keeps the random token and a fingerprint of that hash (:func:`fingerprint`):
# signing out deletes the row, and a new password or a revoked user ends every session at the
# next request.

MIN_PASSWORD = 10
MAX_PASSWORD = 1024
_HASHER = None


def _hasher():
    global _HASHER
    if _HASHER is None:
        from argon2 import PasswordHasher

        _HASHER = PasswordHasher()
    return _HASHER


@dataclass(frozen=True)
class SignedIn:
    """A user who proved their password: what a console session keeps."""

    id: int
    name: str
    role: str
    fingerprint: str

    @property
    def principal(self) -> Principal:
        return Principal(self.name, self.role)


def fingerprint(user: Any) -> str:
    """A short digest of the stored hash and of when the user was (re)created: it changes
    when the password does, and when a revoked user is made again (``create_user``).

    ``user``: a row of the users table (an ORM ``User`` or a Core row)."""
    seed = f"{user.password_hash}|{aware(user.created_at).isoformat()}"
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()[:32]


def set_password(ctx: Context, name: str, password: str, by: str | None = None) -> None:
    """Give an active user a console password (replacing any earlier one)."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        message = T("A password is {min} to {max} characters long.", min=MIN_PASSWORD, max=MAX_PASSWORD)
        raise Invalid(message, {"password": [message]})
    hashed = _hasher().hash(password)
    with ctx.database.transaction() as session:
        user = session.scalars(select(User).where(User.name == name).with_for_update()).first()
        if user is None or user.revoked_at is not None:
            raise NotFound(T("No active user {name}.", name=repr(name)))
        had = user.password_hash is not None
        user.password_hash = hashed
        session.execute(delete(ConsoleSession).where(ConsoleSession.user_id == user.id))  # a new password signs out everywhere
        audit.record(
            session, actor=by, kind="user", action="password", subject=f"user {name}",
            before={"name": name, "password": had}, after={"name": name, "password": True},
        )


# A hash of a password nobody has: checked when the user does not exist, so that a wrong
# user name takes as long as a wrong password.
_DUMMY_HASH = None


def check_password(ctx: Context, name: str, password: str) -> SignedIn:
    """The active user ``name`` if ``password`` is theirs; :class:`Invalid` otherwise (one message for every case)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    global _DUMMY_HASH
    wrong = Invalid(T("The user name or the password is wrong."))
    if not name or not password or len(password) > MAX_PASSWORD:
        raise wrong
    with ctx.database.reading() as session:
        user = session.scalars(select(User).where(User.name == name)).first()
        found = None if user is None else (user.id, user.name, user.role, user.password_hash, user.revoked_at,
                                           None if user.password_hash is None else fingerprint(user))
    if found is None or found[3] is None or found[4] is not None:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = _hasher().hash(secrets.token_urlsafe(16))
        try:
            _hasher().verify(_DUMMY_HASH, password)
        except VerificationError:
            pass
        raise wrong
    user_id, user_name, role, stored, _, seen = found
    try:
        _hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        raise wrong from None
    return SignedIn(user_id, user_name, role, seen)


def start_session(ctx: Context, user: SignedIn, lifetime_seconds: float) -> str:
    """A new console session of ``user`` lasting ``lifetime_seconds``: the token its cookie keeps.

    Only the token's hash is stored. Sessions that have ended on their own are swept out here,
    so the table holds about one row per open session.
    """
    token = secrets.token_urlsafe(32)
    now = clock.now()
    with ctx.database.transaction() as session:
        session.execute(delete(ConsoleSession).where(ConsoleSession.expires_at <= now))
        session.add(ConsoleSession(token_hash=hash_token(token), user_id=user.id, created_at=now,
                                   expires_at=now + timedelta(seconds=lifetime_seconds)))
    return token


def end_session(ctx: Context, token: str) -> None:
    """Sign out: the session whose cookie keeps ``token`` ends, for every copy of that cookie."""
    with ctx.database.transaction() as session:
        session.execute(delete(ConsoleSession).where(ConsoleSession.token_hash == hash_token(token)))


_SESSION_USER = (
    select(User.id, User.name, User.role, User.password_hash, User.created_at, User.revoked_at, ConsoleSession.expires_at)
    .join(ConsoleSession, ConsoleSession.user_id == User.id)
    .where(ConsoleSession.token_hash == bindparam("token_hash"))
)


def session_user(ctx: Context, token: str, fingerprint_seen: str, lifetime_seconds: float) -> SignedIn | None:
    """The user of the open console session keeping ``token``, still active with the same password; None ends it.

    A session ends ``lifetime_seconds`` after its last use: once half of that has passed, this use moves its
    end (one write every few hours, not one a request).
    """
    if not token:
        return None
    token_hash = hash_token(token)
    row = ctx.database.read_row(_SESSION_USER, {"token_hash": token_hash})
    now = clock.now()
    if row is None or row.revoked_at is not None or row.password_hash is None or aware(row.expires_at) <= now:
        return None
    user = SignedIn(row.id, row.name, row.role, fingerprint(row))
    if not secrets.compare_digest(user.fingerprint, fingerprint_seen):
        return None
    lifetime = timedelta(seconds=lifetime_seconds)
    if aware(row.expires_at) - now < lifetime / 2:
        with ctx.database.transaction() as session:
            session.execute(update(ConsoleSession).where(ConsoleSession.token_hash == token_hash)
                            .values(expires_at=now + lifetime))
    return user
