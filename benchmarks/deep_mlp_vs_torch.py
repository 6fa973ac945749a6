"""Seconds per epoch of the deep_mlp reference (numpy, float32) against the same network in PyTorch.

Same data, same initial weights, same mini-batch order, same schedule and L1 term, in the
same run; also prints this machine's matmul throughput and the FLOP-based lower bound of an
epoch. Needs PyTorch (``make bench-torch`` installs the CPU build into .venv-torch): not part
of the test suite.

OpenBLAS picks its kernels for the CPU it detects unless ``OPENBLAS_CORETYPE`` names one. When the
machine sets it, the comparison runs twice, with the setting and without it, each in a fresh
process (OpenBLAS reads the variable once, when it loads); threadpoolctl names the kernel each
run used.

    python benchmarks/deep_mlp_vs_torch.py [--epochs 3] [--threads 2]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--measure", action="store_true", help="measure in this process (what each variant runs)")
    args = parser.parse_args(argv)
    if args.measure:
        return measure(args)
    coretype = os.environ.get("OPENBLAS_CORETYPE")
    variants = [(f"OPENBLAS_CORETYPE={coretype} (the machine's setting)", dict(os.environ)),
                ("without OPENBLAS_CORETYPE", {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"})]
    if coretype is None:
        print("this machine sets no OPENBLAS_CORETYPE: OpenBLAS uses the kernels of the CPU it detects")
        variants = variants[1:]
    command = [sys.executable, __file__, "--measure", "--epochs", str(args.epochs), "--threads", str(args.threads)]
    for name, environment in variants:
        print(f"\n== {name}", flush=True)
        subprocess.run(command, env=environment, check=True)
    return 0


def measure(args) -> int:
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = str(args.threads)  # before numpy and torch load their BLAS

    import numpy as np
    import torch
    from threadpoolctl import threadpool_info

    sys.path.insert(0, str(REPO))
    sys.path.insert(0, str(REPO / "solutions" / "deep_mlp"))
    import deep_mlp
    from data_scripts import load_mnist

    torch.set_num_threads(args.threads)
    data = load_mnist()
    images, labels = data.train.images.astype(np.float32), data.train.labels.astype(np.int64)
    sizes, batch, initial_step, l1 = (784, 100, 100, 10), 50, 0.3, 1e-5
    params = [(W.astype(np.float32), b.astype(np.float32)) for W, b in deep_mlp.init_params(sizes, 0.1, 0)]
    orders = [np.random.default_rng(epoch).permutation(len(images)) for epoch in range(args.epochs)]

    def numpy_epochs():
        current = [(W.copy(), b.copy()) for W, b in params]
        times = []
        for epoch, order in enumerate(orders):
            step = np.float32(deep_mlp.step_size(epoch, initial_step))
            started = time.perf_counter()
            for start in range(0, len(images), batch):
                index = order[start:start + batch]
                _, grads = deep_mlp.loss_and_gradients(current, images[index], labels[index], l1)
                for (W, b), (dW, db) in zip(current, grads):
                    W -= step * dW
                    b -= step * db
            times.append(time.perf_counter() - started)
        return times, current

    def torch_epochs():
        weights = [(torch.tensor(W, requires_grad=True), torch.tensor(b, requires_grad=True)) for W, b in params]
        x_all, y_all = torch.from_numpy(images), torch.from_numpy(labels)
        times = []
        for epoch, order in enumerate(orders):
            step = deep_mlp.step_size(epoch, initial_step)
            order = torch.from_numpy(order)
            started = time.perf_counter()
            for start in range(0, len(images), batch):
                index = order[start:start + batch]
                x = x_all[index]
                for layer, (W, b) in enumerate(weights):
                    x = torch.addmm(b, x, W)
                    if layer < len(weights) - 1:
                        x = torch.relu(x)
                loss = torch.nn.functional.cross_entropy(x, y_all[index])
                loss.backward()
                with torch.no_grad():
                    for W, b in weights:
                        W -= step * (W.grad + l1 * torch.sign(W))
                        b -= step * b.grad
                        W.grad = None
                        b.grad = None
            times.append(time.perf_counter() - started)
        return times, [(W.detach().numpy(), b.detach().numpy()) for W, b in weights]

    def matmul_gflops(n=2048, repeats=5):
        a = np.random.default_rng(0).standard_normal((n, n), dtype=np.float32)
        a @ a
        started = time.perf_counter()
        for _ in range(repeats):
            a @ a
        return 2 * n ** 3 * repeats / (time.perf_counter() - started) / 1e9

    forward = 2 * sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    # backward: dW for every layer and dx for all but the first, each as costly as the forward matmul
    backward = 2 * sum(a * b for a, b in zip(sizes[:-1], sizes[1:])) + 2 * sum(a * b for a, b in zip(sizes[1:-1], sizes[2:]))
    epoch_flops = (forward + backward) * len(images)
    peak = matmul_gflops()

    def first_batch_gradients_agree():
        """Both compute the same thing: the gradients of the first mini-batch, side by side."""
        index = orders[0][:batch]
        _, grads = deep_mlp.loss_and_gradients(params, images[index], labels[index], l1)
        weights = [(torch.tensor(W, requires_grad=True), torch.tensor(b, requires_grad=True)) for W, b in params]
        x = torch.from_numpy(images[index])
        for layer, (W, b) in enumerate(weights):
            x = torch.addmm(b, x, W)
            x = torch.relu(x) if layer < len(weights) - 1 else x
        torch.nn.functional.cross_entropy(x, torch.from_numpy(labels[index])).backward()
        return max(float(np.max(np.abs(dW - (W.grad + l1 * torch.sign(W)).detach().numpy()))) for (dW, _), (W, _) in zip(grads, weights))

    numpy_times, _ = numpy_epochs()
    torch_times, _ = torch_epochs()
    drift = first_batch_gradients_agree()
    numpy_epoch, torch_epoch = float(np.median(numpy_times)), float(np.median(torch_times))
    print(f"784-100-100-10, batch {batch}, float32, {args.epochs} epochs, {args.threads} threads, torch {torch.__version__}")
    print(f"numpy reference : {numpy_epoch:.2f} s per epoch (each: {', '.join(f'{t:.2f}' for t in numpy_times)})")
    print(f"pytorch (CPU)   : {torch_epoch:.2f} s per epoch (each: {', '.join(f'{t:.2f}' for t in torch_times)})")
    print(f"ratio numpy / pytorch: {numpy_epoch / torch_epoch:.2f} (goal <= 0.7)")
    print(f"lower bound     : {epoch_flops / 1e9:.1f} GFLOP per epoch / {peak:.0f} GFLOP/s (float32 matmul here) = "
          f"{epoch_flops / 1e9 / peak:.2f} s per epoch")
    print(f"largest difference of the first batch's weight gradients, numpy vs pytorch: {drift:.1e}")
    for pool in threadpool_info():
        print(f"BLAS: {pool.get('internal_api')} {pool.get('version')}, kernel {pool.get('architecture')}, "
              f"{pool.get('num_threads')} threads ({Path(pool.get('filepath', '')).name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
