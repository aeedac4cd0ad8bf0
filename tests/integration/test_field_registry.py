"""The field registry (app/fields) is the one declaration of a model's columns: every view and
API that names a registry shows each of its fields on every surface the field declares, the
matter importer and the portal guide read it too, and one registry line puts a new field on
every surface (the README's "Add a field to a model")."""

import io

from openpyxl import load_workbook

from app.fields import API, API_SURFACES, EXPORT, FORM, LIST, SEARCH, SHOW, VIEW_SURFACES, Field, Import, Registry
from app.fields.matter import HANDLING, MATTER_FIELDS
from app.models.matter import Matter
from app.services import matter_import
from app.views.api import GovModelApi
from app.views.labels import LABELS
from app.views.model_view import GovModelView


def _registered(app):
    return [v for v in app.appbuilder.baseviews if getattr(v, "registry", None) is not None]


def _declared_by_view(view, attr):
    """The view sets this surface itself (a visible override), rather than taking the registry's."""
    base = GovModelApi if isinstance(view, GovModelApi) else GovModelView
    own = type(view).__mro__[: type(view).__mro__.index(base)]
    return any(attr in vars(cls) for cls in own)


def test_every_generated_view_and_api_has_a_registry(app):
    generated = [v for v in app.appbuilder.baseviews if isinstance(v, (GovModelView, GovModelApi))]
    assert len(generated) > 30
    assert [type(v).__name__ for v in generated if v.registry is None] == []


def test_every_registered_view_shows_its_fields_where_they_say(app):
    views = _registered(app)
    assert {type(v).__name__ for v in views} >= {"MatterView", "MatterApi", "MatterMaterialView", "MatterStepView"}
    for view in views:
        derived = view.registry.api_columns() if isinstance(view, GovModelApi) else view.registry.view_columns()
        for attr, columns in derived.items():
            if _declared_by_view(view, attr) or (attr == "show_fieldsets" and _declared_by_view(view, "show_columns")):
                continue
            actual = getattr(view, attr)
            if attr == "show_fieldsets":
                actual = [(str(title), spec["fields"]) for title, spec in actual]
                columns = [(str(title), spec["fields"]) for title, spec in columns]
            elif attr == "edit_columns":
                actual = [c for c in actual if c != "row_version"]
            assert actual == columns, (type(view).__name__, attr)


def test_matter_fields_are_on_every_surface_they_declare(app):
    views = {type(v).__name__: v for v in app.appbuilder.baseviews}
    page, api = views["MatterView"], views["MatterApi"]
    shown = [name for _, spec in page.show_fieldsets for name in spec["fields"]]
    headers = [c.header for c in matter_import.COLUMNS]
    for field in MATTER_FIELDS:
        checks = [
            (LIST, page.list_columns),
            (SHOW, shown),
            (FORM, page.add_columns),
            (FORM, page.edit_columns),
            (SEARCH, page.search_columns),
            (EXPORT, [c.split(".")[0] for c in page.export_columns]),
        ]
        for surface, columns in checks:
            assert (surface in field.on) == (field.name in columns), (field.name, surface)
        api_name = MATTER_FIELDS.api_name(field.name)
        for attr, surface in API_SURFACES.items():
            assert (surface in field.on) == (api_name in getattr(api, attr)), (field.name, surface)
    assert headers == [f.imports.header for f in MATTER_FIELDS if f.imports is not None]


def test_import_template_is_the_registry_with_examples_keyed_by_header():
    buffer = io.BytesIO()
    matter_import.build_template(buffer)
    buffer.seek(0)
    rows = [[cell.value for cell in row] for row in load_workbook(buffer).active.iter_rows()]
    headers = [c.header for c in matter_import.COLUMNS]
    assert [h.rstrip("*") for h in rows[0]] == headers
    examples = matter_import.examples()
    assert len(rows) == 1 + len(examples)
    for example, row in zip(examples, rows[1:], strict=True):
        assert set(example) <= set(headers)
        assert {h: v for h, v in zip(headers, row, strict=True) if v not in (None, "")} == {
            h: v for h, v in example.items() if v != ""
        }


def test_portal_guide_rows_come_from_the_registry(client, world_ids):
    page = client.get("/portal/matter/XZ-D01-0001").get_data(as_text=True)
    rows = MATTER_FIELDS.guide_rows(LABELS)
    assert [name for _, _, name in rows] == [f.name for f in MATTER_FIELDS if f.guide]
    with client.application.test_request_context():
        from flask_babel import force_locale

        with force_locale("zh"):
            labels = [str(label) for label, _, _ in rows]
    positions = [page.index(f"<th>{label}</th>") for label in labels]
    assert positions == sorted(positions)


def test_one_registry_line_puts_a_boolean_on_every_surface():
    """What README's recipe promises: the field's registry line is all the surfaces need."""
    line = Field(
        "stationed", LIST | FORM | SEARCH | EXPORT | API, fieldset=HANDLING, imports=Import("是否进驻中心"), guide=True
    )
    registry = Registry(Matter, *(f for f in MATTER_FIELDS if f.name != "stationed"), line)
    view, api = registry.view_columns(), registry.api_columns()
    shown = [name for _, spec in view["show_fieldsets"] for name in spec["fields"]]
    for attr in set(VIEW_SURFACES) - {"show_columns"}:
        assert "stationed" in view[attr], attr
    assert "stationed" in shown
    for attr in API_SURFACES:
        assert "stationed" in api[attr], attr
    assert "是否进驻中心" in [f.imports.header for f in registry.imported()]
    assert ("yes_no", "stationed") in [(kind, name) for _, kind, name in registry.guide_rows(LABELS)]
