"""Talent pool pages: public cards, a person's profile and data, needs, contacts, hires."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import TalentContact, TalentProfile, User
from matchmaker.search_engine import get_search
from matchmaker.services.talent import profiles
from tests.web.pages import CONFIRMED, errors_of, login, page

NAME, PHONE = "赵一鸣", "13900009999"


@pytest.fixture
def person(make):
    user = make.designer(
        name=NAME,
        specialities=["structural-design"],
        years_experience=4,
        bio="农机结构设计四年",
    )
    user.phone = PHONE
    db.session.commit()
    get_search().refresh()
    return user


def test_the_public_pool_shows_cards_without_names(client, person):
    profile = profiles.own_profile(db.session, person)
    html = page(client.get("/talent"))
    assert f"/talent/{profile.id}" in html and "熟练（3–5年）" in html
    card = page(client.get(f"/talent/{profile.id}"))
    assert "结构设计" in card and "永川区" in card
    for private in (NAME, PHONE, person.email, "农机结构设计四年"):
        assert private not in html and private not in card
    assert client.get("/talent/99999").status_code == 404


@pytest.mark.parametrize(
    "url", ["/talent/profile", "/talent/contacts", "/talent/openings", "/talent-needs/mine"]
)
def test_own_pages_need_a_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_profile_form_saves_and_reports_every_problem(client, auth, make):
    user = make.designer(profile=False)
    login(auth, user)
    empty = client.post("/talent/profile", data={"years_experience": "x", "employer": "不存在的厂"})
    assert empty.status_code == 422
    html = page(empty)
    for field in ("specialities", "clusters", "region", "years_experience", "employer"):
        assert errors_of(html, field), field
    saved = client.post(
        "/talent/profile",
        data={
            "specialities": ["appearance-design"],
            "clusters": ["nev-ice"],
            "years_experience": "2",
            "professional_title": "junior",
            "region": "yongchuan",
            "availability": "available",
            "listed": "y",
        },
    )
    assert saved.status_code == 302
    profile = profiles.own_profile(db.session, user)
    assert profile.specialities == ["appearance-design"] and profile.listed
    work = client.post("/talent/profile/works/new", data={"title": "电动车外观", "year": "2025"})
    assert work.status_code == 302 and [w.title for w in profile.works] == ["电动车外观"]
    assert errors_of(page(client.post("/talent/profile/works/new", data={"year": "3000"})), "year")


def test_export_and_delete_through_the_pages(client, auth, person):
    login(auth, person)
    exported = client.get("/talent/profile/export")
    assert exported.headers["Content-Disposition"].startswith("attachment")
    assert json.loads(exported.data)["account"]["name"] == NAME
    asked = client.post("/talent/profile/delete")  # without a script: a page that asks first
    assert asked.status_code == 200 and "永久删除" in page(asked)
    assert profiles.own_profile(db.session, person) is not None
    gone = client.post("/talent/profile/delete", data=CONFIRMED)
    assert gone.status_code == 302
    assert db.session.scalar(select(TalentProfile)) is None
    assert not db.session.get(User, person.id).active
    assert client.get("/talent/profile").status_code == 302  # signed out


def test_an_organisation_posts_a_need_contacts_a_card_and_hires(client, auth, make, person):
    owner = make.enterprise()
    login(auth, owner)
    bad = client.post("/talent-needs/new", data={"title": "", "salary_min": "9", "salary_max": "1"})
    assert bad.status_code == 422 and errors_of(page(bad), "salary_max")
    created = client.post(
        "/talent-needs/new",
        data={
            "title": "农机结构设计师",
            "description": "负责农机结构设计",
            "specialities": ["structural-design"],
            "clusters": ["smart-equipment"],
            "min_title": "none",
            "headcount": "1",
            "region": "yongchuan",
            "salary_min": "8000",
            "salary_max": "12000",
        },
    )
    assert created.status_code == 302
    need_url = created.headers["Location"]
    get_search().refresh()
    detail = page(client.get(need_url))
    profile = profiles.own_profile(db.session, person)
    assert f"/talent/{profile.id}" in detail and "专长相符" in detail
    assert NAME not in detail

    need_id = int(need_url.rstrip("/").rsplit("/", 1)[1])
    sent = client.post(f"/talent/{profile.id}", data={"need_id": str(need_id), "message": "您好"})
    assert sent.status_code == 302
    contact = db.session.scalar(select(TalentContact))
    assert NAME not in page(client.get(need_url))  # not before the person accepts

    auth.logout()
    login(auth, person)
    assert "农机结构设计师" in page(client.get("/talent/contacts"))
    assert client.post(f"/talent/contacts/{contact.id}/accept", data=CONFIRMED).status_code == 302

    auth.logout()
    login(auth, owner)
    detail = page(client.get(need_url))
    assert NAME in detail and PHONE in detail
    assert client.post(f"/talent-contacts/{contact.id}/hire", data=CONFIRMED).status_code == 302
    assert "已招满" in page(client.get(need_url))


def test_someone_elses_contact_request_is_not_found(client, auth, make, person):
    owner = make.enterprise()
    need = make.talent_need(owner)
    from matchmaker.services.talent import contacts

    profile = profiles.own_profile(db.session, person)
    contact = contacts.send(db.session, owner, profile.id, {"need_id": need.id, "message": "hi"})
    db.session.commit()
    login(auth, make.designer())
    assert client.post(f"/talent/contacts/{contact.id}/accept", data=CONFIRMED).status_code == 404
    login(auth, make.enterprise())
    assert client.get(f"/talent-needs/{need.id}/edit").status_code == 403


DESIGNER = {
    "name": "钱多多",
    "phone": "13811112222",
    "email": "qian@example.cn",
    "password": "long-enough-pw",
    "confirm": "long-enough-pw",
}


def test_a_designer_registers_and_confirms_by_e_mail(client, auth, mail_sink):
    bad = client.post("/register/designer", data={**DESIGNER, "phone": "123", "password": "x"})
    assert errors_of(page(bad), "phone") and errors_of(page(bad), "password")
    sent = client.post("/register/designer", data=DESIGNER)
    assert sent.status_code == 302 and sent.headers["Location"] == "/register/sent"
    user = db.session.scalar(select(User).where(User.email == "qian@example.cn"))
    assert user.role == "designer" and user.organization_id is None
    assert "重新发送确认邮件" in page(client.get("/talent/openings"))  # signed in, unconfirmed
    auth.logout()
    assert auth.login("qian@example.cn", "long-enough-pw").status_code == 302
    auth.logout()
    (body,) = mail_sink.bodies("qian@example.cn")
    assert "个人设计师" in body
    link = re.search(r"http://localhost(/register/confirm/\S+)", body).group(1)
    assert client.get(link).headers["Location"].endswith("/talent/openings")
    html = page(client.get("/talent/openings"))
    assert "填写人才档案" in html and "重新发送确认邮件" not in html
    # Registering the same address again looks the same from outside; the owner is mailed,
    # and the new account can never be confirmed.
    auth.logout()
    again = client.post("/register/designer", data=DESIGNER)
    assert again.headers["Location"] == "/register/sent"
    assert "已有账号" in mail_sink.bodies("qian@example.cn")[-1]
    confirmed = select(func.count(User.id)).where(
        User.email == "qian@example.cn", User.email_confirmed_at.is_not(None)
    )
    assert db.session.scalar(confirmed) == 1


def test_without_e_mail_an_administrator_confirms_a_designer(client, auth, make):
    assert client.post("/register/designer", data=DESIGNER).status_code == 302
    user = db.session.scalar(select(User).where(User.email == "qian@example.cn"))
    admin = make.admin()
    login(auth, admin)
    listed = page(client.get("/admin/experts"))
    assert "钱多多" in listed and f"/admin/designers/{user.id}/confirm" in listed
    assert client.post(f"/admin/designers/{user.id}/confirm").status_code == 302
    auth.logout()
    assert auth.login("qian@example.cn", "long-enough-pw").status_code == 302
