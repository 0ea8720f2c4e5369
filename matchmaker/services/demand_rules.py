"""Rules a demand's content meets before it goes to review, beyond its schema.

- A deadline in the past is refused when it is set or changed (a demand that has simply
  outlived its deadline stays editable until it expires).
- Contact details in the title or description would let providers reach the enterprise
  around the platform and name it before it chose anyone: they are flagged to the author
  before submission and marked for the reviewing administrator, who decides.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _

from . import contact_details
from .errors import field_error

CHECKED_FIELDS = ("title", "description")


def check_deadline(
    deadline: dt.date | None, previous: dt.date | None = None, today: dt.date | None = None
) -> None:
    if deadline is None or deadline == previous:
        return
    today = today or dt.date.today()
    if deadline < today:
        raise field_error(
            "deadline", _("截止日期不能早于今天（%(today)s）", today=today.isoformat())
        )


def contact_flags(title: str, description: str) -> dict[str, list[contact_details.Found]]:
    """{field: the contact details found in it}, only fields that hold some."""
    found = {
        name: contact_details.find(text)
        for name, text in zip(CHECKED_FIELDS, (title, description), strict=True)
    }
    return {name: items for name, items in found.items() if items}
