"""Write .npz files atomically, with the digest of their arrays, and read them back verified and
without pickle."""
from __future__ import annotations

import hashlib
import json
import os
import sys
import zipfile
import zlib
from pathlib import Path

import numpy as np

#: The member of each .npz the kit writes that holds the sha256 of every other array.
DIGESTS = "sha256"
#: What reading a damaged .npz raises (a truncated zip, a bad member, a cut array).
UNREADABLE = (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError, KeyError)


class DamagedData(ValueError):
    """A converted dataset that cannot be read, or whose arrays are not the ones it was written with."""


def _digest(array: np.ndarray) -> str:
    """sha256 of an array's dtype, shape and bytes."""
    hashed = hashlib.sha256(f"{array.dtype.str}{array.shape}".encode())
    hashed.update(np.ascontiguousarray(array).data)
    return hashed.hexdigest()


def save_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write ``arrays`` and their digests to ``path`` through a temporary file, so a reader never sees
    half of it (and two processes writing the same file at once each write a whole one); when the
    write fails (a full disk), the previous file is left as it was."""
    digests = np.array(json.dumps({key: _digest(np.asarray(value)) for key, value in arrays.items()}, sort_keys=True))
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as stream:
            np.savez(stream, **arrays, **{DIGESTS: digests})
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def load_npz(path: Path, require_digests: bool = False) -> dict[str, np.ndarray]:
    """The arrays of ``path``, each checked against the digest it was written with.

    Raises DamagedData for a file that cannot be read or whose arrays do not match; a file without
    digests (converted by an older kit) is read as it is, unless ``require_digests``.
    """
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except FileNotFoundError:
        raise
    except UNREADABLE as error:
        raise DamagedData(f"{path} cannot be read ({type(error).__name__}: {error})") from None
    if DIGESTS not in arrays:
        if require_digests:
            raise DamagedData(f"{path} has no digests to verify it by (converted by an older kit)")
        return arrays
    expected = json.loads(str(arrays.pop(DIGESTS)))
    wrong = sorted(key for key in expected.keys() | arrays.keys()
                   if key not in arrays or _digest(arrays[key]) != expected.get(key))
    if wrong:
        raise DamagedData(f"{path} is damaged: {', '.join(wrong)} differ from what was written")
    return arrays


def say_rebuilding(problem: str, source: str) -> None:
    """The one line a rebuild of a damaged file prints on stderr: what is wrong, and what it is rebuilt from."""
    print(f"data_scripts: {problem}; rebuilding it from {source}", file=sys.stderr, flush=True)


def problem(path: Path) -> str | None:
    """Why ``path`` cannot be trusted (it cannot be read, an array does not match its digest, or it has no
    digests), or None when every array is the one it was written with."""
    try:
        load_npz(path, require_digests=True)
    except DamagedData as damage:
        return str(damage)
    return None
