"""How each model's rows fall in a user's row scope: one declaration per model (`__scope__`),
turned into SQL by app/services/scope.py for every scope kind (README, "Scope kinds").

A path names attributes from the model to a column, through many-to-one relationships
("matter.department_id") or collections ("member_departments.id"). A row matches when any
of its paths leads to a matching value.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class ScopedBy:
    # Paths to the centers a row belongs to: a `center` scope sees it when one is the user's
    # center or a center below it. None given: a `center` scope sees none of the rows.
    center: tuple[str, ...] = ()
    # Paths to centers whose rows the centers below them read too: a township receives the
    # county's matters (上报办结), so the county's catalogue is in a `center` scope's reach.
    center_above: tuple[str, ...] = ()
    # Paths to the departments a row belongs to: `department` and `own` scopes see it when one
    # is the user's department. None given: those scopes see none of the rows.
    department: tuple[str, ...] = ()
    # Department paths that count only for rows of the user's own center (`center` paths, matched
    # to the Staff record's center itself): a queue belongs to its center, and a department sees
    # the tickets of the window groups its windows serve there — a comprehensive group's among
    # them — never another center's, whatever that center's windows list.
    department_at_center: tuple[str, ...] = ()
    # Path(s) to the staff member(s) whose personal record the row is: an `own` scope sees only its
    # own. None: not a personal record, an `own` scope sees the department's rows.
    owner: str | tuple[str, ...] | None = None

    @property
    def owners(self) -> tuple[str, ...]:
        """The owner paths as a tuple (one path or several)."""
        if self.owner is None:
            return ()
        return self.owner if isinstance(self.owner, tuple) else (self.owner,)

    # Rows a scope also opens one at a time, though its lists leave them out (a joint case to
    # a co-department: its task opens the case, the department's list stays one index range).
    also_opens: "ScopedBy | None" = None
    # Department paths a department must hold to change a row it sees (a member department
    # co-uses a comprehensive window; only the window's own department changes it). Empty:
    # every row it sees.
    changed_by: tuple[str, ...] = ()
    # A window leader under the `own` kind sees the department's rows: it approves their leave.
    leader_sees_department: bool = False
    # Reference data every scope reads in full (the network of centers, the calendar).
    public: bool = False

    @property
    def scoped(self) -> bool:
        """Whether any row is in some scope short of everything."""
        return self.public or bool(self.center or self.department)


# Reference data: every role reads all of it.
PUBLIC = ScopedBy(public=True)
# Rows for the roles that see everything only (system records, center-wide bookkeeping).
EVERYTHING_ONLY = ScopedBy()
