"""python -m data_scripts {mnist,cifar10} [--data-dir DIR]: download, verify and convert."""
import argparse
import sys
from pathlib import Path

from . import cifar10, data_dir, mnist
from .download import DownloadError

DATASETS = {"mnist": mnist.prepare, "cifar10": cifar10.prepare}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data_scripts", description=__doc__)
    parser.add_argument("dataset", choices=sorted(DATASETS))
    parser.add_argument("--data-dir", type=Path, default=None, help="default: $DLKIT_DATA or data/ in the kit")
    args = parser.parse_args(argv)
    directory = args.data_dir or data_dir()
    try:
        path = DATASETS[args.dataset](directory)
    except DownloadError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
