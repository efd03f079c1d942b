"""The pages' forms as a fuzzer sees them: found in the HTML (action, fields and their choices), then filled with
values a hostile or unlucky person could send: random text, control characters, huge strings, numbers and dates
slightly wrong, a choice that is not offered."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from hypothesis import strategies as st

CONTROLS = "".join(map(chr, (*range(0x20), 0x7F, 0x85, 0x9B)))
SKIPPED_INPUTS = ("submit", "button", "image", "reset", "file")


@dataclass
class Field:
    name: str
    kind: str  # text, password, date, number, checkbox, hidden, select, textarea...
    options: list[str] = field(default_factory=list)  # a select's values, a checkbox's value


@dataclass
class Form:
    action: str  # a path of the app
    page: str  # where it was found (its CSRF token comes from there)
    fields: dict[str, Field] = field(default_factory=dict)
    csrf_field: str = "csrf_token"


class _Forms(HTMLParser):
    """Every POST form of a page, with the ``formaction`` of its buttons as forms of their own."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.page = page
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._extra_actions: list[str] = []
        self._select: Field | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                self._form = Form(urlsplit(a.get("action") or self.page).path, self.page)
                self._extra_actions = []
            return
        form = self._form
        if form is None:
            return
        name = a.get("name", "")
        if tag == "button" and a.get("formaction"):
            self._extra_actions.append(urlsplit(a["formaction"]).path)
        elif tag == "input" and name and a.get("type", "text") not in SKIPPED_INPUTS:
            kind = a.get("type", "text")
            if kind == "hidden" and name.endswith("csrf_token"):
                form.csrf_field = name
            elif kind == "checkbox" and name in form.fields:
                form.fields[name].options.append(a.get("value", "y"))
            else:
                form.fields[name] = Field(name, kind, [a.get("value", "y")] if kind == "checkbox" else [])
        elif tag == "textarea" and name:
            form.fields[name] = Field(name, "textarea")
        elif tag == "select" and name:
            self._select = form.fields[name] = Field(name, "select")
        elif tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            for action in self._extra_actions:
                self.forms.append(Form(action, self._form.page, dict(self._form.fields), self._form.csrf_field))
            self._form = None


def forms_of(html: str, page: str) -> list[Form]:
    """The POST forms of a page's HTML."""
    parser = _Forms(page)
    parser.feed(html)
    return parser.forms


def hostile_text() -> st.SearchStrategy[str]:
    """Text as anyone may type or send it, and worse."""
    return st.one_of(
        st.text(max_size=40),
        st.text(alphabet=st.sampled_from(CONTROLS + "ab€ "), max_size=20),
        st.sampled_from(["", " ", "0", "-1", "1e309", "NaN", "9" * 40, "2025-02-30", "0000-00-00", "12,5,3",
                         "<script>alert(1)</script>", "'; DROP TABLE daily_energy; --", "../../etc/passwd",
                         "22:00-06:00;12:00-14:00\x00", "x" * 100_000]),
    )


def value_for(f: Field) -> st.SearchStrategy[Any]:
    """A value (or None: the field left out) for one field."""
    if f.kind in ("select", "checkbox") and f.options:
        chosen = st.sampled_from(f.options)
        return st.one_of(chosen, chosen, st.none(), hostile_text()) if f.kind == "select" else st.one_of(
            st.none(), chosen, st.lists(chosen, unique=True), hostile_text())
    if f.kind == "date":
        return st.one_of(st.dates().map(str), hostile_text())
    return st.one_of(hostile_text(), st.none())


def form_data(form: Form) -> st.SearchStrategy[dict[str, Any]]:
    """The body of one post of ``form`` (without its CSRF token)."""
    return st.fixed_dictionaries({name: value_for(f) for name, f in form.fields.items()}).map(
        lambda data: {k: v for k, v in data.items() if v is not None})
