# Two commands a new user needs: `make demo` and `make test`. Each creates .venv first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test starter clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) and "Python 3.11 is required, found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip
	$(VPY) -m pip install --quiet -e .
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/dlkit demo

test: $(STAMP)
	$(VPY) -m pytest

starter: $(STAMP)
	$(VENV)/bin/dlkit starter

clean:
	rm -rf build
