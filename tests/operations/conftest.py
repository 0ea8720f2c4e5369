"""Helpers for tests of the operational surface (probes, metrics, logs, serving, backups)."""

from __future__ import annotations

import socket

import pytest


def closed_port() -> int:
    """A loopback port nobody listens on (bound once, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def free_port() -> int:
    return closed_port()
