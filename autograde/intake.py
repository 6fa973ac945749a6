"""Read a submission's files safely: regular files below its folder, nothing a link or a name points elsewhere.

A submission is untrusted input. It may hold a symlink to the reference solution, to another
student's folder or to /etc/passwd; a hard link to a file outside it; a device or a fifo that
blocks the reader; a name with ``..``; or a file large enough to fill the disk. Every entry point
that reads one (``dlkit autograde --submissions``, nbgrader's ``submitted/`` folder, the files of
the feedback) goes through ``read_folder``, which refuses all of these with a message naming the
file, and never follows a link: folders are walked without following links and files are opened
with ``O_NOFOLLOW``.
"""
from __future__ import annotations

import datetime
import fnmatch
import os
import stat
import tarfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from autograde import printable

#: The archives a student may hand in instead of a folder, by the end of their name.
ARCHIVES = (".zip", ".tar.gz", ".tgz", ".tar")
#: What archivers add that no submission needs (macOS's resource forks and folder settings).
ARCHIVER_LITTER = ("__MACOSX", ".DS_Store", "Thumbs.db")


class SubmissionRejected(Exception):
    """A submission that breaks a rule of ``read_folder``: the message names the file and the rule."""


@dataclass(frozen=True)
class IntakeLimits:
    """How much a submission may hold."""

    file_bytes: int = 16 << 20      # one file
    total_bytes: int = 64 << 20     # every file of the submission
    files: int = 1000               # how many files
    depth: int = 32                 # folders one inside another
    #: Every entry of an archive, ignored ones (``__MACOSX/``, ``data/``) and folders included: an archive is
    #: listed before anything is skipped, so what it holds in all is what listing it costs.
    entries: int = 10_000
    archive_bytes: int = 256 << 20  # every member of an archive, declared sizes, ignored ones included


def _ignored(name: str, ignore) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for pattern in ignore)


def read_folder(folder: Path, ignore=(), limits: IntakeLimits = IntakeLimits(), only=None) -> dict[str, bytes]:
    """Every regular file below ``folder`` (relative POSIX path -> content), names matching ``ignore`` left out.

    With ``only`` (relative paths), just those files are read, where they exist. Raises
    SubmissionRejected for a symlink (to a file or a folder), a file with other hard links, a device,
    fifo or socket, a name that is not a plain name, a file over ``limits.file_bytes``, or a
    submission over ``limits.total_bytes`` or ``limits.files``.
    """
    folder = Path(folder)
    if folder.is_symlink():
        raise SubmissionRejected(f"{folder} is a symbolic link: a submission is a folder of regular files")
    wanted = None if only is None else set(only)
    files: dict[str, bytes] = {}
    total = 0
    for relative in _walk(folder, Path(), ignore, limits.depth):
        name = relative.as_posix()
        if wanted is not None and name not in wanted:
            continue
        content = _read_regular(folder, relative, limits)
        total += len(content)
        if total > limits.total_bytes:
            raise SubmissionRejected(f"the submission holds more than {limits.total_bytes:,} bytes "
                                     f"(the limit is passed at {name})")
        if len(files) >= limits.files:
            raise SubmissionRejected(f"the submission holds more than {limits.files} files")
        files[name] = content
    return files


def names(folder: Path, ignore=()) -> list[str]:
    """The relative POSIX paths of the files below ``folder``, with the checks of ``read_folder`` on
    every entry but the size ones (nothing is read)."""
    folder = Path(folder)
    if folder.is_symlink():
        raise SubmissionRejected(f"{folder} is a symbolic link: a submission is a folder of regular files")
    return [relative.as_posix() for relative in _walk(folder, Path(), ignore)]


def archive_stem(name: str) -> str | None:
    """``alice`` for ``alice.zip`` or ``alice.tar.gz``; None for a name that is not an archive's."""
    for suffix in ARCHIVES:
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            return name[:-len(suffix)]
    return None


def archive_members(path: Path, ignore=(), limits: IntakeLimits = IntakeLimits()) -> dict[str, datetime.datetime]:
    """The files of an archive (path inside it -> when it was last modified, as the archive records it:
    UTC; a zip's times carry no zone and are read as UTC), every member checked as by ``read_archive``,
    none read."""
    return {name: modified for name, (_, modified) in _members(path, ignore, limits).items()}


def folder_times(folder: Path, names) -> dict[str, datetime.datetime]:
    """When each of the files ``names`` below ``folder`` was last modified (UTC), links not followed."""
    return {name: datetime.datetime.fromtimestamp(os.stat(folder / name, follow_symlinks=False).st_mtime,
                                                  datetime.timezone.utc).replace(tzinfo=None)
            for name in names}


def _members(path: Path, ignore, limits: IntakeLimits) -> dict[str, tuple[int, datetime.datetime]]:
    """The regular files of an archive (path inside it -> (declared size, modified)), every member checked."""
    members: dict[str, tuple[int, datetime.datetime]] = {}
    entries = declared = 0
    for name, kind, size, modified in _listing(path, limits):
        entries += 1
        declared += size
        if entries > limits.entries:
            raise SubmissionRejected(f"{path.name} holds more than {limits.entries:,} entries (folders and "
                                     f"left-out ones such as __MACOSX/ counted): submit just your files")
        if declared > limits.archive_bytes:
            raise SubmissionRejected(f"{path.name} unpacks to more than {limits.archive_bytes:,} bytes in all "
                                     f"(the limit is passed at {printable.name(name)}; folders such as data/ count too): "
                                     f"submit just your files")
        parts = PurePosixPath(name).parts
        if name.startswith("/") or "\\" in name or ".." in parts or not parts:
            raise SubmissionRejected(f"{path.name} holds '{printable.name(name)}', not a path inside the archive")
        if len(parts) > limits.depth:
            raise SubmissionRejected(f"{path.name} holds {printable.name(name)}, {len(parts)} levels down: "
                                     f"a submission's files are at most {limits.depth} levels down")
        odd = _odd_name(name)
        if odd:
            raise SubmissionRejected(f"{path.name} holds {printable.name(name)}: {odd}")
        if any(_ignored(part, ignore) for part in parts):
            continue
        if kind == "folder":
            continue
        if kind != "file":
            raise SubmissionRejected(f"{path.name} holds {name}, {kind}: an archive may hold regular files only")
        if size > limits.file_bytes:
            raise SubmissionRejected(f"{name} in {path.name} has {size:,} bytes, more than the limit of "
                                     f"{limits.file_bytes:,}")
        members[PurePosixPath(*parts).as_posix()] = (size, modified)
        if len(members) > limits.files:
            raise SubmissionRejected(f"{path.name} holds more than {limits.files} files")
    if sum(size for size, _ in members.values()) > limits.total_bytes:
        raise SubmissionRejected(f"{path.name} unpacks to more than {limits.total_bytes:,} bytes")
    return members


def _listing(path: Path, limits: IntakeLimits):
    """(name, kind, declared size, modified) of every member, one at a time: kind is file, folder, or what
    else it is. A zip that says it holds more than ``limits.entries`` is refused before its directory is
    parsed, and a tar is read one header at a time, so that the caller's limits stop a bomb early."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        raise SubmissionRejected(f"{path.name} cannot be read: {error.strerror}") from None
    regular = stat.S_ISREG(os.fstat(descriptor).st_mode)
    os.close(descriptor)
    if not regular:  # a fifo named like an archive would block the reader
        raise SubmissionRejected(f"{path.name} is not a regular file: an archive is a regular file")
    try:
        if zipfile.is_zipfile(path):
            declared = _zip_entries(path)
            if declared > limits.entries:
                count = f"{declared:,} or more" if declared == 0xFFFF else f"{declared:,}"  # zip64 says more elsewhere
                raise SubmissionRejected(f"{path.name} holds {count} entries, more than {limits.entries:,} "
                                         f"(folders and left-out ones such as __MACOSX/ counted): submit just your files")
            with zipfile.ZipFile(path) as archive:
                for info in archive.infolist():
                    yield info.filename, _zip_kind(info), info.file_size, datetime.datetime(*info.date_time)
            return
        with tarfile.open(path) as archive:
            for member in archive:
                yield (member.name, _tar_kind(member), member.size,
                       datetime.datetime.fromtimestamp(member.mtime, datetime.timezone.utc).replace(tzinfo=None))
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError, ValueError, OverflowError) as error:
        raise SubmissionRejected(f"{path.name} is not a readable .zip or .tar.gz archive ({error})") from None


def _zip_entries(path: Path) -> int:
    """How many entries a zip's end record says it holds (65,535 for a zip64 archive, which says more
    elsewhere), read from the last 64 KiB without parsing its directory."""
    with open(path, "rb") as file:
        file.seek(0, os.SEEK_END)
        size = file.tell()
        file.seek(max(0, size - (1 << 16) - 22))
        tail = file.read()
    end = tail.rfind(b"PK\x05\x06")
    if end < 0 or len(tail) < end + 12:
        return 0  # zipfile itself will say what is wrong
    return int.from_bytes(tail[end + 10:end + 12], "little")


def _odd_name(name: str) -> str | None:
    """Why a file's name cannot be kept (it is not UTF-8, or holds a control character), or None."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return "the name is not valid UTF-8 (rename the file)"
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in name):
        return "the name holds a control or format character (rename the file)"
    return None


def _zip_kind(info: zipfile.ZipInfo) -> str:
    mode = info.external_attr >> 16
    if info.is_dir():
        return "folder"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_IFMT(mode) and not stat.S_ISREG(mode):  # a zip from Windows or Python has no file type
        return "not a regular file"
    return "file"


def _tar_kind(member: tarfile.TarInfo) -> str:
    if member.isdir():
        return "folder"
    if member.isreg():
        return "file"
    if member.issym():
        return f"a symbolic link (to {member.linkname})"
    if member.islnk():
        return f"a hard link (to {member.linkname})"
    return "a device or fifo" if member.isdev() else "not a regular file"


def read_archive(path: Path, ignore=(), limits: IntakeLimits = IntakeLimits(), only=None) -> dict[str, bytes]:
    """The regular files of a ``.zip`` or ``.tar(.gz)`` archive (path inside it -> content), by the
    rules of ``read_folder``: a link, a device, a name that is absolute or climbs out with ``..``, or
    sizes over ``limits`` (declared or actually unpacked) are refused with SubmissionRejected. Nothing
    is written to disk. With ``only``, every member is checked and just those files are read."""
    members = _members(path, ignore, limits)
    chosen = None if only is None else set(only)
    wanted = [name for name in members if chosen is None or name in chosen]
    files: dict[str, bytes] = {}
    total = 0

    def keep(name: str, stream) -> None:
        nonlocal total
        content = stream.read(limits.file_bytes + 1)
        if len(content) > limits.file_bytes:
            raise SubmissionRejected(f"{name} in {path.name} unpacks to more than {limits.file_bytes:,} bytes")
        total += len(content)
        if total > limits.total_bytes:
            raise SubmissionRejected(f"{path.name} unpacks to more than {limits.total_bytes:,} bytes")
        files[name] = content

    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                by_name = {PurePosixPath(i.filename).as_posix(): i for i in archive.infolist() if not i.is_dir()}
                for name in wanted:
                    with archive.open(by_name[name]) as stream:
                        keep(name, stream)
        else:
            with tarfile.open(path) as archive:
                by_name = {PurePosixPath(m.name).as_posix(): m for m in archive.getmembers() if m.isreg()}
                for name in wanted:
                    keep(name, archive.extractfile(by_name[name]))
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError, RuntimeError) as error:
        raise SubmissionRejected(f"{path.name} is not a readable .zip or .tar.gz archive ({error})") from None
    return files


def _walk(root: Path, relative: Path, ignore, depth: int = IntakeLimits.depth):
    """The relative paths of the entries below ``root / relative`` that are not folders, in name order, never
    following links; SubmissionRejected for a name that is not a plain UTF-8 name, or for a folder so deep
    that its files would be more than ``depth`` levels down. Iterative: a folder 1,200 deep is refused,
    not a RecursionError."""
    stack = [iter(_entries(root, relative, ignore))]
    while stack:
        for path, is_folder in stack[-1]:
            if not is_folder:
                yield path
                continue
            if len(path.parts) >= depth:
                raise SubmissionRejected(f"{printable.name(path.as_posix())} is {len(path.parts)} folders deep: "
                                         f"a submission's files are at most {depth} levels down")
            stack.append(iter(_entries(root, path, ignore)))
            break
        else:
            stack.pop()


def _entries(root: Path, folder: Path, ignore) -> list[tuple[Path, bool]]:
    """(relative path, is a folder) of the entries of one folder not ignored, in name order, each name checked."""
    with os.scandir(root / folder) as scanned:
        entries = sorted(scanned, key=lambda e: e.name)
    found = []
    for entry in entries:
        if _ignored(entry.name, ignore):
            continue
        path = folder / entry.name
        if entry.name in (".", "..") or "/" in entry.name or "\\" in entry.name:
            raise SubmissionRejected(f"{printable.name(path.as_posix())} is not a plain file name")
        odd = _odd_name(entry.name)
        if odd:
            raise SubmissionRejected(f"{printable.name(path.as_posix())}: {odd}")
        if entry.is_symlink():
            raise SubmissionRejected(f"{printable.name(path.as_posix())} is a symbolic link (to "
                                     f"{printable.name(os.readlink(entry.path))}): submit the file itself")
        found.append((path, entry.is_dir(follow_symlinks=False)))
    return found


def _read_regular(root: Path, relative: Path, limits: IntakeLimits) -> bytes:
    name = relative.as_posix()
    try:
        descriptor = os.open(root / relative, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        raise SubmissionRejected(f"{name} cannot be read: {error.strerror}") from None
    with os.fdopen(descriptor, "rb") as file:
        status = os.fstat(file.fileno())
        if not stat.S_ISREG(status.st_mode):
            kind = {stat.S_IFIFO: "a fifo", stat.S_IFCHR: "a device", stat.S_IFBLK: "a device",
                    stat.S_IFSOCK: "a socket"}.get(stat.S_IFMT(status.st_mode), "not a regular file")
            raise SubmissionRejected(f"{name} is {kind}: a submission holds regular files only")
        if status.st_nlink > 1:
            raise SubmissionRejected(f"{name} is a hard link ({status.st_nlink} names for one file): "
                                     "submit a copy of the file")
        if status.st_size > limits.file_bytes:
            raise SubmissionRejected(f"{name} has {status.st_size:,} bytes, more than the limit of "
                                     f"{limits.file_bytes:,}")
        content = file.read(limits.file_bytes + 1)
    if len(content) > limits.file_bytes:
        raise SubmissionRejected(f"{name} has more than {limits.file_bytes:,} bytes")
    return content


def write_folder(folder: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` (relative path -> content) below ``folder`` as new regular files."""
    for relative, content in files.items():
        if Path(relative).is_absolute() or ".." in Path(relative).parts:
            raise SubmissionRejected(f"{relative} is not a path inside the submission")
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_symlink():
            path.unlink()
        path.write_bytes(content)
