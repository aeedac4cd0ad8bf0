"""Rules of the matter catalogue shared by the form, the REST API and the importer."""

from decimal import Decimal

from flask_babel import lazy_gettext as _l

from app.services import matter_levels

# 行政许可法 §42: 20 working days, +10 extension; joint handling 45 (+15).
# No matter's legal limit may exceed the longest statutory period.
MAX_LEGAL_LIMIT_DAYS = 60
# The seeds: promised limits are set "按照法定时限减少30%以上".
PROMISED_RATIO_ADVISED = Decimal("0.7")


def limit_errors(legal_days, promised_days) -> list[str]:
    """Errors that make a pair of limits unacceptable (forms and imports refuse them)."""
    errors = []
    if legal_days is None or promised_days is None:
        return [str(_l("Both the legal and the promised limit are required."))]
    if legal_days < 0 or promised_days < 0:
        errors.append(str(_l("Time limits cannot be negative.")))
    if legal_days > MAX_LEGAL_LIMIT_DAYS:
        errors.append(str(_l("The legal limit cannot exceed %(days)s working days.", days=MAX_LEGAL_LIMIT_DAYS)))
    if promised_days > legal_days:
        errors.append(
            str(
                _l(
                    "The promised limit (%(promised)s working days) cannot exceed "
                    "the legal limit (%(legal)s working days).",
                    promised=promised_days,
                    legal=legal_days,
                )
            )
        )
    return errors


def limit_warnings(legal_days, promised_days) -> list[str]:
    """Advice that does not block saving: the seeds ask for a promise 30% under the law."""
    if legal_days and promised_days is not None and promised_days <= legal_days:
        if Decimal(promised_days) > Decimal(legal_days) * PROMISED_RATIO_ADVISED:
            return [str(_l("The promised limit is less than 30 per cent shorter than the legal limit."))]
    return []


def fee_errors(fee_standard, fee_max) -> list[str]:
    errors = []
    if fee_standard is not None and fee_standard < 0:
        errors.append(str(_l("The fee cannot be negative.")))
    if fee_max is not None and fee_standard is not None and fee_max < fee_standard:
        errors.append(str(_l("The fee ceiling cannot be below the standard fee.")))
    return errors


def matter_errors(matter) -> list[str]:
    """Everything that makes a matter unsaveable, for forms, the API and imports alike."""
    # A level left unset (an API body without it) takes the column's default at INSERT.
    received = {
        column: getattr(matter, column)
        if getattr(matter, column) is not None
        else type(matter).__table__.c[column].default.arg
        for column in matter_levels.RECEIVED_AT.values()
    }
    return (
        limit_errors(matter.legal_limit_days, matter.promised_limit_days)
        + fee_errors(matter.fee_standard, matter.fee_max)
        + matter_levels.level_errors(received)
    )
