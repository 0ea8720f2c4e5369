"""Chinese line breaking for the guide PDF: punctuation never opens or closes a line the wrong
way, Latin words stay whole, a paragraph does not end in one lone character."""

from __future__ import annotations

import pytest

from matchmaker.services.linebreak import NO_END, NO_START, wrap


def width(text: str) -> float:
    """One unit per Chinese character, half for Latin, as a CJK font measures."""
    return sum(1 if ord(ch) >= 0x2E80 else 0.5 for ch in text)


TEXT = (
    "本季度汽摩、电子信息和智能装备集群的设计需求最为集中，外观与结构设计仍是主要服务类型。"
    "食品及农产品加工集群的包装与品牌设计需求增长较快，但经认证的本地服务方偏少，"
    "建议在下次对接会中重点邀请“相关设计机构”（含高校）。"
)


@pytest.mark.parametrize("columns", range(4, 30))
def test_no_line_starts_with_closing_or_ends_with_opening_punctuation(columns):
    lines = wrap(TEXT, columns, width)
    assert "".join(lines) == TEXT
    assert all(width(line) <= columns + 1 for line in lines)  # a carried mark may add one
    assert not [line for line in lines[1:] if line[0] in NO_START]
    assert not [line for line in lines[:-1] if line[-1] in NO_END]


def test_a_closing_mark_takes_the_character_before_it_down():
    assert wrap("一二三四。", 4, width) == ["一二三", "四。"]
    assert wrap("一二三“四五”", 4, width) == ["一二三", "“四五”"]


def test_the_last_line_is_never_one_lone_character():
    assert wrap("认证团队规模", 5, width) == ["认证团队", "规模"]


def test_latin_words_and_numbers_stay_whole():
    lines = wrap("Intelligent Connected New Energy Vehicles 2027-04-30", 6, width)
    assert lines == ["Intelligent", "Connected", "New Energy", "Vehicles", "2027-04-30"]
    assert wrap("外观设计CMF设计", 4, width) == ["外观设计", "CMF设计"]
    assert wrap("Supercalifragilistic", 2, width) == ["Supe", "rcal", "ifra", "gili", "stic"]


def test_own_line_breaks_are_kept():
    assert wrap("第一段。\n第二段。", 20, width) == ["第一段。", "第二段。"]
