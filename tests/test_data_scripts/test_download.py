"""The real download code against a local HTTP server: good, corrupted, cut off, truncated, down."""
from __future__ import annotations

import pytest

from data_scripts.download import Digest, DownloadError, UrlSource, download, fetch
from support.fake_server import FakeServer, free_port_url
from support.formats import sha256


@pytest.fixture
def served(tmp_path):
    root = tmp_path / "served"
    root.mkdir()
    payload = bytes(range(256)) * 400  # 100 KiB
    (root / "file.bin").write_bytes(payload)
    with FakeServer(root) as server:
        yield server, Digest("sha256", sha256(root / "file.bin")), payload


def test_good_download_is_verified_and_moved_into_place(served, tmp_path):
    server, digest, payload = served
    target = tmp_path / "out" / "file.bin"
    download(f"{server.url}/good/file.bin", target, digest)
    assert target.read_bytes() == payload
    assert not target.with_name("file.bin.part").exists()


def test_corrupted_download_is_deleted_and_fails_loudly(served, tmp_path):
    server, digest, _ = served
    target = tmp_path / "file.bin"
    with pytest.raises(DownloadError, match="checksum mismatch"):
        download(f"{server.url}/corrupt/file.bin", target, digest)
    assert not target.exists() and not target.with_name("file.bin.part").exists()


def test_truncated_file_served_whole_fails_its_checksum(served, tmp_path):
    server, digest, _ = served
    target = tmp_path / "file.bin"
    with pytest.raises(DownloadError, match="checksum mismatch"):
        download(f"{server.url}/short/file.bin", target, digest)
    assert not target.exists()


def test_cut_transfer_keeps_the_part_and_a_second_run_resumes_it(served, tmp_path):
    server, digest, payload = served
    target = tmp_path / "file.bin"
    with pytest.raises(DownloadError, match="broke off"):
        download(f"{server.url}/cut/file.bin", target, digest)
    part = target.with_name("file.bin.part")
    assert not target.exists(), "a cut-off download must never sit where a loader would take it"
    assert 0 < part.stat().st_size < len(payload)
    download(f"{server.url}/good/file.bin", target, digest)
    assert target.read_bytes() == payload
    assert server.requests[-1] == ("/good/file.bin", f"bytes={len(payload) // 2}-")


def test_server_down_names_every_source_and_what_to_do(served, tmp_path):
    server, digest, _ = served
    down = free_port_url()
    sources = [UrlSource(f"{down}/good/file.bin"), UrlSource(f"{server.url}/corrupt/file.bin")]
    with pytest.raises(DownloadError) as error:
        fetch(tmp_path / "file.bin", digest, sources, "Put file.bin there by hand.")
    text = str(error.value)
    assert f"{down}/good/file.bin: could not connect" in text
    assert f"{server.url}/corrupt/file.bin: checksum mismatch" in text
    assert "Put file.bin there by hand." in text


def test_fetch_falls_through_to_the_next_source_and_is_idempotent(served, tmp_path):
    server, digest, payload = served
    sources = [UrlSource(f"{server.url}/corrupt/file.bin"), UrlSource(f"{server.url}/good/file.bin")]
    target = fetch(tmp_path / "file.bin", digest, sources, "")
    assert target.read_bytes() == payload
    before = len(server.requests)
    fetch(tmp_path / "file.bin", digest, sources, "")
    assert len(server.requests) == before, "a second run must download nothing"


def test_fetch_replaces_a_corrupted_file_already_in_place(served, tmp_path):
    server, digest, payload = served
    target = tmp_path / "file.bin"
    target.write_bytes(b"not the file")
    fetch(target, digest, [UrlSource(f"{server.url}/good/file.bin")], "")
    assert target.read_bytes() == payload
