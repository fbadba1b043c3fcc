"""A slice of the loss around a trained model, along filter-normalised random
directions (Li et al. 2018, "Visualizing the loss landscape of neural nets").

    python slice_trained.py [OUT_DIR]

A two-layer tanh network in JAX, trained by ``landscape.run`` (Adam) from a small
random start; the picture is f(θ* + α·d₁ + β·d₂) with d₁, d₂ Gaussian, each rescaled per
filter (row of a weight matrix, one unit's incoming weights) to the norm of θ*'s filter, and the training path
projected on the plane.
"""

import pathlib
import sys

import jax.numpy as jnp
import numpy as np

import landscape
import landscape.jax
import landscape.plot

out_dir = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
rng = np.random.default_rng(0)
X = jnp.asarray(rng.standard_normal((40, 2)))
Y = jnp.tanh(X @ jnp.array([[1.5], [-1.0]]))
params = {
    # Weights as (out, in), torch's convention: a row is one unit's filter.
    "w1": jnp.asarray(rng.standard_normal((6, 2)) * 0.5),
    "b1": jnp.zeros(6),
    "w2": jnp.asarray(rng.standard_normal((1, 6)) * 0.5),
}


def loss(p):
    return jnp.mean((jnp.tanh(X @ p["w1"].T + p["b1"]) @ p["w2"].T - Y) ** 2)


f = landscape.jax.objective(loss, params)
run = landscape.run(f, landscape.jax.flatten(params), "adam", lr=0.05, max_iters=400,
                    record_every=10, record_iterates=True)
trained = run["final"]["x"]
print(f"trained: f = {run['final']['value']:.3e}, ‖∇f‖ = {run['final']['grad_norm']:.1e} after {run['final']['iter']} steps")
out = out_dir / "slice_trained.png"
landscape.plot.slice(f, at=trained, directions="random", seed=0, trajectory=run,
                     resolution=41, title="Loss around the trained network (filter-normalised directions)",
                     out=out)
print(f"wrote {out}")
