"""StoredFile pieces without a database: names fit for a header, the type read from the content."""

import io

import pytest

from app.services import stored_files
from app.services.stored_files import FileRefused, Limits, clean_name, download_headers


@pytest.mark.parametrize(
    "name, expected",
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\户口簿.pdf", "户口簿.pdf"),
        ('a"\r\nSet-Cookie: x.pdf', 'a"Set-Cookie: x.pdf'),
        ("", "file"),
        (None, "file"),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
    ],
)
def test_clean_name(name, expected):
    assert clean_name(name) == expected


def test_headers_never_break_out_of_the_disposition():
    class Row:
        original_name = clean_name('户口"簿\r\n.pdf')
        content_type = "application/pdf"

    headers = download_headers(Row)
    assert "\r" not in headers["Content-Disposition"] and "\n" not in headers["Content-Disposition"]
    assert headers["Content-Disposition"].startswith('attachment; filename="')
    assert headers["X-Content-Type-Options"] == "nosniff"


class _Session:
    def __init__(self):
        self.added = []

    def add(self, row):
        self.added.append(row)


def test_only_allowed_types_by_content(tmp_path):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR" + b"\x00" * 17 + b"\x00\x00\x00\x00IEND\xaeB`\x82"
    limits = Limits(1024, ("pdf",), tmp_path)  # PNG not allowed here
    with pytest.raises(FileRefused):
        stored_files.store(_Session(), io.BytesIO(png), "a.png", limits, now=None, actor_name="x")
    assert list(tmp_path.iterdir()) == []
    session = _Session()
    row = stored_files.store(
        session, io.BytesIO(png), "a.pdf", Limits(1024, ("png",), tmp_path), now=None, actor_name="x"
    )
    # The name says PDF, the content PNG: stored as what it is.
    assert row.content_type == "image/png" and (tmp_path / row.storage_key).read_bytes() == png
    assert len(row.sha256) == 64 and row.size == len(png)


def test_reading_stops_at_the_limit(tmp_path):
    class Endless(io.RawIOBase):
        reads = 0

        def read(self, size=-1):
            Endless.reads += 1
            return b"%PDF-" + b"0" * (size - 5)

    with pytest.raises(FileRefused):
        stored_files.store(
            _Session(), Endless(), "x.pdf", Limits(200_000, ("pdf",), tmp_path), now=None, actor_name="x"
        )
    assert Endless.reads <= 5 and list(tmp_path.iterdir()) == []
