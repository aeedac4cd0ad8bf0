"""Resident ID numbers (GB 11643-1999) and unified social credit codes (GB 32100-2015):
validation, and masking for display."""

from datetime import date

from flask_babel import lazy_gettext as _l

from app.services.phone import phone_tail

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def check_digit(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def valid_id_number(value: str) -> bool:
    """18 characters, a real birth date and the right check digit."""
    value = (value or "").strip().upper()
    if len(value) != 18 or not value[:17].isdigit() or value[17] not in "0123456789X":
        return False
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return date(1900, 1, 1) <= born and check_digit(value[:17]) == value[17]


# GB 32100-2015: 31 characters (no I, O, S, V, Z), the 18th a check character over the first 17.
CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
CREDIT_CODE_ERROR = _l(
    "The unified social credit code is not valid: 18 digits or capital letters (no I, O, S, V or Z), "
    "the last one a check character that must match the others."
)


def credit_check_char(first17: str) -> str:
    total = sum(CREDIT_CODE_CHARS.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def valid_credit_code(value: str) -> bool:
    """18 characters of the code's set, the registering authority's region code (3rd–8th) in
    digits, and the right check character."""
    value = (value or "").strip().upper()
    return (
        len(value) == 18
        and all(c in CREDIT_CODE_CHARS for c in value)
        and value[2:8].isdigit()
        and credit_check_char(value[:17]) == value[17]
    )


def mask(value: str | None) -> str:
    """110105********123X: region and last four stay, the birth date is hidden."""
    if not value:
        return ""
    if len(value) <= 8:
        return value[:2] + "*" * (len(value) - 2)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    """138****1234, 039****2345: the last four digits of the number itself stay (the portal's key)."""
    if not value or len(value) < 7:
        return value or ""
    return value[:3] + "****" + phone_tail(value)
