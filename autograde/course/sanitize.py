"""Every notebook the grader writes holds nothing that runs in a reader's browser.

A student writes the markdown of a notebook, and the outputs too: they come from running the student's
notebook (``execute.SandboxedExecute``). nbgrader's formgrader draws the autograded notebook as HTML in the
instructor's browser, at the origin of the Jupyter server, whose API changes grades and writes files; the
feedback pages are HTML as well. Neither cleans what it draws, so the grader cleans every notebook it writes
(autograded, the stand-ins of submissions it could not grade, the notebooks feedback is made from), with
bleach (the sanitizer nbconvert uses) and one allow-list:

- A markdown cell whose markdown, as nbconvert's parser reads it, holds no HTML and links only to safe
  places (web pages, mail, attachments, places in the page) stays as written, formulas included. Any other
  cell becomes its rendering (nbconvert's markdown renderer) cleaned by bleach, as one HTML block that
  markdown renderers pass through as it is; should that not hold, the cell's text shows as a code block.
- Outputs keep text and PNG, JPEG and GIF images; HTML and markdown are cleaned as above; an SVG image is
  kept as an ``<img>`` (an image runs no script); JavaScript, widget views and every other type are left
  out, and of their display metadata only numeric sizes remain (nbconvert writes ``width=`` unquoted).
- Raw cells that HTML pages include are cleaned as HTML; attachments keep their raster images; the
  notebook's widget state is removed (nbconvert's pages would load the widgets' code from a CDN).
"""
from __future__ import annotations

import base64
import types

import bleach
import nbformat
from bleach.css_sanitizer import CSSSanitizer
from nbconvert.filters.markdown_mistune import InvalidNotebook, IPythonRenderer, MarkdownWithMath
from nbconvert.preprocessors import Preprocessor

#: MathML, which the feedback pages' formulas are (``feedback.mathml``).
MATHML_TAGS = frozenset({
    "math", "semantics", "annotation", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "mfrac", "msqrt", "mroot",
    "msub", "msup", "msubsup", "munder", "mover", "munderover", "mtable", "mtr", "mtd", "mstyle", "mpadded",
    "mphantom", "menclose", "merror", "mfenced"})
TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del", "details",
    "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strike", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul", "var"}) | MATHML_TAGS
#: No ``id`` or ``name``: an element with the id of one of the page's globals would replace it (DOM clobbering).
EVERY_TAG_ATTRIBUTES = frozenset({"class", "title", "lang", "dir", "style"})
TAG_ATTRIBUTES = types.MappingProxyType({
    "a": {"href"}, "img": {"src", "alt", "width", "height"}, "ol": {"start", "type"},
    "td": {"colspan", "rowspan", "align"}, "th": {"colspan", "rowspan", "align", "scope"},
    "col": {"span"}, "colgroup": {"span"}, "details": {"open"},
    **dict.fromkeys(MATHML_TAGS, {
        "display", "xmlns", "mathvariant", "stretchy", "fence", "separator", "lspace", "rspace", "accent",
        "accentunder", "movablelimits", "largeop", "symmetric", "form", "minsize", "maxsize", "width", "height",
        "depth", "linethickness", "displaystyle", "scriptlevel", "notation", "columnalign", "rowalign",
        "columnspacing", "rowspacing", "columnlines", "rowlines", "frame", "encoding"}),
})
#: ``data:`` only for images (``_attribute``); ``attachment:`` is how a markdown cell names its attachments.
PROTOCOLS = frozenset({"http", "https", "mailto", "data", "attachment"})
CSS_PROPERTIES = frozenset({
    "color", "background-color", "font-weight", "font-style", "font-size", "font-family", "text-align",
    "text-decoration", "vertical-align", "white-space", "width", "height", "max-width", "border", "border-collapse",
    "padding", "margin"})
#: Images that run nothing wherever they are drawn, kept as they are in outputs and attachments.
RASTER_IMAGES = ("image/png", "image/jpeg", "image/gif", "image/webp")
#: Output types kept as they are: text and raster images, which every page draws as text or ``<img>``.
KEPT_OUTPUTS = ("text/plain", "image/png", "image/jpeg", "image/gif")
#: An attachment left with no image in its place (nbconvert fails on a reference to a missing attachment).
EMPTY_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
CODE_NOTE = ("*The grader shows this cell as its text: as written, its HTML or links could run code in the browser "
             "of whoever reads it.*")


def _attribute(tag: str, name: str, value: str) -> bool:
    if name not in EVERY_TAG_ATTRIBUTES and name not in TAG_ATTRIBUTES.get(tag, ()):
        return False
    if name in ("href", "src"):  # bleach then checks the protocol against PROTOCOLS
        url = "".join(character for character in value if ord(character) > 32).lower()
        if url.startswith("data:"):
            return tag == "img" and url.startswith(tuple(f"data:{kind};" for kind in (*RASTER_IMAGES, "image/svg+xml")))
    return True


def clean_html(html: str) -> str:
    """``html`` with only the allow-listed tags, attributes and URLs; any other tag shows as text."""
    cleaner = bleach.Cleaner(tags=TAGS, attributes=_attribute, protocols=PROTOCOLS, strip=False, strip_comments=True,
                             css_sanitizer=CSSSanitizer(allowed_css_properties=CSS_PROPERTIES))
    return cleaner.clean(html)


def _parse(source: str) -> list[dict]:
    tokens, _ = MarkdownWithMath(renderer=None).parse(source)
    return tokens


def _plain_url(url: str, image: bool) -> bool:
    """Whether a markdown link or image may keep ``url`` as written: no character that a browser reads
    differently (entities, escapes, spaces, controls), and a relative URL or an allowed scheme."""
    if any(character in "&\\" or ord(character) <= 32 or ord(character) == 127 for character in url):
        return False
    scheme, colon, _ = url.partition(":")
    if not colon or any(character in scheme for character in "/?#"):
        return True
    return scheme.lower() in (("http", "https", "attachment") if image else ("http", "https", "mailto"))


def _plain_token(token: dict) -> bool:
    kind, attributes = token["type"], token.get("attrs", {})
    if kind in ("block_html", "inline_html"):
        return False
    if kind == "block_code" and "mermaid" in str(attributes.get("info") or "").lower():
        return False  # nbconvert writes the code of a mermaid block into its page unescaped
    if kind in ("link", "image") and not _plain_url(str(attributes.get("url", "")), image=kind == "image"):
        return False
    return all(_plain_token(child) for child in token.get("children", ()))


def is_plain(source: str) -> bool:
    """Whether the markdown ``source`` holds no HTML and only safe links, as nbconvert's parser reads it."""
    return all(_plain_token(token) for token in _parse(source))


def _as_html_block(source: str, attachments: dict | None) -> str | None:
    """The cleaned rendering of ``source`` as one line of HTML in a ``<div>``, which a markdown renderer
    passes through unchanged (one HTML block: no blank line in it); None when nbconvert's parser would not."""
    try:
        renderer = IPythonRenderer(escape=False, attachments=attachments or {})
        rendered = MarkdownWithMath(renderer=renderer).render(source)
    except InvalidNotebook:  # a reference to an attachment the cell lacks
        return None
    block = f"<div>{_one_line(clean_html(rendered))}</div>"
    return block if _passes_through(block) else None


def _one_line(html: str) -> str:
    return html.replace("\r", "&#13;").replace("\n", "&#10;")


def _passes_through(block: str) -> bool:
    """Whether nbconvert's parser reads the markdown ``block`` as one HTML block, which it draws as it is."""
    tokens = [token for token in _parse(block) if token["type"] != "blank_line"]
    return len(tokens) == 1 and tokens[0]["type"] == "block_html" and tokens[0]["raw"].rstrip("\n") == block


def _is_cleaned(source: str) -> bool:
    """Whether ``source`` is already what ``_as_html_block`` makes: clean HTML, drawn as it is."""
    return (source.startswith("<div>") and "\n" not in source and _passes_through(source)
            and _one_line(clean_html(source)) == source)


def _as_code(source: str) -> str:
    """``source`` as a fenced code block (with a fence longer than any run of backticks in it), after a note."""
    longest, run = 0, 0
    for character in source:
        run = run + 1 if character == "`" else 0
        longest = max(longest, run)
    fence = "`" * max(3, longest + 1)
    return f"{CODE_NOTE}\n\n{fence}\n{source}\n{fence}"


def markdown(source: str, attachments: dict | None = None) -> str:
    """The markdown ``source`` as it may be shown: as written when plain (``is_plain``), else its cleaned
    HTML, else its text as code. ``attachments``: the cell's, to draw its attached images."""
    if is_plain(source) or _is_cleaned(source):
        return source
    block = _as_html_block(source, attachments)
    if block is not None:
        return block
    shown = _as_code(source)
    assert is_plain(shown), "a fenced code block is plain markdown"
    return shown


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _attachments(attachments: dict) -> dict:
    """Each attachment with its raster images only; one left with none gets a blank pixel, so that the
    cell's reference to it still resolves."""
    kept = {}
    for name, bundle in attachments.items():
        images = {kind: _text(data) for kind, data in (bundle or {}).items() if kind in RASTER_IMAGES}
        kept[name] = images or {"image/png": EMPTY_PNG}
    return kept


def _output(output):
    if output.get("output_type") not in ("display_data", "execute_result"):
        return output  # streams and errors: text, which every page escapes
    data = output.get("data", {})
    kept = {kind: data[kind] for kind in KEPT_OUTPUTS if kind in data}
    if "text/html" in data:
        kept["text/html"] = clean_html(_text(data["text/html"]))
    if "text/markdown" in data:
        kept["text/markdown"] = markdown(_text(data["text/markdown"]))
    if "text/latex" in data:
        kept["text/latex"] = _text(data["text/latex"])  # drawn as escaped text, typeset by MathJax
    if "image/svg+xml" in data and not {"text/html", *RASTER_IMAGES} & set(kept):
        encoded = base64.b64encode(_text(data["image/svg+xml"]).encode()).decode()
        kept["text/html"] = f'<img src="data:image/svg+xml;base64,{encoded}">'
    if not kept:
        kept["text/plain"] = (f"[output of type {', '.join(sorted(data))} left out by the grader: it could run code "
                              "in the browser of whoever reads this notebook]")
    sizes = {}
    for kind, entry in output.get("metadata", {}).items():
        if kind in kept and isinstance(entry, dict):
            numbers = {key: value for key, value in entry.items() if key in ("width", "height")
                       and isinstance(value, (int, float)) and not isinstance(value, bool)}
            if numbers:
                sizes[kind] = numbers
    output["data"], output["metadata"] = nbformat.from_dict(kept), nbformat.from_dict(sizes)
    return output


def notebook(nb):
    """Clean the notebook ``nb`` (nbformat 4) in place; return it."""
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if "attachments" in cell:
            cell.attachments = nbformat.from_dict(_attachments(cell.attachments))
        if cell.cell_type == "markdown":
            cell.source = markdown(_text(cell.source), cell.get("attachments"))
        elif cell.cell_type == "raw" and str(cell.metadata.get("raw_mimetype") or "").lower() in ("", "text/html"):
            cell.source = clean_html(_text(cell.source))  # the raw cells nbconvert's HTML pages include
        elif cell.cell_type == "code":
            cell.outputs = [_output(output) for output in cell.outputs]
    return nb


def notebook_file(content: bytes) -> bytes:
    """The notebook file ``content`` cleaned; a file that is no notebook the grader can read and clean becomes
    one that says so (nothing of it is shown)."""
    try:
        nb = notebook(nbformat.reads(content.decode("utf-8"), as_version=4))
    except Exception as error:  # noqa: BLE001 - JSON, encoding and format errors alike
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
            f"**The grader could not read this notebook** ({type(error).__name__}), so it is not shown.")])
    return nbformat.writes(nb).encode()


def files(written: dict[str, tuple[bytes, int]]) -> dict[str, tuple[bytes, int]]:
    """``written`` (relative path -> (content, permission bits)) with every notebook cleaned."""
    return {path: (notebook_file(content) if path.endswith(".ipynb") else content, mode)
            for path, (content, mode) in written.items()}


class SanitizeNotebook(Preprocessor):
    """nbgrader's step for ``notebook``: last of ``nbgrader autograde`` (whoever runs it: the kit, formgrader's
    button), and before the feedback pages are made."""

    def preprocess(self, nb, resources):
        return notebook(nb), resources
