"""Contact details in free text: found however they are written, masked exactly where they are,
and ordinary numbers (money, dates, model numbers) left alone."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matchmaker.services.contact_details import MASK, find, kinds_in, mask


@pytest.mark.parametrize(
    "text,masked,kinds",
    [
        ("电话：138 1234 5678", "电话：[***]", ["phone"]),
        ("手机１３８１２３４５６７８", "手机[***]", ["phone"]),  # full-width digits
        ("+86 13912345678 找王经理", "[***] 找王经理", ["phone"]),
        ("座机023-68881234", "座机[***]", ["phone"]),
        ("邮箱 a.b@ex.com.cn 联系", "邮箱 [***] 联系", ["email"]),
        ("wang＠example．cn", "[***]", ["email"]),  # full-width @ and dot
        ("请加我微信 zhang_wei88 详谈", "请加我[***] 详谈", ["wechat"]),
        ("加vx：abc12345", "加[***]", ["wechat"]),
        ("WeChat id wx_abcdef", "[***]", ["wechat"]),
        ("QQ号码是 987654321", "[***]", ["qq"]),
        ("电话13812345678或QQ 12345678", "电话[***]或[***]", ["phone", "qq"]),
    ],
)
def test_contact_details_are_masked(text, masked, kinds):
    assert mask(text) == (masked, kinds)
    assert kinds_in(text) == kinds


@pytest.mark.parametrize(
    "text",
    [
        "预算 300000 元，工期 60 天，2026年12月交付",
        "订单号 1381234567890123",  # too long for a mobile number
        "型号 X200-300，尺寸 1200x800",
        "wx123456",  # no WeChat id starts with a digit
        "微信公众号文章",
    ],
)
def test_ordinary_text_is_left_alone(text):
    assert mask(text) == (text, [])


def test_found_items_keep_their_positions_in_the_original_text():
    text = "联系 １３８１２３４５６７８。"
    (found,) = find(text)
    assert text[found.start : found.end] == found.text == "１３８１２３４５６７８"


@given(st.text(alphabet=st.sampled_from("0123456789 -@.qQ微信wxvx联系电话abc"), max_size=60))
def test_masked_text_holds_nothing_left_to_mask(text):
    masked, _kinds = mask(text)
    assert find(masked.replace(MASK, " ")) == []
