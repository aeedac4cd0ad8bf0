"""The field registry: one declaration per model of where each of its fields appears.

In the spirit of Django's ModelAdmin options, a model's `Registry` lists its fields once,
in display order, each with the surfaces it is on: the back-office list, show page,
add and edit forms, search and Excel export (GovModelView), the REST API's list, show,
add, edit and search (GovModelApi, which names a relation by its `<relation>_id`), the
catalogue importer's column (header, required, default, example) and the public portal
guide's row. Views and APIs take every surface they do not set themselves from it
(`registry = MATTER_FIELDS`); a view that must differ on one surface sets that surface
explicitly, with a comment saying why.

Labels stay in app/views/labels.py (one per concept, shared by every model).
"""

import enum
from dataclasses import dataclass

import sqlalchemy as sa


class On(enum.Flag):
    """The surfaces a field is on."""

    LIST = enum.auto()
    SHOW = enum.auto()
    ADD = enum.auto()
    EDIT = enum.auto()
    SEARCH = enum.auto()
    EXPORT = enum.auto()
    API_LIST = enum.auto()
    API_SHOW = enum.auto()
    API_ADD = enum.auto()
    API_EDIT = enum.auto()
    API_SEARCH = enum.auto()


LIST, SHOW, ADD, EDIT, SEARCH, EXPORT = On.LIST, On.SHOW, On.ADD, On.EDIT, On.SEARCH, On.EXPORT
API_LIST, API_SHOW, API_ADD, API_EDIT, API_SEARCH = On.API_LIST, On.API_SHOW, On.API_ADD, On.API_EDIT, On.API_SEARCH
FORM = ADD | EDIT
API_FORM = API_ADD | API_EDIT
VIEW = LIST | SHOW | FORM | SEARCH | EXPORT
API = API_LIST | API_SHOW | API_FORM | API_SEARCH
NOWHERE = On(0)

# The view and API attribute each surface fills.
VIEW_SURFACES = {
    "list_columns": LIST,
    "show_columns": SHOW,
    "add_columns": ADD,
    "edit_columns": EDIT,
    "search_columns": SEARCH,
    "export_columns": EXPORT,
}
API_SURFACES = {
    "list_columns": API_LIST,
    "show_columns": API_SHOW,
    "add_columns": API_ADD,
    "edit_columns": API_EDIT,
    "search_columns": API_SEARCH,
}


@dataclass(frozen=True)
class Import:
    """The field's column in the model's import workbook.

    The cell is read by the column's type (text, whole number, amount, 是/否, enum label,
    related row); an empty optional cell takes `default`, else the column's own default.
    `examples` are the template's example rows, in order.
    """

    header: str
    required: bool = False
    default: object = None
    examples: tuple = ()


@dataclass(frozen=True)
class Guide:
    """The field's row on the public portal guide; `label` when it differs from the list's,
    `kind` the way its value is shown (see portal/_guide.html); by default from its type."""

    label: object = None
    kind: str | None = None


@dataclass(frozen=True)
class Field:
    """One field of a model (a relation by its name, "department") and the surfaces it is on."""

    name: str
    on: On = NOWHERE
    # Written to Excel as these columns instead (a relation: "<relation>.name").
    export_as: tuple = ()
    # The show page's group (show_fieldsets), in the order the groups first appear.
    fieldset: object = None
    imports: Import | None = None
    guide: Guide | bool = False

    def __post_init__(self):
        if self.fieldset is not None:  # a field in a show group is on the show page
            object.__setattr__(self, "on", self.on | SHOW)


class Registry:
    """A model's fields in display order, and the column lists each surface derives from them."""

    def __init__(self, model, *fields: Field):
        self.model = model
        self.fields = fields
        names = [f.name for f in fields]
        duplicates = {n for n in names if names.count(n) > 1}
        if duplicates:
            raise ValueError(f"{model.__name__}: fields declared twice: {sorted(duplicates)}")
        if any(f.fieldset for f in fields):
            ungrouped = [f.name for f in fields if SHOW in f.on and f.fieldset is None]
            if ungrouped:
                raise ValueError(f"{model.__name__} shows its fields in groups: give {ungrouped} a fieldset")

    def __iter__(self):
        return iter(self.fields)

    def names(self, surface: On) -> list[str]:
        return [f.name for f in self.fields if surface in f.on]

    # -- back office --------------------------------------------------------
    def export_columns(self) -> list[str]:
        columns = []
        for field in self.fields:
            if EXPORT in field.on:
                columns.extend(field.export_as or [self._exported(field.name)])
        return columns

    def _exported(self, name):
        return f"{name}.name" if self._relation(name) is not None else name

    def show_fieldsets(self) -> list:
        groups = {}
        for field in self.fields:
            if field.fieldset is not None:
                groups.setdefault(field.fieldset, []).append(field.name)
        return [(title, {"fields": names}) for title, names in groups.items()]

    def view_columns(self) -> dict:
        """The GovModelView attributes this registry declares (a surface no field is on is left to FAB)."""
        columns = {attr: self.names(surface) for attr, surface in VIEW_SURFACES.items()}
        columns["export_columns"] = self.export_columns()
        fieldsets = self.show_fieldsets()
        if fieldsets:
            del columns["show_columns"]
            columns["show_fieldsets"] = fieldsets
        return {attr: value for attr, value in columns.items() if value}

    # -- REST API -----------------------------------------------------------
    def api_name(self, name: str) -> str:
        """A many-to-one relation goes by its foreign key in the API (`department_id`)."""
        relation = self._relation(name)
        return next(iter(relation.local_columns)).key if relation is not None else name

    def api_columns(self) -> dict:
        """The GovModelApi attributes this registry declares. The show columns are the list's
        followed by the show-only ones, so a client reads the same prefix on both."""
        columns = {attr: [self.api_name(n) for n in self.names(surface)] for attr, surface in API_SURFACES.items()}
        listed = columns["list_columns"]
        columns["show_columns"] = listed + [n for n in columns["show_columns"] if n not in listed]
        return {attr: value for attr, value in columns.items() if value}

    def _relation(self, name):
        relation = sa.inspect(self.model).relationships.get(name)
        return relation if relation is not None and relation.direction.name == "MANYTOONE" else None

    # -- importer and portal --------------------------------------------------
    def imported(self) -> list[Field]:
        return [f for f in self.fields if f.imports is not None]

    def guide_rows(self, labels: dict) -> list[tuple]:
        """(label, kind, field name) of each portal guide row, in order; see portal/_guide.html."""
        rows = []
        for field in self.fields:
            if field.guide:
                guide = field.guide if isinstance(field.guide, Guide) else Guide()
                rows.append((guide.label or labels[field.name], guide.kind or self._guide_kind(field.name), field.name))
        return rows

    def _guide_kind(self, name):
        kind = self.model.__table__.c[name].type
        if isinstance(kind, sa.Enum):
            return "enum"
        if isinstance(kind, sa.Boolean):
            return "yes_no"
        return "days" if isinstance(kind, sa.Integer) else "text"


def fill(target, columns: dict) -> None:
    """Set on `target` (a view or API instance) each column attribute it left unset.

    A view that sets `show_columns` itself gets no fieldsets from the registry, and back.
    """
    if getattr(target, "show_columns", None) or getattr(target, "show_fieldsets", None):
        columns = {attr: value for attr, value in columns.items() if attr not in ("show_columns", "show_fieldsets")}
    for attr, value in columns.items():
        if not getattr(target, attr, None):
            setattr(target, attr, list(value))
