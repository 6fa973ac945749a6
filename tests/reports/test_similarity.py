"""`dlkit similarity`: copied work is found at the top of the page, renamed variables and all, while
the starter's code that every student received counts for nothing."""
from __future__ import annotations

import re

import pytest

from autograde import cli, kit
from autograde.authoring import catalogue
from autograde.course import submissions
from autograde.reports import similarity

ASSIGNMENT = "logistic_regression"
FILE = "logistic_regression.py"
ALTERNATIVES = catalogue.folder_of(ASSIGNMENT) / catalogue.ALTERNATIVES
#: A student's own names for another student's variables, and no docstrings: a copy made to look different.
RENAMED = {"largest": "mx", "log_normalizer": "lse", "probabilities": "p", "rows": "idx", "dscores": "g",
           "per_example_dW": "outer", "scores": "z"}


def disguised(code: str) -> str:
    code = re.sub(r'"""(.|\n)*?"""\n?', "", code)
    for old, new in RENAMED.items():
        code = re.sub(rf"\b{old}\b", new, code)
    return code.replace("\n\n\n", "\n\n# ---\n")


@pytest.fixture(scope="module")
def course(tmp_path_factory, release_copy):
    course_dir = release_copy(ASSIGNMENT, tmp_path_factory.mktemp("similarity") / "course")
    folder = tmp_path_factory.mktemp("files")
    original = (ALTERNATIVES / "per_example_gradients_summed" / FILE).read_text()
    sources = {"ana": kit.solutions(ASSIGNMENT) / FILE, "ben": ALTERNATIVES / "per_example_gradients_summed" / FILE,
               "cai": ALTERNATIVES / "sigmoid_of_the_score_difference" / FILE, "dev": kit.starter(ASSIGNMENT) / FILE}
    (folder / "copied.py").write_text(disguised(original))
    sources["eli"] = folder / "copied.py"
    for student, path in sources.items():
        submissions.stage(course_dir, ASSIGNMENT, student, {FILE: path})
    return course_dir


def test_a_renamed_copy_is_the_most_similar_pair_and_the_starter_shares_nothing(course):
    assert disguised("largest = scores.max()") == "mx = z.max()"
    comparison = similarity.compare(course, ASSIGNMENT)
    assert comparison.students == ["ana", "ben", "cai", "dev", "eli"] and len(comparison.pairs) == 10
    top = comparison.pairs[0]
    assert top.students == ("ben", "eli") and top.similarity >= 0.9
    assert comparison.pairs[1].similarity < top.similarity - 0.2, "the copy stands out from honest work"
    starter_pairs = [p for p in comparison.pairs if "dev" in p.students]
    assert max(p.similarity for p in starter_pairs) == 0, "the starter's code is boilerplate"


def test_the_page_lists_pairs_from_the_most_similar_with_the_shared_code_marked(course, tmp_path, capsys):
    output = tmp_path / "similar.html"
    assert cli.main(["similarity", ASSIGNMENT, "--course-dir", str(course), "--output", str(output)]) == 0
    assert f"wrote {output}" in capsys.readouterr().out
    page = output.read_text()
    table = page.split("<table>")[1].split("</table>")[0]
    assert table.index("ben and eli") < table.index("ana and")
    assert "<tr class='notable'>" in table and table.count("notable") == 1
    first = page.split("id='pair-1'")[1].split("</section>")[0]
    assert first.count("<mark>") >= 2 and "outer" in first and "per_example_dW" in first
    assert not re.search(r"<(script|link|img|iframe)\b|\bsrc=", page), "the page loads nothing"


def test_the_class_report_links_the_similarity_page(course):
    from autograde.reports import class_report

    similarity.write(course, ASSIGNMENT)
    page = class_report.build(course, ASSIGNMENT, output=course / "reports" / f"{ASSIGNMENT}.html")
    assert f"<a href='{ASSIGNMENT}-similarity.html'>the similarity report</a>" in page
