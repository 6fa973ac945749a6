"""Fixtures of the tests of grading a class: the released course they copy."""
from __future__ import annotations

import pytest

from support.softmax_class import ASSIGNMENT


@pytest.fixture(scope="module")
def released(tmp_path_factory, release_copy):
    return release_copy(ASSIGNMENT, tmp_path_factory.mktemp("released") / "course")
