"""The command line: creating users (and their organisations) and refusing bad input."""

from sqlalchemy import select

from matchmaker.models import Organization, User


def test_users_create_admin(runner, app):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Root@Example.cn",
            "--password",
            "long-enough-pw",
            "--role",
            "admin",
        ]
    )
    assert result.exit_code == 0, result.output
    user = app.extensions["sqlalchemy"].session.scalar(
        select(User).where(User.email == "root@example.cn")
    )
    assert user.role == "admin" and user.organization is None


def test_users_create_joins_or_creates_organisation(runner, app, make):
    session = app.extensions["sqlalchemy"].session
    for email in ("a@example.cn", "b@example.cn"):
        result = runner.invoke(
            args=[
                "users",
                "create",
                "--email",
                email,
                "--password",
                "long-enough-pw",
                "--role",
                "provider",
                "--organization",
                "重庆某设计公司",
            ]
        )
        assert result.exit_code == 0, result.output
    orgs = session.scalars(select(Organization).where(Organization.name == "重庆某设计公司")).all()
    assert len(orgs) == 1 and orgs[0].type == "provider" and len(orgs[0].users) == 2


def test_users_create_rejects_bad_input_and_changes_nothing(runner, app, make):
    make.admin("taken@example.cn")
    session = app.extensions["sqlalchemy"].session
    before = len(session.scalars(select(User)).all())
    for args in (
        ["--email", "taken@example.cn", "--password", "long-enough-pw", "--role", "admin"],
        ["--email", "x@example.cn", "--password", "short", "--role", "admin"],
        ["--email", "y@example.cn", "--password", "long-enough-pw", "--role", "enterprise"],
    ):
        result = runner.invoke(args=["users", "create", *args])
        assert result.exit_code != 0
        assert "Error" in result.output
    assert len(session.scalars(select(User)).all()) == before
