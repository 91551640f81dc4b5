"""One :class:`Database` per app: the engine, the session factory, transactions."""

from __future__ import annotations

import functools
import json
import logging
import math
import threading
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Iterator

import orjson
from sqlalchemy import create_engine, event, select
from sqlalchemy.engine import Connection, Engine, Row, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

# Defaults of QUOTEAPI_DB_CONNECT_TIMEOUT and QUOTEAPI_DB_STATEMENT_TIMEOUT (seconds).
CONNECT_TIMEOUT = 2.0
STATEMENT_TIMEOUT = 5.0

# The client gives a statement this much longer than the server does, so that
# the server's statement_timeout (a clean error, the connection stays usable)
# normally fires first; the client's deadline is for a server that cannot answer.
CLIENT_GRACE = 1.0


def _sqlite_connect(dbapi_connection, _record, busy_timeout_ms: int = 10000) -> None:
    # The driver's own transaction handling is off: SQLAlchemy's "begin" event
    # below emits BEGIN itself, so that writers can take the lock up front.
    dbapi_connection.isolation_level = None
    # WAL lets readers go on while one gunicorn worker writes; busy_timeout
    # makes writers queue instead of failing at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    cursor.close()


def _sqlite_begin(conn) -> None:
    # A write transaction that starts as a reader fails with "database is
    # locked" if another worker commits first; BEGIN IMMEDIATE queues instead.
    options = conn.get_execution_options()
    if options.get("sqlite_immediate"):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif not options.get(_NO_BEGIN):
        conn.exec_driver_sql("BEGIN")


# Execution option of Database.read_row's connections on SQLite: no BEGIN (the driver's own
# autocommit then runs each statement in a transaction of its own).
_NO_BEGIN = "quoteapi_no_begin"


@functools.cache
def _bounded_psycopg_connection() -> type:
    """A psycopg connection whose every wait for the server has a deadline.

    psycopg waits for an answer as long as the socket stays open: a frozen or
    partitioned server (the kernel still acknowledges, nobody answers) hangs
    the caller for good, and the server's statement_timeout cannot help, since
    the server is not running. Each wait (a statement, a commit, a ping) gets
    ``answer_timeout`` seconds here; past it the connection is closed, as it is
    in an unknown state, and the caller gets an OperationalError (a 503).
    """
    import psycopg
    from psycopg import errors

    # psycopg (pinned at 3.3) raises this when Connection.wait's timeout expires;
    # looked up here so that an upgrade that renames it fails at start, not in an outage.
    wait_timeout = errors._WaitTimeout

    class BoundedConnection(psycopg.Connection):
        answer_timeout: float | None = None

        def wait(self, gen, interval: float = 0.1, timeout: float | None = None):
            limit = self.answer_timeout if timeout is None else None
            try:
                return super().wait(gen, interval, timeout if limit is None else limit)
            except wait_timeout:
                if limit is None:
                    raise
                self.pgconn.finish()
                raise psycopg.OperationalError(
                    f"the database did not answer within {limit:g} s; connection closed"
                ) from None

    return BoundedConnection


def _postgres_connect_args(query: Any, connect_timeout: float, statement_timeout: float) -> dict[str, Any]:
    """psycopg's timeouts, unless the URL sets them itself."""
    deadline_ms = int((statement_timeout + CLIENT_GRACE) * 1000)
    wanted = {
        # libpq counts whole seconds and waits at least 2.
        "connect_timeout": str(max(1, math.ceil(connect_timeout))),
        # A dead host or a cut network: unacknowledged data, or an idle pooled
        # connection whose peer is gone, end the connection instead of waiting
        # for the kernel's defaults (minutes to hours). Ignored on Unix sockets.
        "tcp_user_timeout": str(deadline_ms),
        "keepalives": "1",
        "keepalives_idle": "30",
        "keepalives_interval": "10",
        "keepalives_count": "3",
    }
    args = {key: value for key, value in wanted.items() if key not in query}
    # The server's statement_timeout, and its TimeZone: UTC, so that stored moments come back in
    # UTC (adapters/clock.py) whatever the server's or the cluster's own zone.
    settings = {"statement_timeout": str(int(statement_timeout * 1000)), "TimeZone": "UTC"}
    options = query.get("options")
    if options is None or isinstance(options, str):
        given = options or ""
        added = " ".join(f"-c {name}={value}" for name, value in settings.items() if name not in given)
        if added:
            args["options"] = f"{given} {added}".strip()
    return args


def _json_text(value: Any) -> str:
    """JSON columns' text through orjson (a quote's estimate is a few kB); the standard library
    for what orjson refuses (integers beyond 64 bits), as the answers do (api/bodies.py)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except (TypeError, orjson.JSONEncodeError):
        return json.dumps(value)


def aware(moment: datetime | None) -> datetime | None:
    """A stored timestamp in UTC (SQLite hands them back naive; PostgreSQL in its session's zone)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class Writing:
    """The connection of a :meth:`Database.writing` transaction, and an ORM session on it if asked for."""

    __slots__ = ("_session", "connection")

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self._session: Session | None = None

    def session(self) -> Session:
        """An ORM session in this transaction (made at the first call): it joins the connection's
        transaction, which commits or rolls back as a whole (the session never commits it)."""
        if self._session is None:
            self._session = Session(bind=self.connection, expire_on_commit=False)
        return self._session

    def flush(self) -> None:
        if self._session is not None:
            self._session.flush()

    def close(self) -> None:
        if self._session is not None:
            self._session.close()


class Database:
    """The engine and sessions of one database URL."""

    def __init__(
        self,
        url: str,
        *,
        connect_timeout: float = CONNECT_TIMEOUT,
        statement_timeout: float = STATEMENT_TIMEOUT,
    ) -> None:
        """``connect_timeout``: seconds to get a connection (or a pooled one's ping
        answered); ``statement_timeout``: seconds one statement may run (SQLite:
        wait for the write lock)."""
        parsed = make_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        self.connect_timeout = connect_timeout
        self.statement_timeout = statement_timeout
        self._probe: Future | None = None
        self._probe_lock = threading.Lock()
        # Statement parameters hold names, contacts and health answers: never in an error's text (and so a log).
        options: dict = {"future": True, "hide_parameters": True, "json_serializer": _json_text}
        if self.is_sqlite:
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            options["connect_args"] = {"check_same_thread": False, "timeout": statement_timeout}
        else:
            options.update(pool_pre_ping=True, pool_size=5, max_overflow=10, pool_timeout=connect_timeout)
            if parsed.get_driver_name() == "psycopg":
                options["connect_args"] = _postgres_connect_args(parsed.query, connect_timeout, statement_timeout)
        self.engine: Engine = create_engine(url, **options)
        if self.is_sqlite:
            busy_ms = int(statement_timeout * 1000)
            event.listen(self.engine, "connect", lambda conn, rec: _sqlite_connect(conn, rec, busy_ms))
            event.listen(self.engine, "begin", _sqlite_begin)
        elif parsed.get_driver_name() == "psycopg":
            self._bound_waits()
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        # Connections for one-statement reads outside a transaction (read_row). PostgreSQL:
        # psycopg's autocommit, so no BEGIN before the statement nor ROLLBACK after it (two
        # round trips of four). SQLite: not SQLAlchemy's AUTOCOMMIT, whose reset on return
        # would hand the driver its own transaction handling back (see _sqlite_connect).
        self._autocommit: Engine = self.engine.execution_options(
            **({_NO_BEGIN: True} if self.is_sqlite else {"isolation_level": "AUTOCOMMIT"})
        )
        # Connections of Database.writing: on SQLite BEGIN IMMEDIATE, as a transaction's session takes.
        self._immediate: Engine = self.engine.execution_options(sqlite_immediate=True)

    def _bound_waits(self) -> None:
        """Deadlines on every wait of a psycopg connection (see _bounded_psycopg_connection).

        A connection in use may take a statement's time; one that sat in the
        pool answers the pool's pre-ping within the connect timeout, so that a
        server that stopped answering costs a request the ping plus a failed
        connect, not a whole statement timeout.
        """
        connection_class = _bounded_psycopg_connection()
        in_use = self.statement_timeout + CLIENT_GRACE
        idle = self.connect_timeout

        @event.listens_for(self.engine, "do_connect")
        def connect(_dialect, _record, cargs, cparams):
            connection = connection_class.connect(*cargs, **cparams)
            connection.answer_timeout = in_use
            return connection

        @event.listens_for(self.engine, "checkout")
        def checkout(dbapi_connection, _record, _proxy):
            # Fires after the pre-ping.
            dbapi_connection.answer_timeout = in_use

        @event.listens_for(self.engine, "checkin")
        def checkin(dbapi_connection, _record):
            if dbapi_connection is not None:
                dbapi_connection.answer_timeout = idle

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session inside one write transaction: committed on success, rolled back on error."""
        with self.sessions() as session, session.begin():
            session.connection(execution_options={"sqlite_immediate": True})
            yield session

    @contextmanager
    def writing(self) -> Iterator[Writing]:
        """One write transaction on a pooled connection, for Core statements: committed on success,
        rolled back on error.

        The same transaction as :meth:`transaction` (on SQLite ``BEGIN IMMEDIATE``), without an
        ORM session unless a step asks for one (``Writing.session()``, made on the same
        connection and flushed before the commit): for a hot use case whose statements
        are Core (a quote's creation, docs/performance.md).
        """
        with self._immediate.begin() as connection:
            writing = Writing(connection)
            try:
                yield writing
                writing.flush()
            finally:
                writing.close()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads only."""
        with self.sessions() as session:
            yield session

    def read_row(self, statement: Any, params: dict[str, Any] | None = None) -> Row | None:
        """The first row of one read statement run on its own, outside any transaction; None without one.

        A pooled connection as any other (the pool's pre-ping and the timeouts
        hold), without a session: for a look-up on every request, such as a token's.
        """
        with self._autocommit.connect() as conn:
            return conn.execute(statement, params).first()

    def forget_overwritten(self) -> bool:
        """Make the database files forget values that were overwritten or deleted (an erasure's).

        SQLite keeps them in the write-ahead log until a checkpoint, and in free
        pages and cells until a ``VACUUM``: this rebuilds the file, then copies
        the log into it and truncates the log to nothing (it waits for other
        connections' reads and writes, as a writer does). PostgreSQL keeps old row
        versions until (auto)vacuum reuses their space, and its WAL until it is
        recycled: nothing here changes that (docs/security.md).

        Whether the files were rebuilt and the log emptied; a database too busy to
        let it happen within the statement timeout is logged, not raised: the
        erasure itself is committed, and the next one (or retention run) tries again.
        """
        if not self.is_sqlite:
            return False
        try:
            with self._autocommit.connect() as conn:  # outside a transaction: VACUUM needs that
                conn.exec_driver_sql("VACUUM")
                busy = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").scalar()
        except OperationalError as error:
            log.warning("erased values stay in the SQLite files until the next VACUUM: %s", error.orig)
            return False
        if busy:
            log.warning("erased values stay in the SQLite write-ahead log until the next checkpoint: readers kept it busy")
        return not busy

    def ping(self, timeout: float | None = None) -> None:
        """``SELECT 1``; with ``timeout``, an OperationalError when no answer comes in that many seconds.

        The timed ping runs in a thread of its own that the caller stops
        waiting for; it ends by itself within the connection deadlines. While
        one is running, later pings wait for that one instead of starting more.
        """
        if timeout is None:
            self._select_one()
            return
        with self._probe_lock:
            probe = self._probe
            if probe is None or probe.done():
                probe = self._probe = Future()
                threading.Thread(target=self._run_probe, args=(probe,), name="quoteapi-db-ping", daemon=True).start()
        try:
            probe.result(timeout)
        except FutureTimeout:
            raise OperationalError(
                "SELECT 1", None, TimeoutError(f"the database did not answer within {timeout:g} s")
            ) from None

    def _select_one(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(select(1))

    def _run_probe(self, probe: Future) -> None:
        try:
            self._select_one()
        except BaseException as error:  # handed to whoever waits
            probe.set_exception(error)
        else:
            probe.set_result(None)

    def dispose(self) -> None:
        self.engine.dispose()
