"""The wire format, the sandbox and the proxy, on small modules of our own."""
from __future__ import annotations

import io
import shutil
import textwrap

import numpy as np
import pytest

from autograde.grading import runner
from autograde.sandbox import confine, process, proxy, wire
from autograde.student.checks import CheckFailure
from autograde.sandbox.proxy import RemoteCode, RemoteObject, StudentError
from autograde.student.outcome import earned
from autograde.limits import Limits
from support.code_folder import code_folder

LAYERS = '''
import numpy as np

class Scale:
    """An object with state, like the layers of the MLP assignments."""
    def __init__(self, factor):
        self.factor = factor
        self.calls = 0
    def forward(self, x):
        self.calls += 1
        return x * self.factor

def apply(layer, x):
    return layer.forward(x)

def start():
    raise AssertionError("the grader gives the starting values")

def describe():
    return {"ints": np.arange(3, dtype=np.int32), "pair": (1.5, float("nan")), "nested": [[True, None, "s"]]}

def fail():
    raise ValueError("bad input")

RATE = 0.5

CLOSED = []

def epochs(count):
    """A trainer that yields after every epoch, as ``predictions_by_epoch`` does."""
    try:
        for epoch in range(count):
            yield np.full(2, epoch)
    finally:
        CLOSED.append(count)

def closed():
    return CLOSED

def epochs_that_fail():
    yield 1
    raise ValueError("diverged")
'''


@pytest.fixture
def code(tmp_path):
    folder = code_folder(tmp_path, textwrap.dedent(LAYERS))
    with process.Sandbox(folder, ("layers",), ()) as box:
        yield RemoteCode(box)


def roundtrip(value):
    buffers = []
    message = b"".join(wire.message({"ok": wire.encode(value, buffers)}, buffers))
    header, received = wire.unpack(io.BytesIO(message), 1 << 20)
    return wire.decode(header["ok"], received)


def test_wire_roundtrip_keeps_types_shapes_dtypes_and_special_floats():
    value = {"a": np.arange(6, dtype=np.float32).reshape(2, 3), "b": (1, 2.5, float("inf")), "c": [None, True, "x"],
             "d": np.float64(3.0), "e": np.zeros((0, 4), dtype=np.uint8)}
    back = roundtrip(value)
    assert back["a"].dtype == np.float32 and back["a"].shape == (2, 3) and back["a"].flags.writeable
    np.testing.assert_array_equal(back["a"], value["a"])
    assert back["b"] == (1, 2.5, float("inf")) and back["c"] == [None, True, "x"]
    assert type(back["d"]) is np.float64 and back["e"].shape == (0, 4)


@pytest.mark.parametrize("value, problem", [
    (np.array([object()], dtype=object), "dtype object"),
    (np.array(["a"]), "dtype <U1"),
    (object(), "cannot send a value of type object"),
    ({1: 2}, "cannot send a value of type dict"),
])
def test_wire_refuses_what_is_not_plain_data(value, problem):
    with pytest.raises(wire.WireError, match=problem):
        wire.encode(value, [])


def test_wire_arrays_cross_without_copies_and_never_share_memory():
    sent = np.arange(6.0).reshape(2, 3)
    buffers = []
    header = {"ok": wire.encode([sent, sent.T, np.float32(2.5)], buffers)}
    assert isinstance(buffers[0], memoryview) and np.shares_memory(np.asarray(buffers[0]).view(float), sent)
    stream, parts = io.BytesIO(), wire.message(header, buffers)
    assert parts[1:] == buffers  # the arrays' memory goes out as it is, not joined into one message
    wire.write(stream, parts)
    assert stream.getvalue() == b"".join(parts) and len(stream.getvalue()) == sum(len(part) for part in parts)
    received_header, received = wire.unpack(io.BytesIO(stream.getvalue()), 1 << 20)
    first, transposed, scalar = wire.decode(received_header["ok"], received)
    np.testing.assert_array_equal(first, sent)
    np.testing.assert_array_equal(transposed, sent.T)
    assert scalar == np.float32(2.5) and scalar.dtype == np.float32
    first[0, 0] = 99.0  # writable, and its own: the other array does not change
    assert transposed[0, 0] == 0.0 and sent[0, 0] == 0.0
    # A forged message whose two arrays name one buffer is refused: decoded arrays never alias.
    twice = {"$": "list", "items": [{"$": "array", "dtype": "<f8", "shape": [4], "buffer": 0}] * 2}
    with pytest.raises(wire.WireError, match="buffer 0 is used by two arrays"):
        wire.decode(twice, [bytearray(32)])


def test_wire_refuses_a_message_over_the_limit():
    buffers = []
    message = b"".join(wire.message({"ok": wire.encode(np.zeros(1000), buffers)}, buffers))
    with pytest.raises(wire.WireError, match="exceeds the limit"):
        wire.unpack(io.BytesIO(message), 100)


@pytest.mark.heavy
def test_functions_values_and_errors_cross_the_sandbox(code):
    described = code.describe()
    assert described["ints"].dtype == np.int32 and described["pair"][0] == 1.5 and np.isnan(described["pair"][1])
    assert code.RATE == 0.5
    with pytest.raises(StudentError, match=r"your code raised ValueError: bad input \(line \d+ of layers.py\)"):
        code.fail()
    with pytest.raises(CheckFailure, match="missing is not defined in layers.py"):
        _ = code.missing


@pytest.mark.heavy
def test_a_pipeline_of_calls_crosses_once_and_hands_results_along(code, monkeypatch):
    """A training step's calls go in one request; each call takes the earlier one's result where it stays."""
    first, second = code.Scale(2.0), code.Scale(5.0)
    requests = []
    original = process.Sandbox.request
    monkeypatch.setattr(process.Sandbox, "request",
                        lambda self, header, buffers: requests.append(header["op"]) or original(self, header, buffers))
    pipeline = proxy.Pipeline()
    doubled = pipeline.call(first, "forward", np.arange(3.0))
    pipeline.call(second, "forward", doubled)
    np.testing.assert_array_equal(pipeline.run(), [0.0, 10.0, 20.0])
    assert requests == ["calls"]
    assert (first.calls, second.calls) == (1, 1)
    broken = proxy.Pipeline()
    broken.call(first, "forward", np.arange(3.0))
    broken.call(first, "no_such_method")
    with pytest.raises(StudentError, match="AttributeError"):
        broken.run()


@pytest.mark.heavy
def test_rows_of_a_kept_array_reach_the_students_code_as_those_rows(code):
    images = np.arange(40.0).reshape(10, 4)
    kept = code.keep(images)
    assert len(kept) == 10 and kept.shape == (10, 4)
    rows = kept[np.array([7, 2, 2])]
    np.testing.assert_array_equal(rows, images[[7, 2, 2]])  # here, the rows themselves
    buffers = []
    assert wire.encode(rows, buffers, proxy._Handles()) == {"$": "rows", "id": object.__getattribute__(
        kept.handle, "_handle"), "rows": [7, 2, 2]} and buffers == []  # on the way, only their numbers
    layer = code.Scale(1.0)
    np.testing.assert_array_equal(layer.forward(rows), images[[7, 2, 2]])
    np.testing.assert_array_equal(layer.forward(kept[2:4]), images[2:4])
    assert type(rows * 2) is proxy.Rows and (rows * 2).resident is None  # computed from it: plain data again


@pytest.mark.heavy
def test_objects_keep_their_state_in_the_sandbox(code):
    layer = code.Scale(3.0)
    assert isinstance(layer, RemoteObject) and "Scale object" in repr(layer)
    np.testing.assert_array_equal(layer.forward(np.ones(2)), [3.0, 3.0])
    layer.factor = 2.0
    np.testing.assert_array_equal(code.apply(layer, np.ones(2)), [2.0, 2.0])
    assert layer.calls == 2 and layer.factor == 2.0


@pytest.mark.heavy
def test_a_generator_is_iterated_and_closed_in_the_sandbox(code):
    """An accuracy check follows training epoch by epoch: the generator lives in the sandbox, each
    ``next`` runs one epoch there, and closing it runs its cleanup there."""
    generator = code.epochs(3)
    assert isinstance(generator, RemoteObject)
    assert [int(value[0]) for value in generator] == [0, 1, 2]
    assert code.closed() == [3]
    stopped = code.epochs(5)
    assert int(next(stopped)[0]) == 0 and int(next(iter(stopped))[0]) == 1
    stopped.close()
    assert code.closed() == [3, 5]
    with pytest.raises(StopIteration):
        next(stopped)
    failing = code.epochs_that_fail()
    assert next(failing) == 1
    with pytest.raises(StudentError, match="ValueError: diverged"):
        next(failing)


@pytest.mark.heavy
def test_a_crash_fails_the_call_and_the_next_call_gets_a_fresh_sandbox(tmp_path):
    folder = code_folder(tmp_path, "import os\ndef crash():\n    os._exit(3)\ndef fine():\n    return 1\n")
    with process.Sandbox(folder, ("layers",), (), Limits(call_seconds=5)) as box:
        code = RemoteCode(box)
        with pytest.raises(process.SandboxError, match="exited with code 3"):
            code.crash()
        assert code.fine() == 1


TIMED = """
import time

def compute(seconds):
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass
    return seconds

def wait(seconds):
    time.sleep(seconds)
    return seconds
"""


def timed_code(tmp_path):
    return code_folder(tmp_path, TIMED)


@pytest.mark.heavy
def test_a_call_is_timed_by_its_cpu_time_so_a_busy_machine_does_not_fail_it(tmp_path):
    """A call that computes 1.2 s while another process shares its only core takes about 2.4 s: it
    passes under a limit of 1.5 s of CPU time. One that computes 3 s does not, and the next call
    gets a fresh sandbox."""
    import multiprocessing
    import os
    import time

    core = {min(os.sched_getaffinity(0))}
    before = os.sched_getaffinity(0)
    hog = multiprocessing.get_context("fork").Process(target=_spin, daemon=True)
    try:
        os.sched_setaffinity(0, core)  # the sandbox inherits the core
        hog.start()
        with process.Sandbox(timed_code(tmp_path), ("layers",), (), Limits(call_seconds=1.5)) as box:
            code = RemoteCode(box)
            started = time.monotonic()
            assert code.compute(1.2) == 1.2
            assert time.monotonic() - started > 1.5, "the other process did not share the core"
            with pytest.raises(process.SandboxError, match=r"computed for more than 1.5 s \(CPU time\) in one call"):
                code.compute(3.0)
            assert code.compute(0.1) == 0.1
    finally:
        hog.kill()
        os.sched_setaffinity(0, before)


def _spin():
    while True:
        pass


@pytest.mark.heavy
def test_a_call_that_waits_gets_four_times_its_cpu_time_in_wall_time(tmp_path):
    with process.Sandbox(timed_code(tmp_path), ("layers",), (), Limits(call_seconds=1)) as box:
        code = RemoteCode(box)
        assert code.wait(2.0) == 2.0
        with pytest.raises(process.SandboxError, match="did not return within 4 s"):
            code.wait(30)


@pytest.mark.heavy
def test_without_bubblewrap_grading_refuses_unless_allowed(tmp_path, monkeypatch, mnist, repo):
    monkeypatch.setattr(confine, "bubblewrap", lambda: None)
    shutil.copy(repo / "solutions/softmax_mlp/softmax_classifier.py", tmp_path)
    shutil.copy(repo / "starter/softmax_mlp/softmax_training.py", tmp_path)
    with pytest.raises(confine.SandboxMissing, match="bubblewrap .* --unsafe-no-sandbox"):
        runner.run("softmax_mlp", tmp_path)
    with pytest.warns(confine.SandboxUnavailable, match="resource limits only"):
        graded = runner.run("softmax_mlp", tmp_path, Limits(sandbox_required=False))
    assert not graded.sandboxed and earned(graded.outcomes) == 13


@pytest.mark.heavy
def test_the_course_package_layout_loads_in_the_sandbox_and_locally(tmp_path, monkeypatch):
    """``layers/__init__.py`` (provided) importing ``layers/scale.py`` (the student's), as in the course."""
    from autograde.student import modules, registry, spec as specs

    folder = tmp_path / "code"
    (folder / "layers").mkdir(parents=True)
    (folder / "layers" / "__init__.py").write_text("from .scale import Scale\n")
    (folder / "layers" / "scale.py").write_text(textwrap.dedent(LAYERS))
    for path in [folder, folder / "layers"]:
        path.chmod(0o755)
    for path in folder.rglob("*.py"):
        path.chmod(0o644)
    spec = specs.Assignment("pkg", ("layers/scale.py",), ("layers/__init__.py",), ())
    assert spec.student_modules == ("layers.scale",) and spec.provided_modules == ("layers",)
    with process.Sandbox(folder, spec.student_modules, spec.provided_modules) as box:
        code = RemoteCode(box)
        np.testing.assert_array_equal(code.Scale(2.0).forward(np.ones(2)), [2.0, 2.0])
        with pytest.raises(CheckFailure, match="is not defined in layers/scale.py"):
            _ = code.missing
    known = registry.get
    monkeypatch.setattr(registry, "get", lambda assignment_id: spec if assignment_id == "pkg" else known(assignment_id))
    try:
        local = modules.student_code("pkg", folder)
        assert local.Scale(3.0).forward(1.0) == 3.0
        assert local.provided("layers").Scale is local.Scale
    finally:
        modules.forget(spec.provided_modules)


@pytest.mark.heavy
@pytest.mark.parametrize("body, words", [
    # 1.6 GB of float64 under a 2.5 GiB memory limit, reversed: the contiguous copy to send runs out of memory.
    ("def result():\n    return np.ones(200_000_000)[::-1]\n", "ran out of the sandbox's memory"),
    # The same, contiguous: it is sent from its own memory, so only the message limit stops it.
    ("def result():\n    return np.ones(200_000_000)\n", "1,600,000,115 bytes, more than the limit"),
    # 80 MB, over a 64 MiB message limit.
    ("def result():\n    return np.ones(10_000_000)\n", "bytes, more than the limit of 67,108,864"),
])
def test_a_result_too_large_fails_the_call_saying_so_and_the_sandbox_goes_on(tmp_path, body, words):
    folder = code_folder(tmp_path, "import numpy as np\n" + body + "def fine():\n    return 1\n")
    limits = Limits(call_seconds=60, memory_bytes=5 << 29, message_bytes=64 << 20)
    with process.Sandbox(folder, ("layers",), (), limits) as box:
        code = RemoteCode(box)
        with pytest.raises(StudentError) as raised:
            code.result()
        assert raised.value.description.startswith("your code returned a value the grader cannot take: the result "
                                                   "is too large: ") and words in raised.value.description
        assert code.fine() == 1


#: A trainer as the grader runs it, and sends to the sandbox to run ahead: it calls the student's ``apply`` once a
#: step, on what the last step returned, and its ``start`` is the grader's value (the reference's, say).
TRAINER = '''
import numpy as np
from layers import Scale, apply, start

def train(steps, factor):
    x = start()
    for _ in range(steps):
        x = apply(Scale(factor), x)
    return x
'''


def run_ahead(code, steps, factor=2.0, given=(1.0, 1.0)):
    return proxy.Run(code, "trainer", TRAINER, "train", [steps], {"factor": factor}, ["apply"],
                     {"start": np.array(given)})


@pytest.mark.heavy
def test_a_trainer_run_ahead_answers_each_call_in_order_from_one_request(code, monkeypatch):
    """The sandbox runs the trainer itself and sends each call's result as it makes it: the grader's run takes
    them one by one, with no request of its own, from the grader's starting values."""
    requests = []
    original = process.Sandbox.request
    monkeypatch.setattr(process.Sandbox, "request",
                        lambda self, header, buffers: requests.append(header["op"]) or original(self, header, buffers))
    run = run_ahead(code, 5, given=(1.0, 3.0))
    for step in range(1, 6):
        np.testing.assert_array_equal(run.next("apply"), [2.0 ** step, 3 * 2.0 ** step])
    with pytest.raises(proxy.Diverged):  # the sandbox's run ended: the grader's calls are its own again
        run.next("apply")
    assert requests == [] and run.id is None
    assert code.describe()["pair"][0] == 1.5  # the sandbox takes requests again


@pytest.mark.heavy
def test_a_run_stopped_midway_or_straying_leaves_the_sandbox_answering(code):
    run = run_ahead(code, 100_000)
    np.testing.assert_array_equal(run.next("apply"), [2.0, 2.0])
    with pytest.raises(RuntimeError, match="running a trainer"):
        code.describe()  # nothing else may cross while the run sends
    run.end()  # the grader's training ended (the bar reached): the sandbox's stops where it is
    assert code.describe()["pair"][0] == 1.5
    strayed = run_ahead(code, 100_000)
    with pytest.raises(proxy.Diverged):  # the grader's run calls another function than the sandbox's made
        strayed.next("describe")
    assert strayed.id is None and code.describe()["pair"][0] == 1.5
    # A run that cannot start (an argument naming a function the student's code lacks) ends at once, too.
    unstarted = proxy.Run(code, "trainer", TRAINER, "train", [proxy.Streamed("no_such_function")], {}, ["apply"], {})
    with pytest.raises(proxy.Diverged):
        unstarted.next("apply")
    assert code.describe()["pair"][0] == 1.5


@pytest.mark.heavy
def test_an_error_of_a_call_in_the_run_is_raised_as_that_calls_error(code):
    run = run_ahead(code, 3, factor="x")  # x * "x": numpy raises in the student's forward, at the first step
    with pytest.raises(StudentError, match=r"UFuncTypeError") as raised:
        run.next("apply")
    assert raised.value.description.endswith("(line 11 of layers.py)")  # where, as for a call
    with pytest.raises(proxy.Diverged):
        run.next("apply")
    assert code.describe()["pair"][0] == 1.5


@pytest.mark.heavy
def test_a_pipeline_sent_later_is_answered_with_the_next_request_and_its_error_raised_there(code):
    """A training step whose result training does not look at: the grader goes on while the sandbox computes it,
    and reads its answer with the next request's; an error of the step is what the next request raises."""
    layer = code.Scale(2.0)
    step = proxy.Pipeline()
    step.call(layer, "forward", np.arange(3.0))
    assert step.run(later=True) is None
    assert layer.calls == 1  # the next request: the step's answer is read first, then this one's
    failing = proxy.Pipeline()
    failing.call(layer, "no_such_method")
    assert failing.run(later=True) is None  # sent; its error is not read yet
    with pytest.raises(StudentError, match="AttributeError"):
        code.describe()
    assert code.describe()["pair"][0] == 1.5 and layer.calls == 1  # in step again
    again = proxy.Pipeline()
    again.call(layer, "no_such_method")
    again.run(later=True)
    then = proxy.Pipeline()
    then.call(layer, "forward", np.arange(3.0))
    with pytest.raises(StudentError, match="AttributeError"):  # raised by the next step sent later, too
        then.run(later=True)
    assert layer.calls == 2


@pytest.mark.heavy
def test_the_sandboxs_start_counts_once_in_its_time(tmp_path):
    """The time a sandbox may take (``Limits.sandbox_seconds``) counts each start, then each call's wait: a start
    that imports slowly (again after a crash, within the next call) is not counted again as that call's."""
    folder = code_folder(tmp_path, "import os, time\ntime.sleep(1.0)\ndef fine():\n    return 1\n"
                                   "def crash():\n    os._exit(3)\n")
    with process.Sandbox(folder, ("layers",), ()) as box:
        code = RemoteCode(box)
        assert code.fine() == 1
        with pytest.raises(process.SandboxError):
            code.crash()
        assert code.fine() == 1  # started again by this call
        assert 2.0 <= box.spent < 2.8, box.spent
