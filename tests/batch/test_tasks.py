"""The resume fingerprint and decision: the fingerprint changes with everything that decides a score, so a
restarted or repeated batch regrades exactly the submissions whose grading changed."""
from __future__ import annotations

import shutil

from autograde import kit
from autograde.batch import coordinator, tasks
from autograde.limits import Limits

SUBMISSION = {"softmax_classifier.py": b"def softmax_classifier(W, input, label, lamda):\n    return 0\n"}


def test_the_fingerprint_changes_with_the_files_the_reference_and_the_limits_only(tmp_path, monkeypatch):
    source = {"softmax.ipynb": b"{}"}
    digest = tasks.source_digest(source, "softmax_mlp")
    same = tasks.fingerprint(SUBMISSION, tasks.source_digest(source, "softmax_mlp"))
    assert tasks.fingerprint(SUBMISSION, digest) == same, "the fingerprint of unchanged grading must not change"
    edited = {"softmax_classifier.py": SUBMISSION["softmax_classifier.py"] + b"# edited\n"}
    assert tasks.fingerprint(edited, digest) != same
    assert tasks.source_digest(source, "softmax_mlp", Limits(call_seconds=5)) != digest
    assert tasks.source_digest(source, "softmax_mlp", secret=1) != tasks.source_digest(source, "softmax_mlp", secret=2)

    # A corrected reference solution regrades: copy solutions/ and change one line of the reference.
    copy = tmp_path / "solutions"
    shutil.copytree(kit.SOLUTIONS, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(kit, "SOLUTIONS", copy)
    assert tasks.source_digest(source, "softmax_mlp") == digest
    other_assignment = tasks.source_digest(source, "deep_mlp")
    reference = copy / "softmax_mlp" / "softmax_classifier.py"
    reference.write_text(reference.read_text() + "\n# corrected\n")
    assert tasks.source_digest(source, "softmax_mlp") != digest
    assert tasks.source_digest(source, "deep_mlp") == other_assignment, "another assignment's reference regrades it"


def test_the_fingerprint_covers_the_check_framework_and_the_assignments_checks():
    covered = tasks.grading_files("softmax_mlp")
    for path in ("autograde/student/checks.py", "autograde/student/gradcheck.py", "autograde/grading/thresholds.json",
                 "autograde/assignments/softmax_mlp/hidden/softmax.py", "autograde/sandbox/proxy.py",
                 "solutions/softmax_mlp/softmax_classifier.py"):
        assert path in covered, path
    assert not any(path.startswith("autograde/assignments/deep_mlp") for path in covered)


def test_a_course_keeps_one_grading_secret_out_of_its_releases(tmp_path):
    from autograde.course import config

    first = config.grading_secret(tmp_path)
    assert config.grading_secret(tmp_path) == first and (tmp_path / config.SECRET_FILE).stat().st_mode & 0o077 == 0
    config.write(tmp_path)
    assert f"c.TrustedChecks.secret = {first}" in (tmp_path / "nbgrader_config.py").read_text()
    assert config.grading_secret(tmp_path / "another") != first


def test_a_repeated_batch_grades_only_what_is_new_or_changed_and_a_changed_grading_regrades_all(tmp_path):
    """The resume decision (``coordinator.to_grade``), without a course: what a run recorded is skipped, a new
    submission and a resubmission are graded, and a fixed check (another source digest) regrades everyone."""
    submitted = tmp_path / "submitted"
    files = {student: {"softmax_classifier.py": SUBMISSION["softmax_classifier.py"] + student.encode()}
             for student in ("ana", "ben", "cai")}
    digest = tasks.source_digest({"softmax.ipynb": b"{}"}, "softmax_mlp")

    def fingerprints(grading: str) -> dict:
        return {submitted / student / "softmax_mlp": tasks.fingerprint(content, grading)
                for student, content in files.items()}

    first = fingerprints(digest)
    assert coordinator.to_grade(first, {}) == list(first), "nothing recorded (or --force): every submission"
    recorded = {folder.parent.name: fingerprint for folder, fingerprint in first.items()}
    assert coordinator.to_grade(first, recorded) == [], "a repeated run grades nothing"
    del recorded["ben"]  # killed before ben's result was recorded
    files["cai"] = {"softmax_classifier.py": b"# resubmitted\n"}
    assert [folder.parent.name for folder in coordinator.to_grade(fingerprints(digest), recorded)] == ["ben", "cai"]
    fixed = tasks.source_digest({"softmax.ipynb": b"{}"}, "softmax_mlp", Limits(call_seconds=5))
    assert len(coordinator.to_grade(fingerprints(fixed), recorded)) == 3, "another grading regrades every submission"
