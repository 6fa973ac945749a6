"""check_group in a student's release, where only that assignment's checks are installed."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from autograde import assignments, checks, course

PROBE = """
import autograde
from autograde.notebook import check_group
print(autograde.__file__)
check_group({group!r})
"""


@pytest.mark.parametrize("assignment_id", sorted(assignments.ASSIGNMENTS))
def test_a_grade_cell_runs_its_public_checks_in_the_release(repo, tmp_path, assignment_id):
    source = course.build_source(tmp_path, assignment_id)
    for relative in assignments.get(assignment_id).student_files:
        shutil.copy(repo / "solutions" / assignment_id / relative, source / relative)
    group = next(c.group for c in checks.load(assignment_id, hidden=False))
    # `python -c` puts the current folder first on sys.path, as the notebook's kernel does.
    completed = subprocess.run([sys.executable, "-c", PROBE.format(group=group)], cwd=source, capture_output=True,
                               text=True, env=course.environment())
    assert completed.returncode == 0, completed.stderr[-2000:]
    released, report = completed.stdout.split("\n", 1)
    assert released == str(source / "autograde" / "__init__.py")
    assert "PASS" in report and "FAIL" not in report, report
