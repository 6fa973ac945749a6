"""python -m data_scripts {mnist,cifar10,cifar10-stand-in} [--data-dir DIR]: download, verify and convert.

``cifar10-stand-in`` writes a generated stand-in in CIFAR-10's format where the official site
cannot be reached; everything that uses it says that it is not CIFAR-10.
"""
import argparse
import sys
from pathlib import Path

from . import cifar10, data_dir, mnist
from .download import DownloadError

DATASETS = {"mnist": mnist.prepare, "cifar10": cifar10.prepare, "cifar10-stand-in": cifar10.prepare_stand_in}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data_scripts", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", choices=sorted(DATASETS))
    parser.add_argument("--data-dir", type=Path, default=None, help="default: $DLKIT_DATA or data/ in the kit")
    args = parser.parse_args(argv)
    directory = args.data_dir or data_dir()
    try:
        path = DATASETS[args.dataset](directory)
    except (DownloadError, FileExistsError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
