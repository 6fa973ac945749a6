"""Which submissions share code: ``dlkit similarity ASSIGNMENT``, a page of the most similar pairs.

Every pair of students' files of the same name is compared with copydetect, which fingerprints
code the way MOSS does (winnowed hashes of token k-grams, with identifiers and literals
normalised, so renamed variables do not hide a copy). The starter's code is boilerplate: what
every student received is never counted as shared. A pair's similarity is that of its most
similar file (the share of the file's fingerprints found in the other student's); the page
lists the pairs from the most similar down with the matching regions marked side by side.
Similarity is evidence for a person to read, never a verdict: correct solutions to a small
exercise resemble each other, and the page says so.
"""
from __future__ import annotations

import datetime
import html
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from autograde import intake, kit
from autograde.course import config
from autograde.student import registry

#: Pairs shown on the page, the most similar first.
SHOWN = 20
#: From this similarity on a pair is marked for a closer look.
NOTABLE = 0.8


@dataclass(frozen=True)
class FileMatch:
    name: str
    similarity: tuple[float, float]   # share of each student's file found in the other's
    overlap: int                      # tokens in common
    marked: tuple[str, str]           # each file's code as HTML, the shared regions in <mark>


@dataclass
class Pair:
    students: tuple[str, str]
    files: list[FileMatch] = field(default_factory=list)

    @property
    def similarity(self) -> float:
        """The similarity of the pair's most similar file."""
        return max((max(f.similarity) for f in self.files), default=0.0)


@dataclass
class Comparison:
    pairs: list[Pair]             # the most similar first
    students: list[str]
    skipped: dict[str, str]       # students whose files could not be read safely, and why


def compare(course_dir: Path, assignment_id: str) -> Comparison:
    """Compare the student files of every submission of ``assignment_id`` in ``submitted/``."""
    from copydetect import CopyDetector

    spec = registry.get(assignment_id)
    folders = sorted(p for p in (course_dir / "submitted").glob(f"*/{assignment_id}") if p.is_dir())
    skipped: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="dlkit-similarity-") as scratch:
        root, boilerplate = Path(scratch) / "class", Path(scratch) / "starter"
        for relative in spec.student_files:
            target = boilerplate / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes((kit.starter(assignment_id) / relative).read_bytes())
        students = []
        for folder in folders:
            student = folder.parent.name
            try:
                if folder.parent.is_symlink():
                    raise intake.SubmissionRejected(f"{student} is a symbolic link")
                files = intake.read_folder(folder, config.IGNORE, only=spec.student_files)
            except intake.SubmissionRejected as error:
                skipped[student] = str(error)
                continue
            students.append(student)
            intake.write_folder(root / student, files)
        root.mkdir(exist_ok=True)
        detector = CopyDetector(test_dirs=[str(root)], boilerplate_dirs=[str(boilerplate)], extensions=["py"],
                                same_name_only=True, autoopen=False, silent=True, display_t=0.0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # copydetect warns about files with nothing left beside the boilerplate
            detector.run()
        pairs = _pairs(detector, root)
    return Comparison(sorted(pairs.values(), key=lambda p: (-p.similarity, p.students)), students, skipped)


def _pairs(detector, root: Path) -> dict[tuple[str, str], Pair]:
    from copydetect.utils import highlight_overlap

    pairs: dict[tuple[str, str], Pair] = {}
    files = [Path(name) for name in detector.test_files]
    for i, first in enumerate(files):
        for j, second in enumerate(files):
            if j <= i or detector.similarity_matrix[i, j, 0] < 0:
                continue
            (a, name), (b, _) = (_split(first, root), _split(second, root))
            if a == b:
                continue
            slices = detector.slice_matrix.get((str(first), str(second)))
            if slices is None:
                slices = detector.slice_matrix.get((str(second), str(first)), [None, None])[::-1]
            marked = tuple(_marked(path, part, highlight_overlap) for path, part in zip((first, second), slices))
            match = FileMatch(name, (float(detector.similarity_matrix[i, j, 0]), float(detector.similarity_matrix[i, j, 1])),
                              int(detector.token_overlap_matrix[i, j]), marked)
            key, flipped = (a, b) if a < b else (b, a), a > b
            if flipped:
                match = FileMatch(name, match.similarity[::-1], match.overlap, match.marked[::-1])
            pairs.setdefault(key, Pair(key)).files.append(match)
    return pairs


def _split(path: Path, root: Path) -> tuple[str, str]:
    relative = path.relative_to(root)
    return relative.parts[0], Path(*relative.parts[1:]).as_posix()


def _marked(path: Path, slices, highlight_overlap) -> str:
    code = path.read_text(errors="replace")
    if slices is None or slices.shape[1] == 0:
        return html.escape(code)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        marked, _ = highlight_overlap(code, slices, "<mark>", "</mark>", escape_html=True)
    return marked


def write(course_dir: Path, assignment_id: str, output: Path | None = None) -> Path:
    """Write the page for ``assignment_id`` (default COURSE/reports/ASSIGNMENT-similarity.html); return its path."""
    output = output or default_path(course_dir, assignment_id)
    comparison = compare(course_dir, assignment_id)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render(assignment_id, comparison))
    return output


def default_path(course_dir: Path, assignment_id: str) -> Path:
    return course_dir / "reports" / f"{assignment_id}-similarity.html"


def render(assignment_id: str, comparison: Comparison) -> str:
    shown = comparison.pairs[:SHOWN]
    rows = "".join(
        f"<tr class='{'notable' if pair.similarity >= NOTABLE else ''}'><td>{pair.similarity:.0%}</td>"
        f"<td>{_pair_link(number, pair)}</td>"
        f"<td>{', '.join(html.escape(f.name) + f' ({max(f.similarity):.0%})' for f in _by_similarity(pair))}</td></tr>"
        for number, pair in enumerate(shown, start=1))
    details = "".join(_pair_section(number, pair) for number, pair in enumerate(shown, start=1) if pair.similarity)
    skipped = "".join(f"<li>{html.escape(s)}: {html.escape(why)}</li>" for s, why in comparison.skipped.items())
    count = len(comparison.students)
    body = (f"<p class='caption'>{count} submissions, {count * (count - 1) // 2} pairs, compared file by file with "
            "copydetect (MOSS-style fingerprints: renamed variables and reformatted code still match). The "
            "starter's code is left out. A pair's share is that of its most similar file. Correct solutions of a "
            "short exercise resemble each other: read the marked code before concluding anything.</p>"
            + (f"<table><tr><th>shared</th><th>students</th><th>files</th></tr>{rows}</table>" if shown else
               "<p>Fewer than two submissions: nothing to compare.</p>")
            + details + (f"<h2>Not compared</h2><ul>{skipped}</ul>" if skipped else ""))
    return PAGE.format(title=html.escape(f"Similar submissions: {assignment_id}"), body=body,
                       generated=datetime.datetime.now().strftime("%Y-%m-%d %H:%M"))


def _pair_link(number: int, pair: Pair) -> str:
    names = f"{html.escape(pair.students[0])} and {html.escape(pair.students[1])}"
    return f"<a href='#pair-{number}'>{names}</a>" if pair.similarity else names


def _by_similarity(pair: Pair) -> list[FileMatch]:
    return sorted(pair.files, key=lambda f: (-max(f.similarity), f.name))


def _pair_section(number: int, pair: Pair) -> str:
    first, second = (html.escape(s) for s in pair.students)
    files = "".join(
        f"<h3>{html.escape(f.name)}: {f.similarity[0]:.0%} of {first}'s and {f.similarity[1]:.0%} of {second}'s "
        f"fingerprints shared ({f.overlap} tokens)</h3><div class='side'><div><b>{first}</b><pre>{f.marked[0]}</pre>"
        f"</div><div><b>{second}</b><pre>{f.marked[1]}</pre></div></div>"
        for f in _by_similarity(pair) if max(f.similarity) > 0)
    return f"<section id='pair-{number}'><h2>{first} and {second}: {pair.similarity:.0%}</h2>{files}</section>"


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #222; margin: 0; background: #f5f6f8; }}
main {{ max-width: 1300px; margin: 0 auto; padding: 24px 32px 48px; }}
h1 {{ margin: 0 0 4px; font-size: 26px; }} h2 {{ font-size: 18px; margin: 0 0 8px; }} h3 {{ font-size: 14px; }}
section, table {{ background: #fff; border-radius: 10px; box-shadow: 0 1px 3px rgba(0,0,0,.08); }}
section {{ padding: 16px 20px; margin: 18px 0; }}
table {{ border-collapse: collapse; width: 100%; font-size: 14px; margin: 12px 0; }}
th, td {{ text-align: left; padding: 6px 10px; border-bottom: 1px solid #e4e4e4; }}
tr.notable td:first-child {{ color: #b2182b; font-weight: 600; }}
.caption, .generated {{ color: #555; font-size: 13.5px; }}
.side {{ display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }}
pre {{ white-space: pre-wrap; font-size: 12px; background: #fafafa; padding: 8px; border-radius: 6px;
      max-height: 36em; overflow: auto; margin: 4px 0; }}
mark {{ background: #fdd49e; }}
</style></head>
<body><main>
<h1>{title}</h1>
<p class="generated">generated {generated} by <code>dlkit similarity</code></p>
{body}
</main></body></html>
"""
