"""The feedback page's formulas become MathML, which browsers draw offline, and nothing that runs
(autograde/course/feedback.py)."""
from __future__ import annotations

from nbconvert.filters.markdown_mistune import markdown2html_mistune

from autograde.course import feedback
from support.executable import executable


def test_formulas_become_mathml_and_code_and_amounts_keep_their_dollars():
    markdown = ("The loss $J = \\frac{1}{N}\\sum_n \\ell_n$ and\n$$ \\frac{\\partial J}{\\partial W} = X^\\top G $$\n"
                "Run `echo $HOME $PATH` or\n```\nprice = \"$5\"  # $x$\n```\nIt costs $5 and $6 today.")
    converted = feedback.mathml(markdown)
    assert converted.count('display="inline"') == 1 and converted.count('display="block"') == 1
    assert "\\frac" not in converted and "<mfrac>" in converted
    assert "`echo $HOME $PATH`" in converted and 'price = "$5"  # $x$' in converted
    assert "It costs $5 and $6 today." in converted


def test_a_formula_cannot_smuggle_html_into_the_page():
    """latex2mathml copies the text of ``\\text{...}`` into its MathML unescaped, and ``\\href`` as an attribute."""
    markdown = ('$\\text{<img/src="x"/onerror="alert(1)">}$ and $\\href{javascript:alert(2)}{x}$ '
                'and $\\frac{1}{2}$')
    assert executable(feedback.convert('\\text{<img/src="x"/onerror="alert(1)">}')), "latex2mathml lets it through"
    converted = feedback.mathml(markdown)
    assert executable(markdown2html_mistune(converted)) == []
    assert converted.count("<math") == 3 and "<mfrac>" in converted
