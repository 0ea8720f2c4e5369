"""Redirect targets: only same-site paths, never an open redirect."""

from __future__ import annotations


def is_local_path(target: str | None) -> bool:
    """True for an absolute path on this site ("/x?y"), false for "//host", "/\\host", URLs."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    return "\\" not in target and not any(ord(ch) < 32 for ch in target)
