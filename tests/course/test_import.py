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
from nbgrader import utils

from autograde import kit
from autograde.course import submissions
from autograde.student import registry

ASSIGNMENT = "softmax_mlp"
FILES = registry.get(ASSIGNMENT).student_files


@pytest.fixture(scope="module")
def course(tmp_path_factory, release_copy):
    return release_copy(ASSIGNMENT, tmp_path_factory.mktemp("released") / "course")


def reference(name: str) -> bytes:
    return (kit.solutions(ASSIGNMENT) / name).read_bytes()


def write_files(folder, names=FILES):
    for name in names:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(reference(name))


def staged(course, student):
    return {name: (course / "submitted" / student / ASSIGNMENT / name).read_bytes() for name in FILES}


@pytest.mark.heavy
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


@pytest.mark.heavy
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


@pytest.mark.heavy
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


@pytest.mark.heavy
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


@pytest.mark.heavy
def test_a_student_with_both_a_folder_and_an_archive_is_refused(course, tmp_path):
    write_files(tmp_path / "lena")
    with zipfile.ZipFile(tmp_path / "lena.zip", "w") as archive:
        archive.writestr("optimizer.py", reference("optimizer.py"))
    imported = submissions.import_folder(course, ASSIGNMENT, tmp_path)
    assert imported.refused == {"lena": f"both lena/ and lena.zip are in {tmp_path}: keep one"}


@pytest.mark.heavy
def test_each_submission_gets_a_time_the_student_cannot_set(course, tmp_path):
    """nbgrader's timestamp.txt comes from the instructor's side (issue 32, item 3): the times the instructor
    supplies (--times, the platform's export), else the file time on this disk (an archive's own, the newest
    of the assignment's files in a folder). A timestamp.txt of the student's, the dates inside an archive and
    a tar's member times of 0 made late work on time: none is used."""
    def at(text):
        return datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.timezone.utc).timestamp()

    incoming = tmp_path / "incoming"
    write_files(incoming / "mia")
    for age, name in enumerate(FILES):
        os.utime(incoming / "mia" / name, (0, at("2026-03-01 09:30:15") - 3600 * age))
    write_files(incoming / "ned")
    for name in FILES:
        os.utime(incoming / "ned" / name, (0, at("2026-03-04 12:00:00")))
    (incoming / "ned" / "timestamp.txt").write_text("2026-02-01 08:00:00.000000 UTC")  # "handed in a month early"
    with zipfile.ZipFile(incoming / "ola.zip", "w") as archive:
        for name in FILES:
            archive.writestr(zipfile.ZipInfo(f"hw/{name}", date_time=(2026, 2, 28, 23, 59, 58)), reference(name))
    os.utime(incoming / "ola.zip", (0, at("2026-03-03 10:00:00")))
    with tarfile.open(incoming / "pia.tar.gz", "w:gz") as archive:
        for name in FILES:
            member = tarfile.TarInfo(name)
            member.size, member.mtime = len(reference(name)), 0  # 1970
            archive.addfile(member, io.BytesIO(reference(name)))
    os.utime(incoming / "pia.tar.gz", (0, at("2026-03-05 18:00:00")))
    imported = submissions.import_folder(course, ASSIGNMENT, incoming)
    assert sorted(imported.staged) == ["mia", "ned", "ola", "pia"]

    def stamp(student):
        return (course / "submitted" / student / ASSIGNMENT / "timestamp.txt").read_text(), \
            submissions.time_source(course / "submitted" / student / ASSIGNMENT,
                                    utils.parse_utc((course / "submitted" / student / ASSIGNMENT / "timestamp.txt").read_text()))

    assert stamp("mia") == ("2026-03-01 09:30:15.000000 UTC", submissions.FILES_TIME)
    assert stamp("ned") == ("2026-03-04 12:00:00.000000 UTC", submissions.FILES_TIME)
    assert stamp("ola") == ("2026-03-03 10:00:00.000000 UTC", submissions.ARCHIVE_TIME)
    assert stamp("pia") == ("2026-03-05 18:00:00.000000 UTC", submissions.ARCHIVE_TIME)
    assert any(note.startswith("ned: its timestamp.txt is left out (a student can write it)") for note in imported.notes)

    # The platform's export: Canvas's submitted_at (ISO 8601), a time with its own zone, a student not handed in.
    (tmp_path / "times.csv").write_text("Student,SIS Login ID,submitted_at\nMia M,mia,2026-03-01T08:00:00Z\n"
                                        "Ned N,ned,2026-03-04 13:00:00+01:00\nQuinn Q,quinn,\nRay R,ray,2026-03-02T00:00:00Z\n")
    imported = submissions.import_folder(course, ASSIGNMENT, incoming, tmp_path / "times.csv")
    assert stamp("mia") == ("2026-03-01 08:00:00.000000 UTC", "the time you supplied (times.csv)")
    assert stamp("ned") == ("2026-03-04 12:00:00.000000 UTC", "the time you supplied (times.csv)")
    assert stamp("ola") == ("2026-03-03 10:00:00.000000 UTC", submissions.ARCHIVE_TIME)
    assert "ola: graded the files in ola.zip/hw/; not in times.csv: the archive's file time on this disk is used" \
        in imported.notes
    assert "times.csv names 1 student with no submission here: ray" in imported.notes
    # The record is never carried to grading or feedback, and one placed by hand or replaced since says so.
    assert submissions.config.TIME_RECORD in submissions.config.IGNORE
    (course / "submitted" / "mia" / ASSIGNMENT / "timestamp.txt").write_text("2026-03-01 07:00:00.000000 UTC")
    assert stamp("mia") == ("2026-03-01 07:00:00.000000 UTC", submissions.UNCHECKED)


@pytest.mark.parametrize("text, words", [
    ("name,when\nmia,2026-03-01\n", "the first row names no student column"),
    ("student,when\nmia,2026-03-01\n", "the first row names no time column"),
    ("student,submitted_at\nmia,yesterday-ish\n", "row 2: 'yesterday-ish' is not a time"),
])
def test_a_times_file_that_cannot_be_read_is_refused_naming_the_row(tmp_path, text, words):
    from autograde.errors import UsageError

    (tmp_path / "times.csv").write_text(text)
    with pytest.raises(UsageError, match=words):
        submissions.read_times(tmp_path / "times.csv")


@pytest.mark.heavy
def test_release_sets_the_due_date_that_marks_late_work(course, capsys):
    from nbgrader.api import Gradebook

    from autograde import cli
    from autograde.course import config

    assert cli.main(["release", ASSIGNMENT, "--course-dir", str(course), "--due", "2026-03-01 10:00 Europe/Stockholm"]) == 0
    assert "due 2026-03-01 09:00 UTC" in capsys.readouterr().out
    with Gradebook(config.db_url_of(course), config.COURSE_ID) as gradebook:
        assert gradebook.find_assignment(ASSIGNMENT).duedate == datetime.datetime(2026, 3, 1, 9, 0)
