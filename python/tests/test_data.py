"""`f.data`: the instance's data as arrays, enough to recompute f in NumPy."""

import numpy as np
import pytest

import landscape


def point(f, seed=1):
    return np.random.default_rng(seed).normal(size=f.dim)


def test_matrix_completion_from_its_data():
    f = landscape.problem("matrix_completion", n=12, rank=2, p=0.6, **{"lambda": 0.5, "alpha": 0.3})
    d = f.data
    assert d["m"].shape == d["mask"].shape == (12, 12)
    assert set(np.unique(d["mask"])) <= {0.0, 1.0} and np.array_equal(d["mask"], d["mask"].T)
    u = point(f).reshape(12, 2)
    residual = (u @ u.T - d["m"]) * d["mask"]
    rows = np.maximum(np.linalg.norm(u, axis=1) - d["alpha"], 0.0)
    value = (residual**2).sum() / (4 * d["p"]) + d["lambda"] * (rows**4).sum()
    assert f.value(u.ravel()) == pytest.approx(value, rel=1e-12)


def test_matrix_sensing_and_factorization_from_their_data():
    f = landscape.problem("matrix_sensing", n=6, rank=2, measurements=40, noise=0.1)
    a, y = f.data["a"], f.data["y"]
    assert a.shape == (40, 6, 6) and y.shape == (40,)
    u = point(f).reshape(6, 2)
    residuals = np.einsum("kij,ij->k", a, u @ u.T) - y
    assert f.value(u.ravel()) == pytest.approx((residuals**2).sum() / (4 * 40), rel=1e-12)

    g = landscape.problem("matrix_factorization", n=5, rank=2)
    m = g.data["m"]
    v = point(g).reshape(5, 2)
    assert g.value(v.ravel()) == pytest.approx(0.25 * ((v @ v.T - m) ** 2).sum(), rel=1e-12)


def test_quadratic_tensor_and_networks_from_their_data():
    q = landscape.problem("quadratic", eigenvalues=[-1.0, 2.0, 3.0], b=[1.0, 0.0, -1.0])
    a, b = q.data["a"], q.data["b"]
    x = point(q)
    assert q.value(x) == pytest.approx(0.5 * x @ a @ x - b @ x, rel=1e-12)

    t = landscape.problem("tensor_factorization")
    u_star, tensor = t.data["u_star"], t.data["t"]
    assert tensor.shape == (8, 8, 8)
    assert np.allclose(tensor, np.einsum("ji,jk,jl->ikl", u_star, u_star, u_star))
    u = point(t).reshape(3, 8)
    fit = np.einsum("ji,jk,jl->ikl", u, u, u) - tensor
    assert t.value(u.ravel()) == pytest.approx(0.5 * (fit**2).sum(), rel=1e-10)

    net = landscape.problem("linear_net", widths=[3, 2, 2], samples=10)
    xs, ys = net.data["x"], net.data["y"]
    assert xs.shape == (3, 10) and ys.shape == (2, 10)
    w = point(net)
    w1, w2 = w[:6].reshape(2, 3), w[6:].reshape(2, 2)
    assert net.value(w) == pytest.approx(0.5 * ((w2 @ w1 @ xs - ys) ** 2).sum(), rel=1e-12)

    mlp = landscape.problem("mlp")
    assert mlp.data["x"].shape == (64, 4) and mlp.data["y"].shape == (64, 1)
    assert landscape.problem("rosenbrock").data == {}
