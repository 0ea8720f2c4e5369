"""Forms of an interest: the provider's first proposal on a demand, then on the interest's page
a message or counter-offer, a revised proposal, the deal, a review and a report. The rules are
the services' schemas; these forms render and collect."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import MultipleFileField, RadioField, StringField, TextAreaField

from ...services import files
from ..common import CHECKED_REQUIRED, MARKED_REQUIRED, blank_to_none, without_blanks

STARS = [(str(n), str(n)) for n in range(1, 6)]


def _attachments() -> MultipleFileField:
    return MultipleFileField(
        _l("附件"),
        render_kw={"accept": ",".join("." + e for e in files.DOCUMENTS.extensions)},
    )


class MessageForm(FlaskForm):
    body = TextAreaField(_l("消息"), CHECKED_REQUIRED, render_kw={"rows": 3, "maxlength": 5000})
    price = StringField(_l("报价（元，选填）"), render_kw={"inputmode": "numeric"})
    timeline_days = StringField(_l("工期（天，选填）"), render_kw={"inputmode": "numeric"})
    attachments = _attachments()

    def body_data(self) -> dict:
        return without_blanks(
            {
                "body": (self.body.data or "").strip(),
                "price": blank_to_none(self.price.data),
                "timeline_days": blank_to_none(self.timeline_days.data),
            },
            ("body",),
        )


class InterestForm(FlaskForm):
    message = TextAreaField(
        _l("方案思路"), MARKED_REQUIRED, render_kw={"rows": 5, "maxlength": 2000}
    )
    price = StringField(_l("报价（元）"), render_kw={"inputmode": "numeric"})
    timeline_days = StringField(_l("工期（天）"), render_kw={"inputmode": "numeric"})

    def body(self) -> dict:
        return without_blanks(
            {
                "message": (self.message.data or "").strip(),
                "price": blank_to_none(self.price.data),
                "timeline_days": blank_to_none(self.timeline_days.data),
            },
            ("message",),
        )


class ProposalForm(InterestForm):
    attachments = _attachments()


class DealForm(FlaskForm):
    contract_value = StringField(
        _l("合同金额（元）"), CHECKED_REQUIRED, render_kw={"inputmode": "numeric"}
    )
    start_date = StringField(_l("开始日期"), CHECKED_REQUIRED, render_kw={"type": "date"})

    def body(self) -> dict:
        return without_blanks(
            {
                "contract_value": blank_to_none(self.contract_value.data),
                "start_date": blank_to_none(self.start_date.data),
            },
            ("contract_value", "start_date"),
        )


class ReviewForm(FlaskForm):
    quality = RadioField(_l("设计质量"), choices=STARS, validate_choice=False)
    communication = RadioField(_l("沟通"), choices=STARS, validate_choice=False)
    timeliness = RadioField(_l("准时"), choices=STARS, validate_choice=False)
    text = TextAreaField(_l("评价（选填）"), render_kw={"rows": 3, "maxlength": 2000})

    def body(self) -> dict:
        data = {
            name: getattr(self, name).data
            for name in ("quality", "communication", "timeliness")
            if getattr(self, name).data
        }
        return {**data, "text": (self.text.data or "").strip()}


class ReportForm(FlaskForm):
    reason = TextAreaField(
        _l("举报原因"), CHECKED_REQUIRED, render_kw={"rows": 2, "maxlength": 2000}
    )

    def body(self) -> dict:
        return without_blanks({"reason": (self.reason.data or "").strip()}, ("reason",))
