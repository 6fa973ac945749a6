"""Plain `nbgrader autograde` against `dlkit autograde --jobs 2`, in the same run.

Builds one course with 40 submissions of the softmax exercise (the `softmax` notebook and
`softmax_classifier.py`: the reference, the starter, and the three example mistakes, in
turn), copies it, and grades the copies three ways:

- untrusted nbgrader: what an instructor runs without the kit's grading, `nbgrader autograde` with
  nbgrader's own preprocessors (the notebook executed unsandboxed, grade cells scored by what the
  kernel printed; no trusted checks, no sandbox), one process, one submission after another;
- trusted nbgrader: the same command with the course's configuration (sandboxed kernel, trusted
  checks), sequential (`commands.autograde`);
- `dlkit autograde --jobs 2`, the parallel path.

The two trusted runs must agree on every score. Prints submissions per minute of each, the ratios
against both baselines, where the time went, and the seconds per submission of every assignment
(the demo's submissions of each, graded by the parallel path).

    .venv/bin/python benchmarks/parallel_autograde.py [--submissions 40] [--jobs 2]

Other processes on the machine slow both runs down, and count in the CPU seconds (those of
the whole machine, read from /proc/stat); the load average is printed beside each phase so
that a reader can tell.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))  # support.dask_cluster

from autograde.authoring import demo  # noqa: E402
from autograde.batch import coordinator  # noqa: E402
from autograde.course import build, commands, config, submissions  # noqa: E402
from autograde.reports import grade_table  # noqa: E402
from autograde.student import registry  # noqa: E402
from data_scripts import load_mnist  # noqa: E402
from support.dask_cluster import tls_cluster  # noqa: E402

ASSIGNMENT = "softmax_mlp"


def stage_class(course_dir: Path, count: int) -> dict[str, str]:
    """``count`` softmax submissions cycling through the demo's (correct and buggy); student -> kind."""
    kinds = demo.demo_submissions(ASSIGNMENT, course_dir / "examples")
    names = sorted(kinds)
    students = {}
    for index in range(count):
        kind = names[index % len(names)]
        student = f"student_{index + 1:02d}_{kind}"
        folder = submissions.stage(course_dir, ASSIGNMENT, student,
                                         {"softmax_classifier.py": kinds[kind]["softmax_classifier.py"]})
        (folder / "mlp.ipynb").unlink()  # the softmax exercise alone
        students[student] = kind
    return students


def untrusted_config(course_dir: Path) -> None:
    """The course's configuration without the kit's grading: nbgrader's default preprocessors."""
    path = course_dir / "nbgrader_config.py"
    text = path.read_text()
    line = "c.Autograde.autograde_preprocessors = _preprocessors\n"
    assert line in text, "the course's configuration no longer sets the preprocessors this way"
    path.write_text(text.replace(line, "# (the kit's preprocessors left out: nbgrader's defaults)\n"))


def machine_cpu_seconds() -> float:
    """CPU seconds every process of the machine has used (/proc/stat). Resource usage of
    children would miss the sandboxes: a process killed inside bubblewrap's PID namespace is
    never waited for by anyone whose usage we can read."""
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def measure(name: str, grade) -> dict:
    load_before = os.getloadavg()[0]
    cpu = machine_cpu_seconds()
    started = time.perf_counter()
    grade()
    seconds = time.perf_counter() - started
    cpu = machine_cpu_seconds() - cpu
    print(f"{name}: {seconds:.0f} s wall, {cpu:.0f} s CPU of the machine, load average {load_before:.1f} -> "
          f"{os.getloadavg()[0]:.1f}", flush=True)
    return {"seconds": seconds, "cpu": cpu}


def scores(course_dir: Path) -> dict[str, tuple]:
    _, rows = grade_table.collect(course_dir, ASSIGNMENT)
    return {row.student: (row.score, tuple(sorted(row.cells.items()))) for row in rows}


def per_assignment(root: Path, jobs: int, size: int) -> None:
    """Seconds per submission of each assignment: a class of ``size`` submissions cycling through the
    demo's (the reference, the starter, the example mistakes), whole notebooks, parallel path. A class
    several times larger than ``jobs`` keeps the last submission's wait alone out of the average."""
    print(f"\nseconds per submission of each assignment ({size} submissions cycling through the demo's, "
          f"--jobs {jobs}):")
    print(f"{'assignment':<22}{'submissions':>12}{'wall s each':>13}{'worker s each':>15}{'reference':>11}")
    for assignment_id in registry.ids():
        course_dir = root / f"each-{assignment_id}"
        build.release(course_dir, assignment_id)
        roster = demo.demo_submissions(assignment_id, course_dir / "examples")
        kinds = sorted(roster)
        for index in range(size):
            kind = kinds[index % len(kinds)]
            submissions.stage(course_dir, assignment_id, f"student_{index + 1:02d}_{kind}", roster[kind])
        summary = coordinator.grade_class(course_dir, assignment_id, jobs=jobs, progress=False)
        worker_seconds = statistics.fmean(r.seconds for r in summary.results)
        reference = statistics.fmean(r.seconds for r in summary.results if r.student_id.endswith("_reference"))
        print(f"{assignment_id:<22}{size:>12}{summary.seconds / size:>13.1f}{worker_seconds:>15.1f}"
              f"{reference:>11.1f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--submissions", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--skip-assignments", action="store_true", help="only the softmax comparison")
    parser.add_argument("--class-size", type=int, default=10,
                        help="submissions per assignment in the last table (default 10)")
    parser.add_argument("--dask", action="store_true",
                        help="also grade the class on a local Dask cluster (`dask scheduler` and `dask worker "
                             "--nworkers JOBS --nthreads 1`) and compare it with --jobs")
    args = parser.parse_args()
    load_mnist()
    print(f"{os.cpu_count()} cores; {args.submissions} submissions of the softmax exercise", flush=True)
    with tempfile.TemporaryDirectory(prefix="dlkit-bench-") as scratch:
        root = Path(scratch)
        plain_dir = root / "plain"  # trusted, sequential
        build.release(plain_dir, ASSIGNMENT)
        kinds = stage_class(plain_dir, args.submissions)
        ours_dir = root / "ours"
        shutil.copytree(plain_dir, ours_dir)
        config.write(ours_dir)

        untrusted_dir = root / "untrusted"
        shutil.copytree(plain_dir, untrusted_dir)
        untrusted_config(untrusted_dir)
        untrusted = measure("untrusted nbgrader autograde (nbgrader's own preprocessors, sequential)",
                            lambda: commands.run(untrusted_dir, "autograde", ASSIGNMENT, "--force"))
        plain = measure("trusted nbgrader autograde (one process, sequential)",
                        lambda: commands.autograde(plain_dir, ASSIGNMENT))
        summary = None

        def ours_run():
            nonlocal summary
            summary = coordinator.grade_class(ours_dir, ASSIGNMENT, jobs=args.jobs)

        ours = measure(f"dlkit autograde --jobs {args.jobs}", ours_run)

        dask = None
        if args.dask:
            dask_dir = root / "dask"
            shutil.copytree(plain_dir, dask_dir)
            config.write(dask_dir)
            # `dask scheduler` and `dask worker` processes on 127.0.0.1, with the course's TLS certificates.
            with tls_cluster(dask_dir, args.jobs, root / "dask-logs") as cluster:
                dask = measure(f"dlkit autograde --scheduler (a local Dask cluster of {args.jobs} worker processes)",
                               lambda: coordinator.grade_class(dask_dir, ASSIGNMENT, scheduler=cluster.address))
            assert scores(dask_dir) == scores(plain_dir), "the Dask run disagrees on a score"

        assert commands.untrusted_notebooks(plain_dir, ASSIGNMENT) == []
        assert commands.untrusted_notebooks(ours_dir, ASSIGNMENT) == []
        plain_scores, our_scores = scores(plain_dir), scores(ours_dir)
        assert plain_scores == our_scores, "the two runs disagree on a score"
        failed = [r.student_id for r in summary.results if r.status != "graded"]
        assert not failed, f"not graded: {failed}"

        count = args.submissions
        plain_rate, our_rate = count / plain["seconds"] * 60, count / ours["seconds"] * 60
        print(f"\nevery one of the {count} scores agrees, and every grade cell carries the trusted result")
        untrusted_rate = count / untrusted["seconds"] * 60
        print(f"{'':<34}{'submissions/min':>16}{'s each':>9}{'CPU s each':>12}")
        print(f"{'untrusted nbgrader (sequential)':<34}{untrusted_rate:>16.2f}{untrusted['seconds'] / count:>9.1f}"
              f"{untrusted['cpu'] / count:>12.1f}")
        print(f"{'trusted nbgrader (sequential)':<34}{plain_rate:>16.2f}{plain['seconds'] / count:>9.1f}"
              f"{plain['cpu'] / count:>12.1f}")
        print(f"{f'dlkit autograde --jobs {args.jobs}':<34}{our_rate:>16.2f}{ours['seconds'] / count:>9.1f}"
              f"{ours['cpu'] / count:>12.1f}")
        if dask:
            dask_rate = count / dask["seconds"] * 60
            print(f"{'dlkit autograde --scheduler (Dask)':<34}{dask_rate:>16.2f}{dask['seconds'] / count:>9.1f}"
                  f"{dask['cpu'] / count:>12.1f}")
            print(f"ratio (Dask / --jobs {args.jobs}, the goal is within 10%): {dask_rate / our_rate:.2f}x")
        print(f"ratio (ours / trusted sequential nbgrader): {our_rate / plain_rate:.2f}x")
        print(f"ratio (ours / untrusted nbgrader, the goal is >= 1.0x): {our_rate / untrusted_rate:.2f}x")
        by_kind: dict[str, list[float]] = {}
        for result in summary.results:
            by_kind.setdefault(kinds[result.student_id], []).append(result.seconds)
        print("\nseconds on a worker per softmax submission, by kind:")
        for kind, seconds in sorted(by_kind.items()):
            print(f"  {kind:<22}{statistics.fmean(seconds):>6.1f}  (score {our_scores[next(s for s, k in kinds.items() if k == kind)][0]:g}/39)")
        if not args.skip_assignments:
            per_assignment(root, args.jobs, args.class_size)


if __name__ == "__main__":
    main()
