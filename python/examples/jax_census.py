"""A census of a JAX function: the stationary points that random starts lead to,
deduplicated and classified.

    python jax_census.py

f(x, y) = (x² − 1)² + (y² − 1)² + x·y/2: four minima near (±1, ∓1) and (±1, ±1), four saddles
between them and a maximum at 0. Derivatives are JAX's (``jax.grad``, forward-over-reverse
Hessian-vector products), exact.
"""

import jax.numpy as jnp

import landscape
import landscape.jax


def f(p):
    x, y = p[0], p[1]
    return (x**2 - 1) ** 2 + (y**2 - 1) ** 2 + 0.5 * x * y


objective = landscape.jax.objective(f, jnp.zeros(2))
census = landscape.census(objective, starts=40, seed=0, scale=2.0)
print(f"{census['starts']} starts, {census['converged']} searches converged (two per start)")
print(f"distinct points: {census['counts']}")
print(" hits  f          x                 verdict")
for point in sorted(census["points"], key=lambda p: p["value"]):
    x = ", ".join(f"{v:+.3f}" for v in point["x"])
    print(f"{point['hits']:5d}  {point['value']:+.6f}  ({x})  {point['kind']}")
