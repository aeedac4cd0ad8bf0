"""Search-as-you-type selects for relations to tables that grow with the county (cases, staff,
logins, matters).

FAB renders a relation as a <select> holding every related row: at 100,000 cases a form with a
case field took 16 s and 4.85 MB, and every list search form carried the staff and matter tables.
Here such a field renders one hidden input (the chosen id) and an empty select that
app/static/js/remote_select.js turns into select2 fetching pages of 20 from the view's
`/choices/<form>/<column>` endpoint (GovModelView), which runs the field's own query: the
related model's row scope (ChoiceFilter) and any filters the view adds. The same query checks
a posted id, so an id outside the user's scope is refused, whatever the page offered.
"""

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import jsonify, request, url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import Field
from wtforms.validators import ValidationError

PAGE = 20
NOT_OFFERED = _l("Choose from the list: this record does not exist or is outside your scope.")


@dataclass(frozen=True)
class Source:
    """How rows of one model are searched and shown in a select."""

    search: tuple[str, ...]  # columns the typed text is looked for in
    label: Callable[[object], str]
    order: tuple[str, ...]


def _user_label(user) -> str:
    name = f"{user.last_name or ''}{user.first_name or ''}"  # Chinese order: family name first
    return f"{name}（{user.username}）"


# By table name: the models whose tables grow with the county. Centers, departments, windows and
# rules stay a plain select (tens of rows).
SOURCES = {
    "case": Source(("number", "applicant_name"), lambda c: f"{c.number} {c.applicant_name}", ("number",)),
    "staff": Source(("name", "staff_no"), lambda s: f"{s.name}（{s.staff_no}）", ("name", "staff_no")),
    "matter": Source(("code", "name"), lambda m: f"{m.name}（{m.code}）", ("code",)),
    "ab_user": Source(("username", "last_name", "first_name"), _user_label, ("username",)),
}


def source_for(model) -> Source | None:
    return SOURCES.get(getattr(model, "__tablename__", None))


@dataclass(frozen=True)
class Choices:
    """The rows one field may take: `query()` is a query of `model` already limited to them."""

    model: type
    query: Callable[[], object]

    @property
    def source(self) -> Source:
        return source_for(self.model)

    def get(self, raw):
        """The row with id `raw` among the choices, or None."""
        raw = str(raw or "").strip()
        if not raw.isdigit() or len(raw) > 18:
            return None
        return self.query().filter(self.model.id == int(raw)).first()

    def label(self, row) -> str:
        return self.source.label(row) if row is not None else ""

    def answer(self):
        """The JSON page select2 asks for: `id` for one row's label, else `q` and `page`."""
        query = self.query()
        if "id" in request.args:
            row = self.get(request.args["id"])
            return jsonify(results=[{"id": row.id, "text": self.label(row)}] if row else [], more=False)
        text = (request.args.get("q") or "").strip()[:50]
        if text:
            like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            columns = [getattr(self.model, name) for name in self.source.search]
            query = query.filter(sa.or_(*(column.ilike(like, escape="\\") for column in columns)))
        page = request.args.get("page", "1")
        page = min(int(page), 500) if page.isdigit() and int(page) > 0 else 1
        order = [getattr(self.model, name) for name in self.source.order] + [self.model.id]
        rows = query.order_by(*order).offset((page - 1) * PAGE).limit(PAGE + 1).all()
        results = [{"id": row.id, "text": self.label(row)} for row in rows[:PAGE]]
        return jsonify(results=results, more=len(rows) > PAGE)


def render(name, url, choices: Choices, current=None, field_id=None, required=False) -> Markup:
    """The select's HTML: the chosen id in a hidden input (the one FAB's filter script renames and
    fills), an empty select for select2, and the texts select2 shows, in the user's language."""
    texts = {
        "source": url,
        "placeholder": _l("Type to search"),
        "no-results": _l("No match in your scope"),
        "searching": _l("Searching…"),
        "more": _l("Loading more…"),
        "error": _l("The list could not be loaded"),
        "clear": _l("Clear the choice"),
    }
    data = " ".join(f'data-{key}="{escape(str(value))}"' for key, value in texts.items())
    option = ""
    if current is not None:
        option = f'<option value="{current.id}" selected>{escape(choices.label(current))}</option>'
    value = "" if current is None else current.id
    return Markup(
        f'<span class="govhall-remote" {data}>'
        f'<input type="hidden" name="{escape(name)}" value="{value}"{" required" if required else ""}>'
        f'<select id="{escape(field_id or name)}" class="form-control"><option value=""></option>{option}</select>'
        "</span>"
    )


class RemoteSelectWidget:
    def __call__(self, field, **kwargs):
        return render(field.name, field.url(), field.choices, field.data, field.id)


class RemoteRelationField(Field):
    """A many-to-one relation picked by search; `data` is the related row (or None)."""

    widget = RemoteSelectWidget()

    def __init__(self, label=None, validators=None, *, choices: Choices, url: Callable[[], str], **kwargs):
        super().__init__(label, validators, **kwargs)
        self.choices, self.url = choices, url
        self._refused = False

    def process_formdata(self, valuelist):
        raw = (valuelist[0] if valuelist else "").strip()
        self.data = None if raw in ("", "__None") else self.choices.get(raw)
        self._refused = self.data is None and raw not in ("", "__None")

    def pre_validate(self, form):
        if self._refused:
            raise ValidationError(str(NOT_OFFERED))


def endpoint_url(view, form: str, column: str) -> Callable[[], str]:
    return lambda: url_for(f"{view.endpoint}.choices_{form}", column=column)


def related_choices(datamodel, column, rel_filters) -> Choices:
    """The rows FAB's select for `column` would list: the related interface with the view's
    `*_query_rel_fields` filters (ChoiceFilter's row scope among them)."""
    related = datamodel.get_related_interface(column)

    def query():
        filters = related.get_filters().add_filter_list(rel_filters or [])
        return filters.apply_all(related.session.query(related.obj))

    return Choices(related.obj, query)
