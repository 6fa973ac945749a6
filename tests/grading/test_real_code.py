"""Real students' code is graded as the release's environment runs it.

What surrounds correct functions in real students' files must not cost them points: top-level imports
of the packages the release promises, the handout's provided functions, module-level prints and a
``main()`` under ``__main__``. What does cost points is said once and plainly: a file that does not
import is one finding (the file, the line, the exception, what to do), never a message repeated by
every check; a package the grader lacks is named in the notebook before submission; a call the
student's signature cannot take says what the grader calls. (The catalogue's real-code patterns,
graded by `dlkit selftest`, cover every assignment; this module follows them through the notebook
and `dlkit autograde`.)
"""
from __future__ import annotations

import csv
import io
import shutil
import struct
import textwrap

import numpy as np
import pytest

from autograde import cli
from autograde.authoring import catalogue
from autograde.batch import tasks
from autograde.course import build, submissions
from autograde.grading import runner
from autograde.limits import Limits
from autograde.reports import grade_table
from autograde.student import environment, modules
from autograde.student.notebook import check_group, check_imports

NON_ACCURACY = {"evaluate", "cost", "compute_accuracy", "gradients", "minibatch"}
#: What a real student's file of the handout begins with: every package the release offers.
IMPORTS = textwrap.dedent("""\
    import pickle

    import IPython
    import ipywidgets
    import matplotlib
    import matplotlib.pyplot as plt
    import numpy as np
    from tqdm import tqdm
    from tqdm.notebook import tqdm as notebook_tqdm
    from data_scripts import load_cifar10
    from functions import softmax, LoadBatch, ComputeGradsNum, ComputeGradsNumSlow, montage, save_as_mat
    """)


def written(tmp_path, name: str, prepend: str = "", append: str = "", replace: tuple[str, str] = ("", "")):
    """The reference of linear_cifar10 with its provided file, its student file edited."""
    folder = tmp_path / name
    folder.mkdir(parents=True)
    shutil.copy(catalogue.kit.solutions("linear_cifar10") / "functions.py", folder / "functions.py")
    text = (catalogue.kit.solutions("linear_cifar10") / "linear_cifar10.py").read_text()
    if replace[0]:
        assert text.count(replace[0]) == 1, replace[0]
        text = text.replace(*replace)
    (folder / "linear_cifar10.py").write_text(prepend + text + append)
    return folder


@pytest.mark.heavy
def test_the_sandbox_offers_what_the_release_promises_and_nothing_else(tmp_path):
    """Top-level imports of every offered package, and a plot shown inside a graded function, earn full marks
    in the grader's sandbox as in the notebook; a package installed beside the grader but not offered
    (nbgrader) does not import there."""
    plotting = ("    P = exponentials / exponentials.sum(axis=0, keepdims=True)\n"
                "    plt.figure(); plt.plot(P[:, 0]); plt.show(); plt.close('all')\n    return P\n")
    folder = written(tmp_path, "offered", IMPORTS, replace=(
        "    return exponentials / exponentials.sum(axis=0, keepdims=True)\n", plotting))
    graded = runner.run("linear_cifar10", folder, groups=NON_ACCURACY)
    assert graded.import_failures == {} and graded.warnings == []
    assert all(o.passed for o in graded.outcomes), [o.message for o in graded.outcomes if not o.passed]
    local = modules.student_code("linear_cifar10", folder)
    assert local.import_failures == {}
    assert {"numpy", "matplotlib", "tqdm", "ipywidgets", "IPython", "pickle", "data_scripts"} <= \
        environment.offered_modules()
    unoffered = written(tmp_path, "unoffered", "import nbgrader\n")
    failures = runner.run("linear_cifar10", unoffered, groups={"evaluate"}).import_failures
    assert failures["linear_cifar10.py"].startswith("linear_cifar10.py did not import: line 1 imports nbgrader, which "
                                                    "the grader does not have; it has numpy, matplotlib, tqdm")


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory, cifar10_data_dir):
    """linear_cifar10 released, and a class of real-code submissions graded by `dlkit autograde`."""
    course_dir = tmp_path_factory.mktemp("course")
    incoming = tmp_path_factory.mktemp("incoming")
    for name in ("top_level_imports", "syntax_error", "another_signature", "work_at_import"):
        catalogue.submission(catalogue.pattern("linear_cifar10", name), incoming / name)
        (incoming / name / "functions.py").unlink()  # students hand in their own file only
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DLKIT_DATA", str(cifar10_data_dir))
        build.release(course_dir, "linear_cifar10")
        assert cli.main(["autograde", "linear_cifar10", "--course-dir", str(course_dir), "--submissions",
                         str(incoming), "--jobs", "2"]) == 0
    return course_dir


@pytest.mark.heavy
def test_the_reference_with_top_level_imports_earns_full_marks_through_dlkit_autograde(graded_class):
    _, rows = grade_table.collect(graded_class, "linear_cifar10")
    row = next(r for r in rows if r.student == "top_level_imports")
    assert (row.status, row.score, row.max_score) == (tasks.GRADED, 16, 16), [o["message"] for o in row.failed]


@pytest.mark.heavy
def test_a_file_that_does_not_import_is_one_finding_in_the_grades_the_csv_the_report_and_formgrader(
        graded_class, tmp_path, capsys):
    course_dir = graded_class
    capsys.readouterr()
    assert cli.main(["grades", "linear_cifar10", "--course-dir", str(course_dir), "--csv",
                     str(tmp_path / "grades.csv")]) == 0
    printed = capsys.readouterr().out
    mentions = [line for line in printed.splitlines() if "syntax_error" in line]
    findings = [line for line in mentions if "did not import" in line]
    line = next(number for number, text in enumerate((course_dir / "submitted/syntax_error/linear_cifar10/"
                                                      "linear_cifar10.py").read_text().splitlines(), 1)
                if "def ComputeAccuracy(X, y, W, b)" in text)
    assert findings == ["  syntax_error: linear_cifar10.py did not import: SyntaxError: expected ':' (line "
                        f"{line} of"], printed  # wrapped to the terminal's width
    assert (f"syntax_error: linear_cifar10.py did not import: SyntaxError: expected ':' (line {line} of "
            "linear_cifar10.py)") in " ".join(printed.split())
    assert "not run:" not in printed and "0/16" in next(line for line in mentions if "-/" not in line)
    assert "  syntax_error: no check could run (see 'failed to run' below)" in mentions
    exported = {row["student"]: row for row in csv.DictReader(io.StringIO((tmp_path / "grades.csv").read_text()))}
    assert exported["syntax_error"]["status"] == "did not import" and exported["syntax_error"]["score"] == "0.0"
    assert exported["syntax_error"]["reason"].startswith("linear_cifar10.py did not import: SyntaxError")
    assert exported["syntax_error"]["failed_checks"] == ""  # the finding, not 14 failed checks
    assert cli.main(["report", "linear_cifar10", "--course-dir", str(course_dir), "--output",
                     str(tmp_path / "report.html")]) == 0
    report = (tmp_path / "report.html").read_text()
    failed_section = report.split("<h2>Submissions that failed to run</h2>")[1].split("</section>")[0]
    assert failed_section.count("did not import: SyntaxError") == 1 and "syntax_error" in failed_section
    assert "work_at_import" in failed_section and "top_level_imports" not in failed_section
    assert report.count("not run: linear_cifar10.py") == 0
    # formgrader shows the autograded notebook: each grade cell opens with the finding, then one line per check.
    import nbformat
    notebook = nbformat.read(course_dir / "autograded/syntax_error/linear_cifar10/linear_cifar10.ipynb", as_version=4)
    cell = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "minibatch")
    [report_text] = cell.outputs[0]["traceback"]
    assert report_text.startswith("linear_cifar10.py did not import: SyntaxError: expected ':'")
    checks = cell.metadata["dlkit"]["checks"]
    assert len(checks) == 3 and all(c["did_not_import"] == ["linear_cifar10.py"] for c in checks)
    assert report_text.count("SyntaxError") == 1 and report_text.count("not run: linear_cifar10.py") == 3


@pytest.mark.heavy
def test_another_signature_and_work_at_import_say_what_to_do_in_the_grades(graded_class, capsys):
    capsys.readouterr()
    assert cli.main(["grades", "linear_cifar10", "--course-dir", str(graded_class)]) == 0
    printed = capsys.readouterr().out
    assert "the grader calls MiniBatchGD(X, Y, GDparams, W, b, lamda) with GDparams a dict of n_batch, eta and " \
           "n_epochs; yours is defined as MiniBatchGD(X, Y, y, GDparams, W, b, lamda)" in " ".join(printed.split())
    section = " ".join(printed.split("Submissions that failed to run in part")[1].split())
    submitted = (graded_class / "submitted/work_at_import/linear_cifar10/linear_cifar10.py").read_text()
    line = next(n for n, text in enumerate(submitted.splitlines(), 1) if text.startswith("X_train, Y_train"))
    assert f"work_at_import: linear_cifar10.py did not import: line {line} runs when the file is imported (X_train, " \
           'Y_train, y_train = BatchColumns(LoadBatch("data_...) and raised DatasetUnavailable: ' in section, section
    assert 'must go under `if __name__ == "__main__":`' in section


def test_the_notebook_says_each_finding_once_and_warns_of_packages_the_grader_lacks(tmp_path, capsys, monkeypatch):
    """check_group and the notebook's first cell (check_imports), in the student's folder."""
    guarded = "try:\n    import seaborn\nexcept ImportError:\n    seaborn = None\n"
    folder = written(tmp_path, "student", "import pandas\n" + guarded)
    (folder / "helpers.py").write_text("def unused():\n    pass\n")
    monkeypatch.chdir(folder)
    check_imports()
    warned = capsys.readouterr()
    assert warned.out == "" and warned.err.startswith(
        "WARNING: linear_cifar10.py line 1 imports pandas, which the grader does not have: grading will fail unless "
        "you remove it")
    assert "seaborn" not in warned.err, "an import with its own fallback is the student's business"
    text = (folder / "linear_cifar10.py").read_text()
    (folder / "linear_cifar10.py").write_text(text.replace("def ComputeAccuracy(X, y, W, b):",
                                                           "def ComputeAccuracy(X, y, W, b)"))
    line = next(n for n, t in enumerate(text.splitlines(), 1) if t.startswith("def ComputeAccuracy"))
    check_group("minibatch")
    printed = capsys.readouterr().err
    assert printed.count(f"linear_cifar10.py did not import: SyntaxError: expected ':' (line {line} of "
                         "linear_cifar10.py)") == 1, printed
    assert printed.count("not run: linear_cifar10.py did not import (see above)") == 2, printed
    (folder / "linear_cifar10.py").write_text("import helpers\n" + (catalogue.kit.solutions("linear_cifar10")
                                                                    / "linear_cifar10.py").read_text())
    check_imports()
    assert "imports helpers, a file of your own that is not one of the assignment's files" in capsys.readouterr().err


@pytest.mark.heavy
def test_a_call_the_signature_cannot_take_says_what_the_grader_calls_in_the_notebook_and_at_grading(
        tmp_path, capsys, monkeypatch):
    folder = written(tmp_path, "signature", replace=(
        "def MiniBatchGD(X, Y, GDparams, W, b, lamda):",
        "def MiniBatchGD(X, Y, y, GDparams, W, b, lamda, X_val=None, Y_val=None):"))
    expected = ("the grader calls MiniBatchGD(X, Y, GDparams, W, b, lamda) with GDparams a dict of n_batch, eta "
                "and n_epochs; yours is defined as MiniBatchGD(X, Y, y, GDparams, W, b, lamda, X_val=None, "
                "Y_val=None)")
    graded = runner.run("linear_cifar10", folder, groups={"minibatch"})
    assert len(graded.outcomes) == 3 and [o.message for o in graded.outcomes] == [expected] * 3
    monkeypatch.chdir(folder)
    check_group("minibatch")
    assert capsys.readouterr().err.count(expected) == 2
    # A body that reads GDparams as a list gets the declared call as its hint.
    as_list = written(tmp_path, "as_list", replace=('    n_batch, eta = GDparams["n_batch"], GDparams["eta"]\n',
                                                    "    n_batch, eta = GDparams[0], GDparams[1]\n"))
    failed = runner.run("linear_cifar10", as_list, groups={"minibatch"}).outcomes[0]
    assert failed.message.startswith("your code raised KeyError: 0 (line ")
    assert failed.hint.startswith("The grader calls MiniBatchGD(X, Y, GDparams, W, b, lamda) with GDparams a dict")


@pytest.mark.heavy
def test_work_at_import_names_the_line_and_the_main_guard_while_prints_and_seeds_are_accepted(tmp_path):
    accepted = written(tmp_path, "accepted", "print('assignment 1')\nnp_seed = 400\n",
                       "\n\ndef main():\n    print(LoadBatch('data_batch_1'))\n\n\nif __name__ == '__main__':\n"
                       "    main()\n")
    accepted.joinpath("linear_cifar10.py").write_text("from functions import LoadBatch\nimport numpy as np\n"
                                                      "np.random.seed(400)\n"
                                                      + accepted.joinpath("linear_cifar10.py").read_text())
    assert all(o.passed for o in runner.run("linear_cifar10", accepted, groups={"evaluate", "cost"}).outcomes)
    # Work at import that fails...
    loads = written(tmp_path, "loads", "", "\nmain()\n", replace=("import numpy as np\n", "import numpy as np\n\n\n"
                                                                   "def main():\n    open('Datasets/data_batch_1')\n"))
    [finding] = runner.run("linear_cifar10", loads, groups={"evaluate"}).import_failures.values()
    line = loads.joinpath("linear_cifar10.py").read_text().splitlines().index("main()") + 1
    assert finding.startswith(f"linear_cifar10.py did not import: line {line} runs when the file is imported (main()) "
                              "and raised FileNotFoundError: [Errno 2] No such file or directory: "
                              "'Datasets/data_batch_1'"), finding
    assert finding.endswith('must go under `if __name__ == "__main__":` (it runs when you run the file, never when '
                            'it is imported)')
    # ... and work at import that runs out of time: one finding, and the sandbox is not started again per check.
    trains = written(tmp_path, "trains", "", "\nfor epoch in range(10 ** 9):\n    pass\n")
    graded = runner.run("linear_cifar10", trains, Limits(call_seconds=1.0), groups={"evaluate", "cost"})
    [finding] = graded.import_failures.values()
    assert finding.startswith("linear_cifar10.py did not import: the grader stopped it: too slow: your code computed "
                              "for more than 1 s (CPU time) in one call"), finding
    assert "runs when the file is imported (for epoch in range(10 ** 9): pass)" in finding
    assert len(graded.outcomes) == 5 and [o.did_not_import for o in graded.outcomes] == [("linear_cifar10.py",)] * 5


def test_the_handouts_functions_are_provided_under_their_names(tmp_path, cifar10_data_dir, monkeypatch):
    """What DD2424's functions.py offers: softmax, LoadBatch, ComputeGradsNum(Slow), montage, save_as_mat."""
    monkeypatch.setenv("DLKIT_DATA", str(cifar10_data_dir))
    folder = written(tmp_path, "handout")
    code = modules.student_code("linear_cifar10", folder)
    functions = code.provided("functions")
    x = np.array([[1.0, 1000.0], [2.0, 1000.0], [3.0, 999.0]])
    np.testing.assert_allclose(functions.softmax(x).sum(axis=0), [1.0, 1.0])
    np.testing.assert_allclose(functions.softmax(x)[:, 0], np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum())
    batch = functions.LoadBatch("Datasets/cifar-10-batches-py/data_batch_1")  # the handout's path works too
    assert batch[b"data"].dtype == np.uint8 and batch[b"data"].shape[1] == 3072
    assert isinstance(batch[b"labels"], list) and len(batch[b"labels"]) == len(batch[b"data"])
    X, Y, y = functions.BatchColumns(batch)
    assert X.shape == (3072, len(y)) and 0 <= X.min() and X.max() <= 1 and Y.shape == (10, len(y))
    W = np.arange(6.0).reshape(2, 3)
    monkeypatch.chdir(tmp_path)
    functions.save_as_mat(W, "model")
    content = (tmp_path / "model.mat").read_bytes()
    kind, rows, columns, imaginary, name_length = struct.unpack("<5i", content[:20])
    assert (kind, rows, columns, imaginary, content[20:20 + name_length]) == (0, 2, 3, 0, b"model\0")
    np.testing.assert_array_equal(np.frombuffer(content[20 + name_length:], "<f8").reshape(3, 2).T, W)
    figure = functions.montage(np.random.default_rng(0).normal(size=(10, 3072)))
    assert [axis.get_title() for axis in figure.axes] == [f"y={k}" for k in range(10)]
