"""Submissions are read safely (autograde/intake.py): regular files only, nothing a link points to."""
from __future__ import annotations

import os
import stat

import pytest

from autograde import intake

LIMITS = intake.IntakeLimits(file_bytes=1000, total_bytes=2500, files=5)


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "alice"
    (root / "layers").mkdir(parents=True)
    (root / "softmax_classifier.py").write_text("def softmax_classifier(): pass\n")
    (root / "layers" / "fc_layer.py").write_text("class FCLayer: pass\n")
    (root / "__pycache__").mkdir()
    (root / "__pycache__" / "x.pyc").write_bytes(b"\0")
    return root


def test_regular_files_are_read_and_ignored_names_left_out(folder):
    files = intake.read_folder(folder, ignore=["__pycache__"], limits=LIMITS)
    assert files == {"layers/fc_layer.py": b"class FCLayer: pass\n",
                     "softmax_classifier.py": b"def softmax_classifier(): pass\n"}
    assert intake.read_folder(folder, ["__pycache__"], LIMITS, only=["softmax_classifier.py"]) == {
        "softmax_classifier.py": b"def softmax_classifier(): pass\n"}


@pytest.mark.parametrize("make, words", [
    (lambda root, outside: (root / "linked.py").symlink_to(outside / "secret.py"), "linked.py is a symbolic link"),
    (lambda root, outside: (root / "etc").symlink_to("/etc"), "etc is a symbolic link (to /etc)"),
    (lambda root, outside: os.link(outside / "secret.py", root / "hard.py"), "hard.py is a hard link"),
    (lambda root, outside: os.mkfifo(root / "pipe.py"), "pipe.py is a fifo"),
    (lambda root, outside: os.mknod(root / "zero.py", stat.S_IFCHR | 0o644, os.makedev(1, 5)), "zero.py is a device"),
    (lambda root, outside: (root / "big.py").write_bytes(b"x" * 1001), "big.py has 1,001 bytes, more than the limit"),
    (lambda root, outside: [(root / f"m{i}.py").write_text("#" * 900) for i in range(3)], "more than 2,500 bytes"),
    (lambda root, outside: [(root / f"n{i}.py").write_text("") for i in range(5)], "more than 5 files"),
])
def test_links_devices_and_oversized_files_are_refused_naming_the_file(folder, tmp_path, make, words):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text("SECRET = 1\n")
    if "device" in words and os.geteuid() != 0:
        pytest.skip("creating a device file needs root")
    make(folder, outside)
    with pytest.raises(intake.SubmissionRejected, match=words.replace("(", r"\(").replace(")", r"\)")):
        intake.read_folder(folder, ignore=["__pycache__"], limits=LIMITS)


def test_a_folder_that_is_a_link_is_refused(folder, tmp_path):
    (tmp_path / "mallory").symlink_to(folder)
    with pytest.raises(intake.SubmissionRejected, match="is a symbolic link"):
        intake.read_folder(tmp_path / "mallory")


def test_writing_back_refuses_paths_that_leave_the_folder_and_replaces_links(tmp_path):
    with pytest.raises(intake.SubmissionRejected, match="not a path inside"):
        intake.write_folder(tmp_path / "out", {"../escape.py": b""})
    (tmp_path / "out").mkdir()
    (tmp_path / "target.py").write_text("old")
    (tmp_path / "out" / "a.py").symlink_to(tmp_path / "target.py")
    intake.write_folder(tmp_path / "out", {"a.py": b"new"})
    assert (tmp_path / "target.py").read_text() == "old" and not (tmp_path / "out" / "a.py").is_symlink()


def test_an_archive_is_held_to_the_limits_of_a_folder(tmp_path):
    import zipfile

    small = tmp_path / "small.zip"
    with zipfile.ZipFile(small, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a/ok.py", "x = 1\n")
        archive.writestr("a/.DS_Store", "\0")
    assert intake.read_archive(small, ignore=[".DS_Store"], limits=LIMITS) == {"a/ok.py": b"x = 1\n"}
    assert sorted(intake.archive_members(small, limits=LIMITS)) == ["a/.DS_Store", "a/ok.py"]
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("big.py", b"#" * 5000)       # 5,000 bytes from a few dozen
    with pytest.raises(intake.SubmissionRejected, match="big.py in bomb.zip has 5,000 bytes, more than the limit"):
        intake.read_archive(bomb, limits=LIMITS)
    many = tmp_path / "many.zip"
    with zipfile.ZipFile(many, "w") as archive:
        for i in range(3):
            archive.writestr(f"m{i}.py", "#" * 900)
    with pytest.raises(intake.SubmissionRejected, match="many.zip unpacks to more than 2,500 bytes"):
        intake.read_archive(many, limits=LIMITS)


def test_a_folder_too_deep_is_refused_not_a_recursion_error(tmp_path):
    """The red team's 1,200 nested folders stopped the class with a RecursionError."""
    root = tmp_path / "deep"
    root.mkdir()
    (root / "ok.py").write_text("x = 1\n")
    folders = [root / "/".join(["e"] * depth) for depth in range(1, 1201)]
    for folder in folders:  # os.makedirs would recurse too
        folder.mkdir()
    try:
        for read in (intake.read_folder, intake.names):
            with pytest.raises(intake.SubmissionRejected, match=r"^(e/){31}e is 32 folders deep: a submission's "
                                                                r"files are at most 32 levels down$"):
                read(root)
    finally:
        for folder in reversed(folders):  # shutil.rmtree, which cleans up after pytest, recurses
            folder.rmdir()


def test_a_file_name_that_is_not_utf8_or_holds_a_control_character_is_refused_by_the_student_alone(tmp_path):
    root = tmp_path / "alice"
    root.mkdir()
    (root / "ok.py").write_text("x = 1\n")
    open(bytes(root / "notes") + b"\xff.txt", "wb").close()
    with pytest.raises(intake.SubmissionRejected, match=r"notes\\xff.txt: the name is not valid UTF-8"):
        intake.read_folder(root)
    os.remove(bytes(root / "notes") + b"\xff.txt")
    (root / "a\x1b[2Jb.py").write_text("")
    with pytest.raises(intake.SubmissionRejected, match=r"a\\x1b\[2Jb.py: the name holds a control"):
        intake.read_folder(root)


def test_an_archive_is_limited_over_every_member_left_out_ones_included(tmp_path):
    """A data/ folder (left out by name) used to be listed and skipped whatever its size, and a zip's
    __MACOSX/ entries whatever their number: both are what listing the archive costs."""
    import io
    import tarfile
    import zipfile

    limits = intake.IntakeLimits(entries=50, archive_bytes=10 << 20)
    litter = tmp_path / "litter.zip"
    with zipfile.ZipFile(litter, "w") as archive:
        archive.writestr("ok.py", "x = 1\n")
        for i in range(60):
            archive.writestr(f"__MACOSX/._{i}", b"")
    with pytest.raises(intake.SubmissionRejected, match="litter.zip holds 61 entries, more than 50"):
        intake.archive_members(litter, ignore=["__MACOSX"], limits=limits)
    data = tmp_path / "data.tar.gz"
    with tarfile.open(data, "w:gz", compresslevel=1) as archive:
        archive.addfile(tarfile.TarInfo("ok.py"), io.BytesIO(b""))
        big = tarfile.TarInfo("data/big.bin")
        big.size = 11 << 20
        archive.addfile(big, io.BytesIO(bytes(big.size)))
    with pytest.raises(intake.SubmissionRejected, match=r"data.tar.gz unpacks to more than 10,485,760 bytes in all "
                                                        r"\(the limit is passed at data/big.bin"):
        intake.archive_members(data, ignore=["data"], limits=limits)
    deep = tmp_path / "deep.zip"
    with zipfile.ZipFile(deep, "w") as archive:
        archive.writestr("/".join(["d"] * 40) + "/x.py", "")
    with pytest.raises(intake.SubmissionRejected, match="41 levels down: a submission.s files are at most 32 levels down"):
        intake.archive_members(deep)
