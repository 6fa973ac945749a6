"""Small datasets written in the exact formats of the real downloads."""
from __future__ import annotations

import gzip
import hashlib
import io
import pickle
import tarfile
import zipfile
from pathlib import Path

import numpy as np


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def small_mnist(train: int = 60, test: int = 10, seed: int = 0):
    rng = np.random.default_rng(seed)
    return {
        "x_train": rng.integers(0, 256, size=(train, 784), dtype=np.uint8),
        "y_train": rng.integers(0, 10, size=train).astype(np.uint8),
        "x_test": rng.integers(0, 256, size=(test, 784), dtype=np.uint8),
        "y_test": rng.integers(0, 10, size=test).astype(np.uint8),
    }


def write_idx(folder: Path, arrays) -> dict[str, str]:
    """The four gzipped IDX files; returns their sha256 by file name."""
    def idx(array, magic):
        header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
        return gzip.compress(header + array.tobytes())

    files = {
        "train-images-idx3-ubyte.gz": idx(arrays["x_train"].reshape(-1, 28, 28), 0x0803),
        "train-labels-idx1-ubyte.gz": idx(arrays["y_train"], 0x0801),
        "t10k-images-idx3-ubyte.gz": idx(arrays["x_test"].reshape(-1, 28, 28), 0x0803),
        "t10k-labels-idx1-ubyte.gz": idx(arrays["y_test"], 0x0801),
    }
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return {name: sha256(folder / name) for name in files}


def write_mnist_pickle(path: Path, arrays, validation: int = 10) -> str:
    """mnist.pkl.gz as the course's Theano-era file: float32 pixels p/256, int64 labels, 3 splits."""
    cut = len(arrays["x_train"]) - validation

    def split(x, y):
        return (x.astype(np.float32) / 256, y.astype(np.int64))

    content = (split(arrays["x_train"][:cut], arrays["y_train"][:cut]),
               split(arrays["x_train"][cut:], arrays["y_train"][cut:]),
               split(arrays["x_test"], arrays["y_test"]))
    path.write_bytes(gzip.compress(pickle.dumps(content, protocol=2)))
    return sha256(path)


def write_wheel(path: Path, name: str, version: str, members: dict[str, bytes]) -> None:
    """A minimal but valid wheel holding ``members``."""
    dist = f"{name.replace('-', '_')}-{version}.dist-info"
    with zipfile.ZipFile(path, "w") as wheel:
        for member, data in members.items():
            wheel.writestr(member, data)
        wheel.writestr(f"{dist}/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
        wheel.writestr(f"{dist}/WHEEL", "Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        wheel.writestr(f"{dist}/RECORD", "")


def write_cifar_tarball(path: Path, images_per_batch: int = 20, seed: int = 0) -> dict:
    """cifar-10-python.tar.gz in the official layout; returns the arrays it holds."""
    rng = np.random.default_rng(seed)
    arrays = {}
    with tarfile.open(path, "w:gz") as tar:
        def add(name, content):
            data = pickle.dumps(content, protocol=2)
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))

        for batch in ("data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch"):
            images = rng.integers(0, 256, size=(images_per_batch, 3072), dtype=np.uint8)
            labels = rng.integers(0, 10, size=images_per_batch).tolist()
            add(batch, {b"batch_label": batch.encode(), b"labels": labels, b"data": images, b"filenames": []})
            arrays[batch] = (images, np.array(labels))
        names = [b"airplane", b"automobile", b"bird", b"cat", b"deer", b"dog", b"frog", b"horse", b"ship", b"truck"]
        add("batches.meta", {b"label_names": names, b"num_vis": 3072, b"num_cases_per_batch": images_per_batch})
    return arrays
