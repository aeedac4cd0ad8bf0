"""No template holds script the Content-Security-Policy would block (it allows only files from
the server and <script> blocks carrying the request's nonce): such code silently does nothing."""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "app" / "templates"

# Jinja code may hold ">" (comparisons), which would end a tag early for the tag pattern.
_JINJA = re.compile(r"{{.*?}}|{%.*?%}|{#.*?#}", re.DOTALL)
_TAG = re.compile(r"<[a-zA-Z][^>]*>", re.DOTALL)
_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
_JS_URL = re.compile(r"javascript\s*:", re.IGNORECASE)
_SCRIPT = re.compile(r"<script\b[^>]*>", re.IGNORECASE)
# What a <script> tag may carry instead: a file, the nonce, or data that never runs.
_ALLOWED_SCRIPT = re.compile(r"\bsrc\s*=|\bnonce\s*=|type\s*=\s*[\"']application/json[\"']", re.IGNORECASE)


def blocked_by_csp(text: str) -> list[str]:
    """The pieces of `text` the CSP would block: inline handlers, javascript: URLs, bare inline scripts."""
    markup = _JINJA.sub("J", text)
    found = [tag for tag in _TAG.findall(markup) if _HANDLER.search(tag)]
    found += _JS_URL.findall(text)
    found += [tag for tag in _SCRIPT.findall(markup) if not _ALLOWED_SCRIPT.search(tag)]
    return found


@pytest.mark.parametrize(
    "snippet",
    [
        '<select name="m" onchange="this.form.submit()">',
        "<a href='#'\n   onClick = 'go()'>",
        '<option {{ "selected" if a > b }} onclick="pick()">',
        '<a href="javascript:void(0)">',
        '<form action="JavaScript:send()">',
        "<script>alert(1)</script>",
        '<script type="text/javascript">go()</script>',
    ],
)
def test_the_scan_finds_what_the_csp_blocks(snippet):
    assert blocked_by_csp(snippet)


@pytest.mark.parametrize(
    "snippet",
    [
        '<select name="m" data-autosubmit>',
        "<script src=\"{{ url_for('static', filename='js/a.js') }}\"></script>",
        '<script nonce="{{ csp_nonce() }}">window.print();</script>',
        '<script type="application/json" id="data">{{ charts|tojson }}</script>',
        '<input name="month" aria-label="Month"> <p>online 24h</p>',
    ],
)
def test_the_scan_leaves_what_the_csp_allows(snippet):
    assert blocked_by_csp(snippet) == []


def test_no_template_has_script_the_csp_blocks():
    templates = sorted(TEMPLATES.rglob("*.html"))
    assert templates
    found = {str(path.relative_to(TEMPLATES)): blocked_by_csp(path.read_text("utf-8")) for path in templates}
    assert {name: pieces for name, pieces in found.items() if pieces} == {}
