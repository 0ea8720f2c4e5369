"""The good-design showcase: the year's call, entries, the expert panel and its scores, the
shortlist and winners, and the public showcase."""

from __future__ import annotations

from ..extensions import db
from ..services import files
from ..services.showcase import entries, gallery, selection
from ..services.showcase.inputs import EntryIn, PickIn, YearIn
from ..transaction import commit
from . import schemas as s
from . import serializers as out
from . import uploads as upload_checks
from .panels import PanelDocs, panel_routes
from .routing import ID, current_api_user, route

TAG = "showcase"


def _shown(entry) -> s.ShowcaseEntryOut:
    return out.showcase_entry(entry, current_api_user())


@route(
    "/showcase-years",
    "POST",
    summary="Open a year's good-design selection, with its rubric (admins)",
    tag=TAG,
    body=YearIn,
    response=s.ShowcaseYearOut,
    status=201,
    errors=(400, 401, 403, 413, 422),
    description="One selection per year (422 on `year`); criteria weights add up to 100.",
)
def open_showcase_year(body: dict) -> s.ShowcaseYearOut:
    year = selection.create_year(db.session, current_api_user(), body)
    commit()
    return out.showcase_year(year)


@route(
    "/showcase-years",
    "GET",
    summary="The years of the selection (public)",
    tag=TAG,
    auth=False,
    response=s.ShowcaseYearList,
)
def showcase_years() -> s.ShowcaseYearList:
    return s.ShowcaseYearList(
        items=[out.showcase_year(y) for y in selection.list_years(db.session)]
    )


@route(
    "/showcase-entries",
    "POST",
    summary="Submit a design achievement to an open year (providers)",
    tag=TAG,
    body=EntryIn,
    response=s.ShowcaseEntryOut,
    status=201,
    errors=(400, 401, 403, 409, 413, 422),
    description="A won deal of the provider (`interest_id`) or one of its cases (`case_id`); "
    "once per year (409). Before/after images are uploaded on the entry's page.",
)
def submit_showcase_entry(body: dict) -> s.ShowcaseEntryOut:
    entry = entries.submit(db.session, current_api_user(), body)
    commit()
    return _shown(entry)


@route(
    "/showcase-entries",
    "GET",
    summary="Entries one may see",
    tag=TAG,
    query=s.ShowcaseEntryListParams,
    response=s.ShowcaseEntryList,
    errors=(401, 422),
    description="A provider its own; an expert those on whose panel it sits; admins all.",
)
def showcase_entry_list(params: s.ShowcaseEntryListParams) -> s.ShowcaseEntryList:
    rows = entries.list_for(db.session, current_api_user(), params.year_id)
    return s.ShowcaseEntryList(items=[_shown(e) for e in rows])


@route(
    f"/showcase-entries/<{ID}:entry_id>",
    "GET",
    summary="One entry",
    tag=TAG,
    response=s.ShowcaseEntryOut,
    errors=(401, 404),
    description="Announced winners are in the public showcase (`GET /showcase`); here the "
    "provider, its panel and admins read an entry (404 for everyone else).",
)
def showcase_entry_detail(entry_id: int) -> s.ShowcaseEntryOut:
    return _shown(entries.read(db.session, current_api_user(), entry_id))


@route(
    f"/showcase-entries/<{ID}:entry_id>/images",
    "POST",
    summary="Add pictures before and after the redesign to an entry (multipart)",
    tag=TAG,
    uploads={
        "before": "Pictures before the redesign: PNG, JPEG or WebP, up to 5 MB each",
        "after": "Pictures after the redesign, the same kinds; an entry needs at least one",
    },
    response=s.ShowcaseEntryOut,
    status=201,
    errors=(400, 401, 403, 404, 409, 413, 422),
    description="The entry's provider, until the selection begins (409 after). At most 6 "
    "pictures per entry. The limits of the entry page: a bad file → 422 naming its field "
    "(`before` or `after`: type, size, count, or the organisation's `UPLOAD_QUOTA_MB`); no "
    "file at all → 422 naming `after`; a body that is not multipart/form-data → 400.",
)
def showcase_entry_images(entry_id: int, uploads: dict) -> s.ShowcaseEntryOut:
    user = current_api_user()
    entries.read(db.session, user, entry_id)  # 404 before any word on the files
    before = upload_checks.checked(uploads["before"], files.IMAGES, "before", required=False)
    after = upload_checks.checked(uploads["after"], files.IMAGES, "after", required=not before)
    upload_checks.store(
        lambda storage: entries.add_images(db.session, user, entry_id, before, after, storage)
    )
    return _shown(entries.read(db.session, user, entry_id))


panel_routes(
    f"/showcase-entries/<{ID}:entry_id>",
    tag=TAG,
    response=s.ShowcaseEntryOut,
    service=selection,
    read=entries.read,
    shown=_shown,
    docs=PanelDocs(
        suggestions=(
            "showcase_reviewer_suggestions",
            "Never an expert in conflict with the provider.",
        ),
        reviewers=(
            "seat_showcase_reviewer",
            "Seat an expert on the entry's panel (admins)",
            "An expert in conflict with the provider is refused (409, `fields.expert_id`).",
        ),
        scores=(
            "score_showcase_entry",
            "Score against the year's rubric (a seated expert)",
            "Every criterion 0–10; sending again corrects the scores until the winners "
            "are announced.",
        ),
    ),
)


@route(
    f"/showcase-years/<{ID}:year_id>/ranking",
    "GET",
    summary="The year's entries by score (admins)",
    tag=TAG,
    response=s.RankingOut,
    errors=(401, 403, 404),
)
def showcase_ranking(year_id: int) -> s.RankingOut:
    rows = selection.ranking(db.session, current_api_user(), year_id)
    return s.RankingOut(
        year_id=year_id,
        items=[
            s.RankedOut(
                entry_id=r.entry.id,
                title=r.entry.title,
                provider=r.entry.provider.name,
                status=r.entry.status,
                panel=out.panel_out(r.panel),
            )
            for r in rows
        ],
    )


@route(
    f"/showcase-years/<{ID}:year_id>/shortlist",
    "POST",
    summary="Shortlist entries (admins)",
    tag=TAG,
    body=PickIn,
    response=s.ShowcaseEntryList,
    errors=(400, 401, 403, 404, 409, 413, 422),
    description="Each needs the year's number of submitted scores (409 naming those short).",
)
def shortlist_showcase_entries(year_id: int, body: dict) -> s.ShowcaseEntryList:
    rows = selection.shortlist(db.session, current_api_user(), year_id, body)
    commit()
    return s.ShowcaseEntryList(items=[_shown(e) for e in rows])


@route(
    f"/showcase-years/<{ID}:year_id>/winners",
    "POST",
    summary="Announce the winners among the shortlist (admins)",
    tag=TAG,
    body=PickIn,
    response=s.ShowcaseEntryList,
    errors=(400, 401, 403, 404, 409, 413, 422),
    description="Winners join the public showcase and are marked on their providers' "
    "profiles; every other entry of the year is not selected. Every provider is notified.",
)
def announce_showcase_winners(year_id: int, body: dict) -> s.ShowcaseEntryList:
    rows = selection.announce(db.session, current_api_user(), year_id, body)
    commit()
    return s.ShowcaseEntryList(items=[_shown(e) for e in rows])


@route(
    "/showcase",
    "GET",
    summary="The good-design showcase (public)",
    tag=TAG,
    auth=False,
    query=s.ShowcaseParams,
    response=s.ShowcaseEntryList,
    errors=(422,),
    description="Winners of announced years, newest year first, by cluster, service, district.",
)
def showcase(params: s.ShowcaseParams) -> s.ShowcaseEntryList:
    rows = gallery.search(db.session, params.cluster, params.service, params.region, params.year)
    return s.ShowcaseEntryList(items=[out.showcase_entry(e, None) for e in rows])
