"""An uploaded file kept between its preview and its confirmation.

Megabytes do not belong in the session: the file goes to MEDIA_ROOT/imports/ under a random
token, the session keeps only the token, and the token is bound to the user who uploaded it.
Confirming re-reads and re-checks the file (all or nothing) and then removes it; files older
than an hour are removed whenever a new one is kept.
"""

import json
import secrets
import time
from pathlib import Path

from django.conf import settings

MAX_AGE = 3600  # seconds a preview stays confirmable
TOKEN_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


def _folder() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def keep(data: bytes, *, user, name: str, **extra) -> str:
    """Store the file for `user`; returns the token the page posts back."""
    _expire()
    token = secrets.token_urlsafe(24)
    folder = _folder()
    (folder / f"{token}.bin").write_bytes(data)
    meta = {"user": user.pk, "name": name, "at": time.time(), **extra}
    (folder / f"{token}.json").write_text(json.dumps(meta, ensure_ascii=False))
    return token


def load(token: str, *, user) -> tuple[bytes, dict] | None:
    """The file and its details, or None when the token is unknown, expired or another's."""
    if not token or not set(token) <= TOKEN_CHARS or len(token) > 64:
        return None
    folder = _folder()
    try:
        meta = json.loads((folder / f"{token}.json").read_text())
        data = (folder / f"{token}.bin").read_bytes()
    except (OSError, ValueError):
        return None
    if meta.get("user") != user.pk or time.time() - meta.get("at", 0) > MAX_AGE:
        return None
    return data, meta


def discard(token: str) -> None:
    if token and set(token) <= TOKEN_CHARS:
        for suffix in (".bin", ".json"):
            (_folder() / f"{token}{suffix}").unlink(missing_ok=True)


def _expire() -> None:
    now = time.time()
    for path in _folder().glob("*.json"):
        try:
            if now - json.loads(path.read_text()).get("at", 0) > MAX_AGE:
                discard(path.stem)
        except (OSError, ValueError):
            discard(path.stem)
