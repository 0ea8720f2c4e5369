"""The demand lifecycle lives in one place: the transition table and the named status sets."""

from __future__ import annotations

import re
from pathlib import Path

from matchmaker.models import DemandStatus
from matchmaker.services import demand_lifecycle as lifecycle

ROOT = Path(__file__).resolve().parents[2]
# Where a status list may be written out: the sets themselves and the table of moves.
HOMES = {ROOT / "matchmaker/models.py", ROOT / "matchmaker/services/demand_lifecycle.py"}
STATUS = "|".join(DemandStatus.ALL)
# DRAFT, IN_REVIEW, …: the names of single statuses (other classes' ``S.X`` do not count)
NAMES = "|".join(name for name, value in vars(DemandStatus).items() if value in DemandStatus.ALL)
ONE = rf"(?:S|DemandStatus)\.(?:{NAMES})\b"
CODE_LIST = re.compile(rf"[(\[{{]\s*{ONE}\s*,\s*{ONE}")
TEMPLATE_LIST = re.compile(rf"status\s+(?:not\s+)?in\s+[(\[]\s*[\"'](?:{STATUS})[\"']")


def test_every_move_starts_and_ends_at_known_statuses():
    moves = [v for v in vars(lifecycle).values() if isinstance(v, lifecycle.Move)]
    assert len(moves) == 9
    for move in moves:
        assert move.target in DemandStatus.ALL
        assert move.sources and set(move.sources) <= set(DemandStatus.ALL)
        assert move.target not in move.sources


def test_named_sets_nest_as_the_lifecycle_says():
    assert set(DemandStatus.LISTED) <= set(DemandStatus.OPEN) <= set(DemandStatus.PUBLIC)
    assert set(DemandStatus.EXPIRABLE) <= set(DemandStatus.WITHDRAWABLE)
    assert DemandStatus.CLOSED not in DemandStatus.WITHDRAWABLE + DemandStatus.EDITABLE


def test_no_other_module_or_template_lists_demand_statuses_itself():
    offenders = []
    for path in (ROOT / "matchmaker").rglob("*.py"):
        if path not in HOMES and CODE_LIST.search(path.read_text(encoding="utf-8")):
            offenders.append(str(path.relative_to(ROOT)))
    for path in (ROOT / "templates").rglob("*.html"):
        if TEMPLATE_LIST.search(path.read_text(encoding="utf-8")):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == [], offenders
