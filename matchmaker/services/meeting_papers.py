"""The papers an administrator takes to a matchmaking meeting, as XLSX or PDF: the pair list,
the sign-in sheet of the invited organisations, and the agenda.

The agenda is the platform's default programme: check-in half an hour before the start, a
short opening, then one table per demand where its enterprise meets its providers one after
another (``TALK`` each, the tables side by side), and open exchange to close. A provider paired
with several demands, or an enterprise with several, is never due at two tables at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _

from ..china_time import to_local
from ..models import Meeting, MeetingPair
from ..spreadsheets import table_workbook
from .pdf_document import Document

PAPERS = ("pairs", "sign-in", "agenda")
CHECK_IN = dt.timedelta(minutes=30)
OPENING = dt.timedelta(minutes=15)
TALK = dt.timedelta(minutes=20)
EXCHANGE = dt.timedelta(minutes=30)


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[object]]
    widths: list[float]  # relative, for the PDF
    room_to_sign: bool = False  # the PDF leaves space in the last column for a signature


def _pairs(meeting: Meeting) -> list[MeetingPair]:
    return sorted(meeting.pairs, key=lambda p: (p.demand.title, p.demand_id, p.rank, p.id))


def pair_list(meeting: Meeting, outcome_labels: Mapping[str, str]) -> Table:
    """Every pair, included or not, with its outcome once recorded."""
    return Table(
        _("配对名单"),
        [_("需求"), _("需求方"), _("服务方"), _("排名"), _("匹配分"), _("名单"), _("对接结果")],
        [
            [
                p.demand.title,
                p.demand.organization.name,
                p.provider.name,
                p.rank,
                round(p.score, 2),
                _("入选") if p.included else _("已剔除"),
                outcome_labels.get(p.outcome or "", ""),
            ]
            for p in _pairs(meeting)
        ],
        [34, 24, 24, 8, 10, 10, 12],
    )


def sign_in_sheet(meeting: Meeting, rsvp_labels: Mapping[str, str]) -> Table:
    """One line per invited organisation, enterprises first, with room to sign."""
    invitees = sorted(
        meeting.invitees, key=lambda i: (i.organization.type != "enterprise", i.organization.name)
    )
    return Table(
        _("签到表"),
        [_("序号"), _("单位"), _("类型"), _("联系人"), _("电话"), _("回复"), _("签到")],
        [
            [
                n,
                i.organization.name,
                _("制造企业") if i.organization.type == "enterprise" else _("设计服务方"),
                i.organization.contact_name or "",
                i.organization.phone or "",
                rsvp_labels.get(i.rsvp, i.rsvp),
                "",
            ]
            for n, i in enumerate(invitees, start=1)
        ],
        [7, 34, 14, 12, 16, 10, 22],
        room_to_sign=True,
    )


def talk_slots(pairs: list[MeetingPair]) -> dict[MeetingPair, int]:
    """The round of each talk, so that no organisation (the demand's enterprise, the provider)
    has two talks in one round. Greedy, best-ranked pairs first: each demand meets its first
    choice as early as it can."""
    busy: dict[int, set[int]] = {}  # organisation id → its rounds
    slots = {}
    for pair in sorted(pairs, key=lambda p: p.rank):  # stable: the tables' order within a rank
        sides = (pair.demand.organization_id, pair.provider.organization_id)
        slot = 0
        while any(slot in busy.get(side, ()) for side in sides):
            slot += 1
        for side in sides:
            busy.setdefault(side, set()).add(slot)
        slots[pair] = slot
    return slots


def agenda(meeting: Meeting) -> Table:
    """The default programme in China time; the tables run side by side."""
    included = [p for p in _pairs(meeting) if p.included]
    slots = talk_slots(included)
    by_demand: dict[int, list[MeetingPair]] = {}
    for pair in included:
        by_demand.setdefault(pair.demand_id, []).append(pair)
    for pairs in by_demand.values():
        pairs.sort(key=lambda p: slots[p])
    start = to_local(meeting.starts_at)
    talks_start = start + OPENING
    rounds = max(slots.values(), default=-1) + 1
    talks_end = talks_start + rounds * TALK

    def at(pair: MeetingPair) -> dt.datetime:
        return talks_start + slots[pair] * TALK

    def span(begin: dt.datetime, end: dt.datetime) -> str:
        return f"{begin:%H:%M}–{end:%H:%M}"

    rows: list[list[object]] = [
        [span(start - CHECK_IN, start), _("签到"), meeting.place],
        [span(start, talks_start), _("开场：对接会安排与平台介绍"), ""],
    ]
    for number, pairs in enumerate(by_demand.values(), start=1):
        demand = pairs[0].demand
        rows.append(
            [
                span(at(pairs[0]), at(pairs[-1]) + TALK),
                _(
                    "第 %(n)s 桌：%(enterprise)s · %(title)s",
                    n=number,
                    enterprise=demand.organization.name,
                    title=demand.title,
                ),
                "\n".join(f"{at(p):%H:%M} {p.provider.name}" for p in pairs),
            ]
        )
    rows.append([span(talks_end, talks_end + EXCHANGE), _("自由交流与合影"), ""])
    return Table(
        _("议程（%(date)s）", date=f"{start:%Y-%m-%d}"),
        [_("时间"), _("内容"), _("说明")],
        rows,
        [16, 50, 34],
    )


def table(meeting: Meeting, paper: str, outcome_labels, rsvp_labels) -> Table:
    if paper == "pairs":
        return pair_list(meeting, outcome_labels)
    if paper == "sign-in":
        return sign_in_sheet(meeting, rsvp_labels)
    return agenda(meeting)


def xlsx(paper: Table) -> bytes:
    return table_workbook(paper.headers, paper.rows, title=paper.title)


def pdf(meeting: Meeting, paper: Table, config: Mapping, locale: str) -> bytes:
    """The paper under the meeting's title, time and place."""
    document = Document(config, meeting.title, locale)
    document.add_page()
    document.heading(meeting.title, size=16)
    when = to_local(meeting.starts_at).strftime("%Y-%m-%d %H:%M")
    document.para(_("%(when)s（北京时间）· %(place)s", when=when, place=meeting.place))
    document.heading(paper.title, size=12, need=20)
    rows = [[*row[:-1], "\n\n"] for row in paper.rows] if paper.room_to_sign else paper.rows
    if rows:
        document.grid([paper.headers, *rows], paper.widths)
    else:
        document.para(_("暂无。"))
    return bytes(document.output())
