"""Rules of the matter catalogue shared by the form, the REST API, the importer and the
catalogue check report."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.services import matter_levels, settings

# 行政许可法 §42: 20 working days, +10 extension; joint handling 45 (+15).
# No matter's legal limit may exceed the longest statutory period.
MAX_LEGAL_LIMIT_DAYS = 60


@dataclass(frozen=True)
class PromisedRule:
    """Seed 002: promised limits are set "按照法定时限减少30%以上" — at least `reduction` (a share,
    setting promised_limit_reduction, 0.3) shorter than the legal limit. A promise that is not is
    warned about, or refused when the setting promised_limit_check says so (default: warn).

    One rule for the form, the API, the import (`check`) and the report (`breaks_sql`): both
    compare whole numbers, promised × d > legal × (d − n) for the reduction n/d, so Python and
    SQL agree on the boundary (a promise of exactly 70 % of the legal limit is short enough).
    A legal limit of 0 (an immediate matter) or a promise above the legal one (an error of its
    own, limit_errors) is not this rule's business.
    """

    reduction: Decimal = Decimal("0.3")
    refuse: bool = False

    @classmethod
    def load(cls, session: Session) -> "PromisedRule":
        # Read while a form's or the API's half-filled matter is in the session: never flush it.
        with session.no_autoflush:
            reduction, check = (
                settings.get(session, "promised_limit_reduction"),
                settings.get(session, "promised_limit_check"),
            )
        try:
            reduction = Decimal(reduction)
        except InvalidOperation:
            reduction = Decimal(settings.SPECS["promised_limit_reduction"].default)
        return cls(reduction, check == "refuse")

    @property
    def _ratio(self) -> tuple[int, int]:
        share = Fraction(self.reduction)
        return share.numerator, share.denominator

    def breaks(self, legal_days, promised_days) -> bool:
        if not legal_days or promised_days is None or legal_days < 0 or promised_days > legal_days:
            return False
        n, d = self._ratio
        return promised_days * d > legal_days * (d - n)

    def breaks_sql(self, legal, promised):
        """The same test on columns (or any SQL expressions)."""
        n, d = self._ratio
        return sa.and_(legal > 0, promised <= legal, promised * d > legal * (d - n))

    def message(self, legal_days, promised_days) -> str:
        return str(
            _l(
                "The promised limit (%(promised)s working days) is less than %(share)s per cent shorter than "
                "the legal limit (%(legal)s working days).",
                promised=promised_days,
                legal=legal_days,
                share=format((self.reduction * 100).normalize(), "f"),
            )
        )

    def check(self, legal_days, promised_days) -> tuple[list[str], list[str]]:
        """(errors, warnings) of a pair of limits under this rule."""
        if not self.breaks(legal_days, promised_days):
            return [], []
        found = [self.message(legal_days, promised_days)]
        return (found, []) if self.refuse else ([], found)


# The seed's rule as shipped (the settings' defaults).
SEED_RULE = PromisedRule()


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


def urgent_limit_errors(promised_days, urgent_days) -> list[str]:
    """An urgent case's limit (急办件, seed 004: 绿色通道) is shorter than the promised limit; an
    on-the-spot matter (promised 0) takes none. Empty: the setting urgent_limit_days applies."""
    if urgent_days is None or promised_days is None:
        return []
    if urgent_days < 0:
        return [str(_l("Time limits cannot be negative."))]
    if promised_days == 0:
        return [str(_l("An on-the-spot matter needs no urgent limit: leave it empty."))]
    if urgent_days >= promised_days:
        return [
            str(
                _l(
                    "The urgent limit (%(urgent)s working days) must be shorter than "
                    "the promised limit (%(promised)s working days).",
                    urgent=urgent_days,
                    promised=promised_days,
                )
            )
        ]
    return []


def limit_warnings(legal_days, promised_days, rule: PromisedRule = SEED_RULE) -> list[str]:
    """Advice that does not block saving (the rule in warn mode)."""
    return rule.check(legal_days, promised_days)[1]


def fee_errors(fee_standard, fee_max) -> list[str]:
    errors = []
    if fee_standard is not None and fee_standard < 0:
        errors.append(str(_l("The fee cannot be negative.")))
    if fee_max is not None and fee_standard is not None and fee_max < fee_standard:
        errors.append(str(_l("The fee ceiling cannot be below the standard fee.")))
    return errors


def matter_errors(matter, rule: PromisedRule = SEED_RULE) -> list[str]:
    """Everything that makes a matter unsaveable, for forms, the API and imports alike
    (with the promised-limit rule as the county set it: refused only in refuse mode)."""
    # A level left unset (an API body without it) takes the column's default at INSERT.
    received = {
        column: getattr(matter, column)
        if getattr(matter, column) is not None
        else type(matter).__table__.c[column].default.arg
        for column in matter_levels.RECEIVED_AT.values()
    }
    return (
        limit_errors(matter.legal_limit_days, matter.promised_limit_days)
        + rule.check(matter.legal_limit_days, matter.promised_limit_days)[0]
        + urgent_limit_errors(matter.promised_limit_days, matter.urgent_limit_days)
        + fee_errors(matter.fee_standard, matter.fee_max)
        + matter_levels.level_errors(received)
    )


def matter_warnings(matter, rule: PromisedRule) -> list[str]:
    """What a saved matter is warned about (the promised-limit rule in warn mode)."""
    return rule.check(matter.legal_limit_days, matter.promised_limit_days)[1]


def promised_too_long(session: Session):
    """The report's filter: matters whose promise breaks the rule as the county set it (SQL)."""
    from app.models.matter import Matter

    return PromisedRule.load(session).breaks_sql(Matter.legal_limit_days, Matter.promised_limit_days)
