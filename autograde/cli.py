"""dlkit: the instructor's commands.

  dlkit new ASSIGNMENT             write a new assignment's three folders from a working template
  dlkit starter [--check]          generate starter/ from solutions/
  dlkit release ASSIGNMENT         build the nbgrader course and the student release
  dlkit autograde ASSIGNMENT       autograde submitted/ in parallel (optionally importing a folder first)
  dlkit cluster init               make the certificates of the course's Dask cluster (autograde --scheduler)
  dlkit grades ASSIGNMENT          print the grade table, optionally export CSV
  dlkit report ASSIGNMENT          write the HTML grade report (histogram, hardest checks, failures)
  dlkit similarity ASSIGNMENT      a page of the most similar pairs of submissions (copydetect)
  dlkit gradescope ASSIGNMENT      build a Gradescope autograder zip running the same trusted checks
  dlkit feedback ASSIGNMENT        generate feedback without hidden tests
  dlkit calibrate ASSIGNMENT       measure the reference over seeds and set accuracy bars
  dlkit selftest                   grade the catalogue of bugs and correct alternatives: do the checks hold?
  dlkit demo                       all of the above on the example submissions
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograde import kit, printable
from autograde.authoring import starter
from autograde.batch import coordinator, security, tasks
from autograde.batch.ledger import CourseLock, course_lock
from autograde.course import build, commands, config, exchange, submissions
from autograde.errors import Interrupted, UsageError
from autograde.grading import data
from autograde.limits import Limits
from autograde.reports import grade_table
from autograde.student import registry
from data_scripts import DatasetUnavailable
from data_scripts.download import DownloadError

DEFAULT_COURSE = kit.BUILD / "course"


def _new(args) -> int:
    from autograde.authoring import scaffold

    for path in scaffold.create(args.assignment):
        print(f"wrote {path.relative_to(kit.REPO)}")
    print(f"next: `dlkit starter`, then `dlkit release {args.assignment}`; see \"Adding an assignment\" in README.md")
    return 0


def _starter(args) -> int:
    solutions, target = kit.SOLUTIONS, kit.STARTER
    try:
        if args.check:
            problems = starter.stale(solutions, target)
            for problem in problems:
                print(problem, file=sys.stderr)
            if problems:
                print("run `make starter` (dlkit starter) to regenerate starter/", file=sys.stderr)
            return 1 if problems else 0
        for path in starter.write(solutions, target):
            print(f"wrote {path.relative_to(kit.REPO)}")
    except starter.MarkerError as error:
        raise UsageError(str(error)) from None
    return 0


def _release(args) -> int:
    due = build.parse_due(args.due) if args.due else None
    for assignment_id in args.assignment:
        folder = build.release(args.course_dir, assignment_id, args.db_url, due=due, exchange=args.exchange)
        print(f"released {assignment_id}: {folder}" + (f", due {due:%Y-%m-%d %H:%M} UTC" if due else ""))
        exchange = config.exchange_root(args.course_dir)
        if exchange:
            print(f"published to nbgrader's exchange in {exchange}: students run `nbgrader fetch_assignment "
                  f"{assignment_id} --course {config.COURSE_ID}`, then `nbgrader submit {assignment_id} "
                  f"--course {config.COURSE_ID}`")
    return 0


def _cluster(args) -> int:
    folder, expires = security.init(args.course_dir, args.days)
    print(f"made the course's cluster certificates in {folder}, valid until {expires:%Y-%m-%d}:")
    print(f"  {security.CA:<34}the course's certificate authority, for every machine of the cluster (its key "
          f"was never written: nobody can sign another)")
    for role, where in (("scheduler", "the scheduler's machine"), ("worker", "each grading machine, and only those"),
                        ("client", "dlkit autograde, here")):
        print(f"  {security.certificate(role) + ', ' + security.key(role):<34}for {where}")
    for what, command in security.start_commands(folder):
        print(f"{what}:\n  {command}")
    return 0


def _autograde(args) -> int:
    if args.times and not args.submissions:
        raise UsageError("--times gives the times of --submissions FOLDER: add --submissions, or drop --times")
    if args.scheduler:
        security.require_secure(args.scheduler, args.insecure_cluster)
    submissions.require_released(args.course_dir, args.assignment)
    data.for_assignment(args.assignment)
    # One run at a time: collecting, importing and grading all write the course.
    with course_lock(args.course_dir, args.wait, f"grading {args.assignment}") as held:
        return _collect_and_grade(args, held)


def _collect_and_grade(args, held: CourseLock) -> int:
    refused = {}
    if args.collect:
        collected = exchange.collect(args.course_dir, args.assignment)
        count = len(collected.students)
        print(f"collected {count} submission{'' if count == 1 else 's'} of {args.assignment} from nbgrader's "
              f"exchange" + (f": {', '.join(collected.students)}" if count else ""))
        for student, handed_in in collected.times.items():
            print(f"  {student}: submitted {handed_in:%Y-%m-%d %H:%M:%S} UTC ({exchange.EXCHANGE_CTIME})")
        for warning in collected.warnings:
            print(f"warning: {warning}")
        refused.update(collected.refused)
    if args.submissions:
        imported = submissions.import_folder(args.course_dir, args.assignment, args.submissions, args.times)
        for note in imported.notes:
            print(f"note: {note}")
        refused.update(imported.refused)
    summary = coordinator.grade_class(args.course_dir, args.assignment, jobs=args.jobs, scheduler=args.scheduler,
                                      force=args.force, students=args.student,
                                      limits=Limits(submission_seconds=args.time_limit,
                                                    cell_seconds=args.cell_time_limit,
                                                    sandbox_required=not args.unsafe_no_sandbox), db_url=args.db_url,
                                      rejected=refused, held=held, insecure_cluster=args.insecure_cluster)
    print(summary.describe())
    for shown, why in summary.unnamed.items():
        print(f"  '{shown}': refused, not graded or recorded: {why}")
    for student, cleared in summary.cleared.items():
        print(f"  {student}: the files changed since the manual grading, so these manual entries were cleared: "
              + "; ".join(cleared))
    for result in summary.results:
        if result.status == tasks.DID_NOT_IMPORT:  # each file's finding says "did not import" itself
            for finding in result.error.splitlines():
                print(f"  {result.student_id}: {grade_table.first_line(finding)}")
        elif result.status != tasks.GRADED:
            print(f"  {result.student_id}: {result.status}: {grade_table.first_line(result.error)}")
    return 0


def _graded(args) -> tuple[list[str], list]:
    """The grade table's columns and rows; UsageError when no submission is graded yet."""
    columns, rows = grade_table.collect(args.course_dir, args.assignment, args.db_url)
    if not rows:
        raise UsageError(f"no submission of {args.assignment} is graded yet in {args.course_dir}: run "
                         f"`dlkit autograde {args.assignment} --course-dir {args.course_dir}` first")
    return columns, rows


def _grades(args) -> int:
    if args.canvas and args.roster is None:
        raise UsageError("--canvas needs --roster: the gradebook CSV exported from Canvas (Grades > Export), "
                         "which names the students as Canvas knows them")
    if args.canvas and not args.roster.is_file():
        raise UsageError(f"the roster {args.roster} is not a file: export the gradebook from Canvas (Grades > Export)")
    columns, rows = _graded(args)
    print(grade_table.table(columns, rows))
    if args.csv:
        args.csv.write_text(grade_table.to_csv(columns, rows))
        print(f"wrote {args.csv}")
    if args.canvas:
        _canvas(args, rows)
    return 0


def _canvas(args, rows) -> None:
    from autograde.platforms import canvas

    made = canvas.export(args.assignment, rows, args.roster.read_text(encoding="utf-8-sig"), args.canvas_column)
    args.canvas.write_text(made.text)
    print(f"wrote {args.canvas}: column {made.column!r}, for Canvas's Grades > Import")
    if made.unmatched:
        print(printable.terminal(f"warning: not in the roster, so not in {args.canvas}: {', '.join(made.unmatched)} "
                                 "(matched by SIS Login ID, SIS User ID, ID or name)"), file=sys.stderr)


def _similarity(args) -> int:
    from autograde.reports import similarity

    submissions.require_released(args.course_dir, args.assignment)
    print(f"wrote {similarity.write(args.course_dir, args.assignment, args.output)}")
    return 0


def _gradescope(args) -> int:
    from autograde.platforms import gradescope

    output = args.output or kit.BUILD / "gradescope" / f"{args.assignment}.zip"
    print(f"wrote {gradescope.build(args.assignment, output)}: upload it on Gradescope's Configure Autograder page "
          "(Ubuntu base image)")
    return 0


def _report(args) -> int:
    from autograde.reports import class_report

    collected = _graded(args)  # refuses a course with nothing graded; the report is built from the same read
    print(f"wrote {class_report.write(args.course_dir, args.assignment, args.output, args.db_url, collected)}")
    return 0


def _feedback(args) -> int:
    folder = commands.feedback(args.course_dir, args.assignment)
    print(f"feedback in {folder}")
    return 0


def _calibrate(args) -> int:
    from autograde.grading import calibration
    from autograde.student import modules

    bars = [c.bar for c in calibration.accuracy_checks(args.assignment)]
    selected = [bar for bar in bars if not args.key or bar.key in args.key]
    if not selected:
        raise UsageError(f"{args.assignment} has no accuracy checks to calibrate"
                         + (f" named {', '.join(args.key)}; known: {', '.join(b.key for b in bars) or 'none'}"
                            if args.key else ""))
    reference = modules.student_code(args.assignment, kit.solutions(args.assignment))
    for bar in selected:
        entry_key = bar.entry_key()
        entry = calibration.calibrate(entry_key, lambda seed: bar.score(reference, seed), list(range(args.seeds)),
                                      note=bar.note, rule=bar.rule)
        print(f"{entry_key}: accuracies {entry['accuracies']}, bar {entry['bar']}", flush=True)
    return 0


def _selftest(args) -> int:
    from autograde.authoring import selftest

    return selftest.main(args.assignment, quick=args.quick, jobs=args.jobs)


def _demo(args) -> int:
    from autograde.authoring import demo

    return demo.run(args.course_dir, args.jobs)


def positive(kind):
    """An argparse type: a number of ``kind`` that is at least 1 (int) or above 0 (float)."""
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if value < 1 if kind is int else value <= 0:
            raise argparse.ArgumentTypeError(f"must be {'at least 1' if kind is int else 'positive'}, got {text}")
        return value
    return parse


def jobs_option(sub) -> None:
    sub.add_argument("--jobs", type=positive(int), default=None, metavar="N",
                     help="local worker processes (default: one per core)")


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="dlkit", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name, function, help_text, needs=None):
        """``needs``: what of the kit's instructor files the command reads (kit.NEEDS), checked before it runs."""
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(function=function, needs=needs)
        return sub

    def course_options(sub):
        sub.add_argument("--course-dir", type=Path, default=DEFAULT_COURSE,
                         help="nbgrader course directory (default: build/course in the kit)")
        sub.add_argument("--db-url", default=None, help="gradebook URL (default: sqlite in the course directory)")

    sub = command("new", _new, "write a new assignment's folders (solutions/, notebooks/, autograde/assignments/) "
                               "from a template that releases and autogrades as it is", needs="checkout")
    sub.add_argument("assignment", help="the new assignment's id: lower-case letters, digits and _")

    sub = command("starter", _starter, "generate starter/ from solutions/ (stubs replace solution blocks)",
                  needs="solutions")
    sub.add_argument("--check", action="store_true", help="only report files that are out of date (exit 1)")

    sub = command("release", _release, "build the course's source folder and run nbgrader generate_assignment",
                  needs="checkout")
    sub.add_argument("assignment", nargs="+", choices=registry.ids())
    sub.add_argument("--exchange", type=Path, metavar="DIR",
                     help="also publish the release to nbgrader's exchange in DIR (a folder every account can "
                          "write to, such as /srv/nbgrader/exchange), for students' `nbgrader fetch_assignment`")
    sub.add_argument("--due", metavar="TIME", help="the due date in the gradebook, such as '2026-12-01 17:00 UTC' or "
                                                   "'2026-12-01 17:00 Europe/Stockholm': later submissions are marked "
                                                   "late (nbgrader's late penalty applies, if configured)")
    course_options(sub)

    sub = command("autograde", _autograde,
                  "autograde the submissions not graded yet, in parallel, with nbgrader and the trusted checks",
                  needs="grading")
    sub.add_argument("assignment", choices=registry.ids())
    sub.add_argument("--collect", action="store_true",
                     help="first collect the students' submissions from nbgrader's exchange: each student's "
                          "latest made by their own account, timed by when the file system saw it change")
    sub.add_argument("--submissions", type=Path, metavar="FOLDER",
                     help="first import FOLDER/<student>/ or FOLDER/<student>.zip (.tar.gz): their .py files and "
                          "notebooks, found further down if need be")
    sub.add_argument("--times", type=Path, metavar="CSV",
                     help="with --submissions: when each student handed in, from the platform's export (columns "
                          "student and submitted_at); without it, each archive's or folder's file time on this disk "
                          "(a student's timestamp.txt and the dates inside an archive are never used)")
    workers = sub.add_mutually_exclusive_group()
    jobs_option(workers)
    workers.add_argument("--scheduler", metavar="ADDRESS",
                         help="grade on the workers of this Dask scheduler (tls://HOST:8786, with the certificates of "
                              "`dlkit cluster init`) instead of local processes")
    sub.add_argument("--insecure-cluster", action="store_true",
                     help="allow a --scheduler address without TLS (tcp://): neither authenticated nor encrypted, "
                          "for a network only the course's machines reach")
    sub.add_argument("--wait", action="store_true",
                     help="when another dlkit autograde is grading this course, wait for it to end instead of "
                          "stopping with an error")
    sub.add_argument("--force", action="store_true",
                     help="regrade every submission, also those already graded with the same files (manual scores "
                          "and comments given in formgrader stay unless the files changed)")
    sub.add_argument("--student", action="append", metavar="ID", help="grade only this student (repeatable)")
    sub.add_argument("--time-limit", type=positive(float), default=Limits.submission_seconds, metavar="SECONDS",
                     help=f"wall-clock limit of one submission (default {Limits.submission_seconds:g})")
    sub.add_argument("--cell-time-limit", type=positive(int), default=Limits.cell_seconds, metavar="SECONDS",
                     help="seconds one notebook cell may run in the kernel before it is interrupted "
                          f"(default {Limits.cell_seconds})")
    sub.add_argument("--unsafe-no-sandbox", action="store_true",
                     help="where bubblewrap is missing, grade anyway with resource limits only (student code can then "
                          "read the solutions and change grades; the grade table marks these submissions)")
    course_options(sub)

    sub = command("grades", _grades, "print the grade table from the gradebook")
    sub.add_argument("assignment", choices=registry.ids())
    sub.add_argument("--csv", type=Path, help="also write the table as CSV to this file")
    sub.add_argument("--canvas", type=Path, metavar="FILE", help="also write FILE for Canvas's gradebook import "
                                                                 "(with --roster)")
    sub.add_argument("--roster", type=Path, metavar="CSV", help="the gradebook exported from Canvas: its students, "
                                                                "matched to the submissions by SIS Login ID, SIS User "
                                                                "ID, ID or name")
    sub.add_argument("--canvas-column", metavar="TITLE", help="the assignment's column, such as 'Homework 4 (1234)' "
                                                              "(default: the roster's column named like the "
                                                              "assignment, else a new assignment)")
    course_options(sub)

    sub = command("similarity", _similarity, "compare every pair of submissions' files (copydetect, MOSS-style) "
                                              "and write a page of the most similar pairs", needs="checkout")
    sub.add_argument("assignment", choices=registry.ids())
    sub.add_argument("--output", type=Path, help="the page (default: COURSE/reports/ASSIGNMENT-similarity.html)")
    course_options(sub)

    sub = command("gradescope", _gradescope, "build a Gradescope autograder zip that grades with the trusted checks "
                                              "in the sandbox and writes Gradescope's results.json", needs="checkout")
    sub.add_argument("assignment", choices=registry.ids())
    sub.add_argument("--output", type=Path, help="the zip (default: build/gradescope/ASSIGNMENT.zip)")

    sub = command("report", _report, "write the class's HTML grade report: score histogram, pass rate of every "
                                      "check, average of every grade cell, submissions that failed to run")
    sub.add_argument("assignment", choices=registry.ids())
    sub.add_argument("--output", type=Path, help="the HTML file (default: COURSE_DIR/reports/ASSIGNMENT.html)")
    course_options(sub)

    sub = command("cluster", _cluster, "make the certificates of the course's Dask cluster: a certificate authority "
                                       "of its own, and a certificate for the scheduler, the workers and dlkit autograde")
    sub.add_argument("action", choices=["init"])
    sub.add_argument("--days", type=positive(int), default=security.DAYS,
                     help=f"how long the certificates hold (default {security.DAYS})")
    course_options(sub)

    sub = command("feedback", _feedback, "generate HTML feedback (hidden tests removed)")
    sub.add_argument("assignment", choices=registry.ids())
    course_options(sub)

    sub = command("calibrate", _calibrate, "train the reference over seeds and record the accuracy bar",
                  needs="grading")
    sub.add_argument("assignment", choices=registry.ids())
    sub.add_argument("--seeds", type=int, default=10, help="number of seeds (default 10)")
    sub.add_argument("--key", action="append", help="calibrate only this bar (repeatable; default: all of the assignment)")

    sub = command("selftest", _selftest, "grade every catalogued bug and correct alternative (autograde/assignments/*/catalogue/) "
                  "through the trusted pipeline; exit 1 when a bug earns full marks or an alternative loses a point",
                  needs="checkout")
    sub.add_argument("--assignment", action="append", choices=registry.ids(),
                     help="only this assignment's catalogue (repeatable; default: all)")
    sub.add_argument("--quick", action="store_true",
                     help="run a bug's accuracy checks only when its other checks did not catch it, and no "
                          "alternative's (a full run trains every alternative: tens of minutes)")
    sub.add_argument("--jobs", type=positive(int), default=None, help="worker processes (default: one per core)")

    sub = command("demo", _demo, "fetch the data, release, autograde the example submissions, print the grades",
                  needs="checkout")
    jobs_option(sub)
    course_options(sub)
    return top


def require(command: str, needs: str | None, assignment) -> None:
    """Refuse a command whose instructor files (``needs``, kit.NEEDS) this installation of the kit lacks."""
    if needs is not None:
        # The assignments the command names (`new`'s is not there yet); the kit's folders alone for the others.
        ids = [a for a in ([assignment] if isinstance(assignment, str) else assignment or []) if a in registry.ids()]
        lacking = kit.lacking(f"dlkit {command}", needs, ids)
        if lacking:
            raise UsageError(lacking)


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    # What dlkit prints holds students' ids and their exceptions' messages: nothing in it steers the terminal.
    # (stderr keeps its carriage returns for the progress bar; what this function prints there is escaped.)
    stdout, sys.stdout = sys.stdout, printable.Terminal(sys.stdout)
    try:
        require(args.command, args.needs, getattr(args, "assignment", None))  # before anything is written
        if getattr(args, "course_dir", None) == DEFAULT_COURSE and not kit.is_checkout():
            raise UsageError(f"pass --course-dir: the default course folder is build/course in the kit's checkout, and "
                             f"this installation of the kit is no checkout ({kit.REPO})")
        return args.function(args)
    # The errors that say what to do; any other is a fault of the kit, which reaches the user with its traceback.
    except (UsageError, commands.NbgraderFailed, registry.UnknownAssignment, FileNotFoundError, DatasetUnavailable,
            DownloadError) as error:
        print(printable.terminal(f"error: {error}"), file=sys.stderr)
        return 1
    except Interrupted as interrupted:
        print(printable.terminal(str(interrupted)), file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        sys.stdout = stdout


if __name__ == "__main__":
    sys.exit(main())
