"""nbgrader preprocessor for the students' feedback pages (``nbgrader generate_feedback``).

Registered after nbgrader's ``GetGrades`` and ``ClearHiddenTests``, it makes the page read as
a report, offline as well:

- A grade cell's bare score output (``Out: 1.0``, the partial credit nbgrader reads from the cell)
  is dropped: the page's heading of the cell already says "Score: 1.0 / 1.0".
- Formulas are converted from LaTeX to MathML (``latex2mathml``), which browsers draw by
  themselves: the page needs no MathJax from a CDN, so it renders where a student opens it
  without internet, and nothing is left as raw ``\\frac{1}{N}``.
"""
from __future__ import annotations

import re

from latex2mathml.converter import convert
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

#: Code, which keeps its dollars: fenced blocks first, then inline spans.
CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.S)
#: $$display$$, then $inline$ (not across lines, not an amount such as "$5 and $6").
MATH = re.compile(r"\$\$(.+?)\$\$|(?<![\\$\w])\$(?!\s)([^$\n]+?)(?<!\s)\$(?![\w$])", re.S)


def mathml(markdown: str) -> str:
    """``markdown`` with every formula outside code as MathML; a formula that does not convert is kept."""
    def formula(match: re.Match) -> str:
        display, inline = match.group(1), match.group(2)
        try:
            return convert((display or inline).strip(), display="block" if display else "inline")
        except Exception:  # noqa: BLE001 - latex2mathml raises its own errors for unknown commands
            return match.group(0)

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
