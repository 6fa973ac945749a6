"""Attacks from the student's notebook kernel, graded through `dlkit autograde` in one batch with an honest
submission: the kernel runs in a sandbox (autograde/sandbox/kernel.py), so each attack earns exactly what
the same stub earns without it (nothing), the honest submission keeps its solo grade, and nothing the
kernel saw or wrote reaches the feedback, the gradebook, the kit, another student or the next submission.
"""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from autograde import cli
from autograde.batch import tasks
from autograde.course import config
from autograde.kit import REPO
from autograde.reports import grade_table
from support.examples import bug_file, solo_score

STARTER = REPO / "starter/softmax_mlp/softmax_classifier.py"
HONEST = bug_file("softmax_mlp", "gradient_not_averaged", "softmax_classifier.py")
#: A value only the instructor's environment holds.
CANARY = "instructor-canary-5d8f2c"
#: Seconds a cell may run before it is interrupted, for this batch.
CELL_SECONDS = 10

SEARCH = """
import os
found = []
for root, folders, files in os.walk("/"):
    folders[:] = [f for f in folders if os.path.join(root, f) not in ("/proc", "/sys", "/dev")]
    for name in files:
        if name in ("thresholds.json", "hidden.py", "grading_secret", "gradebook.db", "calibration.json") \\
                or "solutions" in root.split(os.sep) or "assignments" in root.split(os.sep) and "hidden" in root:
            found.append(os.path.join(root, name))
print("FOUND", found)
for path in found[:20]:
    try:
        print(open(path, errors="replace").read()[:3000])
    except OSError as error:
        print(path, error)
"""

WRITE = """
import os, pathlib
here = pathlib.Path(os.getcwd())
course = here.parents[2]
targets = [course / "gradebook.db", course / "ledger" / "softmax_mlp.jsonl", course / "nbgrader_config.py",
           course / "submitted" / "honest" / "softmax_mlp" / "softmax_classifier.py",
           pathlib.Path("__REPO__") / "solutions" / "softmax_mlp" / "softmax_classifier.py",
           pathlib.Path("/tmp/dlkit-left-behind.txt"), here / "left_behind.txt", here / "softmax_classifier.py"]
for target in targets:
    try:
        with open(target, "a") as file:
            # Its own copy of the folder takes the writes (a comment, so the module still imports); nothing else.
            file.write("\\n# own copy\\n" if target.parent == here else "ATTACK-" + "WROTE-HERE")
        print("wrote", target)
    except OSError as error:
        print("refused", target, error)
"""

FORK = """
import os
while True:
    try:
        os.fork()
    except OSError:
        pass
"""

KERNEL_ATTACKS = {
    "searches_for_secrets": SEARCH,
    "writes_outside_its_folder": WRITE,
    "reads_the_environment": "import os\nprint('ENVIRONMENT', dict(os.environ))",
    "forks_without_end": FORK,
    "floods_the_output": "for number in range(10 ** 8):\n    print('flood ' * 200)",
    "never_finishes": "while True:\n    pass",
}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def graded(tmp_path_factory, release_copy):
    course_dir = release_copy("softmax_mlp", tmp_path_factory.mktemp("course"))
    incoming = tmp_path_factory.mktemp("incoming")
    (incoming / "honest").mkdir()
    shutil.copy(HONEST, incoming / "honest" / "softmax_classifier.py")
    released = nbformat.read(course_dir / "release/softmax_mlp/softmax.ipynb", as_version=4)
    setup = next(i for i, c in enumerate(released.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == "setup")
    for name, source in KERNEL_ATTACKS.items():
        (incoming / name).mkdir()
        shutil.copy(STARTER, incoming / name / "softmax_classifier.py")
        notebook = nbformat.read(course_dir / "release/softmax_mlp/softmax.ipynb", as_version=4)
        notebook.cells.insert(setup + 1, new_code_cell(source.replace("__REPO__", str(REPO))))
        nbformat.write(notebook, incoming / name / "softmax.ipynb")
    kit_before = {path: digest(path) for path in (REPO / "solutions/softmax_mlp").rglob("*.py")}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DLKIT_INSTRUCTOR_SECRET", CANARY)
        assert cli.main(["autograde", "softmax_mlp", "--course-dir", str(course_dir), "--submissions", str(incoming),
                         "--jobs", "2", "--cell-time-limit", str(CELL_SECONDS)]) == 0
    assert cli.main(["feedback", "softmax_mlp", "--course-dir", str(course_dir)]) == 0
    _, rows = grade_table.collect(course_dir, "softmax_mlp")
    assert {path: digest(path) for path in kit_before} == kit_before, "the kit's solutions changed"
    return course_dir, {row.student: row for row in rows}


@pytest.mark.parametrize("attack", sorted(KERNEL_ATTACKS))
def test_kernel_attack_earns_what_the_stub_earns(graded, attack):
    _, rows = graded
    assert rows[attack].status == tasks.GRADED, rows[attack].error
    assert rows[attack].score == 0, rows[attack].cells


def test_the_honest_submission_keeps_its_solo_grade(graded, tmp_path):
    course_dir, rows = graded
    alone = solo_score("softmax_mlp", HONEST, "softmax_classifier.py", course_dir, tmp_path / "honest")
    assert rows["honest"].score == alone > 0
    assert (course_dir / "submitted/honest/softmax_mlp/softmax_classifier.py").read_bytes() == HONEST.read_bytes()


def test_nothing_the_kernel_saw_or_wrote_reaches_the_course(graded):
    course_dir, _ = graded
    secret = str(config.grading_secret(course_dir))
    # The attackers' files (the honest student's own file is the reference with a mistake: it has the markers).
    written = [path for folder in ("autograded", "feedback") for attack in KERNEL_ATTACKS
               for path in (course_dir / folder / attack).rglob("*") if path.is_file()]
    assert len(written) > 2 * len(KERNEL_ATTACKS)
    leaks = {needle: [str(path) for path in written if needle.encode() in path.read_bytes()]
             for needle in (CANARY, secret, "fresh_seeds", "### BEGIN SOLUTION", "ATTACK-WROTE-HERE", "PYTEST")}
    # The autograded notebooks are the instructor's (nbgrader puts the hidden tests back); feedback never holds them.
    leaks.update({needle: [str(path) for path in written if "feedback" in path.parts and needle.encode() in
                           path.read_bytes()] for needle in ("BEGIN HIDDEN TESTS", "hidden=True)")})
    assert {needle: found for needle, found in leaks.items() if found} == {}
    assert not any(path.name == "left_behind.txt" for path in written)
    assert not Path("/tmp/dlkit-left-behind.txt").exists()
    assert b"ATTACK-WROTE-HERE" not in (course_dir / "gradebook.db").read_bytes()
    searched = nbformat.read(course_dir / "autograded/searches_for_secrets/softmax_mlp/softmax.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for c in searched.cells if c.cell_type == "code" for o in c.outputs)
    assert "FOUND []" in printed, printed[:2000]
    wrote = nbformat.read(course_dir / "autograded/writes_outside_its_folder/softmax_mlp/softmax.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for c in wrote.cells if c.cell_type == "code" for o in c.outputs)
    # The course, the other student and the kit refused the writes; its own copy of the folder and the
    # sandbox's private /tmp took them, and both were thrown away (above).
    assert printed.count("refused") == 5 and printed.count("wrote") == 3, printed


#: What the attack's own cell shows when it ran (so that no attack passes by failing to start).
RAN = {"searches_for_secrets": "FOUND []", "writes_outside_its_folder": "refused", "reads_the_environment": "DLKIT_DATA",
       "forks_without_end": "KeyboardInterrupt", "floods_the_output": "flood flood", "never_finishes": "KeyboardInterrupt"}


@pytest.mark.parametrize("attack", sorted(KERNEL_ATTACKS))
def test_each_attack_ran_in_the_kernel(graded, attack):
    course_dir, _ = graded
    notebook = nbformat.read(course_dir / f"autograded/{attack}/softmax_mlp/softmax.ipynb", as_version=4)
    [cell] = [c for c in notebook.cells if c.source == KERNEL_ATTACKS[attack].replace("__REPO__", str(REPO))]
    shown = "".join(o.get("text", "") + o.get("ename", "") + o.get("evalue", "") for o in cell.outputs)
    assert RAN[attack] in shown, shown[:2000]
    assert "NameError" not in shown


def test_a_flood_of_output_is_cut_short(graded):
    course_dir, _ = graded
    flooded = course_dir / "autograded/floods_the_output/softmax_mlp/softmax.ipynb"
    assert flooded.stat().st_size < 20 << 20
    assert "the notebook printed more than" in flooded.read_text()
