"""Plots from Python: the same bytes as `landscape plot`, from dicts or the command's files."""

import json

import numpy as np
import pytest

import landscape
import landscape.plot

PNG = b"\x89PNG\r\n\x1a\n"


def cli_picture(cli, tmp_path, *args):
    out = tmp_path / "cli.png"
    code, _, err = cli("plot", *args, "--out", str(out))
    assert code == 0, err
    return out.read_bytes()


def numpy_rosenbrock():
    def value(x):
        return float((1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2)

    def gradient(x):
        return [-2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] ** 2), 200 * (x[1] - x[0] ** 2)]

    def hvp(x, v):
        h = np.array([[2 - 400 * (x[1] - 3 * x[0] ** 2), -400 * x[0]], [-400 * x[0], 200.0]])
        return h @ v

    return landscape.objective(value, gradient, hvp, dim=2, optimum=0.0)


def test_slice_is_the_command_lines_picture(cli, tmp_path):
    f = landscape.problem("rosenbrock")
    run = landscape.run(f, [-1.2, 1.0], "adam", lr=0.02, max_iters=100, record_iterates=True)
    (tmp_path / "run.json").write_text(landscape.to_json(run))
    # (a title of our own: the default names the problem's kind, which the NumPy one below
    # does not share)
    args = ["slice", "--problem", "rosenbrock", "--resolution", "30", "--log-color", "--width", "400", "--height", "300",
            "--title", "Rosenbrock"]
    theirs = cli_picture(cli, tmp_path, *args, "--trajectory", str(tmp_path / "run.json"))
    # the trajectory as the dict landscape.run returns (records as columns) or as its file
    for trajectory in (run, tmp_path / "run.json"):
        ours = landscape.plot.slice(f, resolution=30, log_color=True, width=400, height=300, trajectory=[trajectory],
                                    title="Rosenbrock")
        assert ours.format == "png" and ours.data[:8] == PNG
        assert ours.data == theirs
    # a NumPy objective with the same values draws the same picture
    mine = landscape.plot.slice(numpy_rosenbrock(), resolution=30, log_color=True, width=400, height=300, trajectory=run,
                                title="Rosenbrock")
    assert mine.data == theirs


def test_out_writes_png_or_svg(tmp_path):
    f = landscape.problem("himmelblau")
    image = landscape.plot.slice(f, resolution=20, contour=True, out=tmp_path / "h.svg")
    assert image.format == "svg" and (tmp_path / "h.svg").read_bytes() == image.data
    assert image._repr_png_() is None and "<svg" in image._repr_svg_()
    png = landscape.plot.line(f, [0.0, 0.0], to=[3.0, 2.0], out=str(tmp_path / "l.png"))
    assert (tmp_path / "l.png").read_bytes()[:8] == PNG == png._repr_png_()[:8]
    png.save(tmp_path / "copy.png")
    assert (tmp_path / "copy.png").read_bytes() == png.data
    with pytest.raises(ValueError, match="invalid field `out`: expected a file name ending in .png or .svg"):
        landscape.plot.slice(f, out=tmp_path / "h.jpg")
    with pytest.raises(ValueError, match="resolution"):
        landscape.plot.slice(f, resolution=1)
    with pytest.raises(ValueError, match="directions"):
        landscape.plot.slice(f, directions="diagonal")
    with pytest.raises(ValueError, match="width"):
        landscape.plot.line(f, [0.0, 0.0], direction=[1.0, 0.0], width=10)


def test_line_spectrum_and_random_directions_match_the_command_line(cli, tmp_path):
    f = landscape.problem("matrix_factorization")
    x, _ = f.known_points["eig:2"]
    theirs = cli_picture(cli, tmp_path, "spectrum", "--problem", "matrix_factorization", "--at", "name:eig:2")
    ours = landscape.plot.spectrum(f, "name:eig:2")
    assert ours.data == theirs and "negative" in ours.note
    theirs = cli_picture(cli, tmp_path, "line", "--problem", "matrix_factorization", "--from", "name:eig:2",
                         "--to", "name:eig:1", "--resolution", "50")
    # points given by name are named on the chart, as on the command line
    assert landscape.plot.line(f, "name:eig:2", to="name:eig:1", resolution=50).data == theirs
    assert landscape.plot.line(f, x, to=f.known_points["eig:1"][0], resolution=50).data != theirs
    theirs = cli_picture(cli, tmp_path, "slice", "--problem", "matrix_factorization", "--at", "name:eig:2",
                         "--directions", "random", "--seed", "3", "--resolution", "25")
    assert landscape.plot.slice(f, at="name:eig:2", directions="random", seed=3, resolution=25).data == theirs
    assert landscape.plot.slice(f, at=x, directions="random", seed=3, resolution=25).data != theirs


def test_trace_escape_and_bounds_from_dicts(cli, tmp_path):
    f = landscape.problem("rosenbrock")
    runs = [landscape.run(f, [-1.2, 1.0], o, lr=lr, max_iters=100) for o, lr in (("gd", 1e-3), ("adam", 0.02))]
    paths = []
    for i, run in enumerate(runs):
        paths.append(tmp_path / f"run{i}.json")
        paths[-1].write_text(landscape.to_json(run))
    theirs = cli_picture(cli, tmp_path, "trace", *map(str, paths), "--names", "GD,Adam")
    assert landscape.plot.trace(runs, names=["GD", "Adam"]).data == theirs

    mf = landscape.problem("matrix_factorization")
    x, _ = mf.known_points["eig:2"]
    report = landscape.escape(mf, x, "gd", trials=4, lr=0.05, max_iters=500)
    (tmp_path / "e.json").write_text(landscape.to_json(report))
    theirs = cli_picture(cli, tmp_path, "escape", str(tmp_path / "e.json"))
    assert landscape.plot.escape(report).data == theirs

    theirs = cli_picture(cli, tmp_path, "descent", "--problem", "rosenbrock", "--init", "[-1.2, 1]", "--iters", "50")
    assert landscape.plot.descent(f, init=[-1.2, 1.0], iters=50).data == theirs
    b = landscape.bounds(f, [-1.2, 1.0], iters=50)
    assert landscape.plot.descent(b).data == theirs
    theirs = cli_picture(cli, tmp_path, "convergence", "--problem", "rosenbrock", "--init", "[-1.2, 1]", "--iters", "50")
    assert landscape.plot.convergence(b).data == theirs
    q = landscape.problem("quadratic", eigenvalues=[1.0, 2.0, 4.0])
    theirs = cli_picture(cli, tmp_path, "rate", "--problem", "quadratic", "--set", "eigenvalues=[1.0, 2.0, 4.0]")
    assert landscape.plot.rate(q).data == theirs
    with pytest.raises(ValueError, match="escape report"):
        landscape.plot.escape({"method": "gd"})
