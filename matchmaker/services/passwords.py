"""The password policy: long enough, and not easy to guess, with a reason when it is refused.

Length alone lets ``1234567890`` or ``qwertyuiop`` through. zxcvbn estimates how many guesses
an attacker who knows common passwords, keyboard patterns, sequences, dates and the user's own
details would need; a password needs at least 10^8 (zxcvbn's score 3, "safely unguessable"
against an online attack). zxcvbn's own feedback is English only, so the reason shown is
chosen here from the kind of pattern that made the password weak.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from zxcvbn import zxcvbn

from .errors import field_error

MIN_LENGTH = 10
MAX_LENGTH = 200
MIN_SCORE = 3  # zxcvbn: 3 = at least 10^8 guesses


def _reason(result: dict, context: list[str]) -> str:
    """Why a weak password is weak, from its weakest pattern (the one zxcvbn matched)."""
    patterns = [match for match in result["sequence"] if match["pattern"] != "bruteforce"]
    if any(match.get("dictionary_name") == "user_inputs" for match in patterns):
        return _("密码包含了您的邮箱、姓名或单位名称，别人很容易猜到")
    kinds = {match["pattern"] for match in patterns}
    if "sequence" in kinds:
        return _("密码是连续的数字或字母（如 1234、abcd），很容易被猜到")
    if "repeat" in kinds:
        return _("密码由重复的字符或片段组成（如 aaaa、abcabc），很容易被猜到")
    if "spatial" in kinds:
        return _("密码是键盘上相邻的按键（如 qwerty、1qaz），很容易被猜到")
    if kinds & {"date", "regex"}:  # regex: zxcvbn's recent-year pattern
        return _("密码主要是日期或年份，很容易被猜到")
    if "dictionary" in kinds:
        return _("密码是常见密码或常用词语（包括简单的大小写和字母数字替换），很容易被猜到")
    return _("密码太容易被猜到")


def problem(password: str, context: Iterable[str | None] = ()) -> str | None:
    """Why ``password`` is refused, or None when it is good enough.

    ``context``: what an attacker knows about the account (e-mail, names, organisation).
    """
    if len(password) < MIN_LENGTH:
        return _("至少 %(n)s 个字符", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("最多 %(n)s 个字符", n=MAX_LENGTH)
    inputs = [part for value in context if value for part in _parts(value)]
    result = zxcvbn(password, user_inputs=inputs)
    if result["score"] >= MIN_SCORE:
        return None
    return _(
        "%(reason)s。请加长密码，或用几个不相关的词、数字和符号组合。",
        reason=_reason(result, inputs),
    )


def _parts(value: str) -> list[str]:
    """An e-mail also counts by its local part; a name as typed."""
    value = value.strip().lower()
    return [value, value.split("@")[0]] if "@" in value else [value]


def require(field: str, password: str, context: Iterable[str | None] = ()) -> None:
    """Raise a validation error on ``field`` when the password is refused."""
    message = problem(password, context)
    if message is not None:
        raise field_error(field, message)
