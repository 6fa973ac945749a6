"""`make test-fast` (pytest --fast) runs the tier of the suite that starts no process: a test marked heavy is
left out, and a test of the tier that starts a process fails, saying how to move it out of the tier."""
from __future__ import annotations

import shutil

pytest_plugins = ["pytester"]

TESTS = '''
import subprocess

import pytest


def test_light():
    assert 1 + 1 == 2


@pytest.mark.heavy
def test_marked_heavy():
    subprocess.run(["true"], check=True)


def test_starts_a_process_unmarked():
    subprocess.run(["true"], check=True)
'''


def test_the_fast_tier_leaves_heavy_tests_out_and_fails_one_that_starts_a_process(pytester, repo):
    shutil.copy(repo / "tests" / "conftest.py", pytester.path / "conftest.py")
    pytester.makepyfile(test_tier=TESTS)
    fast = pytester.runpytest_inprocess("--fast", "-p", "no:cacheprovider")
    fast.assert_outcomes(passed=1, failed=1, deselected=1)
    fast.stdout.fnmatch_lines(["*test_starts_a_process_unmarked starts a process, so it is not in the one-minute "
                               "tier: mark it @pytest.mark.heavy, or list its module in HEAVY_MODULES*"])
    everything = pytester.runpytest_inprocess("--collect-only", "-q", "-p", "no:cacheprovider")
    everything.stdout.fnmatch_lines(["3 tests collected*"])
