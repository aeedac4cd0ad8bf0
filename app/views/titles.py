"""Page titles and column labels for views that leave FAB to make them up.

FAB titles a CRUD view it is given no title for in English from the model's class name
("Add Leave Request", "Edit Attendance Record"), untranslatable. Any such title is replaced by
one built from the view's own Chinese noun — its `show_title` (请假 → 新增请假, 编辑请假),
or else its `list_title` — after registration, so every registered view is covered, FAB's
own included. Likewise a column FAB labelled from its name ("Step Due At", FAB's group page
"Name") takes the glossary's label (app/views/labels.py), in the view and in its forms.
"""

from flask_appbuilder.api import BaseApi
from flask_babel import LazyString, gettext
from wtforms.fields.core import UnboundField

from app.views.labels import LABELS

PATTERNS = {
    "add_title": lambda thing: gettext("Add %(thing)s", thing=thing),
    "edit_title": lambda thing: gettext("Edit %(thing)s", thing=thing),
    "show_title": lambda thing: gettext("%(thing)s details", thing=thing),
    "list_title": lambda thing: gettext("%(thing)s list", thing=thing),
}


def _made_up(title) -> bool:
    # Ours and FAB's own titles are lazy strings (translated); FAB's generated ones plain ASCII.
    return isinstance(title, str) and title.isascii()


def _titled(pattern, noun):
    return LazyString(lambda: pattern(str(noun)))


def give_titles(view) -> None:
    if not hasattr(view, "add_title") or isinstance(view, BaseApi):  # not a page with titles
        return
    nouns = [view.show_title, view.list_title]
    noun = next((title for title in nouns if not _made_up(title)), None)
    if noun is None:
        return  # nothing to build on: tests/integration/test_chinese_pages.py names the view
    for attribute, pattern in PATTERNS.items():
        if _made_up(getattr(view, attribute, None)):
            setattr(view, attribute, _titled(pattern, noun))
    view.title = view.list_title


def give_labels(view) -> None:
    if isinstance(view, BaseApi) or not isinstance(getattr(view, "label_columns", None), dict):
        return
    relabel = {
        column: LABELS[column]
        for column, label in view.label_columns.items()
        # (GovModelView shares LABELS itself, where FAB writes its made-up labels too)
        if _made_up(label) and column in LABELS and not _made_up(LABELS[column])
    }
    view.label_columns.update(relabel)
    for form in (getattr(view, name, None) for name in ("add_form", "edit_form", "search_form")):
        for column, label in relabel.items():
            field = getattr(form, column, None) if form is not None else None
            if not isinstance(field, UnboundField):
                continue
            if _made_up(field.kwargs.get("label")):
                field.kwargs["label"] = label
            elif field.args and _made_up(field.args[0]):
                field.args = (label, *field.args[1:])


def install(appbuilder) -> None:
    for view in appbuilder.baseviews:
        give_titles(view)
        give_labels(view)
