"""Uploaded files: demand attachments, portfolio case images, the files of messages and
proposal revisions, and verification evidence.

A file is accepted only when its extension is allowed AND its content is of that type
(magic bytes; for Office files the parts inside the zip), and when it is not too large.
Bytes are stored under the upload folder with a random name, never in the database; an
``Attachment`` row keeps the original name, type and size. Files are served back only
through ``demand_attachment`` (those who may see the demand) and ``case_image`` (public,
like the provider's profile); the other kinds through their own services.

Every file counts against its organisation's quota (``Storage.quota``), whatever it is
attached to. The quota is checked and the space reserved in one step: the new rows are
written first and the organisation's total is then read under its lock (``_reserve``), so two
uploads at the same moment cannot both fit into the same free space. A refused upload writes
no bytes. The caller writes the files (``attach_*``) after the record itself validated, and
removes them again (``discard``) if its commit fails.
"""

from __future__ import annotations

import io
import os
import secrets
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from flask_babel import gettext as _
from sqlalchemy import func, select, union_all
from sqlalchemy.orm import Session

from .. import private_files
from ..models import (
    Accreditation,
    Attachment,
    Case,
    Demand,
    Interest,
    Message,
    ProposalRevision,
    Provider,
    ShowcaseEntry,
    Side,
    User,
    VerificationRequest,
)
from . import locks
from .access import CASE_POLICY, DEMAND_POLICY
from .errors import NotFound, ValidationFailed

MB = 1024 * 1024

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
}
# extension → the content types a file with that extension may really be
EXTENSIONS = {
    "pdf": ("pdf",),
    "png": ("png",),
    "jpg": ("jpeg",),
    "jpeg": ("jpeg",),
    "webp": ("webp",),
    "docx": ("docx",),
    "xlsx": ("xlsx",),
    # Office files are zip archives too; a .zip holding one is still a zip.
    "zip": ("zip", "docx", "xlsx"),
}
STORED_EXTENSION = {
    "pdf": "pdf",
    "png": "png",
    "jpeg": "jpg",
    "webp": "webp",
    "docx": "docx",
    "xlsx": "xlsx",
    "zip": "zip",
}
IMAGE_KINDS = ("png", "jpeg", "webp")


@dataclass(frozen=True)
class Policy:
    extensions: tuple[str, ...]
    max_bytes: int
    max_files: int

    def describe(self) -> str:
        return ", ".join(self.extensions)


DOCUMENTS = Policy(("pdf", "png", "jpg", "jpeg", "docx", "xlsx", "zip"), 10 * MB, 5)
IMAGES = Policy(("png", "jpg", "jpeg", "webp"), 5 * MB, 6)
# verification evidence: a scan or photo of a licence or certificate, two pages at most each
EVIDENCE = Policy(("pdf", "png", "jpg", "jpeg"), 10 * MB, 2)


class FileLike(Protocol):
    """What werkzeug's FileStorage offers (and what tests can fake)."""

    filename: str | None
    stream: BinaryIO


@dataclass
class Upload:
    """A checked file, not yet written."""

    filename: str
    kind: str
    data: bytes

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.kind]


# --- checking ------------------------------------------------------------------------------


def _zip_kind(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if "[Content_Types].xml" in names:
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
    return "zip"


def sniff(data: bytes) -> str | None:
    """The real type of a file from its first bytes (and, for zips, its member names)."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(data)
    return None


def clean_filename(name: str) -> str:
    """The name to show: no directories, no control characters, at most 200 characters."""
    name = os.path.basename((name or "").replace("\\", "/"))
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:190] + dot + ext[:9]) if dot else name[:200]
    return name or "file"


def _extension(name: str) -> str:
    return name.rpartition(".")[2].lower() if "." in name else ""


def selected(files: Iterable[FileLike] | None) -> list[FileLike]:
    """Drop the empty parts a browser sends when no file was chosen."""
    return [f for f in (files or []) if f is not None and getattr(f, "filename", None)]


def check(
    files: Iterable[FileLike] | None, policy: Policy, field: str, already: int = 0
) -> list[Upload]:
    """Read and check every file; ValidationFailed (on ``field``) before anything is stored."""
    files = selected(files)
    errors: list[str] = []
    if already + len(files) > policy.max_files:
        errors.append(_("最多上传 %(n)s 个文件", n=policy.max_files))
    uploads: list[Upload] = []
    for item in files:
        name = clean_filename(item.filename or "")
        extension = _extension(name)
        if extension not in policy.extensions:
            errors.append(
                _(
                    "%(name)s：不支持的文件类型（允许：%(types)s）",
                    name=name,
                    types=policy.describe(),
                )
            )
            continue
        data = item.stream.read(policy.max_bytes + 1)
        if len(data) > policy.max_bytes:
            errors.append(
                _(
                    "%(name)s：文件过大（每个文件最大 %(mb)s MB）",
                    name=name,
                    mb=f"{policy.max_bytes / MB:g}",
                )
            )
            continue
        if not data:
            errors.append(_("%(name)s：文件为空", name=name))
            continue
        kind = sniff(data)
        if kind not in EXTENSIONS[extension]:
            errors.append(_("%(name)s：文件内容与扩展名不符", name=name))
            continue
        uploads.append(Upload(name, kind, data))
    if errors:
        raise ValidationFailed(errors[0], {field: errors})
    return uploads


# --- storing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Storage:
    """Where files are written and how much one organisation may keep there; given together,
    so that nothing can store a file without the quota it counts against."""

    folder: str | os.PathLike
    quota: int  # bytes: all files of one organisation together


def path_of(folder: str | os.PathLike, attachment: Attachment) -> Path:
    return Path(folder) / attachment.stored_name


def discard(folder: str | os.PathLike, stored_names: Iterable[str]) -> None:
    """Remove stored files (after a failed commit, or once their rows are gone)."""
    for name in stored_names:
        try:
            (Path(folder) / os.path.basename(name)).unlink()
        except FileNotFoundError:
            pass


@dataclass(frozen=True)
class Target:
    """Where files go: the list they join, whose they are, and the rules for them."""

    items: list
    organization_id: int | None  # whose quota the files count against (None: platform staff)
    policy: Policy
    field: str


def attach_to_demand(
    session: Session,
    actor: User,
    demand: Demand,
    uploads: list[Upload],
    storage: Storage,
    remove_ids: Iterable[int] = (),
) -> tuple[list[str], list[str]]:
    """Write new attachments and drop the chosen ones. Returns (written, removed) stored names:
    the caller discards ``written`` if its commit fails and ``removed`` once it succeeded."""
    DEMAND_POLICY.require(actor, "manage", demand)
    target = Target(demand.attachments, demand.organization_id, DOCUMENTS, "attachments")
    return _attach(session, target, uploads, storage, remove_ids)


def attach_to_case(
    session: Session,
    actor: User,
    case: Case,
    uploads: list[Upload],
    storage: Storage,
    remove_ids: Iterable[int] = (),
) -> tuple[list[str], list[str]]:
    """Like ``attach_to_demand``, for a portfolio case's images."""
    CASE_POLICY.require(actor, "manage", case)
    target = Target(case.images, case.provider.organization_id, IMAGES, "images")
    return _attach(session, target, uploads, storage, remove_ids)


def attach_to_message(
    session: Session, message: Message, uploads: list[Upload], storage: Storage
) -> list[str]:
    """A message's files, with the limits of demand attachments, counted against the writer's
    side (the conversations service checked who writes): on an interest the side's
    organisation, in a common-need project the writing organisation (an administrator's files
    count against no organisation). Returns the stored names, to discard if the commit
    fails."""
    if message.interest_id is None:
        owner = message.organization_id
    else:
        interest = session.get(Interest, message.interest_id)
        owner = (
            interest.demand.organization_id
            if message.side == Side.ENTERPRISE
            else interest.provider.organization_id
        )
    return _added(
        session, Target(message.attachments, owner, DOCUMENTS, "attachments"), uploads, storage
    )


def attach_to_revision(
    session: Session, revision: ProposalRevision, uploads: list[Upload], storage: Storage
) -> list[str]:
    """A proposal revision's files, like a message's; the provider's."""
    owner = session.get(Interest, revision.interest_id).provider.organization_id
    return _added(
        session, Target(revision.attachments, owner, DOCUMENTS, "attachments"), uploads, storage
    )


def attach_to_accreditation(
    session: Session, accreditation: Accreditation, uploads: list[Upload], storage: Storage
) -> list[str]:
    """An accreditation's supporting files, the applicant's (the accreditation service checked
    who adds them). Returns the stored names, to discard if the commit fails."""
    target = Target(accreditation.attachments, accreditation.organization_id, DOCUMENTS, "files")
    return _added(session, target, uploads, storage)


def attach_evidence(
    session: Session,
    request: VerificationRequest,
    uploads: dict[str, list[Upload]],
    storage: Storage,
) -> list[str]:
    """A verification request's files, each marked with its purpose (licence, level); each
    purpose was checked against EVIDENCE on its own. Returns the stored names."""
    together = Policy(EVIDENCE.extensions, EVIDENCE.max_bytes, EVIDENCE.max_files * len(uploads))
    return _attach_by_purpose(
        session, request.attachments, request.organization_id, together, uploads, storage
    )


def attach_showcase_images(
    session: Session, entry: ShowcaseEntry, uploads: dict[str, list[Upload]], storage: Storage
) -> list[str]:
    """A showcase entry's images, each marked before or after; the provider's. Returns the
    stored names."""
    owner = entry.provider.organization_id
    return _attach_by_purpose(session, entry.images, owner, IMAGES, uploads, storage)


def _attach_by_purpose(
    session: Session,
    items: list,
    organization_id: int,
    policy: Policy,
    uploads: dict[str, list[Upload]],
    storage: Storage,
) -> list[str]:
    written: list[str] = []
    try:
        for purpose, batch in uploads.items():
            target = Target(items, organization_id, policy, purpose)
            names = _added(session, target, batch, storage)
            written += names
            for attachment in items[len(items) - len(batch) :]:
                attachment.purpose = purpose
    except Exception:
        discard(storage.folder, written)
        raise
    return written


def _owned_by(organization_id: int):
    """The sizes of every file the organisation keeps, one query per kind of owner record."""
    size = Attachment.size
    interest_of_message = (Interest, Message.interest_id == Interest.id)
    return [
        select(size)
        .join(Demand, Attachment.demand_id == Demand.id)
        .where(Demand.organization_id == organization_id),
        select(size)
        .join(Case, Attachment.case_id == Case.id)
        .join(Provider, Case.provider_id == Provider.id)
        .where(Provider.organization_id == organization_id),
        select(size)  # messages its enterprise side wrote
        .join(Message, Attachment.message_id == Message.id)
        .join(*interest_of_message)
        .join(Demand, Interest.demand_id == Demand.id)
        .where(Message.side == Side.ENTERPRISE, Demand.organization_id == organization_id),
        select(size)  # messages its provider side wrote
        .join(Message, Attachment.message_id == Message.id)
        .join(*interest_of_message)
        .join(Provider, Interest.provider_id == Provider.id)
        .where(Message.side == Side.PROVIDER, Provider.organization_id == organization_id),
        select(size)  # messages it wrote in common-need projects
        .join(Message, Attachment.message_id == Message.id)
        .where(Message.common_need_id.is_not(None), Message.organization_id == organization_id),
        select(size)
        .join(ProposalRevision, Attachment.revision_id == ProposalRevision.id)
        .join(Interest, ProposalRevision.interest_id == Interest.id)
        .join(Provider, Interest.provider_id == Provider.id)
        .where(Provider.organization_id == organization_id),
        select(size)
        .join(VerificationRequest, Attachment.verification_id == VerificationRequest.id)
        .where(VerificationRequest.organization_id == organization_id),
        select(size)
        .join(Accreditation, Attachment.accreditation_id == Accreditation.id)
        .where(Accreditation.organization_id == organization_id),
        select(size)
        .join(ShowcaseEntry, Attachment.showcase_entry_id == ShowcaseEntry.id)
        .join(Provider, ShowcaseEntry.provider_id == Provider.id)
        .where(Provider.organization_id == organization_id),
    ]


def stored_bytes(session: Session, organization_id: int) -> int:
    """What an organisation's files take: its demands' attachments, its cases' images, the
    files of the messages its side wrote (on interests and in common-need projects) and of its
    proposals, its verification evidence, its accreditation materials and its showcase
    entries' images."""
    sizes = union_all(*_owned_by(organization_id)).subquery()
    return session.scalar(select(func.coalesce(func.sum(sizes.c.size), 0))) or 0


def _reserve(session: Session, target: Target, quota: int, adding: int) -> None:
    """Refuse the files just flushed if the organisation would then keep more than ``quota``.

    The rows are written before the total is read under the organisation's lock, so of two
    uploads at the same moment the second always counts the first: on PostgreSQL it waits
    for the lock (``locks``: held until the first commits) and then reads its rows; on SQLite
    the flush took the database's single write lock, which the first holds until its commit.
    """
    locks.hold(session, f"uploads:{target.organization_id}")
    total = stored_bytes(session, target.organization_id)
    if total > quota:
        message = _(
            "本单位的文件总量将超过上限 %(limit)s MB（已用 %(used)s MB），请先删除不再需要的文件",
            limit=f"{quota / MB:g}",
            used=f"{(total - adding) / MB:.1f}",
        )
        raise ValidationFailed(message, {target.field: [message]})


def _added(session: Session, target: Target, uploads: list[Upload], storage: Storage) -> list[str]:
    """Add ``uploads`` to the target's files, removing none; returns their stored names."""
    written, _removed = _attach(session, target, uploads, storage, ())
    return written


def _attach(
    session: Session,
    target: Target,
    uploads: list[Upload],
    storage: Storage,
    remove_ids: Iterable[int],
) -> tuple[list[str], list[str]]:
    items, policy = target.items, target.policy
    remove_ids = {int(i) for i in remove_ids}
    removed = [a for a in items if a.id in remove_ids]
    for attachment in removed:
        items.remove(attachment)
    if len(items) + len(uploads) > policy.max_files:
        raise ValidationFailed(
            _("最多上传 %(n)s 个文件", n=policy.max_files),
            {target.field: [_("最多上传 %(n)s 个文件", n=policy.max_files)]},
        )
    rows = [(_row(upload), upload) for upload in uploads]
    items.extend(row for row, _upload in rows)
    session.flush()  # the rows first: they are the reservation _reserve counts
    if uploads and target.organization_id is not None:
        _reserve(session, target, storage.quota, sum(len(u.data) for u in uploads))
    written: list[str] = []
    try:
        for row, upload in rows:
            _write(storage.folder, row, upload.data)
            written.append(row.stored_name)
    except Exception:
        discard(storage.folder, written)
        raise
    return written, [a.stored_name for a in removed]


def _write(folder: str | os.PathLike, row: Attachment, data: bytes) -> None:
    private_files.create(path_of(folder, row), data)


def _row(upload: Upload) -> Attachment:
    return Attachment(
        filename=upload.filename,
        stored_name=f"{secrets.token_hex(16)}.{STORED_EXTENSION[upload.kind]}",
        content_type=upload.content_type,
        size=len(upload.data),
    )


# --- serving -------------------------------------------------------------------------------


def demand_attachment(
    session: Session, actor: User | None, demand_id: int, attachment_id: int
) -> Attachment:
    """An attachment of a demand the actor may see (else NotFound, like the demand itself)."""
    demand = DEMAND_POLICY.visible(actor, session.get(Demand, demand_id))
    attachment = session.get(Attachment, attachment_id)
    if attachment is None or attachment.demand_id != demand.id:
        raise NotFound(_("文件不存在"))
    return attachment


def case_image(
    session: Session, actor: User | None, case_id: int, attachment_id: int
) -> Attachment:
    """A portfolio image: seen by whoever sees the provider's profile."""
    case = CASE_POLICY.visible(actor, session.get(Case, case_id))
    attachment = session.get(Attachment, attachment_id)
    if (
        attachment is None
        or attachment.case_id != case.id
        or attachment.content_type not in (CONTENT_TYPES[k] for k in IMAGE_KINDS)
    ):
        raise NotFound(_("文件不存在"))
    return attachment
