"""Validators: unified social credit codes (GB 32100 check character) and mobile numbers."""

import pytest

from matchmaker.validators import credit_code_check_char, normalise_credit_code, normalise_mobile
from tests.factories import credit_code


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000600037341L", credit_code(7)])
def test_valid_credit_codes(code):
    assert normalise_credit_code(code.lower()) == code


@pytest.mark.parametrize(
    "code,reason",
    [
        ("91350100M000100Y44", "check"),  # wrong check character
        ("91350100M000100Y4", "length"),
        ("91350100M000100YI3", "format"),  # I is not in the character set
        ("", "length"),
    ],
)
def test_invalid_credit_codes(code, reason):
    with pytest.raises(ValueError, match=reason):
        normalise_credit_code(code)


def test_check_character_is_computed_per_gb32100():
    # a published example code, 91350100M000100Y43, ends in 3
    assert credit_code_check_char("91350100M000100Y4") == "3"


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("138 0013 8000", "13800138000"),
        ("+8613800138000", "13800138000"),
        ("0086-139-1234-5678", "13912345678"),
    ],
)
def test_mobile_numbers_are_normalised(raw, expected):
    assert normalise_mobile(raw) == expected


@pytest.mark.parametrize("raw", ["12800138000", "1380013800", "23800138000", "abc"])
def test_invalid_mobile_numbers(raw):
    with pytest.raises(ValueError):
        normalise_mobile(raw)
