"""The English catalogue is complete, current and consistent; pages switch language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask_babel import refresh

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "matchmaker" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
    "_l": None,
    "pgettext": ((1, "c"), 2),
}
HOW_TO_FIX = (
    "re-extract and translate: "
    "pybabel extract -F babel.cfg -k lazy_gettext -k _l -o messages.pot . && "
    "pybabel update -i messages.pot -d matchmaker/translations -l en --no-fuzzy-matching, "
    "fill in every msgstr, then pybabel compile -d matchmaker/translations"
)


@pytest.fixture(scope="module")
def catalogue():
    with PO.open("rb") as handle:
        return read_po(handle, locale="en")


def _ids(catalogue) -> set:
    return {m.id for m in catalogue if m.id}


def test_every_msgid_is_translated_and_not_fuzzy(catalogue):
    untranslated = [
        m.id
        for m in catalogue
        if m.id and not (m.string if isinstance(m.string, str) else all(m.string))
    ]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert not untranslated, f"untranslated: {untranslated}"
    assert not fuzzy, f"fuzzy: {fuzzy}"
    assert not catalogue.fuzzy


def test_translations_keep_placeholders(catalogue):
    placeholder = re.compile(r"%\(\w+\)[sd]")
    for message in catalogue:
        if message.id and isinstance(message.id, str):
            assert sorted(placeholder.findall(message.id)) == sorted(
                placeholder.findall(message.string)
            ), message.id


def test_translations_are_english(catalogue):
    han = re.compile(r"[\u4e00-\u9fff]")
    assert [m.id for m in catalogue if m.id and han.search(str(m.string))] == []


def test_catalogue_covers_every_message_in_the_code(catalogue):
    method_map = [("matchmaker/**.py", "python"), ("templates/**.html", "jinja2")]
    found = set()
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, keywords=KEYWORDS, options_map={}
    ):
        if filename.startswith(("matchmaker", "templates")):
            found.add(message[0] if isinstance(message, tuple) else message)
    missing = sorted(m for m in found - _ids(catalogue) if m)
    assert not missing, (
        f"{len(missing)} messages are not in the catalogue ({HOW_TO_FIX}): {missing}"
    )


def test_compiled_catalogue_matches_the_po(catalogue):
    with MO.open("rb") as handle:
        compiled = read_mo(handle)

    def context(m):
        return (
            m.context.decode() if isinstance(m.context, bytes) else m.context
        )  # read_mo leaves it as bytes

    compiled_strings = {(context(m), m.id): m.string for m in compiled if m.id}
    source_strings = {(m.context, m.id): m.string for m in catalogue if m.id}
    assert compiled_strings == source_strings, f"messages.mo is stale: {HOW_TO_FIX}"


def page(response) -> str:
    return response.get_data(as_text=True)


def switch(client, locale: str, next_path: str = "/") -> None:
    response = client.post("/language", data={"locale": locale, "next": next_path})
    assert response.status_code == 302 and response.headers["Location"] == next_path
    refresh()  # the tests share one app context, where Flask-Babel caches the locale


def test_home_page_switches_to_english_and_back(client):
    html = page(client.get("/"))
    assert '<html lang="zh-CN">' in html and "让制造企业找到对的设计伙伴" in html
    switch(client, "en")
    html = page(client.get("/"))
    assert '<html lang="en">' in html
    assert (
        "The right design partner for every manufacturer" in html
        and "UNESCO City of Design" in html
    )
    assert "让制造企业找到对的设计伙伴" not in html
    assert re.search(r'<button name="locale" value="zh"[^>]*lang="zh-CN"[^>]*>中文</button>', html)
    switch(client, "zh")
    assert "让制造企业找到对的设计伙伴" in page(client.get("/"))


def test_browser_language_is_the_default(client):
    html = page(client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"}))
    assert '<html lang="en">' in html and "Sign in" in html


def test_registration_errors_and_taxonomy_in_english(client):
    switch(client, "en", "/register")
    html = page(
        client.post("/register", data={"role": "provider", "phone": "123", "region": "yongchuan"})
    )
    assert "Invalid mobile number" in html and "Required" in html
    assert "Yongchuan District" in html and "Industrial Design Firm" in html
    assert "必填" not in html


def test_admin_and_notifications_in_english(client, auth, make):
    owner = make.enterprise()
    make.demand(owner, status="rejected", title="Gearbox housing")
    auth.login(owner.email)
    switch(client, "en", "/notifications")
    html = page(client.get("/notifications"))
    assert "Your demand “Gearbox housing” was not approved" in html
    assert "My demands" in html and "Notifications" in html


def test_organisation_type_is_singular_in_english(client, auth, make):
    make.provider(name="渝设计")
    auth.login(make.admin().email)
    switch(client, "en", "/admin/organizations")
    html = page(client.get("/admin/organizations"))
    assert re.search(r'data-label="Type">Design provider<', html)


def test_error_page_in_english(client):
    switch(client, "en")
    assert "Page not found" in page(client.get("/missing"))
