"""Nothing a student wrote runs in the instructor's browser, nor in the browser of another reader (issue 32).

nbgrader's formgrader draws the autograded notebook as HTML in the instructor's browser, at the origin of the
Jupyter server, whose API changes grades and writes files; the students' feedback pages are HTML too. An
attacker submits a notebook whose markdown holds an ``<img onerror>``, an ``<svg onload>``, a ``<script>``, a
mermaid block and a ``javascript:`` link, and whose code cell (the kit runs the notebook) displays HTML with an
``onerror``, JavaScript, markdown with an ``<img onerror>``, an SVG with ``onload``, an image whose width
smuggles an ``onerror``, and an HTML widget. Each payload that runs records its name in ``window.__pwned``,
sets the page's title, gives every grade of the victim (a student with the reference solution) a manual
score of 0 through formgrader's API, and writes ``pwned_<name>.txt`` into the course through the contents API.

The class is graded with ``dlkit autograde`` and its feedback made with ``dlkit feedback``; then a real
formgrader (``jupyter server`` on 127.0.0.1 with a token) opens the attacker's submission in Debian's Chromium,
the link is clicked, and nothing may have run: no name recorded, no dialog, the victim's grades as they were,
no file written. The autograded notebook and the feedback page hold nothing that runs, and the feedback page
carries a Content-Security-Policy; the victim's feedback page and the attacker's cells in theirs are saved to
build/screenshots/ (feedback_page.png, feedback_page_attacker.png) to be looked at.
"""
from __future__ import annotations

import shutil

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell

from autograde import cli
from autograde.batch import coordinator
from autograde.course import config, submissions
from autograde.kit import REPO
from support import grading_state
from support.browser import CHROMIUM_ARGUMENTS, SCREENSHOTS, jupyter_server
from support.executable import executable

ASSIGNMENT, NOTEBOOK = "softmax_mlp", "softmax"
REFERENCE = REPO / "solutions/softmax_mlp/softmax_classifier.py"
STARTER = REPO / "starter/softmax_mlp/softmax_classifier.py"
#: What every payload does when it runs, as the instructor: it is found out, and it does the damage.
ATTACK = ("(window.__pwned=window.__pwned||[]).push('{name}');document.title='PWNED';"
          "(async()=>{{const m=document.cookie.match(/_xsrf=([^;]+)/);"
          "const h={{'Content-Type':'application/json','X-XSRFToken':m?decodeURIComponent(m[1]):''}};"
          "const notebooks=await(await fetch('/formgrader/api/submitted_notebooks/{assignment}/{notebook}',"
          "{{headers:h}})).json();"
          "for(const n of notebooks){{if(n.student!=='victim')continue;"
          "const grades=await(await fetch('/formgrader/api/grades?submission_id='+n.id,{{headers:h}})).json();"
          "for(const g of grades){{await fetch('/formgrader/api/grade/'+g.id,{{method:'PUT',headers:h,"
          "body:JSON.stringify({{manual_score:0,extra_credit:null}})}});}}}}"
          "await fetch('/api/contents/pwned_{name}.txt',{{method:'PUT',headers:h,"
          "body:JSON.stringify({{type:'file',format:'text',content:'pwned'}})}});}})();")
LINK_TEXT = "click here for my derivation"


def payload(name: str) -> str:
    """``ATTACK`` as one JavaScript expression without quotes or spaces, which fits any attribute."""
    code = ATTACK.format(name=name, assignment=ASSIGNMENT, notebook=NOTEBOOK)
    return f"eval(String.fromCharCode({','.join(str(ord(character)) for character in code)}))"


def attacking_cells() -> list:
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" onload="{payload("svg_output")}"><circle r="5"/></svg>'
    code = "\n".join([
        "from IPython.display import HTML, SVG, Javascript, Markdown, display, publish_display_data",
        "import ipywidgets",
        f"display(HTML({'<b>my table</b><img src=x onerror=' + payload('html_output') + '>'!r}))",
        f"display(Javascript({payload('javascript_output')!r}))",
        f"display(Markdown({'<img src=x onerror=' + payload('markdown_output') + '>'!r}))",
        f"display(SVG({svg!r}))",
        "publish_display_data({'image/png': 'not a png', 'text/plain': 'a plot'},",
        f"                     metadata={{'image/png': {{'width': {'1 onerror=' + payload('image_width')!r}}}}})",
        f"display(ipywidgets.HTML({'<img src=x onerror=' + payload('widget') + '>'!r}))",
    ])
    return [
        new_markdown_cell(f'My answer, with a figure: <img src=x onerror="{payload("markdown_img")}">\n\n'
                          f'<svg onload="{payload("markdown_svg")}"></svg> and the loss $J = \\frac{{1}}{{N}}$.'),
        new_markdown_cell(f"<script>{payload('markdown_script')}</script>\n\nThe gradient is $G = P - Y$."),
        new_markdown_cell(f"[{LINK_TEXT}](javascript:{payload('markdown_link')})"),
        new_markdown_cell(f"```mermaid\n<img src=x onerror={payload('mermaid')}>\n```"),
        new_code_cell(code),
    ]


@pytest.fixture(scope="module")
def course(tmp_path_factory, release_copy):
    """The class graded with `dlkit autograde` and its feedback made with `dlkit feedback`: a victim with the
    reference solution, and the attacker. The mlp notebook is not submitted (nbgrader scores it 0)."""
    course_dir = release_copy(ASSIGNMENT, tmp_path_factory.mktemp("browser-attacks") / "course")
    for student, code in (("victim", REFERENCE), ("attacker", STARTER)):
        folder = submissions.stage(course_dir, ASSIGNMENT, student, {"softmax_classifier.py": code})
        (folder / "mlp.ipynb").unlink()
    notebook_path = course_dir / "submitted/attacker" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    notebook = nbformat.read(notebook_path, as_version=4)
    notebook.cells += attacking_cells()
    nbformat.write(notebook, notebook_path)
    assert cli.main(["autograde", ASSIGNMENT, "--course-dir", str(course_dir), "--jobs", "2"]) == 0
    # A refused submission (``dlkit autograde --submissions`` refuses an archive holding a link, and names it):
    # formgrader opens the released notebook in its place, under a banner that gives the reason.
    coordinator.grade_class(course_dir, ASSIGNMENT, progress=False, rejected={
        "refused": f"refused.zip holds a link, <img src=x onerror={payload('refusal_reason')}>"})
    assert cli.main(["feedback", ASSIGNMENT, "--course-dir", str(course_dir)]) == 0
    return course_dir


@pytest.fixture(scope="module")
def formgrader(course, tmp_path_factory):
    """nbgrader's formgrader in a Jupyter server on 127.0.0.1, serving the course; yields its URL and token."""
    with jupyter_server("jupyter_server", course, tmp_path_factory.mktemp("jupyter"), "/formgrader/api/status") \
            as (url, token):
        yield url, token


def victims_grades(course_dir) -> dict:
    return grading_state.gradebook_state(course_dir, ASSIGNMENT)["victim"]["grades"]


#: Elements of the drawn notebook that could run something (formgrader's own page around it has its scripts).
RUNNABLE_IN_NOTEBOOK = """() => {
    const found = [];
    for (const element of document.querySelectorAll('#notebook-container *')) {
        if (['SCRIPT', 'IFRAME', 'OBJECT', 'EMBED'].includes(element.tagName)) found.push(element.tagName);
        for (const attribute of element.attributes) {
            const value = attribute.value.replace(/[\\u0000-\\u0020]/g, '').toLowerCase();
            if (attribute.name.startsWith('on') || value.startsWith('javascript:'))
                found.push(`${element.tagName} ${attribute.name}`);
        }
    }
    return found;
}"""


def test_formgrader_shows_the_attackers_notebook_and_nothing_of_it_runs(chromium, course, formgrader):
    from nbgrader.api import Gradebook
    from playwright.sync_api import expect, sync_playwright

    url, token = formgrader
    with Gradebook(config.db_url_of(course), config.COURSE_ID) as gradebook:
        attacker, refused = (gradebook.find_submission_notebook(NOTEBOOK, ASSIGNMENT, student).id
                             for student in ("attacker", "refused"))
    grades_before = victims_grades(course)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGUMENTS)
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 1000})
            dialogs: list[str] = []
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.goto(f"{url}/formgrader?token={token}")  # the instructor logs in
            page.goto(f"{url}/formgrader/submissions/{refused}/?index=0", wait_until="networkidle")
            expect(page.locator("body")).to_contain_text("could not be autograded")
            ran_on_the_refused = page.evaluate("window.__pwned || []")
            runnable = page.evaluate(RUNNABLE_IN_NOTEBOOK)
            page.goto(f"{url}/formgrader/submissions/{attacker}/?index=0", wait_until="networkidle")
            expect(page.locator("body")).to_contain_text("The gradient is")
            ran_on_opening = page.evaluate("window.__pwned || []")
            runnable += page.evaluate(RUNNABLE_IN_NOTEBOOK)
            link = page.get_by_text(LINK_TEXT).first
            link.scroll_into_view_if_needed()
            link.click()
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(1000)
            ran = page.evaluate("window.__pwned || []")
            title = page.title()
        finally:
            browser.close()
    observed = {"ran on opening the refused submission": ran_on_the_refused,
                "ran on opening the attacker's submission": ran_on_opening,
                "ran after the link was clicked": [name for name in ran if name not in ran_on_opening],
                "runnable elements in the notebook": runnable, "dialogs": dialogs, "title was set": "PWNED" in title,
                "the victim's grades changed": victims_grades(course) != grades_before,
                "files written": sorted(path.name for path in course.rglob("pwned_*"))}
    assert observed == {"ran on opening the refused submission": [], "ran on opening the attacker's submission": [],
                        "ran after the link was clicked": [], "runnable elements in the notebook": [], "dialogs": [],
                        "title was set": False, "the victim's grades changed": False, "files written": []}


def test_the_autograded_notebook_and_the_feedback_page_hold_nothing_that_runs(course):
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    released = nbformat.read(course / "release" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)
    for student in ("attacker", "refused"):
        autograded = nbformat.read(course / "autograded" / student / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)
        drawn = []
        for cell in autograded.cells:
            if cell.cell_type == "markdown":
                drawn.append(markdown2html_mistune(cell.source))
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                assert set(data) <= {"text/plain", "text/html", "text/markdown", "image/png"}, set(data)
                drawn += [data.get("text/html", ""), markdown2html_mistune(data.get("text/markdown", ""))]
                assert all(isinstance(size, (int, float)) for entry in output.get("metadata", {}).values()
                           for size in entry.values())
        assert [found for html in drawn for found in executable(html)] == [], student
        assert "widgets" not in autograded.metadata
    # The released cells keep their markdown, formulas included.
    autograded = nbformat.read(course / "autograded/attacker" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)
    released_markdown = [cell.source for cell in released.cells if cell.cell_type == "markdown"]
    assert [cell.source for cell in autograded.cells if cell.cell_type == "markdown"][:len(released_markdown)] \
        == released_markdown

    # nbgrader's template names MathJax (refused by the policy; the formulas are MathML): every page has the
    # same two scripts, and nothing else can run.
    for student in ("attacker", "refused", "victim"):
        page = (course / "feedback" / student / ASSIGNMENT / f"{NOTEBOOK}.html").read_text()
        head = page[page.index("<head>"):]
        assert head.startswith('<head>\n<meta http-equiv="Content-Security-Policy" content="default-src \'none\';')
        assert [item for item in executable(page) if item != "<script>"] == [], student
        assert page.count("<script") == 2, student


def test_the_feedback_pages_run_nothing_and_still_look_right(chromium, course, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGUMENTS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 1400})
            violations: list[str] = []
            page.on("console", lambda message: violations.append(message.text)
                    if "Content Security Policy" in message.text else None)
            page.goto((course / "feedback/attacker" / ASSIGNMENT / f"{NOTEBOOK}.html").as_uri())
            page.wait_for_timeout(500)
            ran = page.evaluate("window.__pwned || []")
            page.get_by_text(LINK_TEXT).first.scroll_into_view_if_needed()  # the attacker's cells
            page.screenshot(path=str(tmp_path / "feedback_page_attacker.png"))
            page.goto((course / "feedback/victim" / ASSIGNMENT / f"{NOTEBOOK}.html").as_uri())
            heading = page.locator(".panel-heading h4").first.inner_text()
            formulas = page.locator("math").count()
            images = page.evaluate("[...document.images].filter(i => i.complete && i.naturalWidth > 0).length")
            bootstrap = page.evaluate("getComputedStyle(document.querySelector('.panel')).borderTopWidth")
            page.screenshot(path=str(tmp_path / "feedback_page.png"))
        finally:
            browser.close()
    assert ran == [], f"ran in the attacker's feedback page: {ran}"
    assert "softmax (Score: " in heading
    assert formulas >= 1, "the formula is MathML"
    assert images >= 1, "the plots are drawn (data: images are allowed)"
    assert bootstrap == "1px", "the page's inline styles apply"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name in ("feedback_page.png", "feedback_page_attacker.png"):
        shutil.copy(tmp_path / name, SCREENSHOTS / name)
