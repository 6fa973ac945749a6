"""nbgrader's preprocessor and exporter for the students' feedback pages (``nbgrader generate_feedback``).

Registered after nbgrader's ``GetGrades`` and ``ClearHiddenTests`` and the kit's ``SanitizeNotebook``,
it makes the page read as a report, offline as well:

- A grade cell's bare score output (``Out: 1.0``, the partial credit nbgrader reads from the cell)
  is dropped: the page's heading of the cell already says "Score: 1.0 / 1.0".
- Formulas are converted from LaTeX to MathML (``latex2mathml``), which browsers draw by
  themselves: the page needs no MathJax from a CDN, so it renders where a student opens it
  without internet, and nothing is left as raw ``\\frac{1}{N}``. The MathML is cleaned like the
  rest of the notebook (``sanitize``): latex2mathml copies ``\\text{...}`` into it unescaped.

The pages are written by ``FeedbackExporter``, which gives each one a Content-Security-Policy that
forbids every script and every resource but inline styles and ``data:`` images: should anything
executable get past the sanitizer, the browser refuses to run it.
"""
from __future__ import annotations

import re

from latex2mathml.converter import convert
from nbconvert.exporters import HTMLExporter
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

from autograde.course import sanitize

#: Code, which keeps its dollars: fenced blocks first, then inline spans.
CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.S)
#: $$display$$, then $inline$ (not across lines, not an amount such as "$5 and $6").
MATH = re.compile(r"\$\$(.+?)\$\$|(?<![\\$\w])\$(?!\s)([^$\n]+?)(?<!\s)\$(?![\w$])", re.S)


def mathml(markdown: str) -> str:
    """``markdown`` with every formula outside code as MathML; a formula that does not convert is kept."""
    def formula(match: re.Match) -> str:
        display, inline = match.group(1), match.group(2)
        try:
            converted = convert((display or inline).strip(), display="block" if display else "inline")
        except Exception:  # noqa: BLE001 - latex2mathml raises its own errors for unknown commands
            return match.group(0)
        return sanitize.clean_html(converted)

    parts = CODE.split(markdown)
    return "".join(part if index % 2 else MATH.sub(formula, part) for index, part in enumerate(parts))


class FeedbackPage(NbGraderPreprocessor):
    """Drop the grade cells' score outputs and turn formulas into MathML."""

    def preprocess(self, nb, resources):
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                cell.source = mathml(cell.source)
            elif cell.cell_type == "code" and utils.is_grade(cell):
                cell.outputs = [output for output in cell.outputs if output.output_type != "execute_result"]
        return nb, resources


#: What a feedback page may load and run: its inline styles and its images, which are ``data:`` URLs; no script
#: (nbgrader's template still names MathJax, which the MathML makes unnecessary), no frame, no form, no base.
CONTENT_SECURITY_POLICY = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; "
                           "base-uri 'none'; form-action 'none'")


class FeedbackExporter(HTMLExporter):
    """nbgrader's HTML exporter for feedback, whose pages open with ``CONTENT_SECURITY_POLICY``."""

    def from_notebook_node(self, nb, resources=None, **kw):
        output, resources = super().from_notebook_node(nb, resources, **kw)
        head = re.search(r"<head\b[^>]*>", output, re.I)
        if head is None:
            raise ValueError("the feedback page has no <head> to carry its Content-Security-Policy")
        meta = f'\n<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
        return output[:head.end()] + meta + output[head.end():], resources
