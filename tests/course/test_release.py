"""End to end through nbgrader: no leak into any release or feedback file.

The leak test builds a course from a copy of the kit with canaries planted in every solution
block, in the hidden checks, in every assignment's catalogue and in every hidden-test region, then
scans every released file and every feedback file for them.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import nbformat
import pytest

from autograde.authoring import starter
from autograde.batch import coordinator
from autograde.batch import tasks
from autograde.course import build, config
from autograde.course import commands
from autograde.course import submissions
from autograde.reports import grade_table
from autograde.student import checks
from autograde.student import registry

SOLUTION_CANARY = "LEAK-CANARY-SOLUTION"
HIDDEN_CANARY = "LEAK-CANARY-HIDDEN-CHECK"
HIDDEN_TEST_CANARY = "LEAK-CANARY-HIDDEN-TEST"
CATALOGUE_CANARY = "LEAK-CANARY-CATALOGUE"


def given_lines(repo):
    """Every line of the starter: code students are given (provided files, code around the stubs)."""
    return {line.strip() for path in (repo / "starter").rglob("*.py") for line in path.read_text().splitlines()}


def solution_lines(repo):
    """Every substantial line written between solution markers in solutions/, except the idioms
    that the given code also holds (``rng = np.random.default_rng(seed)``): those are no secret,
    and the solution canaries catch any block that leaks whole."""
    lines = set()
    for path in (repo / "solutions").rglob("*.py"):
        inside = False
        for line in path.read_text().splitlines():
            if "### BEGIN SOLUTION" in line:
                inside = True
            elif "### END SOLUTION" in line:
                inside = False
            elif inside and len(line.strip()) > 20 and not line.strip().startswith("#"):
                lines.add(line.strip())
    return lines - given_lines(repo)


def plant(repo, root):
    for folder in ("solutions", "notebooks", "autograde", "data_scripts", "examples"):
        shutil.copytree(repo / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    for path in (root / "solutions").rglob("*.py"):
        path.write_text(re.sub(r"(\n(\s*)### BEGIN SOLUTION\n)", rf"\1\2# {SOLUTION_CANARY}\n", path.read_text()))
    hidden = [*(root / "autograde" / "assignments").glob("*/hidden.py"),
              *(root / "autograde" / "assignments").glob("*/hidden/*.py")]
    assert len(hidden) >= 5, hidden
    for path in hidden:
        path.write_text(path.read_text() + f"\n# {HIDDEN_CANARY}\n")
    catalogued = [path for path in (root / "autograde" / "assignments").glob("*/catalogue/**/*")
                  if path.suffix in (".py", ".toml")]
    assert len(catalogued) >= 20, catalogued  # every assignment's bugs, patterns and alternatives
    for path in catalogued:
        path.write_text(path.read_text() + f"\n# {CATALOGUE_CANARY}\n")
    for path in (root / "notebooks").rglob("*.ipynb"):
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            cell.source = cell.source.replace("### BEGIN HIDDEN TESTS", f"### BEGIN HIDDEN TESTS\n# {HIDDEN_TEST_CANARY}")
        nbformat.write(notebook, path)
    starter.write(root / "solutions", root / "starter")
    assert SOLUTION_CANARY in (root / "solutions/softmax_mlp/softmax_classifier.py").read_text()


@pytest.fixture(scope="module")
def planted_course(repo, tmp_path_factory, mnist):
    root = tmp_path_factory.mktemp("planted-kit")
    plant(repo, root)
    course_dir = tmp_path_factory.mktemp("planted-course")
    for assignment_id in registry.ids():
        build.release(course_dir, assignment_id, repo=root)
    submissions.stage(course_dir, "softmax_mlp", "starter",
                            {"softmax_classifier.py": root / "starter/softmax_mlp/softmax_classifier.py"})
    submissions.stage(course_dir, "softmax_mlp", "reference",
                            {f: root / "solutions/softmax_mlp" / f for f in registry.get("softmax_mlp").student_files})
    summary = coordinator.grade_class(course_dir, "softmax_mlp", progress=False)  # the parallel path instructors use
    assert summary.count(tasks.GRADED) == 2, summary.describe()
    commands.feedback(course_dir, "softmax_mlp")
    return course_dir


def scan(files, needles):
    return [(str(path), needle) for path in files for needle in needles
            if needle in path.read_text(errors="replace")]


def test_release_holds_no_solution_and_no_hidden_check(repo, planted_course):
    released = [p for p in (planted_course / "release").rglob("*") if p.is_file()]
    for spec in registry.specs():
        assert all(any(p.parts[-2 - f.count("/"):] == (spec.id, *f.split("/")) for p in released)
                   for f in spec.student_files), f"{spec.id} is not released whole"
    needles = [SOLUTION_CANARY, HIDDEN_CANARY, HIDDEN_TEST_CANARY, CATALOGUE_CANARY, "BEGIN HIDDEN TESTS", "hidden=True)",
               str(config.grading_secret(planted_course)),
               "from solutions.", "import solutions", *solution_lines(repo)]
    assert scan(released, needles) == []
    assert not [p for p in released if {"hidden", "hidden.py", "grading", "solutions", "catalogue"} & set(p.parts)
                or p.name == "thresholds.json"]


#: What a student's environment must not hold: the instructor's tools, the cluster, the browser driver, the tests.
INSTRUCTOR_ONLY = {"nbgrader", "dask", "distributed", "playwright", "pytest", "dlkit"}


@pytest.fixture(scope="module")
def student_python(planted_course, tmp_path_factory):
    """The python of a fresh virtual environment where pip installed the release's requirements.txt and
    nothing else, from the package index, as the release tells a student to: no kit, no nbgrader."""
    files = {(planted_course / "release" / a / build.REQUIREMENTS).read_text() for a in registry.ids()}
    assert len(files) == 1, "every release asks for the same packages"
    folder = tmp_path_factory.mktemp("student-env")
    (folder / build.REQUIREMENTS).write_text(files.pop())
    subprocess.run([sys.executable, "-m", "venv", str(folder / "venv")], check=True)
    python = folder / "venv" / "bin" / "python"
    installed = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-r", str(folder / build.REQUIREMENTS)],
                               capture_output=True, text=True, timeout=900)
    assert installed.returncode == 0, f"pip install -r requirements.txt failed: {installed.stderr[-3000:]}"
    frozen = subprocess.run([str(python), "-m", "pip", "freeze"], capture_output=True, text=True, check=True).stdout
    pins = [line for line in (folder / build.REQUIREMENTS).read_text().splitlines() if line and line[0] != "#"]
    assert set(pins) <= set(frozen.splitlines()), "pip did not install the release's versions"
    assert not {re.split("[=@ ]", line)[0].lower() for line in frozen.splitlines()} & INSTRUCTOR_ONLY, frozen
    probe = ("import importlib.util as u; "
             "print([m for m in ('autograde', 'solutions', 'nbgrader', 'data_scripts') if u.find_spec(m)])")
    ran = subprocess.run([str(python), "-c", probe], cwd=tmp_path_factory.mktemp("elsewhere"), capture_output=True,
                         text=True, env=student_environment(), check=True)
    assert ran.stdout.strip() == "[]", f"the student environment can import the kit: {ran.stdout}"
    return python


def student_environment() -> dict:
    """A student's environment variables: nothing points into the kit; the data folder is shared."""
    from data_scripts import data_dir

    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    return {**keep, "DLKIT_DATA": str(data_dir().resolve()), "MPLBACKEND": "Agg"}


def run_as_student(python, folder, script):
    return subprocess.run([str(python), "-c", script], cwd=folder, capture_output=True, text=True,
                          env=student_environment(), timeout=300)


def test_the_release_says_what_a_student_installs_and_it_is_no_instructor_tool(repo, planted_course):
    from support import student_env

    for assignment_id in registry.ids():
        lines = (planted_course / "release" / assignment_id / build.REQUIREMENTS).read_text().splitlines()
        pins = dict(line.split("==") for line in lines if line and not line.startswith("#"))
        assert list(pins) == list(build.STUDENT_REQUIREMENTS) and "nbgrader" not in pins
        assert all(version[0].isdigit() for version in pins.values())
        assert not set(student_env.distributions(list(pins))) & INSTRUCTOR_ONLY
        # The same for conda users: the kit's environment-student.yml, conda-forge's names, the same versions.
        conda = (planted_course / "release" / assignment_id / build.CONDA_ENVIRONMENT).read_text()
        assert conda == (repo / "environment-student.yml").read_text()
        assert all(f"  - {build.CONDA_FORGE_NAMES.get(n, n)}=={v}\n" in conda for n, v in pins.items())


@pytest.mark.parametrize("assignment_id", registry.ids())
def test_public_checks_run_in_the_release_as_students_run_them(repo, planted_course, student_python, tmp_path,
                                                               assignment_id):
    """In a clean student environment (the kit not installed), a released folder with the reference's files
    passes every public grade cell's check_group; with the starter's, each fails saying the code is not
    implemented yet; and the exploration panel of every notebook builds."""
    spec = registry.get(assignment_id)
    groups = sorted({c.group for c in checks.load(assignment_id, hidden=False)})
    script = ("import autograde\nassert autograde.__file__.startswith(__import__('os').getcwd()), autograde.__file__\n"
              "from autograde.student.notebook import check_group\n" + "".join(f"check_group({g!r})\n" for g in groups))
    for source, passes in [("solutions", True), ("starter", False)]:
        folder = tmp_path / source
        shutil.copytree(planted_course / "release" / assignment_id, folder)
        for relative in spec.student_files:
            shutil.copy(repo / source / assignment_id / relative, folder / relative)
        ran = run_as_student(student_python, folder, script)
        assert ran.returncode == 0 and "Traceback" not in ran.stderr, ran.stderr[-2000:]  # Run All goes on
        assert ("checks failed" not in ran.stderr) == passes, ran.stdout[-2000:] + ran.stderr[-2000:]
        if not passes:
            assert ran.stderr.count("checks failed") == len(groups) and "not implemented yet" in ran.stderr
        report = ran.stdout if passes else ran.stderr
        for group in groups:  # the release knows the hidden points its checks leave out
            public = sum(c.points for c in checks.load(assignment_id, hidden=False) if c.group == group)
            hidden = build.points_by_group(assignment_id)[group] - public
            earned = public if passes else 0
            line = f"Public checks: {earned:g} of {public:g} point{'' if public == 1 else 's'}"
            if hidden:
                line += f"; {hidden:g} more point{' is' if hidden == 1 else 's are'} checked at grading"
            assert line in report.splitlines(), (line, report[-3000:])
    panels = "from autograde.student.panel import explore\n" + "".join(
        f"panel = explore({notebook!r})\nassert panel.train_button.description == 'Train'\n"
        for notebook in spec.notebooks)
    ran = run_as_student(student_python, tmp_path / "starter", panels)
    assert ran.returncode == 0, ran.stdout[-2000:] + ran.stderr[-2000:]


def test_feedback_shows_trusted_results_but_no_hidden_test(planted_course):
    feedback = [p for p in (planted_course / "feedback").rglob("*") if p.is_file()]
    html = [p for p in feedback if p.suffix == ".html"]
    assert len(html) == 4  # two students, two notebooks
    assert scan(feedback, [HIDDEN_CANARY, HIDDEN_TEST_CANARY, "BEGIN HIDDEN TESTS", "hidden=True)",
                           str(config.grading_secret(planted_course))]) == []
    # The starter's feedback holds nothing written in solutions/ (the reference's holds its own file).
    starter_files = [p for p in feedback if "/starter/" in str(p)]
    assert scan(starter_files, [SOLUTION_CANARY]) == []
    reference_html = next(p for p in html if "/reference/" in str(p) and p.name == "softmax.html").read_text()
    assert "Score from the autograder: 3 of 3 points" in reference_html


def test_feedback_reads_offline_with_no_bare_scores_and_says_which_accuracy_counts(planted_course):
    from autograde.course import feedback, preprocessor

    page = (planted_course / "feedback/reference/softmax_mlp/softmax.html").read_text()
    # Formulas as MathML, which the browser draws without MathJax (nothing left as raw LaTeX).
    released = nbformat.read(planted_course / "release/softmax_mlp/softmax.ipynb", as_version=4)
    formulas = sum(len(feedback.MATH.findall(c.source)) for c in released.cells if c.cell_type == "markdown")
    assert formulas >= 1 and page.count("<math") == formulas
    assert "\\frac" not in page and "\\text{" not in page
    # nbgrader reads a grade cell's partial credit from its result; the page shows it in the cell's heading only.
    assert not re.search(r"Out\[[^\]]*\]:.*?<pre>\d+\.\d+</pre>", page, re.S)
    assert "Score from the autograder" in page
    note = preprocessor.ACCURACY_NOTE.split(":")[0]
    assert page.count(note) == 1, "the accuracy cell, and no other, says which accuracy counts"


def test_the_feedback_page_and_the_class_report_as_a_browser_shows_them(planted_course, chromium, tmp_path):
    """Chromium opens the pages from disk with no network: the formulas are drawn (MathML has a size), the
    grade cells show their reports; screenshots go to build/screenshots/ to be looked at."""
    from playwright.sync_api import sync_playwright

    from autograde.reports import class_report
    from support.browser import CHROMIUM_ARGUMENTS, SCREENSHOTS

    report = class_report.write(planted_course, "softmax_mlp", tmp_path / "report.html")
    pages = {"feedback": planted_course / "feedback/starter/softmax_mlp/softmax.html", "report": report}
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGUMENTS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.route("**/*", lambda route: route.abort() if not route.request.url.startswith("file:")
                       else route.continue_())  # offline, as a student's laptop may be
            for name, path in pages.items():
                page.goto(path.as_uri())
                if name == "feedback":
                    formula = page.locator("math").first.bounding_box()
                    assert formula and formula["width"] > 50 and formula["height"] > 15, formula
                    assert page.get_by_text("Score from the autograder").count() >= 1
                page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        finally:
            browser.close()


@pytest.mark.parametrize("name", registry.get("softmax_mlp").notebooks)
def test_the_reference_notebooks_run_without_errors_and_earn_every_point(planted_course, name):
    notebook = nbformat.read(planted_course / f"autograded/reference/softmax_mlp/{name}.ipynb", as_version=4)
    errors = [c.source[:60] for c in notebook.cells if any(o.output_type == "error" for o in c.get("outputs", []))]
    assert errors == []
    _, rows = grade_table.collect(planted_course, "softmax_mlp")
    reference = next(r for r in rows if r.student == "reference")
    assert reference.score == reference.max_score == 39
