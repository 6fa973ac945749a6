"""CIFAR-10: download the official python tarball, verify its md5, convert to .npz.

The .npz holds, for each of ``data_batch_1`` ... ``data_batch_5`` and ``test_batch``,
``<batch>_images`` (N, 3072) uint8 (1024 red, 1024 green, 1024 blue values of a 32x32
image, row-major, as in the tarball) and ``<batch>_labels`` (N,) uint8, plus ``label_names``.
"""
from __future__ import annotations

import pickle
import tarfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .download import Digest, UrlSource, fetch
from .store import save_npz

URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
TARBALL = "cifar-10-python.tar.gz"
DIGEST = Digest("md5", "c58f30108f718f92721af3b95e74349a")
BATCHES = ("data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch")
FOLDER = "cifar-10-batches-py"
NPZ = "cifar10.npz"
VALUES = 32 * 32 * 3


@dataclass(frozen=True)
class Sources:
    urls: tuple[str, ...] = (URL,)
    digest: Digest = DIGEST


ADVICE = ("CIFAR-10 comes only from its official site ({url}). Download {tarball} there with a "
          "browser, put it at {path} (md5 {md5}) and run `python -m data_scripts cifar10` again.")


def read_tarball(path: Path) -> dict[str, np.ndarray]:
    """Arrays of every batch in the tarball. Call only after its checksum matched: it unpickles."""
    arrays: dict[str, np.ndarray] = {}
    with tarfile.open(path, "r:gz") as tar:
        for batch in BATCHES:
            member = tar.extractfile(f"{FOLDER}/{batch}")
            if member is None:
                raise ValueError(f"{path.name} has no {FOLDER}/{batch}")
            content = pickle.loads(member.read(), encoding="bytes")
            images = np.asarray(content[b"data"], dtype=np.uint8)
            labels = np.asarray(content[b"labels"], dtype=np.int64)
            if images.ndim != 2 or images.shape[1] != VALUES or labels.shape != (images.shape[0],):
                raise ValueError(f"{batch}: data {images.shape}, labels {labels.shape}")
            if labels.min() < 0 or labels.max() > 9:
                raise ValueError(f"{batch}: labels outside 0-9")
            arrays[f"{batch}_images"] = images
            arrays[f"{batch}_labels"] = labels.astype(np.uint8)
        meta = tar.extractfile(f"{FOLDER}/batches.meta")
        names = pickle.loads(meta.read(), encoding="bytes")[b"label_names"] if meta else []
        arrays["label_names"] = np.array([n.decode() for n in names], dtype=str)
    return arrays


def prepare(data_dir: Path, sources: Sources = Sources()) -> Path:
    """Make ``data_dir/cifar10.npz`` exist; download only what is missing. Returns its path."""
    target = data_dir / NPZ
    if target.exists():
        return target
    tarball = data_dir / "raw" / TARBALL
    advice = ADVICE.format(url=URL, tarball=TARBALL, path=tarball, md5=sources.digest.hexdigest)
    fetch(tarball, sources.digest, [UrlSource(url) for url in sources.urls], advice)
    save_npz(target, read_tarball(tarball))
    return target
