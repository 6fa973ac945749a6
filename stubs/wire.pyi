# What autograde/sandbox/server.py imports as ``wire``: inside the sandbox, wire.py lies beside it and is imported
# by its plain name (the sandbox has no autograde package). For mypy only (pyproject.toml: mypy_path).
from autograde.sandbox.wire import *
from autograde.sandbox.wire import Chunk as Chunk
