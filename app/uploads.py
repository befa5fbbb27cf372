"""Uploaded files kept outside the web root: read up to a size limit, recognised by their first bytes (never by
their name), stored under a random name, found again only inside their folder, and sent back as attachments."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from flask import abort, send_file
from werkzeug.datastructures import FileStorage


@dataclass(frozen=True)
class FileKind:
    """A kind of file the app accepts: what it is called, how it starts, and how it is stored and served."""

    label: str
    extension: str
    mimetype: str
    magic: bytes


PDF = FileKind("PDF", ".pdf", "application/pdf", b"%PDF-")
PNG = FileKind("PNG", ".png", "image/png", b"\x89PNG\r\n\x1a\n")
JPEG = FileKind("JPEG", ".jpg", "image/jpeg", b"\xff\xd8\xff")


def size_label(limit: int) -> str:
    return f"{limit / (1024 * 1024):g} MB"


def read_limited(file_storage: FileStorage, limit: int) -> bytes | None:
    """The upload's bytes, or None when it is larger than `limit` (only limit + 1 bytes are ever read)."""
    data = file_storage.stream.read(limit + 1)
    return None if len(data) > limit else data


def kind_of(data: bytes, kinds: Iterable[FileKind]) -> FileKind | None:
    """Which of `kinds` the bytes are, by their first bytes; None when they are none of them."""
    return next((kind for kind in kinds if data.startswith(kind.magic)), None)


def store(directory: str | Path, data: bytes, extension: str) -> str:
    """Write checked bytes under `directory` with a new random name (owner-only, never overwriting); the name."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    while True:
        name = f"{secrets.token_hex(16)}{extension}"
        try:
            fd = os.open(directory / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # pragma: no cover (128 random bits)
            continue
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        return name


def stored_file(directory: str | Path, name: str | None) -> Path | None:
    """The stored file with this name, or None when there is none or the name would leave `directory`."""
    if not name:
        return None
    directory = Path(directory).resolve()
    path = (directory / name).resolve()
    if not path.is_relative_to(directory) or path == directory or not path.is_file():
        return None
    return path


def send_attachment(path: Path | None, mimetype: str, download_name: str):
    """A stored file as a download that is never cached or shown inline; 404 when it is missing."""
    if path is None:
        abort(404)
    response = send_file(path, mimetype=mimetype, as_attachment=True, download_name=download_name, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
