"""Helpers the page tests share: reading a response, its field errors, signing in, uploads."""

from __future__ import annotations

import re
from pathlib import Path

from tests.factories import credit_code

CONFIRMED = {"confirmed": "1"}  # what an irreversible action's form carries once it was confirmed

# A registration form that passes every check.
REGISTRATION = {
    "role": "enterprise",
    "organization_name": "重庆永川精密机械有限公司",
    "credit_code": credit_code(900001),
    "contact_name": "张工",
    "phone": "13812345678",
    "email": "zhang@example.cn",
    "password": "long-enough-pw",
    "confirm": "long-enough-pw",
    "region": "yongchuan",
    "kind": "",
    "level": "none",
}


# A demand form that passes every check (saved as a draft unless "action" says otherwise).
DEMAND_FORM = {
    "title": "产品外观造型设计",
    "description": "为一款电动摩托车设计外观造型，交付效果图和结构建议。",
    "cluster": "nev-ice",
    "services": ["appearance-design"],
    "budget_min": "100000",
    "budget_max": "300000",
    "deadline": "2030-06-30",
    "region": "yongchuan",
    "contact_preference": "platform",
}


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
