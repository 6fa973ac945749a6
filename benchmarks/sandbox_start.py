"""What starting the module sandbox costs: bubblewrap, Python, and the import of the student's files.

For each assignment's reference, and for the same reference with top-level imports of the packages the
release offers (``import matplotlib.pyplot as plt``, ``from tqdm import tqdm``, ``import ipywidgets``,
as real students write them), the sandbox is started and stopped ``--repeats`` times; the table gives
the median seconds of a start (up to the student's modules imported and the sandbox answering), and the
ratio against the plain reference of the same assignment, measured in the same run.

    .venv/bin/python benchmarks/sandbox_start.py [--repeats 7] [--assignment ID ...]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from autograde import kit  # noqa: E402
from autograde.sandbox.process import Sandbox  # noqa: E402
from autograde.student import registry  # noqa: E402

#: What a real student's file begins with, beside numpy.
IMPORTS = "import matplotlib.pyplot as plt\nfrom tqdm import tqdm\nimport ipywidgets\nimport pickle\n"


def folder(assignment_id: str, root: Path, imports: str) -> Path:
    """The reference's student files and the release's provided files, each student file opening with ``imports``."""
    spec = registry.get(assignment_id)
    code = root / f"{assignment_id}-{len(imports)}"
    for relative in spec.files:
        source = (kit.solutions(assignment_id) if relative in spec.student_files else kit.starter(assignment_id))
        target = code / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        text = (source / relative).read_text()
        target.write_text(imports + text if relative in spec.student_files else text)
    return code


def start_seconds(assignment_id: str, code: Path, repeats: int) -> float:
    spec = registry.get(assignment_id)
    times = []
    for _ in range(repeats):
        with Sandbox(code, spec.student_modules, spec.provided_modules) as sandbox:
            started = time.perf_counter()
            sandbox.ensure_started()
            times.append(time.perf_counter() - started)
            if sandbox.import_error or sandbox.import_errors:
                failure = sandbox.import_error or next(iter(sandbox.import_errors.values()))
                return float("nan") if "No module named" in failure["message"] else _fail(failure)
    return statistics.median(times)


def _fail(failure: dict) -> float:
    raise SystemExit(f"the reference did not import: {failure}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--assignment", action="append", choices=registry.ids())
    args = parser.parse_args()
    print(f"{'assignment':<22}{'reference s':>12}{'with imports s':>16}{'ratio':>8}")
    with tempfile.TemporaryDirectory(prefix="dlkit-bench-") as scratch:
        root = Path(scratch)
        root.chmod(0o755)
        for assignment_id in args.assignment or registry.ids():
            plain = start_seconds(assignment_id, folder(assignment_id, root, ""), args.repeats)
            imports = start_seconds(assignment_id, folder(assignment_id, root, IMPORTS), args.repeats)
            shown = "fails" if imports != imports else f"{imports:.3f}"
            ratio = "-" if imports != imports else f"{imports / plain:.2f}"
            print(f"{assignment_id:<22}{plain:>12.3f}{shown:>16}{ratio:>8}", flush=True)


if __name__ == "__main__":
    main()
