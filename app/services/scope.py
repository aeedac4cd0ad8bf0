"""Row scope: which rows a user may see, decided from roles and the Staff record.

Pure: the caller passes role names and the user's Staff facts; views, APIs,
exports and actions all turn the result into one SQL clause per model
(`Model.scope_clause(scope)`), so they can never disagree.
"""

from dataclasses import dataclass

import sqlalchemy as sa


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    department_id: int | None = None
    staff_id: int | None = None
    # Window staff see their department's cases but only their own personal records.
    own_records_only: bool = False
    # A window leader (窗口负责人) approves the department's short leave.
    leads_window: bool = False

    def clause(self, model):
        """SQL condition limiting `model` to this scope."""
        if self.everything:
            return sa.true()
        if self.department_id is None or not hasattr(model, "scope_clause"):
            # No Staff record, or a model without a department: nothing.
            return sa.false()
        return model.scope_clause(self)

    def row_clause(self, model):
        """SQL condition for fetching single rows: models may see more one at a time than
        in lists (a co-department opens a joint case it has a task in)."""
        if self.everything or self.department_id is None or not hasattr(model, "visible_clause"):
            return self.clause(model)
        return model.visible_clause(self)


NOTHING = Scope()
EVERYTHING = Scope(everything=True)


def scope_for(
    role_names, global_roles, staff_department_id=None, staff_id=None, *, active=True, position=None
) -> Scope:
    """Scope of a user with `role_names`; department roles need an active Staff record."""
    names = set(role_names)
    if names & set(global_roles):
        return EVERYTHING
    if staff_department_id is None or not active:
        return NOTHING
    return Scope(
        department_id=staff_department_id,
        staff_id=staff_id,
        own_records_only=names.isdisjoint({"ChiefRep"}),
        leads_window=position == "leader",
    )
