"""One rule for student ids (autograde/student_ids.py): the names the red team used are refused, each with
a one-line reason, and the names real courses use are kept."""
from __future__ import annotations

import unicodedata

import pytest

from autograde import student_ids

JOSE = "Jos\u00e9"


@pytest.mark.parametrize("name", ["alice", "a.smith@uni.edu", "s1234567", "o-brien", "x_y", JOSE, "\u674e\u534e",
                                  "\u0418\u0432\u0430\u043d", "9lives"])
def test_real_ids_are_kept(name):
    assert student_ids.problem(name) is None


@pytest.mark.parametrize("name, why", [
    ("..", "starts with a letter or a digit"),
    (".", "starts with a letter or a digit"),
    (".hidden", "starts with a letter or a digit"),
    (" alice", "starts with a letter or a digit"),
    ("-rf", "starts with a letter or a digit"),
    ("=HYPERLINK(1)", "starts with a letter or a digit"),
    ("a[b]", "not '[' ']'"),
    ("a b", "not a space"),
    ("new\nline", "not U+000A"),
    ("ab\u202ecd", "not U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    ("alice+x", "not '+'"),
    ("bad\udcff", "the name is not valid UTF-8 text"),
    (unicodedata.normalize("NFD", JOSE), "not in Unicode's composed form (NFC)"),
    ("x" * 65, "65 characters, more than 64"),
    ("", "the name is empty"),
])
def test_other_names_are_refused_with_a_one_line_reason(name, why):
    problem = student_ids.problem(name)
    assert problem is not None and why in problem and "\n" not in problem, problem
    assert "\n" not in student_ids.shown(name) and "\x1b" not in student_ids.shown(name + "\x1b[2J")


def test_names_that_are_one_student_once_case_is_folded_are_each_refused():
    clashes = student_ids.collisions(["Alice", "alice", "bob", JOSE, unicodedata.normalize("NFD", JOSE.lower())])
    assert clashes["Alice"] == "Alice and alice are the same student once case is folded: keep one"
    assert set(clashes) == {"Alice", "alice", JOSE, unicodedata.normalize("NFD", JOSE.lower())}
    assert student_ids.normalized(unicodedata.normalize("NFD", JOSE)) == JOSE
