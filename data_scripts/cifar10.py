"""CIFAR-10: download the official python tarball, verify its md5, convert to .npz.

The .npz holds, for each of ``data_batch_1`` ... ``data_batch_5`` and ``test_batch``,
``<batch>_images`` (N, 3072) uint8 (1024 red, 1024 green, 1024 blue values of a 32x32
image, row-major, as in the tarball) and ``<batch>_labels`` (N,) uint8, plus ``label_names``,
``source_md5`` (the md5 of the tarball it came from) and ``origin``: ``official`` when that
md5 is the official tarball's, ``stand-in`` for the tarball ``write_stand_in`` generates, and
``other`` for any other tarball in CIFAR-10's format. Loaders label the data by these, so
nothing else is ever called CIFAR-10.

Where the official site cannot be reached (this kit's CI machines), ``prepare_stand_in`` writes
a stand-in in the exact tarball format: ten classes of noisy coloured patterns that a linear
classifier can partly separate. It exercises the same code end to end; it is not CIFAR-10.
"""
from __future__ import annotations

import gzip
import io
import pickle
import tarfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .download import Digest, UrlSource, fetch
from . import store
from .store import save_npz

URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
TARBALL = "cifar-10-python.tar.gz"
DIGEST = Digest("md5", "c58f30108f718f92721af3b95e74349a")
BATCHES = ("data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch")
FOLDER = "cifar-10-batches-py"
NPZ = "cifar10.npz"
VALUES = 32 * 32 * 3
STAND_IN_TARBALL = "cifar-10-stand-in-python.tar.gz"
#: Images per batch of the stand-in (the real batches hold 10,000): enough that the reference's test
#: accuracy varies by a fraction of a point between seeds, few enough to train in seconds.
STAND_IN_IMAGES = 3000


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


def source_md5(npz: Path) -> str | None:
    """The md5 of the tarball ``npz`` was converted from (None for a file without that record, or one that
    cannot be read)."""
    try:
        with np.load(npz, allow_pickle=False) as archive:
            return str(archive["source_md5"]) if "source_md5" in archive.files else None
    except store.UNREADABLE:
        return None


def _convert(tarball: Path, md5: str, origin: str, target: Path) -> Path:
    save_npz(target, {**read_tarball(tarball), "source_md5": np.array(md5), "origin": np.array(origin)})
    return target


def prepare(data_dir: Path, sources: Sources = Sources()) -> Path:
    """Make ``data_dir/cifar10.npz`` hold the tarball of ``sources``; download only what is missing.

    A .npz converted from another tarball (the stand-in, say) is replaced. Returns its path.
    """
    target = data_dir / NPZ
    if target.exists() and source_md5(target) == sources.digest.hexdigest:
        problem = store.problem(target)
        if problem is None:
            return target
        store.say_rebuilding(problem, f"the verified download in {data_dir / 'raw'}")
    tarball = data_dir / "raw" / TARBALL
    advice = ADVICE.format(url=URL, tarball=TARBALL, path=tarball, md5=sources.digest.hexdigest)
    fetch(tarball, sources.digest, [UrlSource(url) for url in sources.urls], advice)
    origin = "official" if sources.digest.hexdigest == DIGEST.hexdigest else "other"
    return _convert(tarball, sources.digest.hexdigest, origin, target)


def rebuild(data_dir: Path, problem: str) -> Path:
    """Convert ``data_dir/cifar10.npz`` again from the tarball in ``raw/``, saying why on stderr: the official
    one when it is there and matches its md5, else the generated stand-in (made again, byte for byte).
    Raises FileNotFoundError when neither is there."""
    raw = data_dir / "raw"
    store.say_rebuilding(problem, str(raw))
    if (raw / TARBALL).exists() and DIGEST.matches(raw / TARBALL):
        return _convert(raw / TARBALL, DIGEST.hexdigest, "official", data_dir / NPZ)
    if (raw / STAND_IN_TARBALL).exists():
        return prepare_stand_in(data_dir)
    raise FileNotFoundError(f"neither {TARBALL} nor {STAND_IN_TARBALL} is in {raw}")


def prepare_stand_in(data_dir: Path, images_per_batch: int = STAND_IN_IMAGES) -> Path:
    """Make ``data_dir/cifar10.npz`` hold the generated stand-in, unless it holds the official data.

    Raises FileExistsError rather than replace the official CIFAR-10.
    """
    target = data_dir / NPZ
    if target.exists() and source_md5(target) == DIGEST.hexdigest:
        raise FileExistsError(f"{target} holds the official CIFAR-10; the stand-in does not replace it")
    tarball = data_dir / "raw" / STAND_IN_TARBALL
    tarball.parent.mkdir(parents=True, exist_ok=True)
    md5 = write_stand_in(tarball, images_per_batch)
    return _convert(tarball, md5, "stand-in", target)


def stand_in_images(labels: np.ndarray, rng: np.random.Generator, templates: np.ndarray) -> np.ndarray:
    """Images (N, 3072) uint8: each its class's template at a random contrast and brightness, plus
    blotchy noise (8x8 blocks per channel, as natural images vary mostly at coarse scales) and pixel noise."""
    count = len(labels)
    contrast = rng.uniform(0.4, 1.2, size=(count, 1))
    brightness = rng.normal(128.0, 24.0, size=(count, 1))
    blotches = np.kron(rng.normal(0.0, 40.0, size=(count, 3, 8, 8)), np.ones((4, 4))).reshape(count, VALUES)
    noise = rng.normal(0.0, 8.0, size=(count, VALUES))
    return np.clip(brightness + contrast * templates[labels] + blotches + noise, 0, 255).astype(np.uint8)


def write_stand_in(path: Path, images_per_batch: int = STAND_IN_IMAGES, seed: int = 0) -> str:
    """Write a stand-in tarball in CIFAR-10's exact python format; return its md5.

    The file is the same byte for byte on every run with the same arguments (and numpy), so a
    bar calibrated on it holds wherever it is regenerated.
    """
    rng = np.random.default_rng(seed)
    # Smooth class templates: random 4x4 colour grids blown up to 32x32, one channel after another.
    coarse = rng.normal(0.0, 6.0, size=(10, 3, 4, 4))
    templates = np.kron(coarse, np.ones((8, 8))).reshape(10, VALUES)
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0, compresslevel=1) as compressed, \
            tarfile.open(fileobj=compressed, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        def add(name: str, content: dict) -> None:
            data = pickle.dumps(content, protocol=2)
            info = tarfile.TarInfo(f"{FOLDER}/{name}")
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))

        for batch in BATCHES:
            labels = rng.integers(0, 10, size=images_per_batch)
            images = stand_in_images(labels, rng, templates)
            add(batch, {b"batch_label": f"{batch} of the stand-in".encode(), b"labels": labels.tolist(),
                        b"data": images, b"filenames": [f"stand_in_{i:05d}.png".encode() for i in range(len(labels))]})
        names = [f"pattern {i}".encode() for i in range(10)]
        add("batches.meta", {b"label_names": names, b"num_vis": VALUES, b"num_cases_per_batch": images_per_batch})
    path.write_bytes(buffer.getvalue())
    return Digest("md5", "").of(path)


def describe(origin: str, md5: str) -> str:
    """One line saying what the data is, for every notebook and report that uses it."""
    if origin == "official" and md5 == DIGEST.hexdigest:
        return f"CIFAR-10 (the official tarball, md5 {md5})"
    if origin == "stand-in":
        return (f"a generated stand-in in CIFAR-10's format (md5 {md5}), NOT CIFAR-10: its accuracies say "
                "nothing about CIFAR-10; `python -m data_scripts cifar10` fetches the real data")
    return f"data in CIFAR-10's format from a tarball with md5 {md5}, NOT the official CIFAR-10"
