"""Fixtures the page tests share."""

from __future__ import annotations

import pytest


@pytest.fixture
def admin(auth, make):
    """An administrator, signed in."""
    user = make.admin()
    auth.login(user.email)
    return user
