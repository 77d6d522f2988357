"""Public reads from a PostgreSQL streaming replica, when one is configured (``OCOP_REPLICA_URL``).

Everything goes to the primary (``default``) except what :class:`ReplicaReadsMiddleware` lets
through: a GET or HEAD of a public page that may be a few seconds old (the catalogue and open
data: ``OCOP_REPLICA_PATHS``), from someone not signed in (who might be looking for their own
write), and only while the replica is no more than ``OCOP_REPLICA_MAX_LAG_SECONDS`` behind.
Pages that must be fresh (a scan page or a product page stating a recognition just revoked,
every officer's page) never match and read the primary. Within a request, the first write
sends every later read to the primary too. See docs/operations.md.
"""

from __future__ import annotations

import contextvars
import logging
import time

from django.conf import settings
from django.db import connections

log = logging.getLogger(__name__)

REPLICA = "replica"
_replica_reads: contextvars.ContextVar[bool] = contextvars.ContextVar("ocop_replica_reads", default=False)


class ReplicaRouter:
    """Reads to the replica while the current request allows it; writes, migrations and
    everything else to the primary."""

    def db_for_read(self, model, **hints):
        return REPLICA if _replica_reads.get() else "default"

    def db_for_write(self, model, **hints):
        _replica_reads.set(False)  # read your own write: the rest of the request uses the primary
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same rows on both

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


def may_read_from_replica(method: str, path: str, *, signed_in: bool, lag_seconds: float | None) -> bool:
    """The routing rule: a public read that tolerates ``OCOP_REPLICA_MAX_LAG_SECONDS`` of age,
    from someone not signed in, while the replica's lag is known and within that bound."""
    if method not in ("GET", "HEAD") or signed_in:
        return False
    if not path.startswith(tuple(settings.OCOP_REPLICA_PATHS)):
        return False
    if path.startswith(tuple(settings.OCOP_REPLICA_FRESH_PATHS)):
        return False
    return lag_seconds is not None and lag_seconds <= settings.OCOP_REPLICA_MAX_LAG_SECONDS


_lag: dict[str, float | None] = {"at": -1e9, "value": None}

# Seconds the replica is behind, asked of the replica itself.
# Caught up when nothing waits to be replayed: then the lag is nothing, however long ago the
# last write was. Otherwise the age of the last transaction replayed (so a replica paused or
# slow after a quiet spell counts as far behind at once: on the safe side).
# Unknown (NULL) when the standby is not streaming from the primary: what it received may be
# all there is to replay while the primary moves on. (Its role needs pg_read_all_stats to see
# pg_stat_wal_receiver's status.)
LAG_QUERY = (
    "SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0"
    " WHEN NOT EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming') THEN NULL"
    " WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
    " ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END"
)


def replica_lag() -> float | None:
    """Seconds since the last transaction the replica replayed (0 when it is not a standby or
    has nothing to replay), measured at most once a second per process; None when the replica
    cannot be asked."""
    now = time.monotonic()
    if now - _lag["at"] < 1:
        return _lag["value"]
    value = None
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(LAG_QUERY)
            row = cursor.fetchone()[0]
            value = None if row is None else float(row)
    except Exception as exc:  # the replica is away: the primary serves
        log.warning("replica lag unknown: %s", type(exc).__name__)
    _lag.update(at=now, value=value)
    return value


class ReplicaReadsMiddleware:
    """Allows replica reads for the requests :func:`may_read_from_replica` accepts. In
    ``MIDDLEWARE`` only when ``OCOP_REPLICA_URL`` is set."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._allowed(request):
            replica = connections[REPLICA]
            replica.errors_occurred = False
            token = _replica_reads.set(True)
            try:
                response = self.get_response(request)
            finally:
                _replica_reads.reset(token)
            if not replica.errors_occurred:
                return response
            # The replica failed during the request (stopped, restarting, its host away) after
            # the lag check said it was there: ask the primary instead (a GET or HEAD reads
            # only), and leave the replica alone until the next check finds it again.
            # (The first response is dropped unclosed: closing it would signal the request's end.)
            log.warning("replica failed during %s: read again from the primary", request.path)
            replica.close_if_unusable_or_obsolete()
            _lag.update(at=time.monotonic(), value=None)
        return self.get_response(request)

    def _allowed(self, request) -> bool:
        return may_read_from_replica(
            request.method,
            request.path,
            signed_in=settings.SESSION_COOKIE_NAME in request.COOKIES,
            lag_seconds=replica_lag()
            if request.path.startswith(tuple(settings.OCOP_REPLICA_PATHS))
            else None,
        )
