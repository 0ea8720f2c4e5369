"""Design-centre accreditation: rounds, applications, the completeness check, the expert
panel and its scores, decisions, and the public register of recognised centres."""

from __future__ import annotations

from ..extensions import db
from ..services import files
from ..services.accreditation import applications, recognitions, reviews, rounds
from ..services.accreditation.inputs import ApplicationIn, CheckIn, DecisionIn, RoundIn
from ..transaction import commit
from . import schemas as s
from . import serializers as out
from . import uploads as upload_checks
from .panels import PanelDocs, panel_routes
from .routing import ID, current_api_user, route

TAG = "accreditation"


def _shown(accreditation) -> s.AccreditationOut:
    return out.accreditation(accreditation, current_api_user())


@route(
    "/accreditation-rounds",
    "POST",
    summary="Open a round of district-level applications, with its rubric (admins)",
    tag=TAG,
    body=RoundIn,
    response=s.RoundOut,
    status=201,
    errors=(400, 401, 403, 413, 422),
    description="The rubric's criteria weights must add up to 100 (422 on `criteria`).",
)
def open_accreditation_round(body: dict) -> s.RoundOut:
    round_ = rounds.create_round(db.session, current_api_user(), body)
    commit()
    return out.accreditation_round(round_)


@route(
    "/accreditation-rounds",
    "GET",
    summary="Rounds of accreditation (public)",
    tag=TAG,
    auth=False,
    response=s.RoundList,
    description="Newest first; `open` while applications are accepted.",
)
def accreditation_rounds() -> s.RoundList:
    return s.RoundList(items=[out.accreditation_round(r) for r in rounds.list_rounds(db.session)])


@route(
    "/accreditations",
    "POST",
    summary="Apply for a design-centre recognition, or record one held",
    tag=TAG,
    body=ApplicationIn,
    response=s.AccreditationOut,
    status=201,
    errors=(400, 401, 403, 409, 413, 422),
    description="Provider users for their own organisation. `apply`: in an open round "
    "(`round_id`), with team, investment, achievements and the organisation's own cases; "
    "`record`: a municipal or national recognition with its certificate number and end. "
    "Supporting files are uploaded on the application's page. One open application per level "
    "(409). Administrators are notified.",
)
def apply_for_accreditation(body: dict) -> s.AccreditationOut:
    accreditation = applications.apply(db.session, current_api_user(), body)
    commit()
    return _shown(accreditation)


@route(
    "/accreditations",
    "GET",
    summary="Applications one may see",
    tag=TAG,
    query=s.AccreditationListParams,
    response=s.AccreditationList,
    errors=(401, 422),
    description="An organisation its own; an expert those on whose panel it sits; admins all.",
)
def accreditation_list(params: s.AccreditationListParams) -> s.AccreditationList:
    rows = applications.list_for(db.session, current_api_user(), params.status)
    return s.AccreditationList(items=[_shown(r) for r in rows])


@route(
    f"/accreditations/<{ID}:accreditation_id>",
    "GET",
    summary="One application",
    tag=TAG,
    response=s.AccreditationOut,
    errors=(401, 404),
    description="The applicant, its panel and admins; 404 for everyone else.",
)
def accreditation_detail(accreditation_id: int) -> s.AccreditationOut:
    return _shown(applications.read(db.session, current_api_user(), accreditation_id))


@route(
    f"/accreditations/<{ID}:accreditation_id>/files",
    "POST",
    summary="Add supporting files to an application (multipart)",
    tag=TAG,
    uploads={
        "files": "1–5 files in all per application: PDF, PNG, JPEG, DOCX, XLSX or ZIP, "
        "up to 10 MB each"
    },
    response=s.AccreditationOut,
    status=201,
    errors=(400, 401, 403, 404, 409, 413, 422),
    description="The applicant, while the application waits for (or was returned from) the "
    "completeness check (409 once under review). The limits of the application page: a bad "
    "file → 422 naming `files` (type, size, count, or the organisation's `UPLOAD_QUOTA_MB`); "
    "a body that is not multipart/form-data → 400.",
)
def accreditation_files(accreditation_id: int, uploads: dict) -> s.AccreditationOut:
    user = current_api_user()
    applications.read(db.session, user, accreditation_id)  # 404 before any word on the files
    sent = upload_checks.checked(uploads["files"], files.DOCUMENTS, "files")
    upload_checks.store(
        lambda storage: applications.add_files(db.session, user, accreditation_id, sent, storage)[1]
    )
    return _shown(applications.read(db.session, user, accreditation_id))


@route(
    f"/accreditations/<{ID}:accreditation_id>/resubmit",
    "POST",
    summary="Complete a returned application and send it back to the check",
    tag=TAG,
    body=ApplicationIn,
    response=s.AccreditationOut,
    errors=(400, 401, 403, 404, 409, 413, 422),
    description="Only an application returned as incomplete; fields not sent keep their value.",
)
def resubmit_accreditation(accreditation_id: int, body: dict) -> s.AccreditationOut:
    accreditation = applications.complete(db.session, current_api_user(), accreditation_id, body)
    commit()
    return _shown(accreditation)


@route(
    f"/accreditations/<{ID}:accreditation_id>/check",
    "POST",
    summary="The completeness check (admins)",
    tag=TAG,
    body=CheckIn,
    response=s.AccreditationOut,
    errors=(400, 401, 403, 404, 409, 413, 422),
    description="`complete: true` sends it to review (409 naming what is missing when "
    "materials lack); `complete: false` returns it with `missing` and a note.",
)
def check_accreditation(accreditation_id: int, body: dict) -> s.AccreditationOut:
    accreditation = applications.check(db.session, current_api_user(), accreditation_id, body)
    commit()
    return _shown(accreditation)


panel_routes(
    f"/accreditations/<{ID}:accreditation_id>",
    tag=TAG,
    response=s.AccreditationOut,
    service=reviews,
    read=applications.read,
    shown=_shown,
    docs=PanelDocs(
        suggestions=(
            "reviewer_suggestions",
            "From the talent matcher on the expert pool, for the applicant's clusters and "
            "services; never an expert in conflict with the applicant.",
        ),
        reviewers=(
            "seat_reviewer",
            "Seat an expert on the panel (admins)",
            "An expert in conflict with the applicant is refused (409 with "
            "`fields.expert_id`). The expert is notified.",
        ),
        scores=(
            "score_accreditation",
            "Score against the round's rubric (a seated expert)",
            "Every criterion 0–10 (422 on `scores.<code>` otherwise); sending again "
            "corrects the scores until the decision.",
        ),
    ),
)


@route(
    f"/accreditations/<{ID}:accreditation_id>/decision",
    "POST",
    summary="Approve or reject (admins)",
    tag=TAG,
    body=DecisionIn,
    response=s.AccreditationOut,
    errors=(400, 401, 403, 404, 409, 413, 422),
    description="Needs the round's number of submitted scores (409). Rejecting, or approving "
    "below the pass mark, needs `reason`. Approval grants the recognition: the organisation's "
    "level and badge, valid for the round's years (a renewal: from the old end).",
)
def decide_accreditation(accreditation_id: int, body: dict) -> s.AccreditationOut:
    accreditation = recognitions.decide(db.session, current_api_user(), accreditation_id, body)
    commit()
    return _shown(accreditation)


@route(
    "/recognitions",
    "GET",
    summary="The register of recognised design centres (public)",
    tag=TAG,
    auth=False,
    query=s.RegisterParams,
    response=s.RegisterOut,
    errors=(422,),
    description="Valid recognitions, highest level first, by level and district.",
)
def recognition_register(params: s.RegisterParams) -> s.RegisterOut:
    rows = recognitions.register(db.session, params.level, params.region)
    return s.RegisterOut(items=[out.recognition(r) for r in rows])
