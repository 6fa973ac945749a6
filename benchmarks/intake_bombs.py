"""What the red team's archives cost the coordinator before they are refused (issue 32, item 6).

A 4 MiB .tar.gz whose ``data/`` folder (left out by name) unpacks to GiBs, and a zip with hundreds of
thousands of ``__MACOSX/`` entries used to be listed in full (29.5 s and 11-14 s on the red team's
machine) before a single file was size-checked. Each is read with ``read_submission`` as
``dlkit autograde --submissions`` reads it, beside an honest archive of the same assignment; the table
gives the seconds until the archive is read or refused, and the ratio against the honest archive,
measured in the same run.

    .venv/bin/python benchmarks/intake_bombs.py [--gib 4] [--entries 300000]
"""
from __future__ import annotations

import argparse
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from autograde import intake, kit  # noqa: E402
from autograde.course import submissions  # noqa: E402
from autograde.student import registry  # noqa: E402

ASSIGNMENT = "softmax_mlp"


def timed(path: Path, allowed: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    try:
        files, _, _ = submissions.read_submission(path, allowed)
        outcome = f"read, {len(files)} files"
    except intake.SubmissionRejected as error:
        outcome = "refused: " + str(error)[:70]
    return time.perf_counter() - started, outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gib", type=float, default=4.0, help="GiB of zeros in the tar's data/ folder")
    parser.add_argument("--entries", type=int, default=300_000, help="__MACOSX/ entries in the zip")
    args = parser.parse_args()
    spec = registry.get(ASSIGNMENT)
    allowed = list(spec.student_files) + [f"{n}.ipynb" for n in spec.notebooks]
    files = {name: (kit.solutions(ASSIGNMENT) / name).read_bytes() for name in spec.student_files}
    with tempfile.TemporaryDirectory() as folder:
        honest, litter, data = Path(folder, "honest.zip"), Path(folder, "litter.zip"), Path(folder, "data.tar.gz")
        for path, extra in ((honest, 0), (litter, args.entries)):
            with zipfile.ZipFile(path, "w") as archive:
                for name, content in files.items():
                    archive.writestr(name, content)
                for i in range(extra):
                    archive.writestr(f"__MACOSX/._{i}", b"")
        with open("/dev/zero", "rb") as zeros, tarfile.open(data, "w:gz", compresslevel=1) as archive:
            for name in files:
                archive.add(kit.solutions(ASSIGNMENT) / name, name)
            big = tarfile.TarInfo("data/cifar.bin")
            big.size = int(args.gib * (1 << 30))
            archive.addfile(big, zeros)
        baseline = min(timed(honest, allowed)[0] for _ in range(5))
        print(f"{'archive':<44} {'MiB':>8} {'seconds':>9} {'x honest':>9}  outcome")
        for path, label in ((honest, "honest .zip"), (litter, f"zip, {args.entries:,} __MACOSX/ entries"),
                            (data, f"tar.gz, {args.gib:g} GiB under data/")):
            seconds, outcome = timed(path, allowed) if path != honest else (baseline, timed(path, allowed)[1])
            print(f"{label:<44} {path.stat().st_size / (1 << 20):>8.1f} {seconds:>9.4f} {seconds / baseline:>9.1f}  "
                  f"{outcome}")


if __name__ == "__main__":
    main()
