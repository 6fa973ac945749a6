"""Converted datasets carry the digests of their arrays: a truncated or altered .npz is found when it is
loaded and rebuilt from the verified download with one line saying so; a write that fails (a full disk)
leaves the previous file as it was; processes that fetch the same file at once download it once."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import zipfile

import numpy as np
import pytest

from data_scripts import DatasetUnavailable, load_mnist, mnist, store
from data_scripts.download import Digest, UrlSource, fetch
from support.fake_server import FakeServer
from support.formats import sha256


@pytest.fixture
def data_copy(mnist, repo, tmp_path):
    """A data folder holding MNIST's verified download (raw/) and its conversion, as the kit's own."""
    folder = tmp_path / "data"
    shutil.copytree(repo / "data" / "raw", folder / "raw", ignore=shutil.ignore_patterns("*.lock", "*.part"))
    mnist_npz = mnist_prepared(folder)
    return folder, mnist_npz


def mnist_prepared(folder):
    return mnist.prepare(folder)


def test_a_truncated_npz_is_rebuilt_from_the_verified_download_saying_so(data_copy, capfd):
    folder, path = data_copy
    whole = load_mnist(folder)
    capfd.readouterr()
    with open(path, "r+b") as file:
        file.truncate(path.stat().st_size // 2)  # what a full disk or a cut copy leaves
    reloaded = load_mnist(folder)
    lines = capfd.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "cannot be read (BadZipFile" in lines[0] and "rebuilding it from the verified" \
        in lines[0], lines
    np.testing.assert_array_equal(reloaded.train.images, whole.train.images)
    np.testing.assert_array_equal(reloaded.test.labels, whole.test.labels)
    assert store.problem(path) is None


def altered(path, key, change):
    """Rewrite ``path`` as a valid .npz with array ``key`` changed by ``change`` and the digests kept."""
    with np.load(path) as archive:
        arrays = {name: archive[name] for name in archive.files}
    arrays[key] = change(arrays[key].copy())
    with open(path, "wb") as file:
        np.savez(file, **arrays)


def test_an_array_changed_inside_a_readable_npz_is_found_by_its_digest(tmp_path):
    path = tmp_path / "data.npz"
    store.save_npz(path, {"x": np.arange(12, dtype=np.uint8).reshape(3, 4), "y": np.arange(3, dtype=np.uint8)})
    assert sorted(store.load_npz(path)) == ["x", "y"]

    def flip(array):
        array[1, 2] ^= 1
        return array

    altered(path, "x", flip)
    with pytest.raises(store.DamagedData, match=r"data.npz is damaged: x differ"):
        store.load_npz(path)
    altered(path, "y", lambda array: array[:2])
    with pytest.raises(store.DamagedData, match=r"x, y differ"):
        store.load_npz(path)


@pytest.mark.heavy
def test_python_m_data_scripts_verifies_and_rebuilds_an_altered_file(data_copy, repo):
    folder, path = data_copy
    before = path.read_bytes()
    altered(path, "y_test", lambda labels: (labels + 1) % 10)  # readable, every label wrong
    result = subprocess.run([sys.executable, "-m", "data_scripts", "mnist", "--data-dir", str(folder)],
                            cwd=repo, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(path)
    assert "y_test differ from what was written; rebuilding it" in result.stderr
    assert path.read_bytes() == before


def test_a_file_converted_without_digests_is_read_and_converted_again_by_prepare(data_copy, capfd):
    folder, path = data_copy
    with np.load(path) as archive:
        legacy = {name: archive[name] for name in archive.files if name != store.DIGESTS}
    with open(path, "wb") as file:
        np.savez(file, **legacy)
    assert sorted(store.load_npz(path)) == sorted(legacy), "a file of an older kit is still read"
    mnist.prepare(folder)
    assert "has no digests to verify it by" in capfd.readouterr().err
    assert store.problem(path) is None


def test_a_damaged_file_that_cannot_be_rebuilt_here_says_what_to_run(data_copy, monkeypatch):
    folder, path = data_copy
    path.write_bytes(b"PK\x03\x04 not a zip archive")

    def read_only(*_):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(mnist, "_convert", read_only)  # as in the grader's sandbox, where data is read-only
    with pytest.raises(DatasetUnavailable, match=r"cannot be read .*and it cannot be rebuilt here \(OSError: "
                                                 r".*Read-only file system\): run `python -m data_scripts mnist`"):
        load_mnist(folder)


FULL_DISK = """
import resource, sys
import numpy as np
from pathlib import Path
from data_scripts import store
resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))  # the disk fills after 200 kB
try:
    store.save_npz(Path(sys.argv[1]), {"x": np.ones(1_000_000, dtype=np.uint8)})
except OSError as error:
    print("failed:", error)
"""


@pytest.mark.heavy
def test_a_full_disk_during_the_write_leaves_the_previous_file_as_it_was(tmp_path, repo):
    path = tmp_path / "data.npz"
    store.save_npz(path, {"x": np.zeros(10, dtype=np.uint8)})
    before = path.read_bytes()
    result = subprocess.run([sys.executable, "-c", FULL_DISK, str(path)], cwd=repo, capture_output=True, text=True)
    assert result.stdout.startswith("failed:"), result.stdout + result.stderr
    assert path.read_bytes() == before
    assert store.problem(path) is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.npz"], "the half-written file was left behind"


def test_processes_fetching_the_same_file_at_once_download_it_once(tmp_path):
    root = tmp_path / "served"
    root.mkdir()
    (root / "file.bin").write_bytes(os.urandom(1 << 20))
    digest = Digest("sha256", sha256(root / "file.bin"))
    target = tmp_path / "data" / "file.bin"
    errors = []
    with FakeServer(root) as server:
        def one():
            try:
                fetch(target, digest, [UrlSource(f"{server.url}/slow/file.bin")], "advice")
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)

        threads = [threading.Thread(target=one) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert not errors, errors
    assert [path for path, _ in server.requests] == ["/slow/file.bin"]
    assert target.read_bytes() == (root / "file.bin").read_bytes()


def test_a_zip_with_a_corrupted_member_is_damaged_not_a_traceback(tmp_path):
    path = tmp_path / "data.npz"
    store.save_npz(path, {"x": np.arange(100_000, dtype=np.int64)})
    with zipfile.ZipFile(path) as archive:
        member = archive.getinfo("x.npy")
    data = bytearray(path.read_bytes())
    data[member.header_offset + 200] ^= 0xFF  # a byte inside the stored array: the zip's CRC no longer matches
    path.write_bytes(bytes(data))
    assert "cannot be read (BadZipFile" in store.problem(path)
