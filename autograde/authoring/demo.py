"""``dlkit demo``: the kit's main job on its example submissions, from nothing to the grade tables.

Fetch the data, build each assignment's release, autograde a small class (the reference, written as
students write their files: it opens with top-level imports of every package the release offers, the
catalogue's real-code pattern ``top_level_imports``; the untouched starter; the catalogued bugs marked
``example = true``; the adversarial examples kept by hand in examples/), generate feedback, print the
grade table and write the class report.
"""
from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from autograde import kit
from autograde.authoring import catalogue
from autograde.batch import coordinator
from autograde.course import build, commands, submissions
from autograde.limits import Limits
from autograde.reports import class_report, grade_table
from autograde.student import registry

#: Example submissions kept by hand: those no edit of the reference makes (one that attacks the grader).
EXAMPLES = kit.REPO / "examples"


def demo_submissions(assignment_id: str, folder: Path) -> dict[str, dict[str, Path]]:
    """The demo's class (student -> path in the submission -> file): the reference, the untouched
    starter, each catalogued example bug (written into ``folder``) and each example in examples/."""
    spec = registry.get(assignment_id)
    reference = catalogue.submission(catalogue.pattern(assignment_id, "top_level_imports"), folder / assignment_id
                                     / "reference")
    found = {
        "reference": {f: reference / f for f in spec.student_files},
        "starter": {f: kit.starter(assignment_id) / f for f in spec.student_files},
    }
    for bug in catalogue.examples(assignment_id):
        written = catalogue.submission(bug, folder / assignment_id / bug.name)
        found[bug.name] = {f: written / f for f in spec.student_files}
    by_hand = EXAMPLES / assignment_id
    for example in sorted(by_hand.iterdir()) if by_hand.is_dir() else []:
        if example.is_dir():
            found[example.name] = {p.relative_to(example).as_posix(): p for p in example.rglob("*.py")}
    return found


def demo_cifar10(data_dir: Path, sources=None) -> str:
    """Make CIFAR-10 ready for the demo: the official data, or where it cannot be fetched, the
    generated stand-in in its format. Returns the line that says which."""
    from data_scripts import cifar10, load_cifar10
    from data_scripts.download import DownloadError

    if not (data_dir / cifar10.NPZ).exists():
        try:
            cifar10.prepare(data_dir, sources or cifar10.Sources())
        except DownloadError as error:
            cifar10.prepare_stand_in(data_dir)
            reason = error.reasons[0] if error.reasons else str(error).splitlines()[0]
            return (f"CIFAR-10 could not be downloaded ({reason}); linear_cifar10 is graded on "
                    f"{load_cifar10(data_dir).description}")
    return f"linear_cifar10 is graded on {load_cifar10(data_dir).description}"


def run(course_dir: Path, jobs: int | None = None) -> int:
    """The whole demo in ``course_dir`` (emptied first); 0 when it ran to the end."""
    from data_scripts import data_dir, load_mnist

    started = time.perf_counter()
    if course_dir.exists():
        shutil.rmtree(course_dir)
    print("1/5 fetching MNIST and CIFAR-10 ...", flush=True)
    load_mnist()
    print(demo_cifar10(data_dir()), flush=True)
    for assignment_id in registry.ids():
        print(f"2/5 building the release of {assignment_id} ...", flush=True)
        build.release(course_dir, assignment_id)
        with tempfile.TemporaryDirectory(prefix="dlkit-demo-") as written:
            roster = demo_submissions(assignment_id, Path(written))
            for student_id, files in roster.items():
                submissions.stage(course_dir, assignment_id, student_id, files)
        print(f"3/5 autograding {len(roster)} submissions in parallel: {', '.join(roster)} ...", flush=True)
        # The kit's own examples: where bubblewrap is missing they are graded with resource limits only
        # (the grade table says so), where students' submissions would be refused.
        summary = coordinator.grade_class(course_dir, assignment_id, jobs=jobs, limits=Limits(sandbox_required=False))
        print(summary.describe(), flush=True)
        print("4/5 generating feedback ...", flush=True)
        commands.feedback(course_dir, assignment_id)
        print(f"5/5 grade table of {assignment_id}:\n")
        columns, rows = grade_table.collect(course_dir, assignment_id)
        print(grade_table.table(columns, rows))
        report = class_report.write(course_dir, assignment_id)
        print(f"\nautograde: {summary.seconds / len(roster):.1f} s per submission; "
              f"feedback in {course_dir / 'feedback'}; grade report {report}")
    print(f"demo finished in {time.perf_counter() - started:.0f} s")
    return 0
