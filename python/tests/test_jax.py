"""The JAX adapter on a small network: finite differences and a dense jax.hessian."""

import numpy as np
import pytest

jax = pytest.importorskip("jax", reason="JAX is not installed (python/run-tests installs it)")
import jax.numpy as jnp  # noqa: E402

import landscape  # noqa: E402
import landscape.jax  # noqa: E402


def network():
    rng = np.random.default_rng(0)
    X = jnp.asarray(rng.standard_normal((12, 3)))
    Y = jnp.asarray(rng.standard_normal((12, 1)))
    params = {"w1": jnp.asarray(rng.standard_normal((3, 4)) * 0.5), "b1": jnp.zeros(4),
              "w2": jnp.asarray(rng.standard_normal((4, 1)) * 0.5)}

    def loss(p):
        return 0.5 * jnp.mean((jnp.tanh(X @ p["w1"] + p["b1"]) @ p["w2"] - Y) ** 2)

    return loss, params


def test_derivatives_agree_with_finite_differences():
    loss, params = network()
    f = landscape.jax.objective(loss, params)
    x = landscape.jax.flatten(params)
    assert f.dim == x.size == 3 * 4 + 4 + 4
    assert [name for name, _ in f.layout] == ["['b1']", "['w1']", "['w2']"]
    assert f.value(x) == pytest.approx(float(loss(params)), rel=1e-15)
    h = 1e-6
    e = np.eye(f.dim)
    fd = np.array([(f.value(x + h * e[i]) - f.value(x - h * e[i])) / (2 * h) for i in range(f.dim)])
    np.testing.assert_allclose(f.gradient(x), fd, rtol=1e-6, atol=1e-9)
    v = np.random.default_rng(1).standard_normal(f.dim)
    fd_hvp = (f.gradient(x + h * v) - f.gradient(x - h * v)) / (2 * h)
    np.testing.assert_allclose(f.hvp(x, v), fd_hvp, rtol=1e-5, atol=1e-8)


def test_extreme_eigenvalues_agree_with_a_dense_hessian():
    loss, params = network()
    f = landscape.jax.objective(loss, params)
    x = landscape.jax.flatten(params)
    _, unravel = jax.flatten_util.ravel_pytree(params)
    dense = np.asarray(jax.hessian(lambda z: loss(unravel(z)))(jnp.asarray(x)))
    eig = np.linalg.eigvalsh(dense)
    c = landscape.classify(f, x)
    assert c["lambda_min"] == pytest.approx(eig[0], abs=1e-10)
    assert c["lambda_max"] == pytest.approx(eig[-1], rel=1e-10)
    s = landscape.spectrum(f, x, k=2, method="lanczos", with_vectors=True)
    assert s["method"] == "lanczos"
    assert s["smallest"][0]["value"] == pytest.approx(eig[0], abs=1e-10)
    per_layer = landscape.jax.unflatten(s["smallest"][0]["vector"], params)
    assert per_layer["w1"].shape == (3, 4) and per_layer["b1"].shape == (4,)
