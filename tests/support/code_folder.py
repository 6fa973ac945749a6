"""A folder of student modules for the module sandbox: ``layers.py`` with ``source``, readable by the sandbox's
own user (the folder 0755, the file 0644)."""
from __future__ import annotations

from pathlib import Path


def code_folder(tmp_path: Path, source: str, name: str = "layers.py") -> Path:
    folder = tmp_path / "code"
    folder.mkdir()
    (folder / name).write_text(source)
    folder.chmod(0o755)
    (folder / name).chmod(0o644)
    return folder
