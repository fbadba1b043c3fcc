"""A JAX function as a ``landscape`` objective, with exact derivatives.

The gradient is ``jax.grad``; the Hessian-vector product is forward-over-reverse,
``jax.jvp`` of ``jax.grad`` (one pass, exact); all three are ``jax.jit``-compiled, in
float64 (``jax_enable_x64`` is switched on when this module is imported). Parameters may
be any pytree (a dict of layer weights, a list of arrays): it is flattened in
``jax.flatten_util.ravel_pytree``'s order, and the objective's layout names each leaf by
its path (``['dense1']['w']``), so a verdict's escape direction or an eigenvector can be
read per layer with ``landscape.jax.unflatten``.

>>> import jax.numpy as jnp, landscape, landscape.jax
>>> params = {"w1": jnp.ones((3, 2)), "w2": jnp.ones(3)}
>>> f = landscape.jax.objective(lambda p: jnp.sum((p["w1"].T @ p["w2"] - 1.0) ** 2), params)
>>> landscape.classify(f, landscape.jax.flatten(params))["kind"]
"""

from __future__ import annotations

from typing import Any, Callable, Optional

import numpy as np

import jax
import jax.numpy as jnp
from jax.flatten_util import ravel_pytree

import landscape

jax.config.update("jax_enable_x64", True)

__all__ = ["flatten", "objective", "unflatten"]


def _as_float64(params: Any) -> Any:
    return jax.tree_util.tree_map(lambda a: jnp.asarray(a, dtype=jnp.float64), params)


def flatten(params: Any) -> np.ndarray:
    """The pytree ``params`` as one flat float64 vector, in the objective's order."""
    flat, _ = ravel_pytree(_as_float64(params))
    return np.asarray(flat, dtype=np.float64)


def unflatten(x: Any, like: Any) -> Any:
    """The flat vector ``x`` as a pytree shaped like ``like`` (the inverse of
    ``flatten``): e.g. an eigenvector per layer."""
    _, unravel = ravel_pytree(_as_float64(like))
    return unravel(jnp.asarray(x, dtype=jnp.float64))


def objective(
    f: Callable[[Any], Any], x0: Any, *, optimum: Optional[float] = None
) -> "landscape.Objective":
    """A ``landscape.Objective`` for the scalar JAX function ``f`` of parameters shaped
    like ``x0`` (an array or a pytree), with gradient ``jax.grad(f)`` and HVP
    ``jax.jvp(jax.grad(f), (x,), (v,))``, jit-compiled. ``optimum``: f* when known."""
    x0 = _as_float64(x0)
    flat0, unravel = ravel_pytree(x0)

    def flat_f(x):
        return f(unravel(x))

    value = jax.jit(flat_f)
    grad = jax.jit(jax.grad(flat_f))
    hvp = jax.jit(lambda x, v: jax.jvp(jax.grad(flat_f), (x,), (v,))[1])

    leaves = jax.tree_util.tree_flatten_with_path(x0)[0]
    layout = [
        (jax.tree_util.keystr(path) or "x", tuple(int(s) for s in np.shape(leaf)) or (1,))
        for path, leaf in leaves
    ]
    return landscape.objective(
        value=lambda x: float(value(jnp.asarray(x))),
        gradient=lambda x: np.asarray(grad(jnp.asarray(x)), dtype=np.float64),
        hvp=lambda x, v: np.asarray(hvp(jnp.asarray(x), jnp.asarray(v)), dtype=np.float64),
        dim=int(flat0.size),
        layout=layout,
        optimum=optimum,
    )
