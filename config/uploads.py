"""Uploads stopped at the limit while they arrive, not after the whole body is in.

`CappedUploadHandler` counts the bytes of a request's files as Django's multipart parser hands
them over and stops the parse (without reading the rest of the body) once they pass
`UPLOAD_MAX_BYTES`, the same 20 MB that nginx's `client_max_body_size` sets in deployment
(deploy/nginx.conf) and that the workbook pages check. `UploadLimitMiddleware` then answers 413
with what to do, before any view or form sees a half-received file.
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.utils.translation import gettext

from .views import bad_request_page

REFUSED = "_upload_refused_at"  # the request attribute: bytes received when it was stopped


class CappedUploadHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: passes every chunk on until the request's files together
    pass the limit, then stops the upload and leaves the rest of the body unread."""

    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.UPLOAD_MAX_BYTES:
            if self.request is not None:
                setattr(self.request, REFUSED, self.received)
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler keeps the file


def refused_message() -> str:
    limit = f"{settings.UPLOAD_MAX_BYTES / 1024 / 1024:g}"
    return gettext(
        "上传的文件超过%(limit)sMB的上限，已停止接收：请只保留需要的表或压缩文件，"
        "或分成几个文件分次上传。"
    ) % {"limit": limit}


class UploadLimitMiddleware:
    """A multipart request whose files passed the limit answers 413 with the message above."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.content_type == "multipart/form-data":
            request.FILES  # noqa: B018 - parsing is where the handler stops an upload
            if getattr(request, REFUSED, None):
                return bad_request_page(request, refused_message(), status=413)
        return self.get_response(request)
