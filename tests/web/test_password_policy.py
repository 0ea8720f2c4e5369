"""The password policy (length and a zxcvbn estimate, with a reason) on every path that sets
a password: registration, changing it, the command line, accepting an invitation."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import User
from matchmaker.services import passwords
from tests.factories import PASSWORD
from tests.web.pages import REGISTRATION, errors_of, page


@pytest.mark.parametrize(
    "password,reason",
    [
        ("1234567890", "常见密码"),
        ("qwertyuiop", "常见密码"),
        ("asdfghjkl;", "键盘上相邻的按键"),
        ("aaaaaaaaaaaa", "重复的字符"),
        ("abcdefghijk", "连续的数字或字母"),
        ("zhangwei@ex", "您的邮箱、姓名或单位名称"),
        ("short", "至少 10 个字符"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(app, password, reason):
    assert reason in passwords.problem(password, ["zhangwei@example.cn", "张伟"])


@pytest.mark.parametrize(
    "password", [PASSWORD, "mountain-river-88", "渝州智造设计2026", "q8#Lm2!vZpw"]
)
def test_strong_passwords_pass(app, password):
    assert passwords.problem(password, ["zhangwei@example.cn"]) is None


def test_registration_refuses_1234567890_and_says_why(client):
    response = client.post(
        "/register", data={**REGISTRATION, "password": "1234567890", "confirm": "1234567890"}
    )
    assert response.status_code == 200
    (message,) = errors_of(page(response), "password")
    assert "常见密码" in message and "请加长密码" in message
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_changing_to_a_weak_password_is_refused(client, auth, make):
    user = make.enterprise()
    auth.login(user.email)
    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": "1234567890", "confirm": "1234567890"},
    )
    assert "常见密码" in errors_of(page(response), "new_password")[0]
    assert auth.logout() and auth.login(user.email).status_code == 302  # unchanged


def test_the_command_line_refuses_a_weak_password(runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "a@example.cn",
            "--password",
            "1234567890",
            "--role",
            "admin",
        ]
    )
    assert result.exit_code != 0 and "常见密码" in result.output
