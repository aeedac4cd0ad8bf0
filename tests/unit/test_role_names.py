"""No role name in app/services or app/views: they name scope kinds (config.ROLE_SCOPES) and
duties (config.ROLE_DUTIES), so renaming a role or giving a duty to another is one edit in config.py.

Precise: every string literal of the Python source (docstrings and comments aside) that equals a
role name, or names one as a word inside a longer string (an f-string's text, a SQL snippet).
"""

import ast
import re
from pathlib import Path

import config

ROOT = Path(__file__).resolve().parents[2]
ROLES = sorted(set(config.FAB_ROLES) | set(config.ROLE_SCOPES))
ROLE_WORD = re.compile(r"\b(" + "|".join(map(re.escape, ROLES)) + r")\b")


def _docstrings(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                yield first.value


def role_names_in(source: str) -> list[tuple[int, str]]:
    tree = ast.parse(source)
    skip = {id(node) for node in _docstrings(tree)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            found += [(node.lineno, match) for match in ROLE_WORD.findall(node.value)]
    return found


def test_the_check_finds_a_role_in_code_but_not_in_prose():
    assert role_names_in('"""The ChiefRep approves."""\nx = 1  # ChiefRep\n') == []
    assert role_names_in('ok = "ChiefRep" in roles\n') == [(1, "ChiefRep")]
    assert role_names_in("q = f\"role = {x} OR role = 'Supervisor'\"\n") == [(1, "Supervisor")]
    assert role_names_in('label = "Leaders and administrators"\n') == []


def test_no_role_name_in_services_or_views():
    offending = []
    for folder in ("app/services", "app/views"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            offending += [f"{path.relative_to(ROOT)}:{line} {name}" for line, name in role_names_in(path.read_text())]
    assert offending == [], "name a scope kind or a duty from config.py instead"
