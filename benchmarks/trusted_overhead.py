"""Overhead of trusted grading against checking inside the student's process.

For each example submission of the softmax exercise, runs every check (public, hidden and
the accuracy check) twice in the same run: once the way a notebook does, importing the
student's module into this process, and once the trusted way, with the student's code in
the bubblewrap sandbox behind the proxy. Prints seconds per submission and the ratio.

    .venv/bin/python benchmarks/trusted_overhead.py
"""
from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from autograde.authoring import catalogue  # noqa: E402
from autograde.grading import runner  # noqa: E402
from autograde.sandbox import confine  # noqa: E402
from autograde.student import checks, modules, outcome  # noqa: E402
from data_scripts import load_mnist  # noqa: E402

SUBMISSIONS = {
    "reference": REPO / "solutions/softmax_mlp/softmax_classifier.py",
    "starter": REPO / "starter/softmax_mlp/softmax_classifier.py",
    "gradient_not_averaged": None,            # catalogued bugs, written from the reference
    "softmax_without_max_subtraction": None,
}


def folder_for(path: Path | None, root: Path, name: str) -> Path:
    folder = root / name
    if path is None:
        return catalogue.submission(catalogue.bug("softmax_mlp", name), folder)
    folder.mkdir()
    shutil.copy(path, folder / "softmax_classifier.py")
    shutil.copy(REPO / "starter/softmax_mlp/softmax_training.py", folder)
    return folder


def in_process(folder: Path) -> float:
    code = modules.student_code("softmax_mlp", folder)
    return outcome.earned([outcome.CheckOutcome.of(c, c.run(code)) for c in checks.load("softmax_mlp")])


def main() -> None:
    load_mnist()  # both ways read the same cached data; keep the first load out of the timings
    print(f"sandbox: {'bubblewrap' if confine.bubblewrap() else 'resource limits only (bwrap missing)'}")
    print(f"{'submission':<22}{'in-process s':>14}{'trusted s':>12}{'ratio':>8}  score")
    ratios, plain_times, trusted_times = [], [], []
    with tempfile.TemporaryDirectory() as scratch:
        for name, path in SUBMISSIONS.items():
            folder = folder_for(path, Path(scratch), name)
            started = time.perf_counter()
            plain_score = in_process(folder)
            plain = time.perf_counter() - started
            started = time.perf_counter()
            trusted_score = outcome.earned(runner.run("softmax_mlp", folder).outcomes)
            trusted = time.perf_counter() - started
            assert plain_score == trusted_score, f"{name}: {plain_score} in process, {trusted_score} trusted"
            plain_times.append(plain)
            trusted_times.append(trusted)
            ratios.append(trusted / plain)
            print(f"{name:<22}{plain:>14.2f}{trusted:>12.2f}{trusted / plain:>8.2f}  {trusted_score:g}/13")
    print(f"{'mean':<22}{statistics.fmean(plain_times):>14.2f}{statistics.fmean(trusted_times):>12.2f}"
          f"{statistics.fmean(trusted_times) / statistics.fmean(plain_times):>8.2f}")


if __name__ == "__main__":
    main()
