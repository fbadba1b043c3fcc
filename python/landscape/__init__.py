"""Landscapes of non-convex objectives, from Python.

Built-in problems with exact gradients and Hessian-vector products, your own objective
from Python callables (or from a JAX function or a PyTorch model: ``landscape.jax``,
``landscape.torch``), and the analyses of the ``landscape`` command line on either:
``classify``, ``spectrum``, ``density``, ``trace``, ``census``, ``run``, ``escape``,
``bounds``, the experiments (``experiment``) and the pictures of ``landscape plot``
(``landscape.plot``). A built-in problem's data are arrays (``f.data``). Points are float64 NumPy arrays (anything ``numpy.asarray`` reads as a 1-D
array is accepted); results are dicts with the command line's ``--json`` field names,
float vectors and matrices as NumPy arrays.

Analyses run in Rust with the GIL released: on a built-in problem the parallel ones
(``census``, ``escape``) use every core as the command line does. A Python objective's
callbacks hold the GIL while they run, so its calls run one at a time.

Bad input raises ``ValueError`` with the line the command line prints (after
``error: ``), or ``TypeError`` for a wrong type; an exception raised by a callback stops
the analysis and is raised again.

>>> import landscape
>>> f = landscape.problem("matrix_factorization", n=10)
>>> x, verdict = f.known_points["eig:2"]
>>> landscape.classify(f, x)["kind"]
'strict_saddle'
"""

from __future__ import annotations

import json
import os
from typing import Any, Callable, Dict, Optional, Sequence, Tuple

import numpy as np

from . import _landscape, plot
from ._json import to_json
from ._landscape import (
    Objective,
    bounds,
    census,
    classify,
    density,
    escape,
    spectrum,
    trace,
)

__all__ = [
    "Objective",
    "bounds",
    "census",
    "classify",
    "density",
    "escape",
    "experiment",
    "kinds",
    "objective",
    "plot",
    "problem",
    "run",
    "spectrum",
    "to_json",
    "trace",
]


def kinds() -> list:
    """The names of the built-in problem kinds."""
    return _landscape.kinds()


def _toml_value(name: str, value: Any) -> str:
    """A keyword's value as the TOML of a ``--set name=value`` override."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    elif isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    try:
        return json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise TypeError(
            f"field `{name}` is a {type(value).__name__}, expected a number, a bool, "
            f"a str, or a (nested) list or array of numbers"
        ) from e


def problem(kind: str, *, seed: Optional[int] = None, **fields: Any) -> Objective:
    """A built-in problem: a kind's shipped spec (``landscape.kinds()``) or the path of a
    spec file, with fields overridden by keywords, as ``landscape eval --problem KIND
    --set field=value`` does. Matrices are nested lists or 2-D arrays; ``seed`` seeds
    the instance's random data.

    >>> f = landscape.problem("matrix_completion", n=100, rank=5)
    """
    overrides = [f"{k}={_toml_value(k, v)}" for k, v in fields.items()]
    if seed is not None:
        overrides.append(f"seed={_toml_value('seed', seed)}")
    return _landscape.load_problem(os.fspath(kind), overrides)


def objective(
    value: Callable[[np.ndarray], float],
    gradient: Callable[[np.ndarray], Any],
    hvp: Optional[Callable[[np.ndarray, np.ndarray], Any]] = None,
    *,
    dim: int,
    layout: Optional[Sequence[Tuple[str, Sequence[int]]]] = None,
    optimum: Optional[float] = None,
    known_points: Optional[Dict[str, Tuple[Any, str]]] = None,
) -> Objective:
    """Your own objective from Python callables, usable by every analysis.

    ``value(x)`` returns f(x) as a float; ``gradient(x)`` the exact ∇f(x) and
    ``hvp(x, v)`` the exact ∇²f(x)·v, each as anything ``numpy.asarray`` reads as a
    1-D array of length ``dim``; ``x`` and ``v`` are float64 arrays. Without ``hvp``,
    analyses that need second derivatives raise ``ValueError`` (derivatives are exact,
    never finite differences). ``layout`` names the blocks of x as (name, shape) pairs,
    row-major, in order (default: one block ``x[dim]``); ``optimum`` is the global
    minimum value f* when you know it (then a verdict can say ``global_min``);
    ``known_points`` names stationary points you know, ``{name: (x, verdict)}`` with a
    verdict such as ``"strict_saddle"``: ``f.known_points`` lists them and every point
    argument takes ``"name:<name>"``.
    """
    return _landscape.from_callables(
        value,
        gradient,
        hvp,
        dim,
        None if layout is None else [(str(n), [int(s) for s in shape]) for n, shape in layout],
        optimum,
        [(str(n), x, str(v)) for n, (x, v) in (known_points or {}).items()],
    )


def run(f: Objective, x0: Any, optimizer: str, **options: Any) -> dict:
    """An optimizer from ``x0`` (``landscape run --json``).

    Options: ``max_iters``, ``grad_tol``, ``target``, ``record_every``,
    ``record_iterates``, ``clip_norm``, ``clip_value``, ``classify_final``; every other
    keyword is a hyperparameter of the optimizer (``lr=0.01``, ``momentum=0.9``, …).
    The result has the JSON's fields (``optimizer``, ``hyperparameters``, ``records``,
    ``final``, ``termination``, ``events``) except that ``records`` is a dict of
    arrays, one entry per record field (``iter``, ``value``, ``grad_norm``, and ``x``
    as a 2-D array when iterates are recorded).
    """
    trajectory = _landscape.run(f, x0, optimizer, **options)
    trajectory["records"] = _columns(trajectory["records"])
    return trajectory


def _columns(records: list) -> dict:
    """A list of records (dicts with the same keys) as a dict of arrays."""
    if not records:
        return {}
    columns = {}
    for key in records[0]:
        column = [r.get(key) for r in records]
        if all(isinstance(c, (int, np.integer)) and not isinstance(c, bool) for c in column):
            columns[key] = np.asarray(column, dtype=np.int64)
        elif all(isinstance(c, (float, int, np.ndarray)) and not isinstance(c, bool) for c in column):
            columns[key] = np.asarray(column, dtype=np.float64)
        else:
            columns[key] = column
    return columns


_EXPERIMENTS = {
    "du2017": _landscape.experiment_du2017,
    "kawaguchi": _landscape.experiment_kawaguchi,
    "safran_shamir": _landscape.experiment_safran_shamir,
    "atlas": _landscape.atlas,
}


def _list(value: Any) -> str:
    """A ``--dims``/``--k`` list: a string (``"2-8"``, ``"2,3,4"``) or integers."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return ",".join(str(int(v)) for v in value)


def experiment(name: str, **options: Any) -> dict:
    """An experiment of ``landscape experiment NAME --json``, with its flags as keywords
    (snake_case, the same defaults) and its JSON fields in the result:

    - ``"du2017"``: GD against perturbed GD on Du et al.'s octopus; ``dims`` (``"2-8"``
      or a list), ``trials``, ``seed``, ``tolerance``, ``max_iters``, ``lr``,
      ``init_radius``, ``tau``, ``l``, ``gamma``, ``radius``, ``g_thres``, ``t_thres``,
      ``f_thres``, ``plain_gd``;
    - ``"kawaguchi"``: deep linear nets; ``starts``, ``seed``;
    - ``"safran_shamir"`` (or ``"safran-shamir"``): two-layer ReLU networks; ``k``
      (``"6-20"`` or a list), ``n_extra``, ``runs``, ``seed``, ``max_iters``,
      ``newton_below`` (0: plain GD to the end);
    - ``"atlas"`` (``landscape atlas --json``): per problem family, where descent from
      random starts ends; ``runs``, ``seed``, ``only`` (a list of entry names),
      ``problems`` (your own specs: files, shipped names or ``expr:`` formulas, each a
      row with no prediction stated; alone, they replace the shipped entries).

    They run in parallel over trials with the GIL released.
    """
    run = _EXPERIMENTS.get(name.replace("-", "_"))
    if run is None:
        raise ValueError(f"invalid field `experiment`: expected one of {', '.join(_EXPERIMENTS)}, found `{name}`")
    for key in ("dims", "k"):
        if key in options:
            options[key] = _list(options[key])
    return run(**options)
