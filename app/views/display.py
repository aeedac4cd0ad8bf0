"""How a stored value reads in a list cell or on a show page.

FAB's list and show widgets print `str(value)`, so clerks read `None`, `True`, `[]` and role
names in brackets (`[ChiefRep]`). Every widget template (templates/appbuilder/general/widgets/)
passes its values through `display`; list cells go through `list_cell`, which also keeps a
table readable: short values stay on one line, long text wraps within a bounded width and is
cut after LONG_CHARS characters with the whole text in the cell's title (shown on hover).
"""

from collections.abc import Iterable
from datetime import datetime

from flask import Flask
from flask_appbuilder.fields import QuerySelectField
from flask_appbuilder.security.sqla.models import Role, User
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

import config
from app import clock

# Up to this width (in ems: a Chinese character 1, a Latin letter or digit about half) a cell
# stays on one line: names, codes, numbers, dates, states.
SHORT_EMS = 11
# Longer plain text is cut here in list cells; the title holds all of it.
LONG_CHARS = 40
LIST_SEPARATOR = "、"


def role_label(name: str) -> str:
    label = config.ROLE_LABELS.get(name)
    return str(label) if label is not None else name


def person_name(user) -> str:
    """姓 then 名 with no space (刘建国); a Latin name keeps "first last"."""
    first, last = (user.first_name or "").strip(), (user.last_name or "").strip()
    if (first + last).isascii():
        return f"{first} {last}".strip() or user.username
    return f"{last}{first}"


def display(value):
    """A value as the user should read it: text or Markup, never a Python literal."""
    if value is None:
        return ""
    if hasattr(value, "__html__"):  # Markup from a formatter, a labelled enum
        return value
    if isinstance(value, bool):
        return str(_l("Yes") if value else _l("No"))
    if isinstance(value, Role):
        return role_label(value.name)
    if isinstance(value, User):
        return person_name(value)
    if isinstance(value, datetime):  # no microseconds, Beijing time
        return f"{clock.to_local_naive(value):%Y-%m-%d %H:%M:%S}"
    if isinstance(value, Iterable) and not isinstance(value, (str, bytes, dict)):
        shown = [display(item) for item in value]
        return Markup(LIST_SEPARATOR).join(escape(item) for item in shown if str(item))
    return value


def _ems(text: str) -> float:
    return sum(0.55 if char.isascii() else 1 for char in text)


def list_cell(value):
    """A list cell's content: one line when short, else wrapped and cut with a hover title."""
    shown = display(value)
    if hasattr(shown, "__html__"):
        html = Markup(shown.__html__())
        text = html.striptags()
        if _ems(text) <= SHORT_EMS:
            return Markup('<span class="govhall-cell">{}</span>').format(html)
        # A view's own markup (links, badges) cannot be cut safely: it only wraps.
        return Markup('<span class="govhall-cell govhall-cell-long" title="{}">{}</span>').format(text, html)
    text = str(shown)
    if _ems(text) <= SHORT_EMS:
        return Markup('<span class="govhall-cell">{}</span>').format(text)
    cut = text if len(text) <= LONG_CHARS else text[:LONG_CHARS] + "…"
    return Markup('<span class="govhall-cell govhall-cell-long" title="{}">{}</span>').format(text, cut)


def install(app: Flask) -> None:
    # Globals, not filters in a context processor: FAB's widget templates are rendered by
    # the widgets themselves (render_template with the widget's own arguments).
    app.jinja_env.globals.update(display=display, list_cell=list_cell, person_name=person_name)
    # FAB's navbar, user selects and audit columns print get_full_name() or repr(user):
    # "first last" (建国 刘). One Chinese order everywhere.
    User.get_full_name = person_name
    if not getattr(QuerySelectField.iter_choices, "govhall", False):
        QuerySelectField.iter_choices = _blank_choice_named(QuerySelectField.iter_choices)


def _blank_choice_named(iter_choices):
    """An optional relation's empty choice reads （无）: FAB leaves its text empty and WTForms
    then prints the option's value, `__None`."""

    def named(self):
        for choice in iter_choices(self):
            if choice[0] == "__None" and not choice[1]:
                choice = (choice[0], str(_l("(none)")), *choice[2:])
            yield choice

    named.govhall = True
    return named
