"""The notebook kernels of a folder fork from one sandboxed template (autograde/sandbox/kernel.py): they
start with ipykernel, numpy and matplotlib imported, run one after another in the same copy of the
folder, and nothing a kernel left running meets the next one. Scratch folders of killed graders are
removed by the next one."""
from __future__ import annotations

import errno
import os
import subprocess
import sys

import pytest

from autograde.limits import Limits
from autograde.sandbox import confine, procfs
from autograde.sandbox.context import GradingContext
from support.kernel_run import run

pytestmark = pytest.mark.skipif(confine.bubblewrap() is None, reason="needs bubblewrap")


@pytest.fixture
def context():
    grading = GradingContext()
    yield grading
    grading.close()


def test_the_notebooks_of_a_folder_share_one_template_and_its_copy_of_the_folder(context, tmp_path):
    (tmp_path / "given.txt").write_text("submitted")
    first = run(context, tmp_path, "import sys, os\nprint(sorted(m for m in ('numpy', 'matplotlib.pyplot') if m in sys.modules))",
                "open('written.txt', 'w').write('by the first notebook')\nprint(os.getppid())",
                "import numpy\nprint(numpy.random.randint(10 ** 9))",
                "import subprocess\nleft = subprocess.Popen(['sleep', '1000'], start_new_session=True)\nprint(left.pid)")
    template = context.kernel_template
    assert template is not None and template.alive()
    second = run(context, tmp_path, "import os\nprint(open('written.txt').read(), open('given.txt').read())\nprint(os.getppid())",
                 "import numpy\nprint(numpy.random.randint(10 ** 9))",
                 f"import os\nprint(os.path.exists('/proc/{first[3].strip()}'))")
    assert context.kernel_template is template, "the second notebook of the folder started a sandbox of its own"
    assert first[0].strip() == "['matplotlib.pyplot', 'numpy']", "the kernel did not start from the template"
    assert second[0].split("\n")[0] == "by the first notebook submitted", second[0]
    assert first[1].strip() == second[0].split("\n")[1].strip(), "both kernels are children of the template"
    assert first[2] != second[1], "the two kernels drew the same random numbers from numpy's global generator"
    assert second[2].strip() == "False", "a process the first notebook left running met the second"
    # The folder itself never changes: the kernels wrote to the sandbox's copy.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["given.txt"]


def test_another_folder_stops_the_template_and_removes_its_copy(context, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert run(context, tmp_path / "a", "print(1 + 1)") == ["2\n"]
    first = context.kernel_template
    assert run(context, tmp_path / "b", "print(2 + 2)") == ["4\n"]
    assert not first.alive() and not first.private.exists()
    second = context.kernel_template
    context.close()
    assert not second.alive() and not second.private.exists() and context.kernel_template is None


def test_gradings_do_not_share_a_template(context, tmp_path):
    """Two gradings of one folder (the same submission graded twice) each start a template of their own."""
    assert run(context, tmp_path, "print(1)") == ["1\n"]
    other = GradingContext()
    try:
        assert run(other, tmp_path, "print(2)") == ["2\n"]
        assert other.kernel_template is not context.kernel_template and context.kernel_template.alive()
    finally:
        other.close()


def test_without_a_handed_context_the_notebooks_of_a_folder_share_the_processs_template(tmp_path):
    """nbgrader at the terminal (or formgrader's button) grades submission after submission in one process and
    makes a new SandboxedExecute for each notebook: they all serve the process's one context, so the notebooks
    of a folder share its template, and the next folder's notebook stops it (no template is left running)."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    try:
        first = run(None, tmp_path / "a", "import os\nopen('written.txt', 'w').write('by the first')\nprint(os.getppid())")
        template = GradingContext.of_process().kernel_template
        second = run(None, tmp_path / "a", "import os\nprint(open('written.txt').read(), os.getppid())")
        assert second == [f"by the first {first[0].strip()}\n"], "the second notebook had a template of its own"
        assert run(None, tmp_path / "b", "print(1 + 1)") == ["2\n"]
        assert not template.alive() and not template.private.exists(), "the first folder's template was left running"
    finally:
        GradingContext.of_process().close()


def test_folders_of_processes_that_are_gone_are_removed_and_live_ones_kept(tmp_path):
    mine = procfs.owned_folder("dlkit-test-", str(tmp_path))
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = tmp_path / f"dlkit-test-{ended.stdout.strip()}.1-abcdefgh"
    reused = tmp_path / f"dlkit-test-{os.getpid()}.1-abcdefgh"  # this pid, but another process's start time
    other = tmp_path / "dlkit-test-notours"
    for folder in (dead, reused, other):
        (folder / "inside").mkdir(parents=True)
    assert sorted(procfs.remove_stale("dlkit-test-", str(tmp_path))) == sorted([dead, reused])
    assert mine.is_dir() and other.is_dir() and not dead.exists() and not reused.exists()


FILL = """
import os, sys
def fill(folder, limit=64):
    written = 0
    try:
        for index in range(limit):
            with open(os.path.join(folder, f"fill{index}.bin"), "wb") as out:
                out.write(b"x" * (8 << 20))
            written += 8
    except OSError as error:
        return error.errno, written
    return 0, written
sockets = os.path.dirname(sys.argv[sys.argv.index("-f") + 1])
print(repr((fill("."), fill(sockets))))
"""


@pytest.mark.skipif(os.getuid() != 0, reason="only root mounts the kernel folder's tmpfs")
def test_what_a_notebook_writes_stays_within_its_folders_size_and_off_the_hosts_disk(tmp_path):
    """Issue 34: a notebook wrote 1 GiB into its folder's copy on the host's /tmp in 2.7 s (each file within the
    file-size limit). The copy and the kernels' sockets now live in a tmpfs of Limits.folder_bytes."""
    context = GradingContext()
    try:
        printed = run(context, tmp_path, FILL, limits=Limits(folder_bytes=48 << 20))
        private = context.kernel_template.private
        assert procfs.mounts_below(private) == [str(private)]
    finally:
        context.close()
    (folder_errno, in_folder), (sockets_errno, in_sockets) = eval(printed[0])
    assert folder_errno == errno.ENOSPC and in_folder <= 48, printed
    assert sockets_errno == errno.ENOSPC and in_sockets == 0, printed
    assert not private.exists() and procfs.mounts_below(private) == []


@pytest.mark.skipif(os.getuid() != 0, reason="only root mounts")
def test_a_killed_graders_mounted_folder_is_unmounted_and_removed_by_the_next(tmp_path):
    folder = tmp_path / "dlkit-kernel-4194303.1-k2j4x9ab"  # as owned_folder names it, for a process that is gone
    folder.mkdir()
    assert procfs.mount_tmpfs(folder, 1 << 20) is None
    (folder / "left.txt").write_text("by a grader killed before it could unmount")
    assert procfs.remove_stale("dlkit-kernel-", str(tmp_path)) == [folder]
    assert not folder.exists() and procfs.mounts_below(tmp_path) == []
