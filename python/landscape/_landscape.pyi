"""Type stubs of the native module (``landscape._landscape``); the package re-exports
``Objective`` and the analyses. Options left as None take the library's defaults."""

from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import numpy.typing as npt

ArrayLike = npt.ArrayLike
Vector = npt.NDArray[np.float64]

class Objective:
    """A built-in problem (``landscape.problem``) or your own (``landscape.objective``)."""

    @property
    def dim(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def optimum(self) -> Optional[float]: ...
    @property
    def layout(self) -> List[Tuple[str, List[int]]]: ...
    @property
    def known_points(self) -> Dict[str, Tuple[Vector, str]]: ...
    @property
    def data(self) -> Dict[str, npt.NDArray[np.float64]]: ...
    def value(self, x: ArrayLike) -> float: ...
    def gradient(self, x: ArrayLike) -> Vector: ...
    def hvp(self, x: ArrayLike, v: ArrayLike) -> Vector: ...
    def riemannian_gradient(self, x: ArrayLike) -> Vector: ...
    def riemannian_hvp(self, x: ArrayLike, v: ArrayLike) -> Vector: ...

def kinds() -> List[str]: ...
def load_problem(problem: str, overrides: List[str]) -> Objective: ...
def from_callables(
    value: Callable[[Vector], float],
    gradient: Callable[[Vector], ArrayLike],
    hvp: Optional[Callable[[Vector, Vector], ArrayLike]],
    dim: int,
    layout: Optional[Sequence[Tuple[str, Sequence[int]]]],
    optimum: Optional[float],
    known_points: Sequence[Tuple[str, ArrayLike, str]] = ...,
) -> Objective: ...
def classify(
    f: Objective,
    x: ArrayLike,
    *,
    grad_tol: Optional[float] = None,
    eig_tol: Optional[float] = None,
    method: Optional[str] = None,
    with_direction: bool = False,
) -> Dict[str, Any]: ...
def spectrum(
    f: Objective,
    x: ArrayLike,
    *,
    k: Optional[int] = None,
    method: Optional[str] = None,
    dense_threshold: Optional[int] = None,
    tol: Optional[float] = None,
    max_hvps: Optional[int] = None,
    project_symmetries: bool = True,
    seed: Optional[int] = None,
    with_vectors: bool = False,
    which: Optional[str] = None,
) -> Dict[str, Any]: ...
def density(
    f: Objective,
    x: ArrayLike,
    *,
    probes: Optional[int] = None,
    steps: Optional[int] = None,
    width: Optional[float] = None,
    points: Optional[int] = None,
    seed: Optional[int] = None,
    project_symmetries: bool = True,
) -> Dict[str, Any]: ...
def trace(f: Objective, x: ArrayLike, *, probes: Optional[int] = None, seed: int = 0) -> Dict[str, Any]: ...
def census(
    f: Objective,
    *,
    starts: Optional[int] = None,
    seed: Optional[int] = None,
    scale: Optional[float] = None,
    grad_tol: Optional[float] = None,
    max_descent_iter: Optional[int] = None,
    max_newton_steps: Optional[int] = None,
    dedup_tol: Optional[float] = None,
) -> Dict[str, Any]: ...
def run(
    f: Objective,
    x0: ArrayLike,
    optimizer: str,
    *,
    max_iters: Optional[int] = None,
    grad_tol: Optional[float] = None,
    target: Optional[float] = None,
    record_every: Optional[int] = None,
    record_iterates: bool = False,
    clip_norm: Optional[float] = None,
    clip_value: Optional[float] = None,
    classify_final: bool = False,
    **hyperparameters: Any,
) -> Dict[str, Any]: ...
def escape(
    f: Objective,
    from_: ArrayLike,
    method: str,
    *,
    trials: Optional[int] = None,
    seed: Optional[int] = None,
    start_radius: Optional[float] = None,
    drop: Optional[float] = None,
    max_iters: Optional[int] = None,
    paths: Optional[int] = None,
    force: bool = False,
    **hyperparameters: Any,
) -> Dict[str, Any]: ...
def bounds(
    f: Objective,
    x0: ArrayLike,
    *,
    iters: Optional[int] = None,
    beta: Optional[float] = None,
    epsilon: Optional[float] = None,
    tolerance: Optional[float] = None,
    samples: Optional[int] = None,
    max_rounds: Optional[int] = None,
    seed: Optional[int] = None,
) -> Dict[str, Any]: ...

# The plots (wrapped by ``landscape.plot``): each returns (bytes, "png" | "svg", note).
# Sources are (name for errors, JSON or CSV text).
Source = Tuple[str, str]
Picture = Tuple[bytes, str, Optional[str]]
Point = Any  # an array, or a point string of the command line

def plot_slice(
    f: Objective,
    *,
    at: Optional[Point] = None,
    directions: Optional[str] = None,
    seed: int = 0,
    points: Optional[List[Point]] = None,
    oblique: bool = False,
    d1: Optional[Point] = None,
    d2: Optional[Point] = None,
    trajectory: List[Source] = ...,
    census: Optional[Source] = None,
    range: Optional[float] = None,
    alpha: Optional[List[float]] = None,
    beta: Optional[List[float]] = None,
    resolution: Optional[int] = None,
    contour: bool = False,
    heatmap: bool = False,
    surface: bool = False,
    log_color: bool = False,
    levels: Optional[int] = None,
    title: Optional[str] = None,
    out: Optional[str] = None,
    width: Optional[int] = None,
    height: Optional[int] = None,
) -> Picture: ...
def plot_line(
    f: Objective,
    from_: Point,
    *,
    direction: Optional[Point] = None,
    to: Optional[Point] = None,
    t: Optional[List[float]] = None,
    resolution: int = 201,
    title: Optional[str] = None,
    out: Optional[str] = None,
    width: Optional[int] = None,
    height: Optional[int] = None,
) -> Picture: ...
def plot_spectrum(
    f: Objective,
    at: Point,
    *,
    bins: int = 40,
    density: bool = False,
    probes: Optional[int] = None,
    steps: Optional[int] = None,
    seed: Optional[int] = None,
    title: Optional[str] = None,
    out: Optional[str] = None,
    width: Optional[int] = None,
    height: Optional[int] = None,
) -> Picture: ...
def plot_trace(
    runs: List[Source],
    *,
    names: List[str] = ...,
    log_value: bool = False,
    title: str = ...,
    out: Optional[str] = None,
    width: Optional[int] = None,
    height: Optional[int] = None,
) -> Picture: ...
def plot_escape(
    reports: List[Source],
    *,
    du2017: Optional[Source] = None,
    log_iters: bool = False,
    title: Optional[str] = None,
    out: Optional[str] = None,
    width: Optional[int] = None,
    height: Optional[int] = None,
) -> Picture: ...
def plot_bounds(
    kind: str,
    f: Optional[Objective] = None,
    report: Optional[Source] = None,
    *,
    init: Optional[Point] = None,
    iters: Optional[int] = None,
    beta: Optional[float] = None,
    epsilon: Optional[float] = None,
    out: Optional[str] = None,
    width: Optional[int] = None,
    height: Optional[int] = None,
) -> Picture: ...
def plot_rate(
    f: Objective,
    *,
    init: Optional[Point] = None,
    iters: Optional[int] = None,
    beta: Optional[float] = None,
    lr: Optional[float] = None,
    out: Optional[str] = None,
    width: Optional[int] = None,
    height: Optional[int] = None,
) -> Picture: ...

# The experiments (wrapped by ``landscape.experiment``).
def experiment_du2017(
    *,
    dims: str = "2-8",
    trials: Optional[int] = None,
    seed: Optional[int] = None,
    tolerance: Optional[float] = None,
    max_iters: Optional[int] = None,
    lr: Optional[float] = None,
    init_radius: Optional[float] = None,
    tau: Optional[float] = None,
    l: Optional[float] = None,
    gamma: Optional[float] = None,
    radius: Optional[float] = None,
    g_thres: Optional[float] = None,
    t_thres: Optional[int] = None,
    f_thres: Optional[float] = None,
    plain_gd: bool = False,
) -> Dict[str, Any]: ...
def experiment_kawaguchi(*, starts: Optional[int] = None, seed: Optional[int] = None) -> Dict[str, Any]: ...
def atlas(
    *, runs: Optional[int] = None, seed: Optional[int] = None, only: Optional[List[str]] = None
) -> Dict[str, Any]: ...
def experiment_safran_shamir(
    *,
    k: str = "6-20",
    n_extra: Optional[int] = None,
    runs: Optional[int] = None,
    seed: Optional[int] = None,
    max_iters: Optional[int] = None,
) -> Dict[str, Any]: ...
