"""Datasets of the kit: download, verify, convert to .npz, and load without pickle.

``python -m data_scripts mnist`` / ``... cifar10`` prepare a dataset; the loaders below
prepare it on first use. Data lives in ``$DLKIT_DATA``, by default ``data/`` beside this
package (git-ignored).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import cifar10, mnist
from .store import load_npz

#: Share of the canonical training set kept for validation: its last 10,000 of 60,000 images,
#: as in mnist.pkl.gz.
VALIDATION_SHARE = 1 / 6


def data_dir() -> Path:
    configured = os.environ.get("DLKIT_DATA")
    return Path(configured) if configured else Path(__file__).resolve().parent.parent / "data"


@dataclass(frozen=True)
class Split:
    """Images (N, D) float32 in [0, 1] and integer labels (N,)."""

    images: np.ndarray
    labels: np.ndarray

    def one_hot(self, classes: int = 10) -> np.ndarray:
        """Labels as an (N, classes) float64 one-hot matrix."""
        return np.eye(classes)[self.labels]


@dataclass(frozen=True)
class MNIST:
    train: Split       # 50,000 images
    validation: Split  # 10,000 images: the last of the canonical training set
    test: Split        # 10,000 images


def load_mnist(directory: Path | None = None) -> MNIST:
    """MNIST with the 50k/10k/10k split, images flattened to 784 values in [0, 1]."""
    arrays = load_npz(mnist.prepare(directory or data_dir()))

    def split(images, labels):
        return Split(images.astype(np.float32) / 255, labels.astype(np.int64))

    cut = round(len(arrays["x_train"]) * (1 - VALIDATION_SHARE))
    return MNIST(
        train=split(arrays["x_train"][:cut], arrays["y_train"][:cut]),
        validation=split(arrays["x_train"][cut:], arrays["y_train"][cut:]),
        test=split(arrays["x_test"], arrays["y_test"]),
    )


def load_cifar10(directory: Path | None = None) -> dict[str, Split]:
    """CIFAR-10 batches by name (``data_batch_1`` ... ``test_batch``), values in [0, 1]."""
    arrays = load_npz(cifar10.prepare(directory or data_dir()))
    return {
        batch: Split(arrays[f"{batch}_images"].astype(np.float32) / 255, arrays[f"{batch}_labels"].astype(np.int64))
        for batch in cifar10.BATCHES
    }
