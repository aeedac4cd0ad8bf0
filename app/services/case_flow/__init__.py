"""The case lifecycle: intake and every action on a case, and the clock they keep.

This package's interface is what it imports below; views, jobs and other services use these
names from `app.services.case_flow`, and reach into a module only for something not listed.

- guards: who may do what, and when (the checks; Actor, CaseError, StaleCase)
- clock: working-day deadlines, suspension and resumption, going overdue (Clock)
- history: the one CaseEvent each step writes (Outcome)
- reception: intake, taking an application in (Application, intake)
- actions: ACTIONS, the one table of actions, which drives perform and available_actions
"""

from app.services.case_flow.actions import available_actions, perform
from app.services.case_flow.clock import Clock, recompute_unconfirmed
from app.services.case_flow.guards import Actor, CaseError, StaleCase
from app.services.case_flow.reception import Application, intake

__all__ = [
    "Actor",
    "Application",
    "CaseError",
    "Clock",
    "StaleCase",
    "available_actions",
    "intake",
    "perform",
    "recompute_unconfirmed",
]
