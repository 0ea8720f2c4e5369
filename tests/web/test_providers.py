"""Provider pages: browsing, the public profile, the own profile and portfolio cases."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import Attachment, Case, Provider
from tests.web.pages import errors_of, login, page, stored_files

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
PROFILE = {
    "kind": "design-firm",
    "level": "district",
    "region": "yongchuan",
    "clusters": ["nev-ice", "motorcycle"],
    "services": ["appearance-design", "structural-design"],
    "team_size": "25",
    "price_min": "50000",
    "price_max": "500000",
    "description": "专注摩托车与电动车外观设计十年。",
    "certifications": "永川区工业设计中心\n\n红点奖 2023\n",
}


def names(html: str) -> list[str]:
    return re.findall(r'<h2><a href="/providers/\d+">(.*?)</a>', html)


def checked(html: str, field: str) -> list[str]:
    """Values of the ticked checkboxes of one field."""
    boxes = re.findall(rf'<input [^>]*name="{field}" [^>]*type="checkbox"[^>]*>', html)
    return [re.search(r'value="([^"]*)"', box).group(1) for box in boxes if " checked" in box]


# --- access --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/providers", "/providers/profile", "/providers/profile/cases/new", "/providers/cases/1/edit"],
)
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_enterprise_has_no_provider_profile(client, auth, make):
    login(auth, make.enterprise())
    assert client.get("/providers/profile").status_code == 403
    assert client.post("/providers/profile", data=PROFILE).status_code == 403
    assert client.get("/providers/profile/cases/new").status_code == 403


# --- browse --------------------------------------------------------------------------------


def test_browse_with_facets_and_text(client, auth, make):
    make.provider(
        name="山城摩托设计",
        clusters=["motorcycle"],
        level="municipal",
        description="摩托车造型与人机设计",
    )
    make.provider(
        name="两江电子设计",
        region="liangjiang",
        clusters=["electronics"],
        kind="studio",
        services=["ui-design"],
        description="智能终端交互与界面",
    )
    login(auth, make.enterprise())
    html = page(client.get("/providers"))
    assert sorted(names(html)) == ["两江电子设计", "山城摩托设计"]
    assert re.search(
        r'name="level" value="municipal"[^>]*>\s*[^<]*<span class="count">1</span>', html
    )
    assert re.search(r'name="kind" value="studio"[^>]*>\s*[^<]*<span class="count">1</span>', html)
    assert names(page(client.get("/providers", query_string={"level": "municipal"}))) == [
        "山城摩托设计"
    ]
    assert names(page(client.get("/providers", query_string={"region": "liangjiang"}))) == [
        "两江电子设计"
    ]
    assert names(page(client.get("/providers", query_string={"q": "摩托车"})))[0] == "山城摩托设计"
    assert client.get("/providers", query_string={"sort": "newest", "page": "2"}).status_code == 200


def test_browse_degrades_when_search_is_down(client, auth, make, monkeypatch):
    from matchmaker.search_engine import get_search
    from search import SearchUnavailable

    backend = get_search()

    def down(*args, **kwargs):
        raise SearchUnavailable("down")

    monkeypatch.setattr(backend, "search", down)
    login(auth, make.enterprise())
    response = client.get("/providers")
    assert response.status_code == 200 and "搜索服务暂时不可用" in page(response)


# --- public profile ------------------------------------------------------------------------


def test_public_profile_without_login_and_without_contacts(client, make):
    user = make.provider(
        name="重庆造型设计有限公司",
        level="national",
        team_size=40,
        certifications=["国家级工业设计中心"],
        price_min=80000,
        price_max=800000,
    )
    provider = user.organization.provider
    response = client.get(f"/providers/{provider.id}")
    html = page(response)
    assert response.status_code == 200
    for text in (
        "重庆造型设计有限公司",
        "国家级",
        "工业设计企业",
        "永川区",
        "40 人",
        "8 万元",
        "国家级工业设计中心",
        "外观设计",
        "智能网联新能源汽车",
        "未认证",
    ):
        assert text in html, text
    org = user.organization
    for secret in (org.phone, org.email, org.contact_name, org.credit_code):
        assert secret not in html
    assert "编辑档案" not in html


def test_verified_badge(client, make):
    from matchmaker.services import accounts

    user = make.provider()
    accounts.set_organization_verified(db.session, make.admin(), user.organization_id, True)
    db.session.commit()
    assert "平台已认证" in page(client.get(f"/providers/{user.organization.provider.id}"))


def test_unknown_provider_is_404(client):
    assert client.get("/providers/999999").status_code == 404


# --- own profile ---------------------------------------------------------------------------


def test_create_profile(client, auth, make):
    user = make.provider(profile=False, kind="studio")
    login(auth, user)
    html = page(client.get("/providers/profile"))
    assert "完善服务能力档案后" in html and re.search(
        r'<option selected value="studio">|value="studio" selected', html
    )
    response = client.post("/providers/profile", data=PROFILE)
    assert response.status_code == 302
    provider = db.session.scalar(select(Provider))
    assert provider.organization_id == user.organization_id
    assert provider.clusters == ["nev-ice", "motorcycle"] and provider.team_size == 25
    assert provider.certifications == ["永川区工业设计中心", "红点奖 2023"]
    assert provider.organization.level == "district"


def test_edit_profile_prefills_and_saves(client, auth, make):
    user = make.provider()
    login(auth, user)
    html = page(client.get("/providers/profile"))
    assert checked(html, "clusters") == ["nev-ice"]
    assert checked(html, "services") == ["appearance-design"]
    assert "专业工业设计服务" in html
    response = client.post(
        "/providers/profile", data={**PROFILE, "price_max": "", "certifications": ""}
    )
    assert response.status_code == 302
    provider = user.organization.provider
    db.session.refresh(provider)
    assert (
        provider.price_max is None
        and provider.certifications == []
        and provider.services == PROFILE["services"]
    )


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("kind", "", "必填"),
        ("kind", "bakery", "未知取值"),
        ("region", "", "必填"),
        ("clusters", [], "必填"),
        ("services", [], "必填"),
        ("services", ["nope"], "未知取值"),
        ("level", "galactic", "未知取值"),
        ("team_size", "0", "不得小于 1"),
        ("team_size", "很多", "请输入整数"),
        ("price_min", "-1", "不得小于 0"),
        ("price_max", "10000", "不得小于"),
        ("description", "字" * 10001, "最多 10000 个字符"),
        ("certifications", "证" * 201, "最多 200 个字符"),
    ],
)
def test_profile_errors_inline_and_nothing_saved(client, auth, make, field, value, message):
    user = make.provider()
    provider = user.organization.provider
    login(auth, user)
    response = client.post("/providers/profile", data={**PROFILE, field: value})
    assert response.status_code == 422
    assert any(message in m for m in errors_of(page(response), field)), page(response)[-3000:]
    db.session.expire_all()
    provider = db.session.get(Provider, provider.id)
    assert provider.clusters == ["nev-ice"] and provider.description == "专业工业设计服务"


def test_new_profile_errors_create_nothing(client, auth, make):
    login(auth, make.provider(profile=False))
    response = client.post("/providers/profile", data={**PROFILE, "services": []})
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(Provider.id))) == 0


# --- cases ---------------------------------------------------------------------------------


def test_add_case_with_images_shown_on_profile(client, auth, make, app):
    user = make.provider()
    provider = user.organization.provider
    login(auth, user)
    assert 'name="images"' in page(client.get("/providers/profile/cases/new"))
    response = client.post(
        "/providers/profile/cases/new",
        content_type="multipart/form-data",
        data={
            "title": "电动摩托车外观",
            "description": "整车造型",
            "cluster": "motorcycle",
            "year": "2023",
            "images": [(io.BytesIO(PNG), "正面.png"), (io.BytesIO(JPEG), "side.jpg")],
        },
    )
    assert response.status_code == 302
    case = db.session.scalar(select(Case))
    assert case.provider_id == provider.id and case.year == 2023 and len(case.images) == 2
    assert len(stored_files(app)) == 2
    client.post("/logout")
    html = page(client.get(f"/providers/{provider.id}"))
    assert "电动摩托车外观" in html
    image = next(i for i in case.images if i.filename == "正面.png")
    url = f"/providers/cases/{case.id}/images/{image.id}"
    assert url in html
    response = client.get(url)
    assert response.status_code == 200 and response.data == PNG and response.mimetype == "image/png"
    response.close()
    assert client.get(f"/providers/cases/{case.id + 1}/images/{image.id}").status_code == 404


@pytest.mark.parametrize(
    "name,data,message",
    [
        ("a.pdf", b"%PDF-1.4", "不支持的文件类型"),
        ("a.png", JPEG, "文件内容与扩展名不符"),
        ("a.jpg", b"<svg/>", "文件内容与扩展名不符"),
        ("a.svg", b"<svg/>", "不支持的文件类型"),
    ],
)
def test_case_images_must_really_be_images(client, auth, make, app, name, data, message):
    login(auth, make.provider())
    response = client.post(
        "/providers/profile/cases/new",
        content_type="multipart/form-data",
        data={"title": "案例", "images": [(io.BytesIO(data), name)]},
    )
    assert response.status_code == 422
    assert any(message in m for m in errors_of(page(response), "images"))
    assert db.session.scalar(select(func.count(Case.id))) == 0 and stored_files(app) == []


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("title", "", "必填"),
        ("year", "1800", "不得小于 1950"),
        ("year", "去年", "请输入整数"),
        ("cluster", "x", "未知取值"),
    ],
)
def test_case_field_errors(client, auth, make, field, value, message):
    login(auth, make.provider())
    response = client.post("/providers/profile/cases/new", data={"title": "案例", field: value})
    assert response.status_code == 422
    assert any(message in m for m in errors_of(page(response), field))
    assert db.session.scalar(select(func.count(Case.id))) == 0


def test_case_needs_a_profile_first(client, auth, make):
    login(auth, make.provider(profile=False))
    response = client.get("/providers/profile/cases/new")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/providers/profile"
    )


def test_edit_case_and_remove_an_image(client, auth, make, app):
    user = make.provider()
    login(auth, user)
    client.post(
        "/providers/profile/cases/new",
        content_type="multipart/form-data",
        data={"title": "旧标题", "images": [(io.BytesIO(PNG), "a.png")]},
    )
    case = db.session.scalar(select(Case))
    image_id = case.images[0].id
    assert "旧标题" in page(client.get(f"/providers/cases/{case.id}/edit"))
    response = client.post(
        f"/providers/cases/{case.id}/edit",
        content_type="multipart/form-data",
        data={"title": "新标题", "remove_image": str(image_id)},
    )
    assert response.status_code == 302
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.title == "新标题" and case.images == [] and stored_files(app) == []


def test_delete_case_removes_images(client, auth, make, app):
    login(auth, make.provider())
    client.post(
        "/providers/profile/cases/new",
        content_type="multipart/form-data",
        data={"title": "案例", "images": [(io.BytesIO(PNG), "a.png")]},
    )
    case = db.session.scalar(select(Case))
    assert client.post(f"/providers/cases/{case.id}/delete").status_code == 302
    assert db.session.scalar(select(func.count(Case.id))) == 0
    assert db.session.scalar(select(func.count(Attachment.id))) == 0 and stored_files(app) == []


def test_another_provider_cannot_touch_cases(client, auth, make):
    owner = make.provider(cases=[{"title": "别人的案例"}])
    case = owner.organization.provider.cases[0]
    for intruder in (make.provider(), make.enterprise()):
        login(auth, intruder)
        assert client.get(f"/providers/cases/{case.id}/edit").status_code == 403
        assert (
            client.post(f"/providers/cases/{case.id}/edit", data={"title": "改掉"}).status_code
            == 403
        )
        assert client.post(f"/providers/cases/{case.id}/delete").status_code == 403
        auth.logout()
    db.session.refresh(case)
    assert case.title == "别人的案例"


def test_profile_page_only_edits_own_organisation(client, auth, make):
    owner = make.provider(name="甲设计")
    intruder = make.provider(name="乙设计")
    login(auth, intruder)
    client.post("/providers/profile", data={**PROFILE, "description": "乙的介绍"})
    db.session.expire_all()
    assert owner.organization.provider.description == "专业工业设计服务"
    assert intruder.organization.provider.description == "乙的介绍"
    html = page(client.get(f"/providers/{owner.organization.provider.id}"))
    assert "编辑档案" not in html and "/edit" not in html
