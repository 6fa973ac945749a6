"""``dlkit new ASSIGNMENT``: the three folders of a new assignment, from a template that works as it is.

An assignment is one solutions folder, one notebook folder and one folder of ``autograde/assignments/``;
nothing shared is edited (the registry finds the new folder). The template is a complete assignment
with one exercise, ``scale(x, factor)``: a reference with solution markers, a notebook whose grade cell
runs one public and one hidden check, and those checks. It can be released and autograded at once
(``dlkit starter``, ``dlkit release``, ``dlkit autograde``); the instructor then replaces the exercise.
"""
from __future__ import annotations

import keyword
import re
from pathlib import Path

from autograde import kit
from autograde.errors import UsageError
from autograde.student import registry

REFERENCE = '''"""{id}: what students implement, with the shapes of every argument.

Notation: N examples, D inputs. Students edit the code between the solution markers; the starter
(``dlkit starter``) replaces each block with a stub.
"""
import numpy as np


def scale(x, factor):
    """Every entry of ``x`` times ``factor``.

    Parameters
    ----------
    x : ndarray, shape (N, D)
    factor : float

    Returns
    -------
    ndarray, shape (N, D), float64
    """
    ### BEGIN SOLUTION
    return np.asarray(x, dtype=np.float64) * factor
    ### END SOLUTION
'''

SOLUTIONS_INIT = '''"""The reference solution of {id}: never released; the hidden checks compare with it."""
'''

SPEC = '''"""{id}: one exercise, ``scale`` (replace it with the assignment's own)."""
from autograde.student.spec import Assignment, calls

# calls: how the grader calls each of the student's functions, said to a student whose signature differs.
SPEC = Assignment("{id}", student_files=("{id}.py",), provided_files=(), notebooks=("{id}",),
                  calls=calls("scale(x, factor)"))
'''

PUBLIC = '''"""Public checks of {id}: shipped with the release, run by the notebook's grade cells. They use no
reference solution: values computed here, invariants, numeric gradients of the student's own code."""
from __future__ import annotations

import numpy as np

from autograde.student import validate
from autograde.student.checks import check
from autograde.student.gradcheck import expect_close


def check_scale(student, seed: int, shape: tuple[int, int], factor: float) -> None:
    x = np.random.default_rng(seed).normal(size=shape)
    got = validate.array(student.scale(x.copy(), factor), f"scale(x, {{factor}})", shape)
    hint = "Return x times factor, not x plus factor." if np.allclose(got, x + factor) else None
    expect_close(got, x * factor, f"scale(x, {{factor}})", f"(x of shape {{shape}})", hint)


@check("scale", points=1)
def scale_multiplies_every_entry_by_the_factor(student):
    """scale(x, factor) multiplies every entry of x by factor."""
    check_scale(student, 0, (4, 3), 2.5)
'''

HIDDEN = '''"""Hidden checks of {id}: run only at autograding, never shipped (the release leaves this file out)."""
from __future__ import annotations

import numpy as np

from autograde.assignments.{id}.public import check_scale
from autograde.student import validate
from autograde.student.checks import check
from autograde.student.gradcheck import expect_close
from solutions.{id} import {id} as reference


@check("scale", points=1, hidden=True)
def scale_matches_the_reference_on_fresh_shapes(student):
    """scale matches the reference on a batch of one and a negative factor."""
    check_scale(student, 100, (1, 7), -0.5)
    x = np.random.default_rng(101).normal(size=(5, 2))
    expect_close(validate.array(student.scale(x.copy(), 3.0), "scale(x, 3.0)", x.shape), reference.scale(x, 3.0),
                 "scale(x, 3.0)", "(x of shape (5, 2))")
'''


def _cell(kind: str, grade_id: str, source: str, grade: bool = False):
    import nbformat

    make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
    return make(source, metadata={"nbgrader": {"grade": grade, "grade_id": grade_id, "locked": True,
                                               "schema_version": 3, "solution": False, "task": False}})


def notebook(assignment_id: str):
    """The template's nbgrader source notebook: setup, the exercise, its grade cell (public and hidden checks)."""
    import nbformat

    cells = [
        _cell("markdown", "intro", f"# {assignment_id}\n\nImplement the functions of **`{assignment_id}.py`** "
                                   "(next to this notebook), then run the cells below: each grade cell checks your "
                                   "code and says what is wrong."),
        _cell("code", "setup", "%load_ext autoreload\n%autoreload 2\n"
                               "from autograde.student.notebook import check_group, check_imports\n\n"
                               "check_imports()  # first: names any import the grader cannot satisfy\n"
                               f"import numpy as np\n\nfrom {assignment_id} import scale"),
        _cell("markdown", "scale_intro", "**Scale** ({points:scale}): `scale(x, factor)` multiplies every entry of "
                                         "`x` (N, D) by `factor`."),
        _cell("code", "scale_example", "scale(np.ones((2, 3)), 2.0)"),
        _cell("code", "scale", 'check_group("scale")\n### BEGIN HIDDEN TESTS\ncheck_group("scale", hidden=True)\n'
                               "### END HIDDEN TESTS", grade=True),
    ]
    return nbformat.v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"}})


def planned(assignment_id: str) -> dict[Path, str | None]:
    """Every file ``dlkit new`` writes (None: the notebook, written by nbformat)."""
    solutions, package = kit.solutions(assignment_id), kit.ASSIGNMENTS / assignment_id
    text = {solutions / "__init__.py": SOLUTIONS_INIT, solutions / f"{assignment_id}.py": REFERENCE,
            package / "__init__.py": SPEC, package / "public.py": PUBLIC, package / "hidden.py": HIDDEN}
    files: dict[Path, str | None] = {path: template.format(id=assignment_id) for path, template in text.items()}
    files[kit.NOTEBOOKS / assignment_id / f"{assignment_id}.ipynb"] = None
    return files


def create(assignment_id: str) -> list[Path]:
    """Write the new assignment's folders; return the files written. Refuses a name that is not a lower-case
    Python identifier, or one whose folders exist already (nothing is overwritten)."""
    import nbformat

    if not re.fullmatch(r"[a-z][a-z0-9_]*", assignment_id) or keyword.iskeyword(assignment_id):
        raise UsageError(f"{assignment_id!r} cannot name an assignment: use lower-case letters, digits and _, "
                         "starting with a letter (it becomes a Python package name)")
    if assignment_id in registry.ids():
        raise UsageError(f"the assignment {assignment_id} exists already")
    files = planned(assignment_id)
    taken = sorted({str(path.parent) for path in files if path.parent.exists()})
    if taken:
        raise UsageError(f"not creating {assignment_id}: {', '.join(taken)} exists already")
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if text is None:
            nbformat.write(notebook(assignment_id), path)
        else:
            path.write_text(text)
    return list(files)
