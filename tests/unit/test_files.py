"""Upload checks: extension and content must agree, size and count limits, safe names."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import pytest

from matchmaker.services import files
from matchmaker.services.errors import ValidationFailed

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 "


def office(*members: str) -> bytes:
    """A zip of these members, the same bytes on every call (they are part of the test ids,
    which every xdist worker must collect alike)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in members:
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), "<x/>")
    return buffer.getvalue()


DOCX = office("[Content_Types].xml", "word/document.xml")
XLSX = office("[Content_Types].xml", "xl/workbook.xml")
ZIP = office("drawings/a.step")


@dataclass
class Fake:
    filename: str
    data: bytes

    @property
    def stream(self):
        return io.BytesIO(self.data)


@pytest.mark.parametrize(
    "data,kind",
    [
        (PDF, "pdf"),
        (PNG, "png"),
        (JPEG, "jpeg"),
        (WEBP, "webp"),
        (DOCX, "docx"),
        (XLSX, "xlsx"),
        (ZIP, "zip"),
        (b"hello", None),
        (b"PK\x03\x04broken", None),
        (b"", None),
    ],
)
def test_sniff(data, kind):
    assert files.sniff(data) == kind


@pytest.mark.parametrize(
    "name,data",
    [
        ("a.pdf", PDF),
        ("A.PDF", PDF),
        ("b.png", PNG),
        ("c.jpg", JPEG),
        ("c.jpeg", JPEG),
        ("d.docx", DOCX),
        ("e.xlsx", XLSX),
        ("f.zip", ZIP),
        ("g.zip", DOCX),
    ],
)
def test_documents_accepted(name, data):
    [upload] = files.check([Fake(name, data)], files.DOCUMENTS, "attachments")
    assert upload.data == data and upload.filename == name


@pytest.mark.parametrize(
    "name,data,message",
    [
        ("a.exe", b"MZ", "不支持的文件类型"),
        ("noext", PDF, "不支持的文件类型"),
        ("a.webp", WEBP, "不支持的文件类型"),
        ("a.pdf", PNG, "文件内容与扩展名不符"),
        ("a.docx", XLSX, "文件内容与扩展名不符"),
        ("a.docx", ZIP, "文件内容与扩展名不符"),
        ("a.png", b"GIF89a", "文件内容与扩展名不符"),
        ("a.pdf", b"", "文件为空"),
    ],
)
def test_documents_rejected(name, data, message):
    with pytest.raises(ValidationFailed) as info:
        files.check([Fake(name, data)], files.DOCUMENTS, "attachments")
    assert any(message in m for m in info.value.fields["attachments"])


def test_images_only_for_cases():
    assert (
        files.check([Fake("x.webp", WEBP)], files.IMAGES, "images")[0].content_type == "image/webp"
    )
    with pytest.raises(ValidationFailed):
        files.check([Fake("x.pdf", PDF)], files.IMAGES, "images")


def test_size_limit_is_ten_megabytes_per_document():
    exact = PDF + b"0" * (10 * files.MB - len(PDF))
    assert files.check([Fake("ok.pdf", exact)], files.DOCUMENTS, "attachments")
    with pytest.raises(ValidationFailed) as info:
        files.check([Fake("big.pdf", exact + b"0")], files.DOCUMENTS, "attachments")
    assert (
        "文件过大" in info.value.fields["attachments"][0]
        and "10 MB" in info.value.fields["attachments"][0]
    )


def test_count_limit_includes_files_already_attached():
    with pytest.raises(ValidationFailed):
        files.check([Fake("a.pdf", PDF)] * 2, files.DOCUMENTS, "attachments", already=4)
    assert len(files.check([Fake("a.pdf", PDF)], files.DOCUMENTS, "attachments", already=4)) == 1


def test_empty_parts_are_ignored():
    assert files.check([Fake("", b""), None], files.DOCUMENTS, "attachments") == []


@pytest.mark.parametrize(
    "raw,clean",
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\a\\报告.pdf", "报告.pdf"),
        ("a\x00b\n.pdf", "ab.pdf"),
        (".hidden.pdf", "hidden.pdf"),
        ("", "file"),
    ],
)
def test_clean_filename(raw, clean):
    assert files.clean_filename(raw) == clean


def test_long_names_keep_their_extension():
    name = files.clean_filename("长" * 300 + ".pdf")
    assert len(name) <= 200 and name.endswith(".pdf")


def test_discard_stays_inside_the_folder(tmp_path):
    outside = tmp_path / "keep.txt"
    outside.write_text("x")
    folder = tmp_path / "uploads"
    folder.mkdir()
    files.discard(folder, ["../keep.txt", "missing.pdf"])
    assert outside.exists()
