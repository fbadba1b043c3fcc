"""Pictures: the plot kinds of ``landscape plot``, one function each, on built-in
problems and your own objectives alike.

``slice``, ``line``, ``spectrum``, ``trace``, ``escape``, ``descent``, ``convergence``,
``rate``. Options are the command's flags in snake_case with the same defaults.
Points are arrays, or strings in any form the command line's points take
(``"zeros"``, ``"name:eig:2"``, ``"random:1:0"``, ``"init:kaiming_normal:0"``, a JSON
array, a ``.json`` or ``.npy`` path).

Inputs the command line reads from JSON files (trajectories, escape and du2017
reports, a census, a bounds report) are the dicts the Python analyses return
(``landscape.run``, ``landscape.escape``, ``landscape.census``, ``landscape.bounds``,
``landscape.experiment("du2017")``), or paths of the command line's files.

With ``out=`` (``.png`` or ``.svg``) the picture is written there atomically; either
way an :class:`Image` is returned: its bytes (PNG without ``out``), which Jupyter
displays.

>>> import landscape, landscape.plot
>>> f = landscape.problem("rosenbrock")
>>> run = landscape.run(f, [-1.2, 1.0], "adam", lr=0.02, record_iterates=True)
>>> landscape.plot.slice(f, trajectory=[run], log_color=True, out="rosenbrock.png")
"""

from __future__ import annotations

import os
from typing import Any, Optional, Sequence, Tuple, Union

from . import _landscape
from ._json import to_json
from ._landscape import Objective

__all__ = [
    "Image",
    "convergence",
    "descent",
    "escape",
    "line",
    "rate",
    "slice",
    "spectrum",
    "trace",
]

Source = Union[dict, str, "os.PathLike[str]"]


class Image:
    """A rendered picture: ``data`` (the file's bytes), ``format`` (``"png"`` or
    ``"svg"``), ``note`` (the spectrum's summary line, else None). Displays in
    Jupyter; ``save(path)`` writes the bytes."""

    def __init__(self, data: bytes, format: str, note: Optional[str] = None):
        self.data = data
        self.format = format
        self.note = note

    def save(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Writes the bytes to ``path`` (its extension should match ``format``)."""
        with open(path, "wb") as f:
            f.write(self.data)

    def _repr_png_(self) -> Optional[bytes]:
        return self.data if self.format == "png" else None

    def _repr_svg_(self) -> Optional[str]:
        return self.data.decode() if self.format == "svg" else None

    def __repr__(self) -> str:
        return f"landscape.plot.Image(format={self.format!r}, {len(self.data)} bytes)"


def _image(result: Tuple[bytes, str, Optional[str]]) -> Image:
    return Image(*result)


def _source(obj: Source, name: str) -> Tuple[str, str]:
    """A dict (an analysis's result) or a path as (name for errors, text)."""
    if isinstance(obj, (str, os.PathLike)):
        path = os.fspath(obj)
        try:
            with open(path, encoding="utf-8") as f:
                return path, f.read()
        except OSError as e:
            raise ValueError(f"cannot read `{path}`: {e.strerror}") from e
    if not isinstance(obj, dict):
        raise TypeError(f"{name} is a {type(obj).__name__}, expected a dict (an analysis's result) or a path")
    return name, to_json(obj)


def _sources(objs: Union[Source, Sequence[Source]], name: str) -> list:
    if isinstance(objs, (dict, str, os.PathLike)):
        objs = [objs]
    return [_source(o, f"{name}[{i}]") for i, o in enumerate(objs)]


def _out(out: Optional[Union[str, "os.PathLike[str]"]]) -> Optional[str]:
    return None if out is None else os.fspath(out)


def slice(
    f: Objective,
    *,
    at: Any = None,
    directions: Optional[str] = None,
    seed: int = 0,
    points: Optional[Sequence[Any]] = None,
    oblique: bool = False,
    d1: Any = None,
    d2: Any = None,
    trajectory: Union[Source, Sequence[Source]] = (),
    census: Optional[Source] = None,
    range: Optional[float] = None,
    alpha: Optional[Tuple[float, float]] = None,
    beta: Optional[Tuple[float, float]] = None,
    resolution: Optional[int] = None,
    contour: bool = False,
    heatmap: bool = False,
    surface: bool = False,
    log_color: bool = False,
    levels: Optional[int] = None,
    title: Optional[str] = None,
    out: Optional[Union[str, "os.PathLike[str]"]] = None,
    width: Optional[int] = None,
    height: Optional[int] = None,
) -> Image:
    """f on the plane x₀ + α·d₁ + β·d₂ (``landscape plot slice``): a heatmap with
    contours (or ``contour``, ``heatmap``, ``surface``), trajectories projected, census
    points marked by verdict.

    ``directions``: ``"coordinates"`` (the default in 2-D), ``"hessian"`` (λmin and
    λmax at x₀; the default otherwise), ``"hessian:I,J"``, ``"random"`` (Gaussian,
    filter-normalised per block of the layout, Li et al. 2018; ``seed``), ``"pca"`` (of
    the trajectories' iterates), ``"points"`` (``points=(A, B, C)``) or ``"explicit"``
    (``d1``, ``d2``). ``at`` is x₀ (default zeros; the last iterate with pca).
    ``trajectory``: runs recorded with ``record_iterates=True`` or escape reports with
    ``paths``; ``census``: a census. ``range`` sets both ranges to [−R, R]; ``alpha``
    and ``beta`` are (low, high).
    """
    return _image(
        _landscape.plot_slice(
            f,
            at=at,
            directions=directions,
            seed=seed,
            points=None if points is None else list(points),
            oblique=oblique,
            d1=d1,
            d2=d2,
            trajectory=_sources(trajectory, "trajectory"),
            census=None if census is None else _source(census, "census"),
            range=range,
            alpha=None if alpha is None else [float(a) for a in alpha],
            beta=None if beta is None else [float(b) for b in beta],
            resolution=resolution,
            contour=contour,
            heatmap=heatmap,
            surface=surface,
            log_color=log_color,
            levels=levels,
            title=title,
            out=_out(out),
            width=width,
            height=height,
        )
    )


def line(
    f: Objective,
    from_: Any,
    *,
    direction: Any = None,
    to: Any = None,
    t: Optional[Tuple[float, float]] = None,
    resolution: int = 201,
    title: Optional[str] = None,
    out: Optional[Union[str, "os.PathLike[str]"]] = None,
    width: Optional[int] = None,
    height: Optional[int] = None,
) -> Image:
    """f along x₀ + t·d (``direction``) or (1 − t)·a + t·b (``to``)
    (``landscape plot line``); ``t`` defaults to (−1, 1) along a direction, (−0.5, 1.5)
    between points."""
    return _image(
        _landscape.plot_line(
            f,
            from_,
            direction=direction,
            to=to,
            t=None if t is None else [float(v) for v in t],
            resolution=resolution,
            title=title,
            out=_out(out),
            width=width,
            height=height,
        )
    )


def spectrum(
    f: Objective,
    at: Any,
    *,
    bins: int = 40,
    density: bool = False,
    probes: Optional[int] = None,
    steps: Optional[int] = None,
    seed: Optional[int] = None,
    title: Optional[str] = None,
    out: Optional[Union[str, "os.PathLike[str]"]] = None,
    width: Optional[int] = None,
    height: Optional[int] = None,
) -> Image:
    """The histogram of every eigenvalue of the reduced Hessian at ``at`` (negative
    part highlighted), or with ``density`` its spectral density by stochastic Lanczos
    quadrature, for large d (``landscape plot spectrum``). The image's ``note`` is the
    command's summary line."""
    return _image(
        _landscape.plot_spectrum(
            f,
            at,
            bins=bins,
            density=density,
            probes=probes,
            steps=steps,
            seed=seed,
            title=title,
            out=_out(out),
            width=width,
            height=height,
        )
    )


def trace(
    runs: Union[Source, Sequence[Source]],
    *,
    names: Sequence[str] = (),
    log_value: bool = False,
    title: Optional[str] = None,
    out: Optional[Union[str, "os.PathLike[str]"]] = None,
    width: Optional[int] = None,
    height: Optional[int] = None,
) -> Image:
    """f and ‖∇f‖ against the iteration for one or more runs (``landscape.run`` results
    or trajectory files), named by ``names`` (default: the optimizers)
    (``landscape plot trace``)."""
    options = {} if title is None else {"title": title}
    return _image(
        _landscape.plot_trace(
            _sources(runs, "runs"),
            names=list(names),
            log_value=log_value,
            out=_out(out),
            width=width,
            height=height,
            **options,
        )
    )


def escape(
    reports: Union[Source, Sequence[Source]] = (),
    *,
    du2017: Optional[Source] = None,
    log_iters: bool = False,
    title: Optional[str] = None,
    out: Optional[Union[str, "os.PathLike[str]"]] = None,
    width: Optional[int] = None,
    height: Optional[int] = None,
) -> Image:
    """The fraction of trials escaped by iteration t, one curve per ``landscape.escape``
    report; or, with ``du2017`` (``landscape.experiment("du2017")``'s result), Du et
    al.'s iterations against d (``landscape plot escape``)."""
    return _image(
        _landscape.plot_escape(
            _sources(reports, "reports"),
            du2017=None if du2017 is None else _source(du2017, "du2017"),
            log_iters=log_iters,
            title=title,
            out=_out(out),
            width=width,
            height=height,
        )
    )


def _bounds(kind: str, source: Union[Objective, Source], **options: Any) -> Image:
    if isinstance(source, Objective):
        return _image(_landscape.plot_bounds(kind, source, **options))
    for key in ("init", "iters", "beta", "epsilon"):
        if options.get(key) is not None:
            raise TypeError(f"`{key}` runs GD on an objective; a bounds report is already run")
    return _image(_landscape.plot_bounds(kind, None, _source(source, "report"), **options))


def descent(
    source: Union[Objective, Source],
    *,
    init: Any = None,
    iters: Optional[int] = None,
    beta: Optional[float] = None,
    out: Optional[Union[str, "os.PathLike[str]"]] = None,
    width: Optional[int] = None,
    height: Optional[int] = None,
) -> Image:
    """The decrease per step of GD with η = 1/β against the descent-lemma bound
    ‖∇f‖²/(2β) (``landscape plot descent``): from a run on an objective (``init``,
    ``iters``, ``beta``), or from a ``landscape.bounds`` report."""
    return _bounds("descent", source, init=init, iters=iters, beta=beta, out=_out(out), width=width, height=height)


def convergence(
    source: Union[Objective, Source],
    *,
    init: Any = None,
    iters: Optional[int] = None,
    beta: Optional[float] = None,
    epsilon: Optional[float] = None,
    out: Optional[Union[str, "os.PathLike[str]"]] = None,
    width: Optional[int] = None,
    height: Optional[int] = None,
) -> Image:
    """min_{s≤t}‖∇f(xₛ)‖ of GD with η = 1/β against √(2β(f(x₀) − f*)/(t + 1)), with
    T(ε) marked (``landscape plot convergence``): from a run on an objective, or from a
    ``landscape.bounds`` report."""
    return _bounds(
        "convergence", source, init=init, iters=iters, beta=beta, epsilon=epsilon, out=_out(out), width=width, height=height
    )


def rate(
    f: Objective,
    *,
    init: Any = None,
    iters: Optional[int] = None,
    beta: Optional[float] = None,
    lr: Optional[float] = None,
    out: Optional[Union[str, "os.PathLike[str]"]] = None,
    width: Optional[int] = None,
    height: Optional[int] = None,
) -> Image:
    """On a positive definite ``quadratic``, ‖xₜ − x*‖ of GD against
    (1 − ηλmin)ᵗ‖x₀ − x*‖ (``landscape plot rate``); η = ``lr``, default 1/β."""
    return _image(
        _landscape.plot_rate(f, init=init, iters=iters, beta=beta, lr=lr, out=_out(out), width=width, height=height)
    )
