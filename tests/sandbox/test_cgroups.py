"""Each sandbox runs in control groups of its own (issue 34, item 1): its processes together stay within the
memory limit, the process limit and one core. Before, every limit was per process: four processes of one
sandbox could each fill the address-space limit, and its spinners took every core of the machine."""
from __future__ import annotations

import textwrap

import pytest

from autograde.limits import Limits
from autograde.sandbox import cgroups, confine, process
from autograde.sandbox.context import GradingContext
from autograde.sandbox.proxy import RemoteCode
from support.kernel_run import run
from support.code_folder import code_folder

pytestmark = [pytest.mark.skipif(confine.bubblewrap() is None, reason="needs bubblewrap"),
              pytest.mark.skipif(cgroups.parents() is None, reason="needs cgroup v1's memory, pids and cpu")]

HOGS = textwrap.dedent('''
    import os, time


    def children(count, work):
        """Run ``work`` in ``count`` child processes at once; how many ended well."""
        pids = []
        for _ in range(count):
            pid = os.fork()
            if pid == 0:
                try:
                    work()
                finally:
                    os._exit(0)
            pids.append(pid)
        return sum(os.waitpid(pid, 0)[1] == 0 for pid in pids)


    def touch(count, mebibytes):
        """Each of ``count`` processes touches ``mebibytes`` of memory (every page) and holds it a moment."""
        def work():
            block = bytearray(mebibytes << 20)
            block[::4096] = b"x" * len(block[::4096])
            time.sleep(1)
        return children(count, work)


    def spin_after_touching(count, mebibytes):
        """``touch`` (too much memory, say), then spin without end."""
        touch(count, mebibytes)
        while True:
            pass


    def spin(count, seconds):
        """``count`` processes spin for ``seconds`` of wall time; (CPU seconds they used, wall seconds)."""
        def work():
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                pass
        started, before = time.monotonic(), os.times()
        children(count, work)
        after = os.times()
        return after.children_user + after.children_system - before.children_user - before.children_system, \\
            time.monotonic() - started
''')


def sandbox(tmp_path, limits: Limits) -> process.Sandbox:
    folder = code_folder(tmp_path, HOGS)
    return process.Sandbox(folder, ("layers",), (), limits)


def test_the_memory_limit_holds_for_all_of_a_sandboxs_processes_together(tmp_path):
    limits = Limits(memory_bytes=1 << 30)
    with sandbox(tmp_path, limits) as box:
        code = RemoteCode(box)
        assert code.touch(2, 300) == 2  # 600 MiB together: within the limit
        with pytest.raises(process.SandboxError, match=r"your code ended the grading process: it used more than "
                                                       r"1 GiB of memory \(all its processes together\)"):
            code.touch(4, 400)  # 1.6 GiB together, each process within its own address-space limit
        assert code.touch(1, 100) == 1, "the next call gets a fresh sandbox"
        assert (box.group.folders["pids"] / "pids.max").read_text().strip() == str(limits.processes)
    assert box.group is None, "the group was not removed with the sandbox"


def test_a_call_that_runs_out_of_time_after_the_memory_limit_killed_a_process_says_both(tmp_path):
    with sandbox(tmp_path, Limits(memory_bytes=1 << 30, call_seconds=3)) as box:
        with pytest.raises(process.SandboxError, match=r"too slow: spin_after_touching\(\) computed for more than "
                                                       r"3 s \(CPU time\) in one call \(meanwhile its processes used "
                                                       r"more than 1 GiB of memory \(all its processes together\), and "
                                                       r"one of them was killed\)"):
            RemoteCode(box).spin_after_touching(4, 400)


def test_a_sandboxs_processes_share_one_core(tmp_path):
    with sandbox(tmp_path, Limits()) as box:
        used, wall = RemoteCode(box).spin(4, 1.5)
    assert used < 1.25 * wall, f"4 spinners used {used:.2f} CPU seconds in {wall:.2f} s: more than one core"


def test_a_notebook_whose_processes_go_over_the_memory_limit_together_is_told_so(tmp_path):
    context = GradingContext()
    try:
        printed = run(context, tmp_path, HOGS, "print(touch(2, 200))", "print(touch(3, 900))", "print('went on')",
                      limits=Limits(memory_bytes=2 << 30))
    finally:
        context.close()
    assert printed[1].strip() == "2", printed
    assert "the notebook used more than 2 GiB of memory (all its processes together)" in printed[2], printed
    assert printed[3].strip() == "went on", "the kernel itself lived on, and only the cell that went over says so"
    assert context.kernel_template is None
