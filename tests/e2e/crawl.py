"""The crawler's parts: what each role may open, and what a page must not show.

`plan(app, role)` derives a role's pages from the running app, never from a hand list: the
menu (app/menu.py plus FAB's own security menu) filtered by the role's menu_access grants,
every registered page view the role may open, and for each list view the role may read its
add form (can_add), the first row's show page (can_read) and edit form (can_edit). A role
added to config.ROLE_SCOPES, a view added to menu.py or a permission granted in FAB_ROLES
changes the crawl by itself.

`PAGE_SCRIPT` runs once in each page and `page_problems(...)` turns its answer into readable
findings: English that FAB, WTForms, werkzeug or the app itself would show untranslated, bare
stored keys, raw Python values, horizontal overflow and a navbar on two lines. `route_of` picks
the further pages (a case's receipt, a matter's intake form) a page links to.
"""

import glob
import os
import re
from dataclasses import dataclass, field, replace

import flask_appbuilder
import wtforms
from flask_appbuilder import BaseView, ModelView
from werkzeug.http import HTTP_STATUS_CODES

APP_CATALOGUE = "app/translations/zh/LC_MESSAGES/messages.po"
MAX_HTML_BYTES = 300 * 1024
VIEWPORT = {"width": 1366, "height": 768}
# Dropped from the English list: words a Chinese page legitimately shows as they are.
NOT_ENGLISH_UI = {"OpenID", "Excel", "ID", "PDF", "Email", "E-mail", "GovHall"}


@dataclass(frozen=True)
class Target:
    url: str
    what: str  # "menu", "page", "list", "add", "show", "edit", "link" (followed from a page), "portal"
    view: str = ""  # the view class, for the show/edit links found on its list
    show_prefix: str = ""  # the list's first row link to follow, e.g. /caseview/show/
    edit_prefix: str = ""


@dataclass
class Finding:
    role: str
    url: str
    problem: str


@dataclass
class Plan:
    role: str
    targets: list[Target] = field(default_factory=list)

    def add(self, target: Target) -> None:
        """Once per URL; a list reached from the menu keeps its menu place and takes its links."""
        for index, known in enumerate(self.targets):
            if known.url == target.url:
                if target.view and not known.view:
                    self.targets[index] = replace(target, what=known.what)
                return
        self.targets.append(target)


# --------------------------------------------------------------------------- what a role may open


class Grants:
    """`(permission, view-menu) in grants`: whether the role has it, asked as FAB asks
    (FAB_ROLES' regex pairs for a built-in role, its stored permissions otherwise)."""

    def __init__(self, app, role_name: str):
        self.sm = app.appbuilder.sm
        self.role = self.sm.find_role(role_name)

    def __contains__(self, pair) -> bool:
        permission, view_menu = pair
        if self.role.name in self.sm.builtin_roles:
            return self.sm._has_access_builtin_roles(self.role, permission, view_menu)
        return self.sm.exist_permission_on_roles(view_menu, permission, [self.role.id])


def _may(view, method: str, grants) -> bool:
    function = getattr(view, method, None)
    if function is None or not (hasattr(function, "_permission_name") or method in view.method_permission_name):
        return False  # no such page, or a public one (the index) that every role gets anyway
    permission = "can_" + view.get_method_permission(method)
    # The view must offer the page (FAB leaves out what base_permissions lacks) and the role hold it.
    return permission in view.base_permissions and (permission, view.class_permission_name) in grants


def _url(endpoint: str, **values) -> str | None:
    from flask import url_for

    try:
        return url_for(endpoint, **values)
    except Exception:  # noqa: BLE001 - a view without that route (or needing arguments) has no such page
        return None


def _default_url(view) -> str | None:
    return _url(f"{view.endpoint}.{view.default_view}")


def _menu_targets(app, grants):
    """Every menu item the role sees, in menu order: (url, view or None)."""
    for group in app.appbuilder.menu.get_list():
        if ("menu_access", group.name) not in grants:
            continue
        for item in group.childs or [group]:
            if item.name == "-" or ("menu_access", item.name) not in grants or not item.should_render():
                continue
            url = item.get_url()
            if url:
                yield url, item.baseview


def plan(app, role_name: str) -> Plan:
    """The pages `role_name` must be able to use: menu first, then the views reached otherwise."""
    result = Plan(role_name)
    with app.test_request_context():
        grants = Grants(app, role_name)
        result.add(Target("/", "page"))
        menu_views = []
        for url, view in _menu_targets(app, grants):
            result.add(Target(url, "menu"))
            if view is not None:
                menu_views.append(view)
        views = [*menu_views, *(v for v in app.appbuilder.baseviews if v not in menu_views)]
        for view in views:
            if not isinstance(view, BaseView) or view.__class__.__module__.startswith("flask_appbuilder.api"):
                continue
            if isinstance(view, ModelView) and _may(view, "list", grants):
                list_url = _url(f"{view.endpoint}.list")
                result.add(
                    Target(
                        list_url,
                        "list",
                        view=type(view).__name__,
                        show_prefix=_url(f"{view.endpoint}.show", pk="0")[:-1] if _may(view, "show", grants) else "",
                        edit_prefix=_url(f"{view.endpoint}.edit", pk="0")[:-1] if _may(view, "edit", grants) else "",
                    )
                )
                if _may(view, "add", grants):
                    result.add(Target(_url(f"{view.endpoint}.add"), "add", view=type(view).__name__))
            elif not isinstance(view, ModelView) and _may(view, view.default_view, grants):
                url = _default_url(view)
                if url and "/api/" not in url:
                    result.add(Target(url, "page", view=type(view).__name__))
    return result


def self_service_targets(app) -> list[Target]:
    """Every role's own profile, its edit form and the password form (config SELF_SERVICE)."""
    sm = app.appbuilder.sm
    with app.test_request_context():
        urls = [
            _url(f"{sm.user_view.endpoint}.userinfo"),
            _url(f"{sm.userinfoeditview.__name__}.this_form_get"),
            _url(f"{sm.resetmypasswordview.__name__}.this_form_get"),
        ]
    return [Target(url, "page") for url in urls if url]


def portal_targets(app) -> list[Target]:
    """The portal's pages that take no argument (its blueprint's GET routes)."""
    targets = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("portal.") and "GET" in rule.methods and not rule.arguments:
            targets.append(Target(rule.rule, "portal"))
    return sorted(targets, key=lambda t: t.url)


# Routes never followed from a link: they change or remove data, switch the language or log out,
# or answer with a file. (Forms are only opened, never submitted.)
SKIP_METHODS = {"delete", "action", "action_post", "download", "export", "logout", "login"}


def route_of(app, path: str) -> str | None:
    """The endpoint a link leads to, when the crawl should follow it: a GET page that takes
    arguments (a case's receipt, a matter's intake form); pages without arguments come from
    the plan. Once per endpoint and role is enough."""
    try:
        endpoint, arguments = app.url_map.bind("localhost").match(path, method="GET")
    except Exception:  # noqa: BLE001 - not a page of the app (or a redirect to one)
        return None
    method = endpoint.rpartition(".")[2]
    if not arguments or "locale" in arguments or method in SKIP_METHODS or "static" in endpoint:
        return None
    return endpoint


# --------------------------------------------------------------------------- what a page must not show


def _msgids(path):
    """The msgids of a .po file that are not translated to themselves (a brand, a unit)."""
    entries, key = [], None
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            start = re.match(r'(msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$', line)
            if start:
                key = start.group(1)
                if key == "msgid":
                    entries.append({})
                if entries:
                    entries[-1][key] = entries[-1].get(key, "") + start.group(2)
            elif line.startswith('"') and entries and key:
                entries[-1][key] = entries[-1].get(key, "") + line[1:-1]
            else:
                key = None
    for entry in entries:
        strings = {value for name, value in entry.items() if name.startswith("msgstr")}
        for name in ("msgid", "msgid_plural"):
            msgid = entry.get(name, "").replace('\\"', '"')
            if msgid and msgid not in strings:
                yield msgid


# FAB's templates and widgets say these without a catalogue entry of their own in every language.
FAB_UI_WORDS = (
    "Add", "Edit", "Show", "List", "Search", "Actions", "Record Count", "No records found", "Delete", "Save",
    "Back", "Refresh", "Are you sure", "Not a valid choice", "Added Row", "Changed Row", "Deleted Row",
    "Select Value", "Add Filter", "Page size", "Order by", "Detail", "Close", "Cancel", "Submit", "Yes", "No",
    "Previous", "Next", "First", "Last", "Loading", "Export", "Download", "Filter", "Clear", "Apply",
    "Too Many Requests", "Access is Denied", "Access denied", "Invalid login", "Sign In", "Logout", "Login",
    "Language", "Profile", "Home", "Welcome", "Not Found", "Forbidden", "Internal Server Error",
)  # fmt: skip


def english_defaults() -> set[str]:
    """Text an untranslated page shows: the msgids of FAB, WTForms and the app, HTTP reasons."""
    fab = os.path.dirname(flask_appbuilder.__file__)
    catalogues = glob.glob(f"{fab}/translations/*/LC_MESSAGES/messages.po")
    catalogues += glob.glob(f"{os.path.dirname(wtforms.__file__)}/locale/*/LC_MESSAGES/wtforms.po")
    words = set(FAB_UI_WORDS) | set(HTTP_STATUS_CODES.values())
    for path in catalogues:
        words.update(_msgids(path))
    words.update(_msgids(APP_CATALOGUE))
    return {w.strip() for w in words if re.search("[A-Za-z]{2}", w) and w.strip() not in NOT_ENGLISH_UI}


class Untranslated:
    """Matches the English defaults in a page's visible strings.

    A one-word default ("Save", "Edit") counts only as a whole string (a button, a heading);
    a phrase of two words or more also inside a longer string ("Record Count: 25"). Format
    placeholders (%(name)s, {field}) match any text.
    """

    def __init__(self, defaults):
        self.words = {d.rstrip(".:?!") for d in defaults if " " not in d.strip() and "%" not in d and "{" not in d}
        phrases = [d for d in defaults if d not in self.words]
        patterns = sorted({self._pattern(p) for p in phrases if len(re.sub(r"%\(\w+\)s|%s|%d|\{\w*\}", "", p)) > 4})
        self.phrases = re.compile("|".join(patterns)) if patterns else None

    @staticmethod
    def _pattern(phrase):
        parts = re.split(r"%\(\w+\)[sd]|%[sd]|\{\w*\}", phrase.rstrip(".:?! "))
        body = ".{0,80}?".join(re.escape(part) for part in parts)
        return rf"(?<![A-Za-z]){body}(?![a-z])"

    def __call__(self, text):
        bare = text.strip().rstrip(".:?!：").strip()
        if bare in self.words:
            return bare
        if self.phrases is not None:
            found = self.phrases.search(text)
            if found:
                return found.group(0)
        return None


# A generated FAB title ("Add Leave Request") or any run of two or more English words
# that is not part of an address, a file name or a code.
ENGLISH_RUN = re.compile(r"(?<![\w@./:-])[A-Za-z][a-z]+(?:['’]s)?(?: (?:\d+ )?[A-Za-z][a-z]*(?:['’]s)?)+(?![\w@./-])")
# A column, table or enum name shown as it is stored ("window_rotation", "in_progress").
IDENTIFIER = re.compile(r"(?<![\w@./:-])[a-z]+(?:_[a-z0-9]+)+(?![\w@./-])")
RAW_VALUE = re.compile(
    r"(?<![\w.])(None|True|False|__None|nan|NaT|null)(?![\w.])"
    r"|\[\]|\{\}"
    r"|\[(?:<?[A-Za-z_][\w.]*>?|'[^']*')(?:, ?(?:<?[A-Za-z_][\w.]*>?|'[^']*'))*\]"
    r"|<[\w.]+ object at 0x[0-9a-f]+>|\b(?:datetime\.\w+|Decimal)\("
)

# One script per page: its strings as a user sees them (text outside scripts and styles, and
# the attributes a browser shows), the width overflow and the navbar's lines.
PAGE_SCRIPT = """
() => {
  // <code> marks a key shown on purpose (a rule's code, a job's name), next to its Chinese label.
  const skip = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'svg', 'CODE']);
  const texts = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
    acceptNode(node) {
      for (let el = node.parentElement; el; el = el.parentElement) {
        if (skip.has(el.tagName)) return NodeFilter.FILTER_REJECT;
      }
      return node.nodeValue.trim() ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT;
    }
  });
  while (walker.nextNode()) texts.add(walker.currentNode.nodeValue.replace(/\\s+/g, ' ').trim());
  for (const el of document.querySelectorAll('[placeholder],[title],[data-placeholder],[alt],[aria-label]')) {
    for (const name of ['placeholder', 'title', 'data-placeholder', 'alt', 'aria-label']) {
      const value = el.getAttribute(name);
      if (value && value.trim()) texts.add(value.trim());
    }
  }
  for (const el of document.querySelectorAll('input[type=submit],input[type=button],input[type=reset]')) {
    if (el.value && el.value.trim()) texts.add(el.value.trim());
  }
  if (document.title.trim()) texts.add(document.title.trim());
  const scroller = document.scrollingElement;
  // The navbar is on one line when all its top-level items share one top.
  const items = [...document.querySelectorAll('.navbar .navbar-nav > li')].filter(li => li.offsetParent !== null);
  const tops = items.map(li => Math.round(li.getBoundingClientRect().top));
  const overflow = scroller.scrollWidth > scroller.clientWidth;
  const wide = !overflow ? [] : [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > scroller.clientWidth + 1 && el.offsetParent !== null)
    .slice(0, 3)
    .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
         (typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\\s+/).join('.') : ''));
  return {
    texts: [...texts],
    scrollWidth: scroller.scrollWidth,
    clientWidth: scroller.clientWidth,
    navbarTops: tops,
    wide: wide,
  };
}
"""


def page_problems(observed: dict, untranslated: Untranslated) -> list[str]:
    """Readable problems of one page from PAGE_SCRIPT's answer."""
    found = []
    english, raw = [], []
    for text in observed["texts"]:
        hit = untranslated(text)
        # English words or a stored name in a string without Chinese: a Chinese label may name its
        # key beside it (设置 "中心名称（center_name）"), a bare key is what the user got instead.
        if hit is None and not re.search(r"[\u4e00-\u9fff]", text):
            run = ENGLISH_RUN.search(text) or IDENTIFIER.search(text)
            hit = run.group(0) if run else None
        if hit is not None:
            english.append(_quote(text))
        value = RAW_VALUE.search(text)
        if value is not None:
            raw.append(_quote(text))
    if english:
        found.append("untranslated English: " + ", ".join(sorted(set(english))[:8]))
    if raw:
        found.append("raw Python value: " + ", ".join(sorted(set(raw))[:8]))
    if observed["scrollWidth"] > observed["clientWidth"]:
        found.append(
            f"horizontal overflow at {VIEWPORT['width']} px: scrollWidth {observed['scrollWidth']} > "
            f"clientWidth {observed['clientWidth']} (widest: {', '.join(observed['wide']) or '?'})"
        )
    lines = navbar_lines(observed["navbarTops"])
    if lines > 1:
        found.append(f"navbar wraps onto {lines} lines at {VIEWPORT['width']} px")
    return found


def navbar_lines(tops) -> int:
    """Lines of navbar items from their tops: a new line starts more than 10 px below the last."""
    tops = sorted(tops)
    return (1 if tops else 0) + sum(1 for above, below in zip(tops, tops[1:], strict=False) if below - above > 10)


def _quote(text, limit=70):
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return f"“{text}”"
