"""The phases of a grading are recorded only when asked for (autograde/timing.py, benchmarks/phases.py)."""
from __future__ import annotations

import json

from autograde import timing


def test_phases_are_written_only_with_the_variable_set(tmp_path, monkeypatch):
    path = tmp_path / "phases.jsonl"
    monkeypatch.delenv(timing.VARIABLE, raising=False)
    with timing.phase("nothing asked"):
        pass
    assert not path.exists()
    monkeypatch.setenv(timing.VARIABLE, str(path))
    with timing.phase("outer"):
        with timing.phase("inner"):
            pass
    timing.record("elsewhere", 1.5)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [line["phase"] for line in lines] == ["inner", "outer", "elsewhere"]
    assert lines[2]["seconds"] == 1.5 and all(line["seconds"] >= 0 for line in lines)
