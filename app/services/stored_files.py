"""Stored files (申请材料文件): uploaded scans kept safely.

- The type is decided by the content, never by the name or the browser's claim: the file must
  start with the signature of an allowed type (PDF, JPEG, PNG; setting `stored_file_types`)
  and end as that type ends, so a renamed program or a truncated scan is refused.
- The size limit (setting `stored_file_max_megabytes`) is enforced while the upload is copied,
  chunk by chunk: a file past it is refused without being read to its end.
- Files live under the instance directory (FILES_DIR), outside static/, under a random name;
  the database keeps the original name, the type, the size and the SHA-256.
- Serving is the caller's: it must check the row's scope first (a 404 otherwise) and send the
  file with `download_headers`.

- Active or hidden content is refused too (issue 17): a PDF naming JavaScript or a launch action
  (/JS, /JavaScript, /Launch, also spelt with #xx escapes), a file carrying a ZIP archive's
  directory near its end (a polyglot: a scan that is also an archive), bytes after the PDF's last
  %%EOF or the image's end marker, a PNG whose chunks do not run exactly to IEND.

Refused files leave nothing behind: neither a row nor bytes on disk.
"""

import hashlib
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.models.transfer import StoredFile
from app.services import settings

CHUNK = 64 * 1024


@dataclass(frozen=True)
class FileType:
    content_type: str
    extension: str
    head: bytes  # the file starts with it
    tail: bytes  # a complete file ends with it (within the last TAIL_WINDOW bytes)


# The types a county may allow (setting stored_file_types, by these names).
TYPES = {
    "pdf": FileType("application/pdf", ".pdf", b"%PDF-", b"%%EOF"),
    "jpeg": FileType("image/jpeg", ".jpg", b"\xff\xd8\xff", b"\xff\xd9"),
    "png": FileType("image/png", ".png", b"\x89PNG\r\n\x1a\n", b"IEND\xaeB`\x82"),
}
# PDF writers may put a few bytes (a newline, padding) after %%EOF.
TAIL_WINDOW = 1024
# A ZIP reader finds the archive by its end-of-central-directory record, within the last
# 65,535 + 22 bytes: a scan with one there is also an archive.
ZIP_WINDOW = 65_557
ZIP_END = b"PK\x05\x06"
# PDF names that run code or programs when the file is opened.
ACTIVE_PDF_NAMES = {b"JS", b"JavaScript", b"Launch"}
_PDF_NAME = re.compile(rb"/((?:[A-Za-z0-9]|#[0-9A-Fa-f]{2}){2,12})(?![A-Za-z0-9#])")
# A name straddling two chunks is seen whole in the overlap kept from the previous chunk.
OVERLAP = 64


class FileRefused(Exception):
    """The upload was refused; the message is for the user."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    types: tuple[str, ...]
    directory: Path

    @classmethod
    def load(cls, session: Session, directory) -> "Limits":
        names = tuple(n.strip() for n in settings.get(session, "stored_file_types").split(",") if n.strip() in TYPES)
        return cls(int(settings.get(session, "stored_file_max_megabytes")) * 1024 * 1024, names, Path(directory))


def clean_name(name: str | None) -> str:
    """The uploader's file name, fit to show and to put in a header: no path, no control
    characters, at most 200 characters."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    name = re.sub(r"\s+", " ", name)
    return name[-200:] or "file"


def store(session: Session, stream, original_name, limits: Limits, *, now: datetime, actor_name: str, **owner):
    """Copy `stream` (a binary file object) into the store and add its StoredFile row, owned by
    `owner` (e.g. transfer=...). Raises FileRefused, leaving nothing stored."""
    limits.directory.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(16)
    path = limits.directory / key
    digest, size, head, tail, zip_tail = hashlib.sha256(), 0, b"", b"", b""
    scripts = _PdfScan()
    try:
        # O_EXCL: a random name never overwrites anything.
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limits.max_bytes:
                    raise FileRefused(_l("The file is larger than %(mb)s MB.", mb=limits.max_bytes // (1024 * 1024)))
                if len(head) < 16:
                    head = (head + chunk)[:16]
                tail = (tail + chunk)[-TAIL_WINDOW:]
                zip_tail = (zip_tail + chunk)[-ZIP_WINDOW:]
                if head.startswith(b"%PDF-"):
                    scripts.feed(chunk)
                digest.update(chunk)
                out.write(chunk)
        file_type = _detect(head, tail, limits.types)
        name = clean_name(original_name)
        if file_type is not None and (ZIP_END in zip_tail or not _ends_clean(file_type, tail, path)):
            raise FileRefused(_l("「%(name)s」 has other content hidden in it; upload the plain scan only.", name=name))
        if file_type is not None and file_type.extension == ".pdf" and scripts.active:
            raise FileRefused(
                _l(
                    "「%(name)s」 contains scripts or actions (JavaScript); upload a plain scan instead.",
                    name=name,
                )
            )
        if size == 0 or file_type is None:
            allowed = "、".join(kind.upper() for kind in limits.types)
            raise FileRefused(
                _l(
                    "「%(name)s」 is not a complete %(types)s file; scan it again and upload the scan.",
                    name=clean_name(original_name),
                    types=allowed,
                )
            )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    row = StoredFile(
        storage_key=key,
        original_name=clean_name(original_name),
        content_type=file_type.content_type,
        size=size,
        sha256=digest.hexdigest(),
        uploaded_at=now,
        uploaded_by=actor_name[:100],
        **owner,
    )
    session.add(row)
    return row


def _detect(head: bytes, tail: bytes, allowed) -> FileType | None:
    for name in allowed:
        kind = TYPES[name]
        if head.startswith(kind.head) and kind.tail in tail[-TAIL_WINDOW:]:
            # JPEG and PNG end exactly with their marker; PDF may pad after %%EOF.
            if name == "pdf" or tail.endswith(kind.tail):
                return kind
    return None


class _PdfScan:
    """Reads a PDF's objects chunk by chunk for active names, skipping the bytes between `stream`
    and `endstream` (compressed data, where three random bytes may well read "/JS"). A script
    inside a compressed object stream is not seen: the limit of a scan without a PDF parser."""

    def __init__(self):
        self.buffer, self.in_stream, self.active = b"", False, False

    def feed(self, chunk: bytes) -> None:
        data, pos = self.buffer + chunk, 0
        while True:
            if self.in_stream:
                end = data.find(b"endstream", pos)
                if end < 0:
                    break
                self.in_stream, pos = False, end + len(b"endstream")
                continue
            start = data.find(b"stream", pos)
            if _names_active(data[pos : start if start >= 0 else len(data)]):
                self.active = True
            if start < 0:
                break
            self.in_stream = data[max(0, start - 3) : start] != b"end"
            pos = start + len(b"stream")
        # Keep what a keyword or a name split by the chunk's end needs to be seen whole.
        self.buffer = data[max(pos, len(data) - OVERLAP) :]


def _names_active(window: bytes) -> bool:
    """Whether the bytes name a PDF script or launch action, #xx escapes decoded (/J#53 is /JS)."""
    if b"/" not in window:
        return False
    for match in _PDF_NAME.finditer(window):
        name = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), match.group(1))
        if name in ACTIVE_PDF_NAMES:
            return True
    return False


def _ends_clean(kind: FileType, tail: bytes, path: Path) -> bool:
    """Nothing rides after the end of the content: only whitespace after the PDF's last %%EOF; a
    PNG's chunks run from its signature exactly to IEND at the end of the file."""
    if kind.extension == ".pdf":
        return not tail[tail.rfind(b"%%EOF") + 5 :].strip(b" \t\r\n\x00")
    if kind.extension == ".png":
        return _png_chunks_end_at_iend(path)
    return True


def _png_chunks_end_at_iend(path: Path) -> bool:
    with path.open("rb") as handle:
        handle.seek(8)
        while True:
            header = handle.read(8)
            if len(header) < 8:
                return False
            length, kind = int.from_bytes(header[:4], "big"), header[4:]
            if length > 0x7FFFFFFF:
                return False
            handle.seek(length + 4, os.SEEK_CUR)
            if kind == b"IEND":
                return handle.tell() == path.stat().st_size
            if handle.tell() > path.stat().st_size:
                return False


def path_of(directory, stored: StoredFile) -> Path:
    # storage_key is ours (hex): no path can be smuggled through it.
    return Path(directory) / stored.storage_key


def discard(directory, rows) -> None:
    """Remove the files of rows whose transaction did not commit."""
    for row in rows:
        path_of(directory, row).unlink(missing_ok=True)


def download_headers(stored: StoredFile, *, inline: bool = False) -> dict:
    """Headers serving a stored file: its own type, never sniffed, downloaded under its own name
    (an attachment: a PDF never runs its scripts inside the application's origin). `inline`
    (a reviewer reading the scan beside the material list): shown in the browser, the type still
    its own and never sniffed; a PDF naming scripts was refused at upload."""
    from urllib.parse import quote

    ascii_name = stored.original_name.encode("ascii", "ignore").decode() or "file"
    ascii_name = ascii_name.replace('"', "").replace("\\", "")
    return {
        "Content-Type": stored.content_type,
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": f"{'inline' if inline else 'attachment'}; filename=\"{ascii_name}\"; "
        f"filename*=UTF-8''{quote(stored.original_name)}",
        "Cache-Control": "private, no-store",
        # No script of any origin; the browser's own PDF viewer or image view only.
        "Content-Security-Policy": "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; object-src 'self'",
    }
