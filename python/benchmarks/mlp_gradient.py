"""The gradient and HVP of a depth-10, width-256 ReLU network on a batch of 256 (squared
loss, float64), in landscape, JAX and PyTorch on the CPU, side by side in one process:
median wall time of repeated evaluations after a warm-up (JAX: jit-compiled, blocked
until ready; PyTorch: `backward()` on a fresh graph). Every library gets the same number
of threads (`LANDSCAPE_BENCH_THREADS`, default: every core). Build the module in release
mode first (`pip install ./python`, or maturin with `--release`):

    python python/benchmarks/mlp_gradient.py

landscape's figures here include the call from Python (the gradient returned as a new
NumPy array); `cargo bench --bench derivatives mlp` times the library call alone.
PyTorch is skipped, saying so, where it is not installed.
"""
import os
import statistics
import time

import numpy as np

import landscape

DEPTH, WIDTH, BATCH, OUT, REPEATS = 10, 256, 256, 10, 20
THREADS = int(os.environ.get("LANDSCAPE_BENCH_THREADS", os.cpu_count()))
# Before any of the libraries starts its thread pool: the process runs on THREADS cores
# (XLA sizes its pool from them) and each library is told the count.
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:THREADS])
os.environ["RAYON_NUM_THREADS"] = str(THREADS)
os.environ["OMP_NUM_THREADS"] = str(THREADS)


def median_seconds(call):
    call()
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    f = landscape.problem("mlp", samples=BATCH, inputs=WIDTH, outputs=OUT, widths=[WIDTH] * DEPTH,
                          activation="relu")
    rng = np.random.default_rng(0)
    theta = rng.normal(size=f.dim) * 0.05
    v = rng.normal(size=f.dim)
    ours_g = median_seconds(lambda: f.gradient(theta))
    ours_h = median_seconds(lambda: f.hvp(theta, v))
    print(f"{THREADS} threads each")
    print(f"landscape  gradient {ours_g * 1e3:8.2f} ms   hvp {ours_h * 1e3:8.2f} ms   (dim {f.dim})")

    import jax
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    x = jnp.asarray(rng.normal(size=(BATCH, WIDTH)))
    y = jnp.asarray(rng.normal(size=(BATCH, OUT)))
    dims = [WIDTH] * (DEPTH + 1) + [OUT]
    params = [(jnp.asarray(rng.normal(size=(dims[i + 1], dims[i])) * 0.05), jnp.zeros(dims[i + 1]))
              for i in range(DEPTH + 1)]

    def loss(params):
        a = x
        for w, b in params[:-1]:
            a = jax.nn.relu(a @ w.T + b)
        w, b = params[-1]
        return 0.5 * jnp.sum((a @ w.T + b - y) ** 2) / BATCH

    grad = jax.jit(jax.grad(loss))
    hvp = jax.jit(lambda p, t: jax.jvp(jax.grad(loss), (p,), (t,))[1])
    jax_g = median_seconds(lambda: jax.block_until_ready(grad(params)))
    jax_h = median_seconds(lambda: jax.block_until_ready(hvp(params, params)))
    print(f"jax        gradient {jax_g * 1e3:8.2f} ms   hvp {jax_h * 1e3:8.2f} ms")
    print(f"ratio ours/jax: gradient {ours_g / jax_g:.2f}, hvp {ours_h / jax_h:.2f}")
    try:
        import torch
    except ImportError:
        print("torch: not installed")
        return
    torch.set_num_threads(THREADS)
    torch.set_default_dtype(torch.float64)
    layers = []
    for i in range(DEPTH):
        layers += [torch.nn.Linear(WIDTH, WIDTH), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers, torch.nn.Linear(WIDTH, OUT))
    tx, ty = torch.tensor(np.asarray(x)), torch.tensor(np.asarray(y))

    def torch_grad():
        model.zero_grad()
        (0.5 * ((model(tx) - ty) ** 2).sum() / BATCH).backward()

    t_g = median_seconds(torch_grad)
    print(f"torch      gradient {t_g * 1e3:8.2f} ms   ratio ours/torch {ours_g / t_g:.2f}")


if __name__ == "__main__":
    main()
