"""A case's light in colour and words, as the case list, the case page and the dashboard show it
(the light itself is services/case_light.py's)."""

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from app.models.case import Light, SuspendReason
from app.services.case_light import CaseLight, Phase

# A suspension's reason in a few characters, for the light's text on lists and the case page.
SUSPENDED_FOR = {
    SuspendReason.supplement: _l("awaiting materials"),
    SuspendReason.escalation: _l("escalated"),
    SuspendReason.special_procedure: _l("special procedure"),
}


def light_text(case, shown: CaseLight) -> str:
    """What the light says in words: days left while running, the frozen days while suspended,
    on time or how late once finished."""
    days = shown.days_left
    if shown.phase is Phase.suspended:
        reason = SUSPENDED_FOR.get(case.suspend_reason, _l("suspended"))
        if days < 0:
            return str(
                _l(
                    "Suspended (%(reason)s), %(days)s working day(s) overdue when the clock stopped",
                    reason=reason,
                    days=-days,
                )
            )
        return str(
            _l("Suspended (%(reason)s), %(days)s working day(s) left when the clock stopped", reason=reason, days=days)
        )
    if shown.phase is Phase.finished:
        if shown.light is Light.red:
            return str(_l("Finished %(days)s working day(s) late", days=-days))
        return str(_l("Finished on time"))
    if days < 0:
        return str(_l("Overdue by %(days)s working day(s)", days=-days))
    if days == 0:
        return str(_l("Due today"))
    if shown.light is Light.yellow:
        return str(_l("Due soon: %(days)s working day(s) left", days=days))
    return str(_l("%(days)s working day(s) left", days=days))


def light_badge(case, shown: CaseLight) -> Markup:
    """The light as lists and the dashboard show it: its colour, and its words (light_text)."""
    if shown.light is None:
        return Markup("")
    return Markup(
        f'<span class="govhall-light govhall-light-{shown.light.name}" title="{escape(shown.light.label)}"></span>'
        f'<span class="govhall-light-text" data-light="{shown.light.name}">{escape(light_text(case, shown))}</span>'
    )
