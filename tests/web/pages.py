"""Helpers the page tests share: reading a response, its field errors, signing in, uploads."""

from __future__ import annotations

import re
from pathlib import Path

CONFIRMED = {"confirmed": "1"}  # what an irreversible action's form carries once it was confirmed


def page(response) -> str:
    return response.get_data(as_text=True)


def errors_of(html: str, field: str) -> list[str]:
    """The inline error messages rendered for one field."""
    match = re.search(rf'<ul class="errors" id="{field}-err" role="alert">(.*?)</ul>', html, re.S)
    return re.findall(r"<li>(.*?)</li>", match.group(1)) if match else []


def figures_of(html: str) -> dict[str, str]:
    """The figures a page shows (name → value), as services/figures.py names them."""
    return dict(
        re.findall(r'<span class="term"[^>]*>([^<]+)</span>.*?</dt><dd>([^<]+)</dd>', html, re.S)
    )


def login(auth, user) -> None:
    assert auth.login(user.email).status_code == 302


def stored_files(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_FOLDER"])
    return list(folder.iterdir()) if folder.exists() else []
