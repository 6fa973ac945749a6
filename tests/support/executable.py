"""What in a piece of HTML could run in a reader's browser: the tests' oracle for a student's notebook, read
with the standard library's HTML parser, independently of the sanitizer it judges."""
from __future__ import annotations

from html.parser import HTMLParser

#: Elements that run, load or embed something, or send the page elsewhere.
ELEMENTS = {"script", "iframe", "frame", "object", "embed", "applet", "base", "form", "link"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcdoc"}
#: The only ``data:`` URLs allowed, and only as an image's source: an image runs no script.
DATA_IMAGES = ("data:image/png", "data:image/jpeg", "data:image/gif", "data:image/webp", "data:image/svg+xml")


def _runs(tag: str, attribute: str, value: str) -> bool:
    url = "".join(character for character in value if ord(character) > 32).lower()
    if attribute == "srcdoc" or url.startswith(("javascript:", "vbscript:")):
        return True
    return url.startswith("data:") and not (tag == "img" and attribute == "src" and url.startswith(DATA_IMAGES))


def executable(html: str) -> list[str]:
    """Each element, event handler or URL in ``html`` that could run code or load a page, described."""
    found: list[str] = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attributes):
            if tag in ELEMENTS:
                found.append(f"<{tag}>")
            if tag == "meta" and (dict(attributes).get("http-equiv") or "").lower() == "refresh":
                found.append("<meta http-equiv=refresh>")
            for name, value in attributes:
                if name.startswith("on"):
                    found.append(f"<{tag} {name}>")
                elif name in URL_ATTRIBUTES and value is not None and _runs(tag, name, value):
                    found.append(f"<{tag} {name}={value[:40]!r}>")

    parser = Parser(convert_charrefs=True)
    parser.feed(html)
    parser.close()
    return found


def elements(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Each start tag of ``html`` with its attributes, sorted: what two spellings of the same HTML share."""
    found: list = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attributes):
            found.append((tag, sorted(attributes)))

    parser = Parser(convert_charrefs=True)
    parser.feed(html)
    parser.close()
    return found
