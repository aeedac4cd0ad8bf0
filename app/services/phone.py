"""Phone numbers as the public and the staff give them: a mobile, or a landline with its area code
and perhaps an extension. One check for every place a phone is entered (intake, complaints,
staff, departments, centers, matters, village requests), storing one written form.

Accepted (spaces and full-width characters are tolerated):
- mobile: 1[3-9] and 9 more digits, also written 138-0000-1234 or +86 13800001234 → 13800001234;
- landline: area code (010 and 02X have three digits, every other 0XXX four) and a local number of
  7 or 8 digits: 0396-2812345, 03962812345, (0396)2812345 → 0396-2812345;
- with an extension of up to 6 digits: 0396-2812345-801, 0396-2812345转801, …#801 → 0396-2812345-801.
"""

import re

from flask_babel import lazy_gettext as _l

MOBILE = re.compile(r"1[3-9]\d{9}")
AREA = re.compile(r"0(?:10|2\d|[3-9]\d{2})")
LOCAL = re.compile(r"[1-9]\d{6,7}")
EXTENSION = re.compile(r"\d{1,6}")
# 转 (Chinese "extension"), 分机, ext, #, x: what a clerk writes before an extension.
_EXTENSION_MARK = re.compile(r"(?:转|分机|ext\.?|#|x)", re.IGNORECASE)
_FULL_WIDTH = str.maketrans("０１２３４５６７８９（）－—＋＃", "0123456789()--+#")

PHONE_HINT = _l(
    "A mobile (13800001234), or a landline with its area code (0396-2812345, 03962812345 or "
    "(0396)2812345), with an extension if any (0396-2812345-801 or 0396-2812345转801)."
)
PHONE_ERROR = _l(
    "The phone number is not valid. Enter a mobile (13800001234) or a landline with its area code "
    "(0396-2812345), with an extension if any (0396-2812345-801)."
)


class InvalidPhone(ValueError):
    """The value is not a phone number; the message (Chinese) says which forms are accepted."""


def normalize_phone(value: str | None) -> str | None:
    """The number in its one written form, or None if it is not a phone number."""
    text = re.sub(r"\s+", "", (value or "").translate(_FULL_WIDTH))
    text = re.sub(r"^(?:\+86|0086)", "", text)
    main, *extension = _EXTENSION_MARK.split(text)
    if len(extension) > 1:
        return None
    parts = [part for part in re.split(r"[-()]", main) if part]
    if not parts or not all(part.isascii() and part.isdigit() for part in parts):
        return None
    if not extension and MOBILE.fullmatch("".join(parts)):
        return "".join(parts)
    if len(parts) == 1:  # area code and number written together: the area code's length says where it ends
        area = AREA.match(parts[0])
        if area is None:
            return None
        parts = [area.group(), parts[0][area.end() :]]
    if len(parts) == 3 and not extension:
        parts, extension = parts[:2], parts[2:]
    if len(parts) != 2 or not AREA.fullmatch(parts[0]) or not LOCAL.fullmatch(parts[1]):
        return None
    if extension and not EXTENSION.fullmatch(extension[0]):
        return None
    return "-".join(parts + extension)


def checked_phone(value: str | None, *, required: bool = False) -> str | None:
    """The phone in its written form; None when left blank (and not required); else InvalidPhone."""
    if not (value or "").strip():
        if required:
            raise InvalidPhone(str(PHONE_ERROR))
        return None
    phone = normalize_phone(value)
    if phone is None:
        raise InvalidPhone(str(PHONE_ERROR))
    return phone


def phone_tail(value: str | None) -> str:
    """The last four digits of the number itself (not of its extension): what the portal asks for."""
    phone = normalize_phone(value)
    if phone is None:
        return "".join(ch for ch in value or "" if ch.isdigit())[-4:]
    parts = phone.split("-")
    return (parts[1] if len(parts) > 1 else parts[0])[-4:]
