"""Provider pages: browsing, the public profile, and a provider's own profile and cases."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import login_required

from search import PROVIDERS

from ...extensions import db
from ...models import Case, Role
from ...schemas import CaseIn, ProviderIn, validate
from ...services import access, deals, files, interests, ratings, vouching
from ...services import providers as provider_service
from ...services.accreditation import recognitions
from ...services.errors import Forbidden, StaleRecord, ValidationFailed
from ...services.showcase import gallery
from ...transaction import commit, unit_of_work
from ..common import actor, show_errors
from ..search_pages import faceted_query, provider_results
from ..uploads import save_with_uploads, upload_folder, upload_storage
from .forms import CaseForm, ProviderForm

bp = Blueprint("providers", __name__)

FACETS = ("cluster", "service", "region", "level", "kind")
SORTS = ("relevance", "newest")
PER_PAGE = 20


# --- browsing and the public profile ---------------------------------------------------------


@bp.get("/providers")
@login_required
def browse():
    query, state = faceted_query(PROVIDERS, FACETS, PER_PAGE, SORTS)
    return provider_results("providers/browse.html", query, state)


@bp.get("/providers/<int:provider_id>")
def profile_page(provider_id: int):
    user = actor()
    provider = provider_service.get_provider(db.session, user, provider_id)
    return render_template(
        "providers/profile.html",
        provider=provider,
        is_owner=access.owns(user, provider.organization_id),
        public=vouching.organization_vouched(provider.organization),
        reviews=deals.of_provider(db.session, provider.id),
        invitable=interests.invitable_demands(db.session, user, provider.id),
        rating=ratings.ratings(db.session, [provider.id]).get(provider.id),
        recognitions=recognitions.active_for(db.session, provider.organization_id),
        good_designs=gallery.of_provider(db.session, provider.id),
    )


@bp.get("/providers/cases/<int:case_id>/images/<int:attachment_id>")
def case_image(case_id: int, attachment_id: int):
    image = files.case_image(db.session, actor(), case_id, attachment_id)
    path = files.path_of(upload_folder(), image)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype=image.content_type, download_name=image.filename, max_age=3600)


# --- a provider's own profile ----------------------------------------------------------------


def _own_organization():
    user = actor()
    access.require_role(user, Role.PROVIDER)
    if user.organization is None:
        raise Forbidden(_("仅设计服务方可以执行此操作"))
    return user, user.organization


@bp.route("/providers/profile", methods=["GET", "POST"])
@login_required
def own_profile():
    user, organization = _own_organization()
    provider = organization.provider
    form = ProviderForm()
    form.set_choices()
    if request.method == "POST":
        body = form.body()
        was_verified = organization.verified
        try:
            with unit_of_work():
                # blanks reported as missing
                validate(ProviderIn, {"name": organization.name, **body})
                if provider is None:
                    provider = provider_service.create_provider(
                        db.session, user, {"name": organization.name, **body}
                    )
                else:
                    provider_service.update_provider(
                        db.session, user, provider.id, body, expected_version=form.edited_version()
                    )
        except StaleRecord:  # someone saved the profile after this form was opened
            return render_template(
                "providers/edit.html",
                form=form,
                organization=organization,
                provider=organization.provider,
                stale=True,
            ), 409
        except ValidationFailed as exc:
            show_errors(form, exc)
            return render_template(
                "providers/edit.html",
                form=form,
                organization=organization,
                provider=organization.provider,
            ), 422
        if was_verified and not organization.verified:
            flash(_("服务能力档案已保存。单位信息有变化，认证将由管理员重新审核。"), "success")
        else:
            flash(_("服务能力档案已保存"), "success")
        return redirect(url_for(".own_profile"))
    if provider is not None:
        form.fill(provider_service.provider_input(provider))
        form.version.data = provider.version
    else:
        form.fill(
            {"kind": organization.kind, "level": organization.level, "region": organization.region}
        )
    return render_template(
        "providers/edit.html",
        form=form,
        organization=organization,
        provider=provider,
        public=vouching.organization_vouched(organization),
    )


# --- portfolio cases -------------------------------------------------------------------------


def _own_case(case_id: int) -> Case:
    return provider_service.managed_case(db.session, actor(), case_id)


def _remove_ids(case: Case | None) -> list[int]:
    if case is None:
        return []
    wanted = {v for v in request.form.getlist("remove_image") if v.isdigit()}
    return [a.id for a in case.images if str(a.id) in wanted]


def _save_case(form: CaseForm, provider_id: int, case: Case | None) -> Case | None:
    user = actor()
    remove = _remove_ids(case)

    def check_uploads():
        already = len(case.images) - len(remove) if case is not None else 0
        return files.check(
            request.files.getlist(form.images.name), files.IMAGES, "images", already=already
        )

    def write(uploads):
        if case is None:
            saved = provider_service.add_case(db.session, user, provider_id, body)
        else:
            saved = provider_service.update_case(db.session, user, case.id, body)
        written, removed = files.attach_to_case(
            db.session, user, saved, uploads, upload_storage(), remove_ids=remove
        )
        return saved, written, removed

    body = form.body()
    return save_with_uploads(form, CaseIn, body, check_uploads, write)


def _own_provider_id() -> int:
    user, organization = _own_organization()
    if organization.provider is None:
        flash(_("请先完善服务能力档案"), "error")
        abort(redirect(url_for(".own_profile")))
    return organization.provider.id


@bp.route("/providers/profile/cases/new", methods=["GET", "POST"])
@login_required
def case_new():
    provider_id = _own_provider_id()
    form = CaseForm()
    form.set_choices()
    if request.method == "POST":
        case = _save_case(form, provider_id, None)
        if case is not None:
            flash(_("案例已添加"), "success")
            return redirect(url_for(".profile_page", provider_id=provider_id) + "#cases")
        return render_template("providers/case_form.html", form=form, case=None), 422
    return render_template("providers/case_form.html", form=form, case=None)


@bp.route("/providers/cases/<int:case_id>/edit", methods=["GET", "POST"])
@login_required
def case_edit(case_id: int):
    case = _own_case(case_id)
    provider_id = case.provider_id
    if request.method == "POST":
        form = CaseForm()
        form.set_choices()
        saved = _save_case(form, provider_id, case)
        if saved is not None:
            flash(_("案例已保存"), "success")
            return redirect(url_for(".profile_page", provider_id=provider_id) + "#cases")
        return render_template(
            "providers/case_form.html", form=form, case=db.session.get(Case, case_id)
        ), 422
    form = CaseForm(
        data={
            "title": case.title,
            "description": case.description,
            "cluster": case.cluster or "",
            "year": case.year,
        }
    )
    form.set_choices()
    return render_template("providers/case_form.html", form=form, case=case)


@bp.post("/providers/cases/<int:case_id>/delete")
@login_required
def case_delete(case_id: int):
    case = _own_case(case_id)
    provider_id = case.provider_id
    stored = [image.stored_name for image in case.images]
    provider_service.delete_case(db.session, actor(), case_id)
    commit()
    files.discard(upload_folder(), stored)
    flash(_("案例已删除"), "success")
    return redirect(url_for(".profile_page", provider_id=provider_id) + "#cases")
