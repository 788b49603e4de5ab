"""Views that read every row of a large table, kept per server process for a while: built at most once per
period by one request (the others wait for it), then served from memory."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from fastapi import Request

from unspun.store.store import Store

T = TypeVar("T")
_creating = threading.Lock()  # one Recent per name, even when two first requests race


class Recent(Generic[T]):
    """The last value of build(store), kept for ttl_s seconds."""

    def __init__(self, build: Callable[[Store], T], ttl_s: float) -> None:
        self._build, self._ttl_s = build, ttl_s
        self._lock = threading.Lock()
        self._value: T | None = None
        self._at = 0.0

    def get(self, store: Store) -> T:
        with self._lock:
            if self._value is None or time.monotonic() - self._at > self._ttl_s:
                self._value, self._at = self._build(store), time.monotonic()
            return self._value


def recent(request: Request, store: Store, name: str, build: Callable[[Store], T], ttl_s: float) -> T:
    """This process's kept value of build(store) under `name` (made on first use)."""
    state = request.app.state
    with _creating:
        kept = getattr(state, f"recent_{name}", None)
        if kept is None:
            kept = Recent(build, ttl_s)
            setattr(state, f"recent_{name}", kept)
    value: T = kept.get(store)
    return value

