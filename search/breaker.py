"""A circuit breaker: after a few failures in a row the engine is not called for a while.

With the engine hanging, every call would wait for the client's timeout; a page that
searches would take that long for every visitor. After ``failures`` consecutive failures
the breaker opens and calls fail at once (``SearchUnavailable``) for ``reset_after``
seconds; then one call is let through as a trial: its success closes the breaker, its
failure opens it again. One breaker per backend object, shared by the process's threads.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

FAILURES = 3
RESET_AFTER = 30.0


class CircuitOpen(RuntimeError):
    """The breaker is open: the engine was not called."""


class CircuitBreaker:
    def __init__(
        self,
        failures: int = FAILURES,
        reset_after: float = RESET_AFTER,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.failures = failures
        self.reset_after = reset_after
        self.clock = clock
        self._lock = threading.Lock()
        self._failed = 0
        self._opened_at: float | None = None
        self._trial = False

    @property
    def is_open(self) -> bool:
        with self._lock:
            return self._opened_at is not None

    def before_call(self) -> None:
        """Raise CircuitOpen unless the engine may be called now."""
        with self._lock:
            if self._opened_at is None:
                return
            if self._trial or self.clock() - self._opened_at < self.reset_after:
                raise CircuitOpen(
                    f"search engine failed {self._failed} times in a row; "
                    f"not called for {self.reset_after:.0f} s"
                )
            self._trial = True  # half-open: this caller tries, the others still fail fast

    def succeeded(self) -> None:
        with self._lock:
            self._failed, self._opened_at, self._trial = 0, None, False

    def failed(self) -> None:
        with self._lock:
            self._failed += 1
            self._trial = False
            if self._opened_at is not None or self._failed >= self.failures:
                self._opened_at = self.clock()
