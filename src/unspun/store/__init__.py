"""The corpus store: articles and every analysis result, in SQLite (default) or PostgreSQL.

    store = open_store("sqlite:///unspun.db")   # or postgresql://user@host/db, or $UNSPUN_DB
    store.add(batch)                             # one transaction per batch: all of it or none
"""

from unspun.store.store import Store, open_store

__all__ = ["Store", "open_store"]
