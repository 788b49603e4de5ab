"""The corpus store: articles and every analysis result, in SQLite (default) or PostgreSQL.

    store = open_store("sqlite:///unspun.db")   # or postgresql://user@host/db, or $UNSPUN_DB
    store.add(batch)                             # one transaction per batch: all of it or none
    open_store("unspun.db", readonly=True)       # reads without writing a byte (a read-only file or mount)

Writers take turns (store/locking.py: a second process waits for the write lock, and says so); every driver
error becomes one StoreError line naming the store (store/failures.py).
"""

from unspun.store.store import Store, open_store

__all__ = ["Store", "open_store"]
