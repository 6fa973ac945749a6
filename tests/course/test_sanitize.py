"""The notebooks the grader writes hold nothing that runs in a reader's browser (autograde/course/sanitize.py),
and what the kit's own notebooks show survives: their markdown as written, their formulas, tables and images.

Each piece of markdown is judged as formgrader and the feedback pages draw it (nbconvert's markdown renderer),
by an oracle of the standard library (support/executable.py).
"""
from __future__ import annotations

import base64

import nbformat
import pytest
from latex2mathml.converter import convert
from nbconvert.filters.markdown_mistune import markdown2html_mistune
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell

from autograde.course import feedback, sanitize
from support.executable import elements, executable

RUN = "alert(document.domain)"
MARKDOWN_PAYLOADS = [
    f'An image <img src=x onerror="{RUN}">',
    f"<svg onload={RUN}></svg>",
    f"<script>{RUN}</script>",
    f"[click](javascript:{RUN})",
    f"[click](JaVaScRiPt:{RUN} 'title')",
    f"[click](jav&#x61;script:{RUN})",
    f"[click](&#106;avascript:{RUN})",
    f"[click][ref]\n\n[ref]: javascript:{RUN}",
    f"<javascript:{RUN}>",
    f'<a href="jav&#x09;ascript:{RUN}">click</a>',
    f'<a href="data:text/html;base64,{base64.b64encode(b"<script>alert(1)</script>").decode()}">click</a>',
    f"![x](data:text/html,<script>{RUN}</script>)",
    f'<iframe srcdoc="<script>{RUN}</script>"></iframe>',
    f'<object data="javascript:{RUN}"></object><embed src="javascript:{RUN}">',
    f'<form action="javascript:{RUN}"><button>go</button></form>',
    '<meta http-equiv="refresh" content="0; url=https://example.com">',
    f'<math><mrow href="javascript:{RUN}"><mi>x</mi></mrow></math>',
    f'<div>\n\n[click](javascript:{RUN})\n\n<img src=x onerror="{RUN}">\n</div>',
    f"```mermaid\n<img src=x onerror={RUN}>\n```",
    f"$x$ <img src=x onerror={RUN}> $`<img src=x onerror={RUN}>`$",
    f'<img src="x` `<script>{RUN}</script>"` `>',
    f'# Heading" onmouseover="{RUN}\n\n<details open ontoggle={RUN}>',
]


@pytest.mark.parametrize("payload", MARKDOWN_PAYLOADS)
def test_markdown_with_a_payload_is_drawn_with_nothing_that_runs(payload):
    assert executable(markdown2html_mistune(payload)), "the payload should run when drawn as written"
    shown = sanitize.markdown(payload)
    assert executable(markdown2html_mistune(shown)) == [], shown
    assert sanitize.markdown(shown) == shown, "sanitizing twice changes nothing more"


def test_markdown_with_harmless_html_keeps_its_markdown_formulas_tables_and_images():
    source = ("Some <b>bold</b> and **strong** text, $a<b$ and $$J = \\frac{1}{N}$$ <br>\n\n"
              "| a | b |\n|---|---|\n| 1 | 2 |\n\n<img src=\"attachment:plot.png\" width=300> "
              "[a link](https://example.com)")
    shown = sanitize.markdown(source, {"plot.png": {"image/png": "iVBORw0KGgo="}})
    html = markdown2html_mistune(shown)
    assert executable(html) == []
    for kept in ("<b>bold</b>", "<strong>strong</strong>", "$a&lt;b$", "$$J = \\frac{1}{N}$$", "<br>", "<table>",
                 "<td>1</td>", '<img src="attachment:plot.png" width="300">', '<a href="https://example.com">'):
        assert kept in html, (kept, html)


def test_plain_markdown_stays_as_written():
    source = ("# Title\n\nText with `code <b>`, $x_i^2$, [a link](https://example.com), ![a plot](attachment:p.png), "
              "a [place](#title) and [mail](mailto:a@example.com).\n\n```python\nif a < b:\n    pass\n```")
    assert sanitize.markdown(source) == source


def test_the_kits_notebooks_markdown_stays_as_written_and_their_formulas_survive_in_the_feedback(repo):
    notebooks = sorted((repo / "notebooks").glob("*/*.ipynb"))
    assert len(notebooks) >= 6
    formulas = 0
    for path in notebooks:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "markdown":
                continue
            assert sanitize.markdown(cell.source) == cell.source, (path.name, cell.source[:200])
            for match in feedback.MATH.finditer(cell.source):
                latex = (match.group(1) or match.group(2)).strip()
                mathml = convert(latex, display="block" if match.group(1) else "inline")
                assert elements(sanitize.clean_html(mathml)) == elements(mathml), (path.name, latex)
                formulas += 1
    assert formulas >= 20


def test_outputs_keep_text_images_and_clean_html_and_lose_scripts_widgets_and_smuggled_sizes():
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n").decode()
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" onload="{RUN}"><circle r="5"/></svg>'
    outputs = [
        new_output("stream", name="stdout", text="<img src=x onerror=alert(1)>\n"),
        new_output("display_data", data={"text/html": f"<table><tr><td>1</td></tr></table><img src=x onerror={RUN}>",
                                         "text/plain": "a table"}),
        new_output("display_data", data={"application/javascript": RUN, "text/plain": "<Javascript object>"}),
        new_output("display_data", data={"application/vnd.jupyter.widget-view+json": {"model_id": "m"}}),
        new_output("display_data", data={"image/svg+xml": svg, "text/plain": "<SVG object>"}),
        new_output("display_data", data={"image/png": png, "text/plain": "a plot"},
                   metadata={"image/png": {"width": f"1 onerror={RUN}", "height": 30}, "isolated": True}),
        new_output("execute_result", data={"text/markdown": f"[click](javascript:{RUN})", "text/plain": "md"},
                   execution_count=1),
    ]
    attachments = {"plot.png": {"image/png": png}, "evil.svg": {"image/svg+xml": svg}}
    nb = new_notebook(cells=[new_code_cell("display(...)", outputs=outputs),
                             new_markdown_cell("![plot](attachment:plot.png) ![evil](attachment:evil.svg)",
                                               attachments=attachments),
                             new_raw_cell(f"<script>{RUN}</script>")],
                      metadata={"widgets": {"application/vnd.jupyter.widget-state+json": {"state": {}}},
                                "dlkit": {"warnings": []}})
    nb = nbformat.reads(sanitize.notebook_file(nbformat.writes(nb).encode()).decode(), as_version=4)
    nbformat.validate(nb)
    code, markdown, raw = nb.cells
    stream, table, javascript, widget, image, plot, shown_markdown = code.outputs
    assert stream == outputs[0]
    assert table.data["text/plain"] == "a table" and "<td>1</td>" in table.data["text/html"]
    assert executable(table.data["text/html"]) == []
    assert set(javascript.data) == {"text/plain"} and set(widget.data) == {"text/plain"}
    assert "left out" in widget.data["text/plain"]
    assert set(image.data) == {"text/plain", "text/html"}
    assert image.data["text/html"].startswith('<img src="data:image/svg+xml;base64,')
    assert plot.data["image/png"] == png and plot.metadata == {"image/png": {"height": 30}}
    assert executable(markdown2html_mistune(shown_markdown.data["text/markdown"])) == []
    assert markdown.attachments["plot.png"] == {"image/png": png}
    assert set(markdown.attachments["evil.svg"]) == {"image/png"}
    assert markdown.source == "![plot](attachment:plot.png) ![evil](attachment:evil.svg)"
    assert executable(raw.source) == []
    assert "widgets" not in nb.metadata and nb.metadata.dlkit == {"warnings": []}


def test_a_file_that_is_no_notebook_becomes_one_that_says_so():
    nb = nbformat.reads(sanitize.notebook_file(b"{not json").decode(), as_version=4)
    assert "could not read this notebook" in nb.cells[0].source


@pytest.mark.parametrize("source", ["# &lt;img src=x onerror=alert(1)&gt;", "# \\<img src=x onerror=alert(1)>",
                                    "## `<script>alert(1)</script>`", '# Heading" onmouseover="alert(1)',
                                    "| a\" onclick=\"alert(1) | b |\n|:--|--:|\n| 1 | 2 |"])
def test_plain_markdown_that_looks_like_html_stays_as_written_and_is_drawn_as_text(source):
    assert sanitize.markdown(source) == source
    assert executable(markdown2html_mistune(source)) == []
