"""A published edition's PDF and XLSX, rendered once (after publication) and kept as files.

Editions never change once published, so each is rendered one time per language by a
background job and then served as a stored file (``guides/`` under the upload folder,
``<id>-<locale>.<fmt>``); a download never renders. Files are written to a temporary name
and renamed, so a reader never sees half a file. Drafts are not stored: an administrator's
preview renders them on the spot.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from flask_babel import force_locale
from sqlalchemy.orm import Session

from ...models import Guide, GuideStatus
from . import pdf as guide_pdf
from . import talent_pdf, talent_xlsx, trend
from . import xlsx as guide_xlsx

FORMATS = ("pdf", "xlsx")
LOCALES = ("zh", "en")


def folder(upload_folder: str) -> Path:
    return Path(upload_folder) / "guides"


def path_of(upload_folder: str, guide: Guide, fmt: str, locale: str) -> Path:
    return folder(upload_folder) / f"{guide.id}-{locale}.{fmt}"


def stored(upload_folder: str, guide: Guide, fmt: str, locale: str) -> Path | None:
    """The edition's file, or None while it is not rendered yet (or for a draft)."""
    if guide.status != GuideStatus.PUBLISHED:
        return None
    path = path_of(upload_folder, guide, fmt, locale)
    return path if path.is_file() else None


def render(session: Session, guide: Guide, config: Mapping, fmt: str, locale: str) -> bytes:
    """One file of an edition, in its kind's layout (the design guide's or the talent guide's)."""
    points = trend(session, guide)
    pdf, xlsx = (talent_pdf, talent_xlsx) if guide.kind == "talent" else (guide_pdf, guide_xlsx)
    with force_locale(locale):
        if fmt == "pdf":
            return pdf.render(guide, points, config, locale)
        return xlsx.render(guide, points, locale)


def render_all(session: Session, guide: Guide, config: Mapping, upload_folder: str) -> int:
    """Render and store every file of a published edition that is missing; returns how many."""
    if guide.status != GuideStatus.PUBLISHED:
        return 0
    folder(upload_folder).mkdir(parents=True, exist_ok=True)
    written = 0
    for fmt in FORMATS:
        for locale in LOCALES:
            target = path_of(upload_folder, guide, fmt, locale)
            if target.is_file():
                continue
            partial = target.with_suffix(f".{os.getpid()}.part")
            partial.write_bytes(render(session, guide, config, fmt, locale))
            partial.replace(target)
            written += 1
    return written
