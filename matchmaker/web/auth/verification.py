"""An organisation's verification: its badge, its latest request, the evidence form."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import MultipleFileField, SelectField, StringField, TextAreaField

from ...extensions import db
from ...schemas import try_validate
from ...services import evidence, files
from ...services.errors import ServiceError, ValidationFailed
from ...transaction import unit_of_work
from ..common import show_errors, taxonomy_choices
from ..uploads import private_file, upload_folder, upload_storage
from .routes import bp

ACCEPT = ",".join("." + e for e in files.EVIDENCE.extensions)


class EvidenceForm(FlaskForm):
    registered_name = StringField(_l("营业执照上的单位名称"), render_kw={"maxlength": 200})
    credit_code = StringField(
        _l("统一社会信用代码"), render_kw={"maxlength": 18, "autocapitalize": "characters"}
    )
    level = SelectField(_l("设计中心认定级别"), default="none", validate_choice=False)
    licence = MultipleFileField(_l("营业执照"), render_kw={"accept": ACCEPT})
    level_proof = MultipleFileField(_l("认定文件"), render_kw={"accept": ACCEPT})
    note = TextAreaField(_l("补充说明（选填）"), render_kw={"rows": 2, "maxlength": 1000})

    def body(self) -> dict:
        data = {
            name: (getattr(self, name).data or "").strip()
            for name in ("registered_name", "credit_code", "note")
        }
        return {**{k: v for k, v in data.items() if v or k == "note"}, "level": self.level.data}


def _form(organization, formdata=None) -> EvidenceForm:
    form = EvidenceForm(formdata=formdata)
    form.level.choices = taxonomy_choices("provider_levels")
    if formdata is None:
        form.registered_name.data = organization.name
        form.credit_code.data = organization.credit_code
        form.level.data = organization.level or "none"
    return form


def _render(form: EvidenceForm, status: int = 200):
    organization = current_user.organization
    return render_template(
        "auth/verification.html",
        form=form,
        organization=organization,
        latest=evidence.latest(db.session, organization),
    ), status


@bp.route("/account/verification", methods=["GET", "POST"])
@login_required
def verification():
    organization = current_user.organization
    if organization is None:
        abort(403)
    if request.method == "GET":
        return _render(_form(organization))
    form = _form(organization, request.form)
    uploads, failures = {}, []
    for name in ("licence", "level_proof"):
        try:
            uploads[name] = files.check(request.files.getlist(name), files.EVIDENCE, name)
        except ValidationFailed as exc:
            uploads[name] = []
            failures.append(exc)
    _valid, problems = try_validate(evidence.EvidenceIn, form.body())
    if failures or problems:
        for failure in failures + ([ValidationFailed("", problems)] if problems else []):
            show_errors(form, failure)
        return _render(form, 422)
    written: list[str] = []
    try:
        with unit_of_work():
            _row, written = evidence.submit(
                db.session,
                current_user,
                form.body(),
                uploads["licence"],
                uploads["level_proof"],
                upload_storage(),
            )
    except ServiceError as exc:
        files.discard(upload_folder(), written)
        if isinstance(exc, ValidationFailed):
            show_errors(form, exc)
        else:
            form.form_errors.append(exc.message)
        return _render(form, 422)
    flash(_("认证材料已提交，平台管理员审核后会通知您"), "success")
    return redirect(url_for(".verification"))


@bp.get("/verification/<int:request_id>/files/<int:attachment_id>")
@login_required
def evidence_file(request_id: int, attachment_id: int):
    item = evidence.evidence_file(db.session, current_user, request_id, attachment_id)
    return private_file(item)
