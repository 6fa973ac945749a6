"""The one loader of grading data: each dataset loaded once per grader process, whoever asks first."""
from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

from autograde.student import registry

if TYPE_CHECKING:
    from data_scripts import CIFAR10, MNIST


@functools.cache
def mnist() -> MNIST:
    """MNIST (downloaded when missing)."""
    from data_scripts import load_mnist

    return load_mnist()


def cifar10() -> CIFAR10:
    """The CIFAR-10 batches (or data in their format) in the data folder, loaded once per folder."""
    from data_scripts import data_dir

    return _cifar10(str(data_dir().resolve()))


@functools.cache
def _cifar10(directory: str) -> CIFAR10:
    from data_scripts import load_cifar10

    return load_cifar10(Path(directory))


def for_assignment(assignment_id: str) -> MNIST | CIFAR10:
    """The dataset ``assignment_id`` is graded on, so that a batch never starts without it.

    MNIST is downloaded when missing; CIFAR-10 must be prepared first (``python -m data_scripts
    cifar10``). Raises ``data_scripts.DatasetUnavailable`` or ``DownloadError``, saying what to do.
    """
    return cifar10() if registry.get(assignment_id).data == "cifar10" else mnist()
