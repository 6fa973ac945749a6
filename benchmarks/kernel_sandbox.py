"""What the notebook kernel's sandbox costs: nbgrader's execution of the submitted notebooks with the
sandboxed kernel (``SandboxedExecute``, what grading uses) against plain nbgrader ``Execute`` (an
unsandboxed kernel, as before), in the same run.

Releases the softmax_mlp assignment, and executes both of its notebooks (``softmax`` and ``mlp``) of
each demo submission both ways, alternating which goes first, with the grading environment
(``DLKIT_QUICK=1``, one BLAS thread). Prints the seconds of each notebook both ways, the seconds per
submission (both notebooks) the sandbox adds, and the ratio.

    .venv/bin/python benchmarks/kernel_sandbox.py [--rounds 3]
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

import nbformat  # noqa: E402
from nbgrader.preprocessors import Execute  # noqa: E402
from traitlets.config import Config  # noqa: E402

from autograde.authoring import demo  # noqa: E402
from autograde.course import build, commands  # noqa: E402
from autograde.course.execute import SandboxedExecute  # noqa: E402
from autograde.limits import Limits  # noqa: E402
from autograde.sandbox import confine  # noqa: E402
from autograde.student import registry  # noqa: E402
from data_scripts import load_mnist  # noqa: E402

ASSIGNMENT = "softmax_mlp"


def execute(kind: type[Execute], folder: Path, notebook: str) -> float:
    """Seconds nbgrader's ``kind`` takes to run ``folder/notebook`` as grading does."""
    settings = Config()
    settings.SandboxedKernelManager.limits = Limits().to_dict()
    preprocessor = kind(config=settings, timeout=Limits.cell_seconds, interrupt_on_timeout=True, allow_errors=True)
    nb = nbformat.read(folder / notebook, as_version=4)
    started = time.perf_counter()
    preprocessor.preprocess(nb, {"metadata": {"path": str(folder)}})
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="times each submission's notebooks run each way")
    args = parser.parse_args()
    if not confine.bubblewrap():
        sys.exit("bubblewrap (bwrap) is not installed: there is no sandbox to measure")
    load_mnist()
    os.environ.update(commands.environment(), **confine.SINGLE_THREADED)
    notebooks = [f"{name}.ipynb" for name in registry.get(ASSIGNMENT).notebooks]
    root = Path(tempfile.mkdtemp(prefix="dlkit-kernel-bench-"))
    try:
        course_dir = root / "course"
        build.release(course_dir, ASSIGNMENT)
        kinds = demo.demo_submissions(ASSIGNMENT, root / "examples")
        times: dict[tuple[str, str], list[float]] = {}
        for round_ in range(args.rounds):
            for index, (kind, files) in enumerate(sorted(kinds.items())):
                folder = root / "run" / kind
                shutil.rmtree(folder, ignore_errors=True)
                shutil.copytree(course_dir / "release" / ASSIGNMENT, folder)
                for name, path in files.items():
                    shutil.copy(path, folder / name)
                order = [Execute, SandboxedExecute] if (round_ + index) % 2 == 0 else [SandboxedExecute, Execute]
                for way in order:
                    for notebook in notebooks:
                        times.setdefault((way.__name__, notebook), []).append(execute(way, folder, notebook))
        print(f"{len(kinds)} submissions of {ASSIGNMENT} x {args.rounds} rounds, each notebook run both ways; "
              f"load average {os.getloadavg()[0]:.2f}")
        print(f"{'notebook':<16}{'Execute (s)':>14}{'SandboxedExecute (s)':>24}{'added (s)':>12}")
        added = 0.0
        for notebook in notebooks:
            plain = statistics.median(times[("Execute", notebook)])
            boxed = statistics.median(times[("SandboxedExecute", notebook)])
            added += boxed - plain
            print(f"{notebook:<16}{plain:>14.2f}{boxed:>24.2f}{boxed - plain:>12.2f}")
        plain_total = sum(statistics.median(times[("Execute", n)]) for n in notebooks)
        print(f"per submission (both notebooks): {plain_total:.2f} s unsandboxed, {plain_total + added:.2f} s "
              f"sandboxed: the sandbox adds {added:.2f} s ({(plain_total + added) / plain_total:.2f}x)")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
