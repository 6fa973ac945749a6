"""The course's Dask cluster is authenticated and encrypted (issue 34, item 2): `dlkit cluster init` makes its
certificates, `dlkit autograde --scheduler` refuses an address without TLS unless the instructor says
`--insecure-cluster`, and a task carries the key of its own grading, never the course's secret.

The cluster itself (real `dask scheduler` and `dask worker` processes, workers with wrong credentials
refused) is tested in test_parallel.py."""
from __future__ import annotations

import pickle
import stat

import pytest
from cryptography import x509

from autograde import cli
from autograde.batch import coordinator, security
from autograde.errors import UsageError
from autograde.limits import Limits
from autograde.student import checks


def test_cluster_init_makes_an_authority_and_a_certificate_for_each_role_and_never_replaces_them(tmp_path, capsys):
    course_dir = tmp_path / "course"
    assert cli.main(["cluster", "init", "--course-dir", str(course_dir), "--days", "30"]) == 0
    printed = capsys.readouterr().out
    folder = course_dir / "cluster"
    authority = x509.load_pem_x509_certificate((folder / "ca.pem").read_bytes())
    for role in ("scheduler", "worker", "client"):
        issued = x509.load_pem_x509_certificate((folder / f"{role}.pem").read_bytes())
        issued.verify_directly_issued_by(authority)  # raises when another authority signed it
        assert (issued.not_valid_after_utc - issued.not_valid_before_utc).days == 30
        assert stat.S_IMODE((folder / f"{role}-key.pem").stat().st_mode) == 0o600, "a private key others can read"
    assert sorted(p.name for p in folder.iterdir()) == sorted(security.files()), "the authority's key is never kept"
    assert f"--tls-cert {folder / 'worker.pem'} --tls-key {folder / 'worker-key.pem'}" in printed
    assert "dask scheduler --protocol tls" in printed

    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert cli.main(["cluster", "init", "--course-dir", str(course_dir)]) == 1
    assert "already holds the course's cluster certificates" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before, "a second init replaced certificates"


@pytest.mark.parametrize("address", ["tcp://127.0.0.1:8786", "127.0.0.1:8786"])
def test_a_scheduler_without_tls_is_refused_before_anything_runs_unless_the_instructor_allows_it(
        tmp_path, capsys, address):
    course_dir = tmp_path / "course"  # none: the refusal comes first
    assert cli.main(["autograde", "softmax_mlp", "--course-dir", str(course_dir), "--scheduler", address]) == 1
    error = capsys.readouterr().err
    assert "neither authenticated nor encrypted" in error and "--insecure-cluster" in error, error
    assert "dlkit cluster init" in error
    assert coordinator.Cluster.of(course_dir, address, insecure=True).security is None


def test_a_tls_scheduler_without_the_courses_certificates_says_how_to_make_them(tmp_path):
    with pytest.raises(UsageError, match=r"lacks ca\.pem, client\.pem, client-key\.pem: run `dlkit cluster init"):
        coordinator.Cluster.of(tmp_path, "tls://127.0.0.1:8786", insecure=False)
    security.init(tmp_path)
    assert coordinator.Cluster.of(tmp_path, "tls://127.0.0.1:8786", insecure=False).security.require_encryption


def test_a_task_carries_its_gradings_key_and_never_the_courses_secret(tmp_path):
    """A grading host (a Dask worker) sees the tasks it grades: with the course's secret in them, it could draw
    every other submission's hidden inputs. Each task now carries the HMAC of its own nonce under the secret."""
    secret = 7_315_902_448_120_563_291
    batch = coordinator.Batch("softmax_mlp", {"softmax.ipynb": b"{}"}, b"gradebook", "digest", Limits(), secret, {})
    folders = {}
    for student, code in (("ada", b"def softmax_classifier(): pass\n"), ("bo", b"def softmax_classifier(): 1\n")):
        folders[student] = tmp_path / student / "softmax_mlp"
        folders[student].mkdir(parents=True)
        (folders[student] / "softmax_classifier.py").write_bytes(code)
    ada, bo = (batch.task(folders[student]) for student in ("ada", "bo"))
    for task in (ada, bo):
        sent = pickle.dumps(task)
        assert str(secret).encode() not in sent and secret.to_bytes(8, "little") not in sent  # how pickle writes it
        assert task.key == checks.grading_key(secret, task.nonce)
    assert ada.nonce != bo.nonce and ada.key != bo.key
    assert checks.grading_key(secret + 1, ada.nonce) != ada.key
