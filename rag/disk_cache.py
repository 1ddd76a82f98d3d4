"""A small persistent key -> bytes cache in one SQLite file, shared by processes: what a new process would
otherwise recompute, deterministically, on its first questions.

Two users: the answerers' sentence vectors (rag/answering.py; a vector is a function of its text alone, one
text per model call, tests/test_embed_batching.py) and spaCy's parses (rag/nlp.py). A fresh `rag ask`, a
restarted UI or the eval used to embed and parse every passage sentence of a question again.

Best effort by design: a read-only, locked or damaged file only means recomputing, never a failed answer.
Bounded: beyond `max_entries` rows the oldest go. Why not `shelve`/`dbm`: neither is safe with several
processes writing at once, and neither can drop its oldest entries.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from pathlib import Path

log = logging.getLogger(__name__)

_BUSY_MS = 200  # another process writing: wait this long, then go without the cache for this call


def _key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


class DiskCache:
    """Text -> bytes, stored in `path` (SQLite, WAL), at most `max_entries` rows (oldest dropped first)."""

    def __init__(self, path: Path, max_entries: int) -> None:
        self.path, self.max_entries = path, max_entries
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._broken = max_entries <= 0

    def _connect(self) -> sqlite3.Connection | None:
        if self._db is None and not self._broken:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, timeout=_BUSY_MS / 1000, check_same_thread=False,
                                     isolation_level=None)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")  # a lost last write only costs recomputing it
                db.execute("CREATE TABLE IF NOT EXISTS entries (key BLOB UNIQUE NOT NULL, value BLOB NOT NULL)")
                self._db = db
            except (sqlite3.Error, OSError) as exc:
                self._give_up(exc)
        return self._db

    def _give_up(self, exc: Exception) -> None:
        log.info("cache %s unusable (%s): going without it", self.path, exc)
        self._broken = True
        if self._db is not None:
            self._db.close()
            self._db = None

    def get_many(self, texts: list[str]) -> dict[str, bytes]:
        """The stored values of those `texts` that have one."""
        return {t: v for t, v in self._select(texts, "key, value") if v is not None}

    def missing(self, texts: list[str]) -> list[str]:
        """Those of `texts` with nothing stored, in order, without reading any value (all when unreadable)."""
        found = {t for t, _ in self._select(texts, "key")}
        return [t for t in texts if t not in found]

    def _select(self, texts: list[str], columns: str) -> list[tuple[str, bytes | None]]:
        if not texts:
            return []
        with self._lock:
            db = self._connect()
            if db is None:
                return []
            by_key = {_key(t): t for t in texts}
            found: list[tuple[str, bytes | None]] = []
            keys = list(by_key)
            try:
                for i in range(0, len(keys), 500):  # SQLite's bound-parameter limit
                    part = keys[i : i + 500]
                    rows = db.execute(f"SELECT {columns} FROM entries WHERE key IN ({','.join('?' * len(part))})",
                                      part).fetchall()
                    found += [(by_key[row[0]], row[1] if len(row) > 1 else None) for row in rows]
            except sqlite3.OperationalError as exc:  # busy or locked: this call goes without
                log.debug("cache read skipped: %s", exc)
            except sqlite3.DatabaseError as exc:
                self._give_up(exc)
            return found

    def put_many(self, values: dict[str, bytes]) -> None:
        """Store `values` (text -> bytes; a text already stored keeps its value), within `max_entries` rows."""
        if not values:
            return
        with self._lock:
            db = self._connect()
            if db is None:
                return
            rows = [(_key(t), v) for t, v in values.items()]
            try:
                with db:  # one transaction
                    db.execute("BEGIN IMMEDIATE")
                    db.executemany("INSERT OR IGNORE INTO entries (key, value) VALUES (?, ?)", rows)
                    excess = db.execute("SELECT COUNT(*) FROM entries").fetchone()[0] - self.max_entries
                    if excess > 0:  # rowids grow with insertion: drop the oldest
                        db.execute("DELETE FROM entries WHERE rowid IN "
                                   "(SELECT rowid FROM entries ORDER BY rowid LIMIT ?)", (excess,))
            except sqlite3.OperationalError as exc:
                log.debug("cache write skipped: %s", exc)
            except sqlite3.DatabaseError as exc:
                self._give_up(exc)

    def close(self) -> None:
        """Close the file (reopened on next use)."""
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
