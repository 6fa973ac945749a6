"""`dlkit autograde --submissions FOLDER` reads submissions as students hand them in (issue 19):
folders with the files one or more levels down, .zip and .tar.gz archives, read safely in memory;
a student with none of the assignment's files is refused by name with what they did hand in."""
from __future__ import annotations

import datetime
import io
import os
import shutil
import tarfile
import zipfile

import pytest

from autograde import kit
from autograde.course import build, submissions
from autograde.student import registry

ASSIGNMENT = "softmax_mlp"
FILES = registry.get(ASSIGNMENT).student_files


@pytest.fixture(scope="module")
def course(tmp_path_factory, mnist):
    course_dir = tmp_path_factory.mktemp("released") / "course"
    build.release(course_dir, ASSIGNMENT)
    return course_dir


def reference(name: str) -> bytes:
    return (kit.solutions(ASSIGNMENT) / name).read_bytes()


def write_files(folder, names=FILES):
    for name in names:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(reference(name))


def staged(course, student):
    return {name: (course / "submitted" / student / ASSIGNMENT / name).read_bytes() for name in FILES}


def test_files_one_or_more_folders_down_are_found_and_the_note_says_where(course, tmp_path):
    write_files(tmp_path / "frank" / "softmax_mlp")
    write_files(tmp_path / "grace" / "Downloads" / "hw4")
    (tmp_path / "grace" / "Downloads" / "old").mkdir()
    (tmp_path / "grace" / "Downloads" / "old" / "optimizer.py").write_text("# an old draft\n")
    write_files(tmp_path / "heidi")
    imported = submissions.import_folder(course, ASSIGNMENT, tmp_path)
    assert imported.staged == ["frank", "grace", "heidi"] and imported.refused == {}
    assert imported.notes == ["frank: graded the files in frank/softmax_mlp/",
                              "grace: graded the files in grace/Downloads/hw4/"]
    for student in imported.staged:
        assert staged(course, student) == {name: reference(name) for name in FILES}


def test_zip_and_tar_archives_are_read_in_memory(course, tmp_path):
    submitted = tmp_path / "submitted"
    submitted.mkdir()
    with zipfile.ZipFile(submitted / "ivan.zip", "w") as archive:
        for name in FILES:
            archive.writestr(f"ivan_hw/{name}", reference(name))
        archive.writestr("__MACOSX/ivan_hw/._optimizer.py", b"\0resource fork")
    with tarfile.open(submitted / "judy.tar.gz", "w:gz") as archive:
        for name in FILES:
            archive.add(kit.solutions(ASSIGNMENT) / name, arcname=name)
    (submitted / "README.txt").write_text("class of 2026\n")
    imported = submissions.import_folder(course, ASSIGNMENT, submitted)
    assert imported.staged == ["ivan", "judy"] and imported.refused == {}
    assert imported.notes == ["ignored README.txt: not a student's folder or archive (.zip, .tar.gz, .tgz, .tar)",
                              "ivan: graded the files in ivan.zip/ivan_hw/"]
    for student in imported.staged:
        assert staged(course, student) == {name: reference(name) for name in FILES}
    assert not list(tmp_path.glob("**/ivan_hw")), "nothing was unpacked to disk"


def zip_with(path, name, content=b"x = 1\n", mode=None):
    info = zipfile.ZipInfo(name)
    if mode is not None:
        info.external_attr = mode << 16
    with zipfile.ZipFile(path, "w") as archive:
        for file in FILES:
            archive.writestr(file, reference(file))
        archive.writestr(info, content)


def tar_with(path, member: tarfile.TarInfo, content=b""):
    with tarfile.open(path, "w:gz") as archive:
        for file in FILES:
            archive.add(kit.solutions(ASSIGNMENT) / file, arcname=file)
        archive.addfile(member, io.BytesIO(content) if content else None)


def tar_member(name, kind, target=""):
    member = tarfile.TarInfo(name)
    member.type, member.linkname = kind, target
    return member


@pytest.mark.parametrize("make, words", [
    (lambda path: zip_with(path, "data.py", b"/work/solutions/softmax_mlp/optimizer.py", 0o120777),
     "data.py, a symbolic link"),
    (lambda path: zip_with(path, "../../escape.py"), "holds '../../escape.py', not a path inside the archive"),
    (lambda path: zip_with(path, "/etc/cron.d/job"), "holds '/etc/cron.d/job', not a path inside the archive"),
    (lambda path: tar_with(path, tar_member("layers/secret.py", tarfile.SYMTYPE, "/etc/passwd")),
     "layers/secret.py, a symbolic link (to /etc/passwd)"),
    (lambda path: tar_with(path, tar_member("data.py", tarfile.LNKTYPE, "optimizer.py")),
     "data.py, a hard link (to optimizer.py)"),
    (lambda path: tar_with(path, tar_member("fifo.py", tarfile.FIFOTYPE)), "fifo.py, a device or fifo"),
    (lambda path: path.write_bytes(b"PK\x03\x04 not really a zip"), "not a readable .zip or .tar.gz archive"),
    (lambda path: os.mkfifo(path), "is not a regular file: an archive is a regular file"),
], ids=["zip-symlink", "zip-dotdot", "zip-absolute", "tar-symlink", "tar-hardlink", "tar-fifo", "damaged",
        "fifo-named-like-an-archive"])
def test_an_archive_with_a_link_an_escaping_name_or_damage_is_refused_and_nothing_is_written(
        course, tmp_path, make, words):
    submitted = tmp_path / "submitted"
    submitted.mkdir()
    name = "mallory.zip" if "zip" in words or "escape" in words or "/etc/cron" in words else "mallory.tar.gz"
    make(submitted / name)
    imported = submissions.import_folder(course, ASSIGNMENT, submitted)
    assert imported.staged == [] and list(imported.refused) == ["mallory"]
    assert words in imported.refused["mallory"]
    assert not (course / "submitted" / "mallory").exists()
    assert sorted(p.name for p in tmp_path.rglob("*")) == sorted(["submitted", name])


def test_a_student_with_none_of_the_files_is_refused_with_what_they_handed_in(course, tmp_path):
    write_files(tmp_path / "karl")
    submissions.import_folder(course, ASSIGNMENT, tmp_path)
    assert (course / "submitted" / "karl" / ASSIGNMENT).is_dir()
    shutil.rmtree(tmp_path / "karl")
    (tmp_path / "karl" / "old").mkdir(parents=True)
    (tmp_path / "karl" / "notes.txt").write_text("I could not get it to work\n")
    (tmp_path / "karl" / "old" / "draft.py").write_text("pass\n")
    (tmp_path / "karl" / "old" / "draft2.py").write_text("pass\n")
    imported = submissions.import_folder(course, ASSIGNMENT, tmp_path)
    assert imported.staged == []
    assert imported.refused == {"karl": f"none of the assignment's files ({', '.join(FILES)}, softmax.ipynb, "
                                        "mlp.ipynb) is in karl/; it holds notes.txt, old/ (2 files)"}
    assert not (course / "submitted" / "karl" / ASSIGNMENT).exists(), "the earlier submission is not graded instead"


def test_a_student_with_both_a_folder_and_an_archive_is_refused(course, tmp_path):
    write_files(tmp_path / "lena")
    with zipfile.ZipFile(tmp_path / "lena.zip", "w") as archive:
        archive.writestr("optimizer.py", reference("optimizer.py"))
    imported = submissions.import_folder(course, ASSIGNMENT, tmp_path)
    assert imported.refused == {"lena": f"both lena/ and lena.zip are in {tmp_path}: keep one"}


def test_each_submission_gets_the_time_it_was_handed_in(course, tmp_path):
    """nbgrader's timestamp.txt: the student's own, else the newest of the assignment's files (what a
    learning platform's download keeps), so that a due date marks late work."""
    write_files(tmp_path / "mia")
    newest = datetime.datetime(2026, 3, 1, 9, 30, 15, tzinfo=datetime.timezone.utc)
    for age, name in enumerate(FILES):
        os.utime(tmp_path / "mia" / name, (0, newest.timestamp() - 3600 * age))
    (tmp_path / "mia" / "notes.txt").write_text("written later\n")  # not one of the assignment's files
    write_files(tmp_path / "ned")
    (tmp_path / "ned" / "timestamp.txt").write_text("2026-03-02 08:00:00.000000 UTC")  # nbgrader's exchange wrote it
    with zipfile.ZipFile(tmp_path / "ola.zip", "w") as archive:
        for name in FILES:
            archive.writestr(zipfile.ZipInfo(f"hw/{name}", date_time=(2026, 2, 28, 23, 59, 58)), reference(name))
    write_files(tmp_path / "pia")
    (tmp_path / "pia" / "timestamp.txt").write_text("handed in on time, promise")
    imported = submissions.import_folder(course, ASSIGNMENT, tmp_path)
    stamps = {student: (course / "submitted" / student / ASSIGNMENT / "timestamp.txt").read_text()
              for student in imported.staged}
    assert stamps["mia"] == "2026-03-01 09:30:15.000000 UTC"
    assert stamps["ned"] == "2026-03-02 08:00:00.000000 UTC"
    assert stamps["ola"] == "2026-02-28 23:59:58.000000 UTC"
    assert "pia: its timestamp.txt is not a time nbgrader reads; the newest file's time is used instead" in imported.notes


def test_release_sets_the_due_date_that_marks_late_work(course, capsys):
    from nbgrader.api import Gradebook

    from autograde import cli
    from autograde.course import config

    assert cli.main(["release", ASSIGNMENT, "--course-dir", str(course), "--due", "2026-03-01 10:00 Europe/Stockholm"]) == 0
    assert "due 2026-03-01 09:00 UTC" in capsys.readouterr().out
    with Gradebook(config.db_url_of(course), config.COURSE_ID) as gradebook:
        assert gradebook.find_assignment(ASSIGNMENT).duedate == datetime.datetime(2026, 3, 1, 9, 0)
