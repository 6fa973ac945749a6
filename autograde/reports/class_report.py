"""The class's grade report: one self-contained HTML file an instructor reads at a glance.

``build(course_dir, assignment)`` reads what ``dlkit grades`` reads (nbgrader's gradebook, the
trusted check outcomes in the autograded notebooks, the ledger of failed gradings) and
draws it with matplotlib as inline SVG: the score histogram, the pass rate of every check
(hardest first, so the exercise the class found hardest is on top), the average of every
grade cell, and the submissions that failed to run with the reason. Everything a student
wrote or printed is escaped: the report holds no markup of theirs.
"""
from __future__ import annotations

import collections
import datetime
import html
import io
import os
import statistics
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import numpy
from matplotlib import colormaps, rc_context
from matplotlib.figure import Figure
from nbgrader.api import Gradebook

from autograde.batch.tasks import DID_NOT_IMPORT, GRADED
from autograde.course import config
from autograde.reports import grade_table, similarity
from autograde.student.outcome import CheckState, state_of

#: Red (nobody) to green (everybody) for pass rates and scores.
COLORS = colormaps["RdYlGn"]


@dataclass(frozen=True)
class CheckRate:
    id: str
    group: str
    description: str
    hidden: bool
    passed: int
    ran: int
    #: The most common first line of the failure messages of those who attempted it, and how many got it.
    common_failure: tuple[str, int] | None
    #: Submissions whose code for this check still raised NotImplementedError.
    not_attempted: int = 0
    #: The hint most often given with the failures of those who attempted it.
    hint: str | None = None

    @property
    def attempted(self) -> int:
        return self.ran - self.not_attempted

    @property
    def rate(self) -> float:
        """The share of those who attempted the check that passed it."""
        return self.passed / self.attempted if self.attempted else 0.0


def check_rates(rows: list[grade_table.Row]) -> list[CheckRate]:
    """Pass rate of every check over the graded submissions that attempted it, hardest first; checks
    nobody attempted last."""
    outcomes: dict[str, list[dict]] = collections.defaultdict(list)
    for row in rows:
        if row.scored:
            for outcome in row.outcomes:
                if state_of(outcome) is CheckState.NOT_RUN:
                    continue  # the file's import failure is the finding, listed with the failures to run
                outcomes[outcome["id"]].append(outcome)
    rates = []
    for check_id, runs in outcomes.items():
        wrong = [o for o in runs if state_of(o) is CheckState.FAILED]
        failures = collections.Counter(grade_table.first_line(o["message"]) for o in wrong)
        hints = collections.Counter(o["hint"] for o in wrong if o.get("hint"))
        first = runs[0]
        rates.append(CheckRate(check_id, first["group"], first["description"], first["hidden"],
                               sum(state_of(o) is CheckState.PASSED for o in runs), len(runs),
                               failures.most_common(1)[0] if failures else None,
                               sum(state_of(o) is CheckState.NOT_ATTEMPTED for o in runs),
                               hints.most_common(1)[0][0] if hints else None))
    return sorted(rates, key=lambda r: (r.attempted == 0, r.rate, r.id))


def build(course_dir: Path, assignment_id: str, db_url: str | None = None, output: Path | None = None,
          collected: tuple[list[str], list[grade_table.Row]] | None = None) -> str:
    """The HTML report of ``assignment_id``; with ``output`` (where it will be written), each student
    links to their feedback pages, where ``dlkit feedback`` made them. ``collected`` is the grade table
    (``grade_table.collect``) when the caller has read it already."""
    columns, rows = collected or grade_table.collect(course_dir, assignment_id, db_url)
    with Gradebook(config.db_url_of(course_dir, db_url), config.COURSE_ID) as gradebook:
        cell_points = {cell.name: cell.max_score for notebook in gradebook.find_assignment(assignment_id).notebooks
                       for cell in notebook.grade_cells}
    links = {}
    if output is not None:
        for row in rows:
            pages = [(name, course_dir / "feedback" / row.student / assignment_id / f"{name}.html")
                     for name in row.notebooks]
            links[row.student] = [(name, _href(page, output)) for name, page in pages if page.is_file()]
    similar = similarity.default_path(course_dir, assignment_id)
    similar_href = _href(similar, output) if output is not None and similar.is_file() else None
    return render(assignment_id, columns, cell_points, rows, links, similar_href)


def _href(page: Path, output: Path) -> str:
    """``page`` as a link from the report at ``output``."""
    return urllib.parse.quote(Path(os.path.relpath(page, output.parent)).as_posix())


def write(course_dir: Path, assignment_id: str, output: Path | None = None, db_url: str | None = None,
          collected: tuple[list[str], list[grade_table.Row]] | None = None) -> Path:
    """Write the report of ``assignment_id`` to ``output`` (default COURSE/reports/ASSIGNMENT.html); return its path."""
    output = (output or course_dir / "reports" / f"{assignment_id}.html").absolute()
    page = build(course_dir, assignment_id, db_url, output, collected)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(page)
    return output


def render(assignment_id: str, columns: list[str], cell_points: dict[str, float], rows: list[grade_table.Row],
           links: dict[str, list[tuple[str, str]]] | None = None, similar_href: str | None = None) -> str:
    graded = [row for row in rows if row.scored]
    failed = [row for row in rows if row.status != GRADED]
    rates = check_rates(rows)
    maximum = max((row.max_score for row in rows), default=0.0)
    scores = [row.score for row in graded]
    notebooks = grade_table.notebook_names(rows)
    sections = [_summary(rows, graded, failed, scores, maximum)]
    sections.append(f"<p class='caption'>Submissions that share code: <a href='{similar_href}'>the similarity "
                    "report</a>.</p>" if similar_href else "<p class='caption'>Submissions that share code: "
                    f"<code>dlkit similarity {html.escape(assignment_id)}</code> writes a page of the most similar "
                    "pairs, which this report then links.</p>")
    if graded:
        sections.append(_section("Scores", _histograms(graded, maximum, notebooks),
                                 f"{len(graded)} graded submissions"
                                 + (", in total and in each notebook" if len(notebooks) > 1 else "")
                                 + "; the dashed line is the mean, the dotted one the median."))
    if rates:
        sections.append(_section("Which checks the class passed", _hardest_table(rates) + _pass_rates(rates),
                                 "Every check of the autograder, hardest first: the share of the graded submissions "
                                 "that attempted it which passed it. A submission whose code for a check still "
                                 "raises NotImplementedError did not attempt it; hidden checks are marked."))
    if graded and columns:
        sections.append(_section("Average of every grade cell", _cell_averages(columns, cell_points, graded),
                                 "Mean points of each notebook grade cell, as a share of its points."))
    sections.append(_failures(failed))
    sections.append(_students(rows, maximum, notebooks, links or {}))
    title = f"Grade report: {assignment_id}"
    return PAGE.format(title=html.escape(title), body="\n".join(sections),
                       generated=datetime.datetime.now().strftime("%Y-%m-%d %H:%M"))


# -- parts of the page -----------------------------------------------------------------------
def _summary(rows, graded, failed, scores, maximum) -> str:
    def card(value: str, label: str, tone: str = "") -> str:
        return f'<div class="card {tone}"><div class="value">{value}</div><div class="label">{label}</div></div>'

    cards = [card(str(len(rows)), "submissions"), card(str(len(graded)), "graded")]
    cards.append(card(str(len(failed)), "failed to run", "bad" if failed else "good"))
    if scores:
        mean, median = statistics.fmean(scores), statistics.median(scores)
        cards.append(card(f"{mean:.1f}<small> / {maximum:g}</small>", f"mean score ({mean / maximum:.0%})"
                          if maximum else "mean score"))
        cards.append(card(f"{median:g}", "median score"))
        cards.append(card(str(sum(s >= maximum for s in scores)), "full marks"))
        cards.append(card(str(sum(s <= 0 for s in scores)), "scored nothing"))
    return f'<div class="cards">{"".join(cards)}</div>'


def _section(title: str, content: str, caption: str) -> str:
    return f'<section><h2>{html.escape(title)}</h2><p class="caption">{html.escape(caption)}</p>{content}</section>'


def _hardest_table(rates: list[CheckRate], count: int = 5) -> str:
    hardest = [r for r in rates if r.common_failure][:count]
    if not hardest:
        return ""
    body = "".join(
        f"<tr><td>{r.rate:.0%}<br><span class='muted'>of {r.attempted}</span></td>"
        f"<td><b>{html.escape(r.description)}</b><br><code>{html.escape(r.id)}</code></td>"
        f"<td>{html.escape(r.common_failure[0])} <span class='muted'>({r.common_failure[1]} of "
        f"{r.attempted - r.passed} failures)</span>"
        + (f"<div class='hint'>Hint: {html.escape(r.hint)}</div>" if r.hint else "") + "</td></tr>"
        for r in hardest)
    return ('<h3>The hardest checks among those who attempted them, and what went wrong most often</h3>'
            '<table><tr><th>passed</th><th>check</th><th>most common failure</th></tr>'
            f'{body}</table>')


def _failures(failed: list[grade_table.Row]) -> str:
    if not failed:
        return '<section><h2>Submissions that failed to run</h2><p class="good-text">None: every submission was graded.</p></section>'
    def reason(row) -> str:
        if row.status == DID_NOT_IMPORT:  # one finding per file, each said once
            return "".join(f"<b>{html.escape(line)}</b><br>" for line in row.error.splitlines() if line.strip())
        return (f"<b>{html.escape(grade_table.first_line(row.error, 300))}</b>"
                f"<pre>{html.escape(row.error[:1500])}</pre>")

    body = "".join(
        f"<tr><td>{html.escape(row.student)}</td><td><span class='badge'>{html.escape(row.status)}</span></td>"
        f"<td>{'' if row.seconds is None else f'{row.seconds:.0f} s'}</td><td>{reason(row)}</td></tr>"
        for row in failed)
    return ('<section><h2>Submissions that failed to run</h2><p class="caption">A submission whose files did not '
            'import is graded from the rest: the checks that needed those files earned nothing. No score counts '
            'for the others: every grade cell waits for manual grading. <code>dlkit autograde ASSIGNMENT --force '
            '--student ID</code> grades one again.</p><table><tr><th>student</th><th>what happened</th>'
            f'<th>after</th><th>reason</th></tr>{body}</table></section>')


def _students(rows: list[grade_table.Row], maximum: float, notebooks: list[str],
              links: dict[str, list[tuple[str, str]]]) -> str:
    def score(row) -> str:
        if not row.scored:
            return "&mdash;"
        parts = [f"<b>{row.score:g} / {maximum:g}</b>"]
        parts += [f"<span class='muted'>{html.escape(name)} {row.notebooks[name][0]:g} / {row.notebooks[name][1]:g}"
                  "</span>" for name in notebooks if name in row.notebooks and len(notebooks) > 1]
        return "<br>".join(parts)

    def student(row) -> str:
        pages = " · ".join(f"<a href='{href}'>{html.escape(name)}</a>" for name, href in links.get(row.student, []))
        late = grade_table.lateness(row.seconds_late)
        source = f" title='handed in: time from {html.escape(row.time_source)}'" if row.time_source else ""
        return (html.escape(row.student) + (f" <span class='badge'{source}>{late} late</span>" if late else "")
                + (f"<br><span class='muted'>feedback: {pages}</span>" if pages else ""))

    body = "".join(
        f"<tr><td>{student(row)}</td><td class='number'>{score(row)}</td><td>{html.escape(row.status)}</td>"
        f"<td>{_failed_list(row)}</td></tr>"
        for row in sorted(rows, key=lambda r: (r.scored, r.score, r.student)))
    return ('<section><h2>Every submission</h2><p class="caption">Lowest score first: what each student got wrong, '
            'with the hint they were given, and a link to their feedback pages.</p>'
            '<table><tr><th>student</th><th>score</th><th>status</th>'
            f'<th>what went wrong</th></tr>{body}</table></section>')


def _failed_list(row: grade_table.Row) -> str:
    warnings = "".join(f"<div class='warning'>{html.escape(w)}</div>" for w in row.warnings)
    return warnings + _failed_checks(row)


def _failed_checks(row: grade_table.Row) -> str:
    if not row.scored:
        return ""
    parts = []
    if row.not_run:
        parts.append(f"<div class='muted'>{len(row.not_run)} checks did not run: see the submissions that failed "
                     "to run</div>")
    if not row.failed:
        return "".join(parts) or f"nothing: all {row.checks} checks passed"
    if row.not_attempted:
        parts.append(f"<div class='muted'>not attempted: {html.escape(', '.join(row.not_attempted))}</div>")
    for failed in row.mistakes:
        parts.append(f"<div class='mistake'><code>{html.escape(failed['id'])}</code> "
                     f"{html.escape(grade_table.first_line(failed['message'], 300))}"
                     + (f"<div class='hint'>Hint: {html.escape(failed['hint'])}</div>" if failed.get("hint") else "")
                     + "</div>")
    return "".join(parts)


# -- figures ---------------------------------------------------------------------------------
def _svg(figure: Figure) -> str:
    stream = io.StringIO()
    with rc_context({"svg.fonttype": "path", "svg.hashsalt": "dlkit"}):
        figure.savefig(stream, format="svg", bbox_inches="tight")
    text = stream.getvalue()
    return f'<div class="figure">{text[text.index("<svg"):]}</div>'


def _style(axes) -> None:
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.tick_params(colors="#333")


def _histograms(graded: list[grade_table.Row], maximum: float, notebooks: list[str]) -> str:
    """The scores' histogram; for an assignment of several notebooks, one more per notebook beside it."""
    panels = [("total", [row.score for row in graded], maximum)]
    if len(notebooks) > 1:
        for name in notebooks:
            with_it = [row.notebooks[name] for row in graded if name in row.notebooks]
            panels.append((name, [score for score, _ in with_it], max((top for _, top in with_it), default=0.0)))
    figure = Figure(figsize=(9 if len(panels) == 1 else 4 * len(panels), 3.6), layout="constrained")
    for axes, (name, scores, top) in zip(figure.subplots(1, len(panels), squeeze=False)[0], panels):
        _histogram(axes, scores, top, name if len(panels) > 1 else "")
    return _svg(figure)


def _histogram(axes, scores: list[float], maximum: float, title: str) -> None:
    bins = _score_bins(maximum)
    counts, _ = numpy.histogram(scores, bins)
    centres = [(low + high) / 2 for low, high in zip(bins, bins[1:])]
    widths = [(high - low) * 0.9 for low, high in zip(bins, bins[1:])]
    colors = [COLORS(centre / maximum if maximum else 0.0) for centre in centres]
    axes.bar(centres, counts, width=widths, color=colors, edgecolor="#444", linewidth=0.6)
    for centre, count in zip(centres, counts):
        if count:
            axes.annotate(str(count), (centre, count), ha="center", va="bottom", xytext=(0, 2),
                          textcoords="offset points", fontsize=9)
    if scores:  # the caption says which line is which: no legend on the bars
        axes.axvline(statistics.fmean(scores), color="#222", linestyle="--", linewidth=1.2)
        axes.axvline(statistics.median(scores), color="#222", linestyle=":", linewidth=1.2)
    axes.set_xlim(bins[0], bins[-1])
    axes.set_ylim(0, max(counts.max(initial=0), 1) * 1.15)
    axes.set_xlabel(f"score (of {maximum:g} points)")
    axes.set_ylabel("submissions")
    if title:
        axes.set_title(title, fontsize=11)
    axes.yaxis.get_major_locator().set_params(integer=True)
    _style(axes)


def _score_bins(maximum: float) -> list[float]:
    """Bins one point wide up to 20 points, else 20 equal bins; the top score gets a bin of its own."""
    if maximum <= 0:
        return [0.0, 1.0]
    count = int(maximum) if maximum <= 20 and float(maximum).is_integer() else 20
    width = maximum / count
    return [i * width for i in range(count)] + [maximum, maximum + width]


def _pass_rates(rates: list[CheckRate]) -> str:
    """Every check as a row: what it verifies in full, its cell, and a bar of the share that passed it."""
    def bar(rate: CheckRate) -> str:
        if not rate.attempted:
            return "<span class='muted'>nobody attempted it</span>"
        red, green, blue, _ = (int(255 * channel) for channel in COLORS(rate.rate))
        return (f"<div class='bar'><div style='width:{rate.rate:.0%};background:rgb({red},{green},{blue})'></div>"
                f"</div>{rate.passed} of {rate.attempted} ({rate.rate:.0%})")

    body = "".join(
        f"<tr><td>{html.escape(r.description)}" + (" <span class='tag'>hidden</span>" if r.hidden else "")
        + f"<br><code>{html.escape(r.id)}</code></td><td class='number'>{bar(r)}</td>"
        f"<td class='number'>{r.not_attempted or ''}</td></tr>" for r in rates)
    return ("<h3>Every check</h3><table class='rates'><tr><th>check</th><th>passed, of those who attempted it</th>"
            f"<th>not attempted</th></tr>{body}</table>")


def _cell_averages(columns: list[str], cell_points: dict[str, float], graded: list[grade_table.Row]) -> str:
    means = [statistics.fmean(row.cells.get(cell, 0.0) or 0.0 for row in graded) for cell in columns]
    shares = [mean / cell_points[cell] if cell_points.get(cell) else 0.0 for cell, mean in zip(columns, means)]
    notes = [f"{mean:.2g} / {cell_points.get(cell, 0):g}" for cell, mean in zip(columns, means)]
    return _share_bars(columns, shares, notes, "mean points, share of the cell's points", width=9, row_height=0.32,
                       bar_height=0.7, label_size=9, right=115)


def _share_bars(labels: list[str], shares: list[float], notes: list[str], xlabel: str, *, width: float,
                row_height: float, bar_height: float, label_size: float, right: float) -> str:
    """Horizontal bars of shares in [0, 1], the first at the top, each coloured by its share and
    annotated with its note."""
    figure = Figure(figsize=(width, 0.9 + row_height * len(labels)))
    axes = figure.add_subplot()
    positions = list(range(len(labels)))[::-1]  # the first (the hardest check) at the top
    axes.barh(positions, [share * 100 for share in shares], color=[COLORS(share) for share in shares],
              edgecolor="#444", linewidth=0.5, height=bar_height)
    axes.set_yticks(positions, labels, fontsize=label_size)
    for position, share, note in zip(positions, shares, notes):
        axes.annotate(note, (share * 100, position), va="center", xytext=(4, 0), textcoords="offset points",
                      fontsize=8)
    axes.set_xlim(0, right)
    axes.set_xticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
    axes.set_xlabel(xlabel)
    axes.set_ylim(-0.6, len(labels) - 0.4)
    _style(axes)
    return _svg(figure)


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #222; margin: 0; background: #f5f6f8; }}
main {{ max-width: 1100px; margin: 0 auto; padding: 24px 32px 48px; }}
h1 {{ margin: 0 0 4px; font-size: 26px; }}
h2 {{ margin: 0 0 4px; font-size: 19px; }}
h3 {{ font-size: 15px; margin: 18px 0 6px; }}
section {{ background: #fff; border-radius: 10px; padding: 18px 22px; margin: 18px 0;
          box-shadow: 0 1px 3px rgba(0,0,0,.08); }}
.caption, .muted, .generated {{ color: #666; font-size: 13.5px; margin: 0 0 10px; }}
.cards {{ display: flex; flex-wrap: wrap; gap: 12px; margin-top: 16px; }}
.card {{ background: #fff; border-radius: 10px; padding: 12px 18px; min-width: 110px;
        box-shadow: 0 1px 3px rgba(0,0,0,.08); border-top: 4px solid #8aa; }}
.card.good {{ border-top-color: #1a9850; }} .card.bad {{ border-top-color: #d73027; }}
.card .value {{ font-size: 26px; font-weight: 600; }} .card small {{ font-size: 14px; color: #666; }}
.card .label {{ color: #555; font-size: 13px; }}
.figure svg {{ max-width: 100%; height: auto; }}
table {{ border-collapse: collapse; width: 100%; font-size: 13.5px; }}
th, td {{ text-align: left; padding: 6px 8px; border-bottom: 1px solid #e4e4e4; vertical-align: top; }}
th {{ background: #fafafa; }}
td.number {{ white-space: nowrap; }}
pre {{ white-space: pre-wrap; margin: 0; font-size: 12px; max-height: 12em; overflow: auto; }}
code {{ font-size: 12px; background: #f1f1f1; padding: 0 3px; border-radius: 3px; }}
.badge {{ background: #d73027; color: #fff; border-radius: 4px; padding: 1px 6px; font-size: 12px; white-space: nowrap; }}
.warning {{ background: #fff3cd; border-left: 3px solid #e0a800; padding: 2px 6px; margin-bottom: 4px; font-size: 13px; }}
.good-text {{ color: #1a7a40; }}
.hint {{ color: #555; font-size: 12.5px; margin-top: 2px; }}
.mistake {{ margin-bottom: 6px; }}
.tag {{ background: #eee; border-radius: 3px; padding: 0 4px; font-size: 11px; color: #555; }}
.bar {{ display: inline-block; width: 120px; height: 10px; background: #eee; border-radius: 2px;
       margin-right: 8px; vertical-align: middle; }}
.bar div {{ height: 100%; border-radius: 2px; }}
</style></head>
<body><main>
<h1>{title}</h1>
<p class="generated">generated {generated} by <code>dlkit report</code>: scores come from the trusted checks only</p>
{body}
</main></body></html>
"""
