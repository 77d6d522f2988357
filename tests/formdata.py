"""What a browser would post back from a page's form: read from the HTML the page really sent,
so a test of an edit form also catches a template that forgets a hidden field."""

from __future__ import annotations

from html.parser import HTMLParser


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[list[tuple[str, str | None]]] = []  # (name, value); None: not sent
        self.form = None
        self.select = None  # [name, options [(value, selected)], multiple]
        self.option = None
        self.textarea = None  # [name, text]

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            self.form = []
            self.forms.append(self.form)
        if self.form is None or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in {"checkbox", "radio"}:
                self.form.append((name, a.get("value", "on") if "checked" in a else None))
            elif kind not in {"submit", "button", "file", "reset", "image"}:
                self.form.append((name, a.get("value") or ""))
        elif tag == "select" and name:
            self.select = [name, [], "multiple" in a]
        elif tag == "option" and self.select is not None:
            self.option = [a.get("value"), "selected" in a, ""]
            self.select[1].append(self.option)
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data
        elif self.option is not None:
            self.option[2] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "textarea" and self.textarea is not None:
            name, text = self.textarea
            self.form.append((name, text[1:] if text.startswith("\n") else text))
            self.textarea = None
        elif tag == "select" and self.select is not None:
            name, options, multiple = self.select
            values = [o[0] if o[0] is not None else o[2].strip() for o in options if o[1]]
            if not values and options and not multiple:
                first = options[0]
                values = [first[0] if first[0] is not None else first[2].strip()]
            for value in values:
                self.form.append((name, value))
            self.select = None
        elif tag == "option":
            self.option = None


def browser_form(response, field: str) -> dict:
    """The values the POST form holding ``field`` would send, as a dict for the test client
    (a name sent several times maps to a list; unchecked boxes are left out)."""
    parser = _Forms()
    parser.feed(response.content.decode())
    for form in parser.forms:
        if any(name == field for name, _value in form):
            data: dict = {}
            for name, value in form:
                if value is None or name == "csrfmiddlewaretoken":
                    continue
                if name in data:
                    data[name] = [*data[name], value] if isinstance(data[name], list) else [data[name], value]
                else:
                    data[name] = value
            return data
    raise AssertionError(f"no POST form with a field {field!r} on the page")
