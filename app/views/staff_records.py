"""A staff member's training records and previous posts (issue 19.5), and the staff card.

Plain generated lists and forms: the staff select offers the staff in the user's scope (the
chief representative's department), rows are scoped through their staff member (a window
staff member reads their own), and a bad period or hours number is refused in Chinese.
"""

from flask_babel import lazy_gettext as _l

from app.fields.staff_records import PREVIOUS_POST_FIELDS, TRAINING_RECORD_FIELDS
from app.models.staff_records import PreviousPost, TrainingRecord
from app.views.interface import GovInterface
from app.views.model_view import GovModelView

MAX_HOURS = 2000


def _training_errors(item):
    if item.hours is not None and not 0 <= item.hours <= MAX_HOURS:
        return [str(_l("Hours must be between 0 and %(most)s.", most=MAX_HOURS))]
    return []


def _post_errors(item):
    if item.started_on and item.ended_on and item.ended_on < item.started_on:
        return [str(_l("The post cannot end before it starts."))]
    return []


class _ResumeRecordView(GovModelView):
    """A staff member's résumé record: read and export in scope, added and edited by the center
    and the chief representative (config.FAB_ROLES), listed newest first by `order`."""

    base_permissions = ["can_read", "can_add", "can_edit", "can_delete", "can_export"]

    def __init_subclass__(cls, model=None, order=None, titles=(), **kwargs):
        super().__init_subclass__(**kwargs)
        cls.datamodel = GovInterface(model, eager=("staff",))
        cls.class_permission_name = model.__name__
        cls.base_order = (order, "desc")
        cls.list_title, cls.show_title, cls.add_title, cls.edit_title = titles


TRAINING_TITLES = (
    _l("Training records"),
    _l("Training record"),
    _l("Add a training record"),
    _l("Edit a training record"),
)
POST_TITLES = (_l("Previous posts"), _l("Previous post"), _l("Add a previous post"), _l("Edit a previous post"))


class TrainingRecordView(_ResumeRecordView, model=TrainingRecord, order="day", titles=TRAINING_TITLES):
    registry = TRAINING_RECORD_FIELDS
    item_rules = staticmethod(_training_errors)


class PreviousPostView(_ResumeRecordView, model=PreviousPost, order="started_on", titles=POST_TITLES):
    registry = PREVIOUS_POST_FIELDS
    item_rules = staticmethod(_post_errors)
