"""The feedback page's formulas become MathML, which browsers draw offline (autograde/course/feedback.py)."""
from __future__ import annotations

from autograde.course import feedback


def test_formulas_become_mathml_and_code_and_amounts_keep_their_dollars():
    markdown = ("The loss $J = \\frac{1}{N}\\sum_n \\ell_n$ and\n$$ \\frac{\\partial J}{\\partial W} = X^\\top G $$\n"
                "Run `echo $HOME $PATH` or\n```\nprice = \"$5\"  # $x$\n```\nIt costs $5 and $6 today.")
    converted = feedback.mathml(markdown)
    assert converted.count('display="inline"') == 1 and converted.count('display="block"') == 1
    assert "\\frac" not in converted and "<mfrac>" in converted
    assert "`echo $HOME $PATH`" in converted and 'price = "$5"  # $x$' in converted
    assert "It costs $5 and $6 today." in converted
