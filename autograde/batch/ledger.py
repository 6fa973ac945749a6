"""The ledger of a batch: what the coordinator recorded for each submission, so a killed run resumes."""
from __future__ import annotations

import datetime
import json
import os
from pathlib import Path

from autograde.batch.tasks import TaskResult


class Ledger:
    """One JSON line per result of an assignment (``COURSE/ledger/ASSIGNMENT.jsonl``); the latest
    line of a student wins. Appending a line is atomic enough for a single writer, and a line
    cut short by a kill is ignored on reading."""

    def __init__(self, course_dir: Path, assignment_id: str):
        self.path = course_dir / "ledger" / f"{assignment_id}.jsonl"

    def append(self, result: TaskResult) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"student": result.student_id, "status": result.status, "fingerprint": result.fingerprint,
                           "seconds": round(result.seconds, 3), "error": result.error, "worker": result.worker,
                           "sandboxed": result.sandboxed, "warnings": result.warnings, "files": result.files_digest,
                           "recorded": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")})
        with open(self.path, "a+b") as ledger:
            size = ledger.seek(0, os.SEEK_END)
            if size and (ledger.seek(size - 1), ledger.read(1))[1] != b"\n":
                line = "\n" + line  # end the line a killed run left unfinished
            ledger.write(line.encode() + b"\n")
            ledger.flush()
            os.fsync(ledger.fileno())

    def entries(self) -> list[dict]:
        """Every complete line, oldest first."""
        if not self.path.exists():
            return []
        entries = []
        for line in self.path.read_text().splitlines():
            try:
                entries.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # the end of a line that a killed run did not finish
        return entries

    def latest(self) -> dict[str, dict]:
        """student -> the last entry recorded for them."""
        return {entry["student"]: entry for entry in self.entries()}
