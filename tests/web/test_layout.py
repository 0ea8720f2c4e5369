"""The shared layout: navigation per role, accessibility hooks, headers, home page."""

from __future__ import annotations

import re

import pytest

from matchmaker.web.links import is_local_path
from tests.web.pages import figures_of

NAV = {
    "enterprise": {
        "/demands/mine": "我的需求",
        "/demands/new": "发布需求",
        "/providers": "找服务商",
    },
    "provider": {
        "/leads": "商机",
        "/interests/mine": "我的意向",
        "/providers/profile": "服务能力档案",
    },
    "admin": {"/admin": "管理概览", "/admin/review": "审核", "/admin/organizations": "单位认证"},
}


def page(response) -> str:
    return response.get_data(as_text=True)


def nav_links(html: str) -> dict[str, str]:
    nav = re.search(r'<nav class="main-nav".*?</nav>', html, re.S)
    return dict(re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav.group(0))) if nav else {}


def test_home_for_visitors(client, make):
    make.provider()
    make.enterprise()
    response = client.get("/")
    html = page(response)
    assert response.status_code == 200
    assert '<html lang="zh-CN">' in html
    assert 'class="skip-link" href="#content"' in html and 'id="content"' in html
    assert "设计之都" in html and "33618" in html and "永川" in html
    assert 'href="/register"' in html and 'href="/login"' in html
    assert nav_links(html) == {}
    counts = figures_of(html)
    assert counts["设计服务方"] == "1" and counts["制造企业"] == "1"


@pytest.mark.parametrize("role", ["enterprise", "provider", "admin"])
def test_navigation_depends_on_role(client, auth, make, role):
    user = getattr(make, role)()
    auth.login(user.email)
    html = page(client.get("/"))
    links = nav_links(html)
    for path, text in NAV[role].items():
        assert links.get(path) == text, (path, links)
    others = {p for r, items in NAV.items() if r != role for p in items}
    assert not others & set(links)
    # the bell, the user menu and the language switch
    assert 'href="/notifications"' in html
    assert 'href="/account/password"' in html and 'action="/logout"' in html
    assert ('href="/account/team"' in html) == (role != "admin")
    assert 'action="/language"' in html


def test_current_page_is_marked(client, auth, make):
    auth.login(make.admin().email)
    html = page(client.get("/admin/review"))
    assert re.search(r'<a href="/admin/review" aria-current="page">', html)
    assert not re.search(r'<a href="/admin" aria-current="page">', html)


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert (
        "default-src 'self'" in csp and "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("url", ["/", "/login", "/register", "/no-such-page"])
def test_no_inline_scripts_or_styles(client, url):
    html = page(client.get(url))
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "<style" not in html and " style=" not in html
    assert not re.search(r"\son[a-z]+=", html)


def test_static_assets_are_served(client):
    for url in ("/static/css/app.css", "/static/js/app.js"):
        response = client.get(url)
        assert response.status_code == 200
        response.close()


def test_not_found_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "页面不存在" in page(response) and 'href="/"' in page(response)


def test_every_input_has_a_label(client):
    html = page(client.get("/register"))
    ids = re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', html)
    labelled = set(re.findall(r'<label for="([^"]+)"', html))
    wrapped = set(re.findall(r'<label class="choice-card">\s*<input[^>]*id="([^"]+)"', html))
    missing = [i for i in ids if i not in labelled | wrapped and i != "csrf_token"]
    assert not missing


def test_user_name_is_escaped_in_header(client, auth, make):
    user = make.enterprise(name="<b>粗体</b>公司")
    auth.login(user.email)
    html = page(client.get("/"))
    assert "<b>粗体</b>" not in html and "&lt;b&gt;粗体&lt;/b&gt;公司" in html


@pytest.mark.parametrize(
    "target,ok",
    [
        ("/x", True),
        ("/x?a=1", True),
        ("//evil", False),
        ("/\\evil", False),
        ("https://evil", False),
        ("", False),
        (None, False),
        ("/a\nb", False),
    ],
)
def test_is_local_path(target, ok):
    assert is_local_path(target) is ok


def test_language_switch_rejects_external_next(client):
    response = client.post("/language", data={"locale": "en", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
