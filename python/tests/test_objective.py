"""Your own objective from NumPy callables: the same answers as the built-in problem."""

import threading

import numpy as np
import pytest

import landscape


def himmelblau_value(p):
    x, y = p
    return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2


def himmelblau_gradient(p):
    x, y = p
    a, b = x * x + y - 11, x + y * y - 7
    return np.array([4 * x * a + 2 * b, 2 * a + 4 * y * b])


def himmelblau_hvp(p, v):
    x, y = p
    h = np.array([[12 * x * x + 4 * y - 42, 4 * x + 4 * y], [4 * x + 4 * y, 4 * x + 12 * y * y - 26]])
    return h @ v


def himmelblau(**kw):
    return landscape.objective(
        value=himmelblau_value, gradient=himmelblau_gradient, hvp=himmelblau_hvp, dim=2, optimum=0.0, **kw
    )


def test_same_verdicts_and_spectra_as_the_built_in_problem():
    builtin, mine = landscape.problem("himmelblau"), himmelblau()
    assert mine.kind == "objective" and mine.layout == [("x", [2])]
    assert len(builtin.known_points) == 9
    for name, (x, verdict) in builtin.known_points.items():
        ours, theirs = landscape.classify(mine, x), landscape.classify(builtin, x)
        assert ours["kind"] == theirs["kind"] == verdict, name
        assert ours["negative"] == theirs["negative"]
        s_ours, s_theirs = landscape.spectrum(mine, x), landscape.spectrum(builtin, x)
        np.testing.assert_allclose(s_ours["eigenvalues"], s_theirs["eigenvalues"], rtol=1e-12, atol=1e-12)


def test_a_census_of_a_python_objective_runs_its_starts_in_parallel():
    builtin, mine = landscape.problem("himmelblau"), himmelblau()
    ours = landscape.census(mine, starts=40, seed=3, scale=3.0)
    theirs = landscape.census(builtin, starts=40, seed=3, scale=3.0)
    assert ours["counts"] == theirs["counts"]
    assert ours["counts"]["global_min"] == 4
    # the GIL is released during the analysis: another Python thread gets to run
    ticks = []
    stop = threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(1)
            stop.wait(0.001)

    t = threading.Thread(target=tick)
    t.start()
    landscape.census(builtin, starts=200, seed=1)
    stop.set()
    t.join()
    assert ticks


def test_a_callback_that_raises_stops_the_analysis_with_its_exception():
    calls = []

    def gradient(x):
        calls.append(1)
        if len(calls) > 3:
            raise KeyError("boom")
        return himmelblau_gradient(x)

    f = landscape.objective(value=himmelblau_value, gradient=gradient, hvp=himmelblau_hvp, dim=2)
    with pytest.raises(KeyError, match="boom"):
        landscape.census(f, starts=20, scale=3.0)
    with pytest.raises(KeyError, match="boom"):
        landscape.run(f, [1.0, 1.0], "gd", lr=0.01, max_iters=100)


def test_wrong_returns_and_a_missing_hvp_raise():
    f = landscape.objective(value=himmelblau_value, gradient=lambda x: np.zeros(3), dim=2)
    with pytest.raises(ValueError, match="gradient returned a vector of length 3, expected 2"):
        f.gradient([0.0, 0.0])
    g = landscape.objective(value=lambda x: "one", gradient=himmelblau_gradient, dim=2)
    with pytest.raises(TypeError, match="value returned str"):
        landscape.run(g, [0.0, 0.0], "gd")
    no_hvp = landscape.objective(value=himmelblau_value, gradient=himmelblau_gradient, dim=2)
    assert landscape.run(no_hvp, [0.0, 0.0], "adam", lr=0.1, max_iters=50)["termination"]
    with pytest.raises(ValueError, match="needs Hessian-vector products"):
        landscape.classify(no_hvp, [3.0, 2.0])
    with pytest.raises(ValueError, match="layout"):
        landscape.objective(value=himmelblau_value, gradient=himmelblau_gradient, dim=2, layout=[("W", (3,))])


def test_known_points_of_your_own_objective():
    builtin = landscape.problem("himmelblau")
    mine = himmelblau(known_points=builtin.known_points)
    assert mine.known_points.keys() == builtin.known_points.keys()
    for name, (x, verdict) in mine.known_points.items():
        assert np.array_equal(x, builtin.known_points[name][0]) and verdict == builtin.known_points[name][1]
    name = next(iter(mine.known_points))
    # a known point by name wherever a point is a string, as on the command line
    assert landscape.plot.spectrum(mine, f"name:{name}").note == landscape.plot.spectrum(builtin, f"name:{name}").note
    with pytest.raises(ValueError, match="known_points"):
        himmelblau(known_points={"p": ([0.0, 0.0], "minimum")})
    with pytest.raises(ValueError, match="known point `p`"):
        himmelblau(known_points={"p": ([0.0, 0.0, 1.0], "local_min")})
