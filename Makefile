# Two commands a new user needs: `make demo` and `make test`. Each creates .venv first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast test-slow starter clean sandbox browser database bench-torch

# Student code is graded inside bubblewrap, under a seccomp filter made with libseccomp; install both where we
# can (root with apt-get).
sandbox:
	@{ command -v bwrap >/dev/null && ldconfig -p | grep -q 'libseccomp\.so\.2'; } || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && apt-get install -y -qq bubblewrap libseccomp2 >/dev/null; \
	  else \
	    echo "WARNING: bubblewrap (bwrap) or libseccomp is not installed and cannot be installed here;"; \
	    echo "WARNING: student code will run with less confinement. Install the bubblewrap and libseccomp2 packages."; \
	  fi; }

# The browser test of the notebooks' hyperparameter panels drives Debian's Chromium through
# Playwright; no browser is ever downloaded (`playwright install` is never run).
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null; \
	  else \
	    echo "WARNING: /usr/bin/chromium is missing and cannot be installed here: the browser test will fail."; \
	    echo "WARNING: install Debian's chromium package, or set DLKIT_SKIP_BROWSER_TESTS=1 to skip that test."; \
	  fi; }

# The shared-gradebook test starts its own PostgreSQL server from Debian's package (it is skipped,
# saying why, where the server cannot be had).
database:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    { apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql >/dev/null; } || \
	      echo "WARNING: installing PostgreSQL failed: its test will be skipped."; \
	  else \
	    echo "WARNING: PostgreSQL is not installed and cannot be installed here: its test will be skipped."; \
	  fi; }

$(VPY):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) and "Python 3.11 is required, found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip

# Each target installs the sets of pyproject.toml it needs: the instructor's tools for the demo,
# everything (instructor, dask, browser, test) for the tests.
INSTRUCTOR := $(VENV)/.instructor
$(INSTRUCTOR): pyproject.toml setup.py | $(VPY)
	$(VPY) -m pip install --quiet -e ".[instructor]"
	touch $(INSTRUCTOR)

$(STAMP): pyproject.toml setup.py | $(VPY)
	$(VPY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: $(INSTRUCTOR) sandbox
	$(VENV)/bin/dlkit demo

test: $(STAMP) sandbox browser database
	$(VPY) -m pytest -n 2 --dist loadfile

# The one-minute tier for a developer's loop: the tests that start no process (tests/conftest.py's
# HEAVY_MODULES and @pytest.mark.heavy are left out; a test of the tier that starts one fails).
test-fast: $(STAMP)
	$(VPY) -m pytest -n 2 --fast

# Not part of `make test` (tens of minutes): every accuracy bar against 20 fresh seeds of the reference,
# recorded as the bar's fresh_seeds in autograde/grading/thresholds.json. One BLAS thread, as in the sandbox:
# the reference's small products gain little from more, and lose much when other work shares the cores.
test-slow: $(STAMP) sandbox
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(VPY) -m pytest -m slow

starter: $(STAMP)
	$(VENV)/bin/dlkit starter

clean:
	rm -rf build

# Not part of `make test`: PyTorch's CPU build (about 900 MB), in an environment of its own so that the kit's
# stays as it is, with the kit's numpy; compares seconds per epoch. Where the package index has no `+cpu`
# builds, set PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu.
TORCH_VENV := .venv-torch
bench-torch: $(STAMP)
	test -x $(TORCH_VENV)/bin/python || $(PYTHON) -m venv $(TORCH_VENV)
	$(TORCH_VENV)/bin/python -m pip install --quiet torch==2.13.0+cpu threadpoolctl \
	  "tqdm==$$($(VPY) -c 'import tqdm; print(tqdm.__version__)')" \
	  "numpy==$$($(VPY) -c 'import numpy; print(numpy.__version__)')"
	$(TORCH_VENV)/bin/python benchmarks/deep_mlp_vs_torch.py --epochs 3
