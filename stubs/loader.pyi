# What autograde/sandbox/server.py imports as ``loader``: inside the sandbox, autograde/student/loader.py is
# imported by its plain name (the sandbox has no autograde package). For mypy only (pyproject.toml: mypy_path).
from autograde.student.loader import *
