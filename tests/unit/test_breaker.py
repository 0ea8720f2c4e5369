"""The circuit breaker: fail fast after repeated failures, try again after a pause."""

from __future__ import annotations

import pytest

from search.breaker import CircuitBreaker, CircuitOpen


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_opens_after_consecutive_failures_and_closes_after_a_good_trial():
    clock = Clock()
    breaker = CircuitBreaker(failures=3, reset_after=30, clock=clock)
    for _ in range(2):
        breaker.before_call()
        breaker.failed()
    breaker.before_call()
    breaker.succeeded()  # a success in between starts the count again
    for _ in range(3):
        breaker.before_call()
        breaker.failed()
    assert breaker.is_open
    with pytest.raises(CircuitOpen):
        breaker.before_call()
    clock.now += 29
    with pytest.raises(CircuitOpen):
        breaker.before_call()
    clock.now += 2
    breaker.before_call()  # the trial
    with pytest.raises(CircuitOpen):
        breaker.before_call()  # only one trial at a time
    breaker.succeeded()
    assert not breaker.is_open
    breaker.before_call()


def test_a_failed_trial_opens_it_again_for_a_full_pause():
    clock = Clock()
    breaker = CircuitBreaker(failures=1, reset_after=10, clock=clock)
    breaker.failed()
    clock.now += 11
    breaker.before_call()
    breaker.failed()
    clock.now += 9
    with pytest.raises(CircuitOpen):
        breaker.before_call()
    clock.now += 2
    breaker.before_call()
