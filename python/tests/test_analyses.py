"""The analyses: the command line's options and JSON fields, vectors as arrays."""

import json

import numpy as np
import pytest

import landscape


@pytest.fixture(scope="module")
def mf():
    return landscape.problem("matrix_factorization")


def test_classify_matches_the_command_line(mf, cli_json):
    x, verdict = mf.known_points["eig:2"]
    ours = landscape.classify(mf, x, with_direction=True)
    theirs = cli_json("classify", "--problem", "matrix_factorization", "--point", "name:eig:2", "--with-direction")
    assert ours["kind"] == verdict == theirs["kind"]
    assert set(ours) == set(theirs)
    assert isinstance(ours["escape_direction"], np.ndarray)
    assert ours["escape_direction"].tolist() == theirs["escape_direction"]
    assert ours["lambda_min"] == theirs["lambda_min"]


def test_spectrum_with_vectors_density_and_trace(mf, cli_json):
    x, _ = mf.known_points["eig:2"]
    s = landscape.spectrum(mf, x, k=3, with_vectors=True)
    theirs = cli_json("spectrum", "--problem", "matrix_factorization", "--point", "name:eig:2", "--k", "3")
    assert set(theirs) <= set(s)
    assert s["eigenvalues"].tolist() == theirs["eigenvalues"]
    assert s["smallest"][0]["vector"].shape == (mf.dim,)
    d = landscape.density(mf, x, probes=4, steps=20, points=50)
    assert d["grid"].shape == d["density"].shape == (50,)
    t = landscape.trace(mf, x, probes=8)
    assert set(t) == {"estimate", "std_error", "probes"}
    with pytest.raises(ValueError, match="k"):
        landscape.spectrum(mf, x, k=0)
    with pytest.raises(ValueError, match="method"):
        landscape.spectrum(mf, x, method="qr")
    top = landscape.spectrum(mf, x, k=2, which="largest", method="lanczos")
    theirs = cli_json("spectrum", "--problem", "matrix_factorization", "--point", "name:eig:2", "--k", "2",
                      "--which", "largest", "--method", "lanczos")
    assert top["smallest"] == [] and len(top["largest"]) == 2
    assert [p["value"] for p in top["largest"]] == [p["value"] for p in theirs["largest"]]
    with pytest.raises(ValueError, match="which"):
        landscape.spectrum(mf, x, which="top")


def test_run_gives_the_trajectory_as_arrays(cli_json):
    f = landscape.problem("rosenbrock")
    t = landscape.run(f, [-1.2, 1.0], "adam", lr=0.02, max_iters=200, record_every=10, record_iterates=True)
    theirs = cli_json("run", "--problem", "rosenbrock", "--optimizer", "adam", "--lr", "0.02", "--init", "[-1.2, 1]",
                      "--iters", "200", "--record-every", "10", "--record-iterates")
    assert set(t) == set(theirs)
    assert t["hyperparameters"] == theirs["hyperparameters"]
    assert t["records"]["iter"].tolist() == [r["iter"] for r in theirs["records"]]
    assert t["records"]["value"].tolist() == [r["value"] for r in theirs["records"]]
    assert t["records"]["x"].shape == (len(theirs["records"]), 2)
    with pytest.raises(ValueError) as e:
        landscape.run(f, [0.0, 0.0], "adam", lr=-1.0)
    assert "lr" in str(e.value)
    with pytest.raises(ValueError, match="unknown optimizer"):
        landscape.run(f, [0.0, 0.0], "sgdx")
    with pytest.raises(TypeError):
        landscape.run(f, [0.0, 0.0], "gd", lr=[1])


def test_escape_and_bounds(mf, cli_json):
    x, _ = mf.known_points["eig:2"]
    opts = dict(trials=5, lr=0.05, radius=0.01, g_thres=0.01, t_thres=100, max_iters=2000)
    e = landscape.escape(mf, x, "pgd", **opts)
    theirs = cli_json("escape", "--problem", "matrix_factorization", "--from", "name:eig:2", "--method", "pgd",
                      "--trials", "5", "--lr", "0.05", "--noise-radius", "0.01", "--g-thres", "0.01",
                      "--t-thres", "100", "--max-iters", "2000")
    assert json.loads(json.dumps(e, default=lambda a: a.tolist())) == theirs
    with pytest.raises(ValueError, match="not a saddle"):
        landscape.escape(mf, np.full(mf.dim, 5.0), "gd")
    b = landscape.bounds(landscape.problem("rosenbrock"), [-1.2, 1.0], iters=50)
    theirs = cli_json("bounds", "--problem", "rosenbrock", "--init", "[-1.2, 1]", "--iters", "50")
    assert set(b) == set(theirs)
