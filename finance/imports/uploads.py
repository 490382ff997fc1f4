"""Uploaded bank files kept on the server between preview and confirm, so the browser sends the
file once: the import pages show a preview, and confirming names the file by a token.

A file is stashed in `STASH_DIR` as `<owner_id>-<token>`, the token 256 random bits. Only its
owner can read it back: another user's id makes another file name. The file holds the uploaded
name on its first line, then the bytes as uploaded. Nothing is written to the database, and
files older than `MAX_AGE` are swept away whenever a new one is stashed.
"""

import os
import re
import secrets
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from finance.errors import InvalidInput

STASH_DIR = Path(tempfile.gettempdir()) / "finance-uploads"
MAX_AGE_SECONDS = 60 * 60
EXPIRED = "this upload has expired (files are kept for an hour): choose the file again"
_TOKEN = re.compile(r"[0-9a-f]{64}")
_NAME_LENGTH = 255


@dataclass(frozen=True)
class Upload:
    """A stashed file: the token that names it, the name it was uploaded under, its bytes."""

    token: str
    filename: str
    data: bytes


def stash(owner_id: int, filename: str, data: bytes) -> Upload:
    """Keep the file for its owner; the returned token reads it back."""
    STASH_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    sweep()
    token = secrets.token_hex(32)
    name = " ".join(filename.split())[:_NAME_LENGTH] or "upload"
    descriptor = os.open(path_of(owner_id, token), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(name.encode() + b"\n" + data)
    return Upload(token, name, data)


def load(owner_id: int, token: str) -> Upload:
    """The owner's stashed file (`InvalidInput` on `file` if it is unknown, another user's, or
    older than an hour)."""
    path = path_of(owner_id, token) if _TOKEN.fullmatch(token) else None
    try:
        if path is not None and not _expired(path):
            name, _, data = path.read_bytes().partition(b"\n")
            return Upload(token, name.decode(errors="replace"), data)
    except FileNotFoundError:
        pass  # swept meanwhile
    raise InvalidInput("file", EXPIRED)


def discard(owner_id: int, token: str) -> None:
    """Delete the owner's stashed file, if it is still there."""
    if _TOKEN.fullmatch(token):
        path_of(owner_id, token).unlink(missing_ok=True)


def sweep() -> None:
    """Delete every stashed file older than an hour."""
    for path in STASH_DIR.glob("*-*"):
        try:
            if _expired(path):
                path.unlink(missing_ok=True)
        except FileNotFoundError:
            continue  # swept by another process meanwhile


def _expired(path: Path) -> bool:
    return time.time() - path.stat().st_mtime > MAX_AGE_SECONDS


def path_of(owner_id: int, token: str) -> Path:
    """Where the file for this owner and token is (or was) kept."""
    return STASH_DIR / f"{owner_id}-{token}"
