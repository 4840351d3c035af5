"""Attachments of a progress report are typed by their content, not only by their name: a
program renamed .pdf is refused in Chinese, and the stored type is the checked one."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from tasks.models import Attachment

pytestmark = pytest.mark.django_db


def package(*members) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name in members:
            z.writestr(name, "<x/>")
    return out.getvalue()


def xlsx() -> bytes:
    out = io.BytesIO()
    Workbook().save(out)
    return out.getvalue()


PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 16
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 16
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
DOCX = package("[Content_Types].xml", "_rels/.rels", "word/document.xml")
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64

GOOD = [
    ("验收单.pdf", PDF, "application/pdf"),
    ("现场.png", PNG, "image/png"),
    ("现场.JPG", JPEG, "image/jpeg"),
    ("现场.jpeg", JPEG, "image/jpeg"),
    ("方案.doc", OLE, "application/msword"),
    ("台账.xls", OLE, "application/vnd.ms-excel"),
    ("方案.docx", DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("台账.xlsx", xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
]
BAD = [
    ("验收单.pdf", EXE, "扩展名是 .pdf，内容却是可执行程序"),
    ("setup.docx", EXE, "内容却是可执行程序"),
    ("现场.jpg", PNG, "内容不是 JPEG 文件"),
    ("台账.xlsx", DOCX, "内容不是 Excel（.xlsx） 文件"),
    ("方案.docx", package("hello.txt"), "内容不是 Word（.docx） 文件"),
    ("方案.docx", b"PK\x03\x04 broken zip", "内容不是 Word（.docx） 文件"),
    ("验收单.pdf", b"%PD", "内容不是 PDF 文件"),
    ("扫描.pdf", b"<html>%PDF-1.4</html>", "内容不是 PDF 文件"),
]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def report(client, task, name, content, content_type="application/octet-stream"):
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    data = {"month": 6, "percent": 40, "situation": "完成4公里", "files": [upload]}
    return client.post(f"/tasks/{task.number}/progress/", data)


@pytest.mark.parametrize(("name", "content", "content_type"), GOOD, ids=[g[0] for g in GOOD])
def test_real_files_are_attached_with_the_type_their_content_shows(
    client, staff, task, media, name, content, content_type
):
    client.force_login(staff)
    # The browser's claim is not what is stored.
    response = report(client, task, name, content, content_type="application/x-msdownload")
    assert response.status_code == 302, response.content.decode()[:400]
    attachment = Attachment.objects.get()
    assert (attachment.name, attachment.content_type) == (name, content_type)
    assert attachment.file.read() == content


@pytest.mark.parametrize(("name", "content", "message"), BAD, ids=[f"{b[0]}-{b[2]}" for b in BAD])
def test_a_file_whose_content_is_not_what_its_name_says_is_refused(
    client, staff, task, media, name, content, message
):
    client.force_login(staff)
    response = report(client, task, name, content, content_type="application/pdf")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Attachment.objects.exists() and not task.reports.exists()
    assert not any(media.rglob("*.*"))  # nothing was written to disk either


def test_one_bad_file_refuses_the_whole_report(client, staff, task, media):
    client.force_login(staff)
    files = [SimpleUploadedFile("验收单.pdf", PDF), SimpleUploadedFile("照片.png", EXE)]
    data = {"month": 6, "percent": 40, "situation": "完成4公里", "files": files}
    response = client.post(f"/tasks/{task.number}/progress/", data)
    assert "内容却是可执行程序" in response.content.decode()
    assert not task.reports.exists()
