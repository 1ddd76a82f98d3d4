"""A persistent cache of sentence embeddings: the answerers' vectors survive the process that computed them.

Every answer scores its passages' sentences by embedding; a fresh process (`rag ask`, a restarted UI, the
eval) used to embed them all again (~80 per question, most of a cold answer). A vector is a function of its
text alone (one text per model call, tests/test_embed_batching.py), so a stored one is exactly the one the
model would give. One SQLite file per collection name, which already names the embedding model and the
pipeline version (`RagSettings.collection_name`), so vectors of two models never mix.

Best effort by design: a read-only, locked or damaged file only means the model runs, never a failed answer.
Does not embed anything itself (rag/answering.py asks the model for the misses).
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

_DIM_DTYPE = np.float32
_BUSY_MS = 200  # another process writing: wait this long, then go without the cache for this call


def _key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


class VectorCache:
    """Text -> float32 vector, stored in `path` (SQLite, WAL), at most `max_entries` (oldest dropped first)."""

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
                db.execute("CREATE TABLE IF NOT EXISTS vectors (key BLOB UNIQUE NOT NULL, vec BLOB NOT NULL)")
                self._db = db
            except (sqlite3.Error, OSError) as exc:
                self._give_up(exc)
        return self._db

    def _give_up(self, exc: Exception) -> None:
        log.info("sentence vector cache %s unusable (%s): embedding without it", self.path, exc)
        self._broken = True
        if self._db is not None:
            self._db.close()
            self._db = None

    def get_many(self, texts: list[str]) -> dict[str, np.ndarray]:
        """The stored vectors of those `texts` that have one."""
        if not texts:
            return {}
        with self._lock:
            db = self._connect()
            if db is None:
                return {}
            by_key = {_key(t): t for t in texts}
            found: dict[str, np.ndarray] = {}
            keys = list(by_key)
            try:
                for i in range(0, len(keys), 500):  # SQLite's bound-parameter limit
                    part = keys[i : i + 500]
                    rows = db.execute(f"SELECT key, vec FROM vectors WHERE key IN ({','.join('?' * len(part))})",
                                      part).fetchall()
                    for key, blob in rows:
                        found[by_key[key]] = np.frombuffer(blob, dtype=_DIM_DTYPE)
            except sqlite3.OperationalError as exc:  # busy or locked: this call goes without
                log.debug("sentence vector cache read skipped: %s", exc)
            except sqlite3.DatabaseError as exc:
                self._give_up(exc)
            return found

    def put_many(self, vectors: dict[str, np.ndarray]) -> None:
        """Store `vectors` (text -> vector); keeps the file under `max_entries` rows."""
        if not vectors:
            return
        with self._lock:
            db = self._connect()
            if db is None:
                return
            rows = [(_key(t), np.asarray(v, dtype=_DIM_DTYPE).tobytes()) for t, v in vectors.items()]
            try:
                with db:  # one transaction
                    db.execute("BEGIN IMMEDIATE")
                    db.executemany("INSERT OR IGNORE INTO vectors (key, vec) VALUES (?, ?)", rows)
                    excess = db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0] - self.max_entries
                    if excess > 0:  # rowids grow with insertion: drop the oldest
                        db.execute("DELETE FROM vectors WHERE rowid IN "
                                   "(SELECT rowid FROM vectors ORDER BY rowid LIMIT ?)", (excess,))
            except sqlite3.OperationalError as exc:
                log.debug("sentence vector cache write skipped: %s", exc)
            except sqlite3.DatabaseError as exc:
                self._give_up(exc)

    def close(self) -> None:
        """Close the file (reopened on next use)."""
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
