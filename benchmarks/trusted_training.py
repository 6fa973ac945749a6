"""What training on the grader's side costs per call of the student's code: measured, against the same call
made in this process (the baseline, measured in the same run).

The accuracy checks run the provided trainers on the grader's side (``autograde/grading/trusted_training.py``);
every call of the student's code crosses to the sandbox and back. For each kind of call a trainer makes, with
the reference as the student's code in the real sandbox:

    call                                   in-process   sandbox   ratio
    sgd_update (logistic, 784x2)           ...

and for a training step of softmax_mlp's MLP (forward, loss, backward, step): five requests, against one
pipeline (``proxy.Pipeline``); for a softmax batch: the rows sent, against the rows named (``proxy.Rows``); for
a step of logistic_regression's trainer: run in this process, against run ahead in the sandbox with each call's
result streamed (``proxy.Run``, as the accuracy checks of deep_mlp, logistic_regression and softmax_mlp's
classifier train), where no call waits for a request.

    .venv/bin/python benchmarks/trusted_training.py [--calls 1000]
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"  # the baseline computes on one thread, as the sandbox does

import numpy as np  # noqa: E402

from autograde import kit  # noqa: E402
from autograde.grading import data as grading_data  # noqa: E402
from autograde.sandbox import process, proxy  # noqa: E402
from autograde.student import modules, registry  # noqa: E402


def per_call(function: Callable[[int], object], calls: int) -> float:
    """Microseconds per call of ``function(i)``, the best of three rounds."""
    function(0)
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for index in range(calls):
            function(index)
        best = min(best, (time.perf_counter() - started) / calls)
    return best * 1e6


def sandboxed(assignment_id: str, root: Path) -> tuple[process.Sandbox, proxy.RemoteCode, object]:
    """The reference of ``assignment_id`` in the real sandbox, and in this process."""
    spec = registry.get(assignment_id)
    folder = root / assignment_id
    shutil.copytree(kit.solutions(assignment_id), folder)
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    box = process.Sandbox(folder, spec.student_modules, spec.provided_modules)
    return box, proxy.RemoteCode(box), modules.student_code(assignment_id, kit.solutions(assignment_id))


def run_ahead(box: process.Sandbox, remote: proxy.RemoteCode, images: np.ndarray,
              labels: np.ndarray, epochs: int = 5) -> tuple[float, float]:
    """Microseconds per step of logistic_regression's provided trainer (loss_and_gradients and sgd_update of a
    batch of 200, and its record of the batch's accuracy) on the 3s and 6s: run in this process, and run ahead in
    the sandbox with every result streamed to the grader (``proxy.Run``, drained as fast as it comes)."""
    keep = np.isin(labels, (3, 6))
    images, labels = images[keep], (labels[keep] == 6).astype(np.int64)
    steps = epochs * -(-len(images) // 200)
    folder = kit.solutions("logistic_regression")
    source = (folder / "logistic_training.py").read_text()
    sys.path.insert(0, str(folder))
    import logistic_training as trainer  # the reference's modules, in this process
    started = time.perf_counter()
    trainer.train(images, labels, epochs=epochs, seed=0)
    here = (time.perf_counter() - started) / steps * 1e6
    kept = remote.keep(images)
    started = time.perf_counter()
    run = proxy.Run(remote, "logistic_training", source, "train", [kept, labels], {"epochs": epochs, "seed": 0},
                    ["loss_and_gradients", "sgd_update"], {})
    assert run.id is not None
    while not box.streamed(run.id, "train()")[0].get("done"):
        pass
    return here, (time.perf_counter() - started) / steps * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=1000)
    calls = parser.parse_args(argv).calls
    data = grading_data.mnist()
    images, labels = data.train.images, data.train.labels
    rng = np.random.default_rng(0)
    batches = [rng.choice(len(images), 100, replace=False) for _ in range(calls)]
    rows: list[tuple[str, float, float]] = []
    root = Path(tempfile.mkdtemp(prefix="dlkit-bench-"))
    os.chmod(root, 0o755)
    try:
        box, remote, local = sandboxed("logistic_regression", root)
        with box:
            W, b = np.zeros((784, 2)), np.zeros(2)
            rows.append(("sgd_update (logistic_regression, W 784x2)",
                         per_call(lambda i: local.sgd_update(W, b, W, b, 0.1), calls),
                         per_call(lambda i: remote.sgd_update(W, b, W, b, 0.1), calls)))
            rows.append(("logistic training step, run ahead (Ahead)", *run_ahead(box, remote, images, labels)))
        box, remote, local = sandboxed("softmax_mlp", root)
        with box:
            W, one_hot = rng.normal(0, 0.01, (784, 10)), np.eye(10)[labels]
            kept = remote.keep(images)
            rows.append(("softmax_classifier, batch of 100 sent",
                         per_call(lambda i: local.softmax_classifier(W, images[batches[i]], one_hot[batches[i]], 0.0),
                                  calls),
                         per_call(lambda i: remote.softmax_classifier(W, images[batches[i]], one_hot[batches[i]], 0.0),
                                  calls)))
            rows.append(("softmax_classifier, batch of 100 named (Rows)",
                         rows[-1][1],
                         per_call(lambda i: remote.softmax_classifier(W, kept[batches[i]], one_hot[batches[i]], 0.0),
                                  calls)))
            networks = {}
            for name, code in (("local", local), ("remote", remote)):
                network = code.provided("network").Network()
                for layer in (code.FCLayer(784, 128), code.ReLULayer(), code.FCLayer(128, 10)):
                    network.add(layer)
                networks[name] = (network, code.SoftmaxCrossEntropyLossLayer(), code.SGD(0.1, 0.0))

            def step(name: str, i: int) -> None:
                network, criterion, optimizer = networks[name]
                x = (images if name == "local" else kept)[batches[i]]
                criterion.forward(network.forward(x), one_hot[batches[i]])
                network.backward(criterion.backward())
                optimizer.step(network)

            def pipelined(i: int) -> None:
                network, criterion, optimizer = networks["remote"]
                steps = proxy.Pipeline()
                logits = steps.call(network, "forward", kept[batches[i]])
                steps.call(criterion, "forward", logits, one_hot[batches[i]])
                delta = steps.call(criterion, "backward")
                steps.call(network, "backward", delta)
                steps.call(optimizer, "step", network)
                steps.run()

            baseline = per_call(lambda i: step("local", i), calls // 4)
            rows.append(("MLP step 784-128-10, batch of 100: 5 requests", baseline,
                         per_call(lambda i: step("remote", i), calls // 4)))
            rows.append(("MLP step 784-128-10, batch of 100: 1 pipeline", baseline, per_call(pipelined, calls // 4)))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"{os.cpu_count()} cores; microseconds per call, best of three rounds of {calls} (MLP: {calls // 4})")
    print(f"{'call':48s} {'in-process':>10s} {'sandbox':>9s} {'ratio':>6s} {'added':>7s}")
    for name, here, there in rows:
        print(f"{name:48s} {here:10.0f} {there:9.0f} {there / here:6.1f} {there - here:7.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
