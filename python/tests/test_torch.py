"""The PyTorch adapter on a small network: finite differences and a dense Hessian."""

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is not installed (CI does not install it)")

import landscape  # noqa: E402
import landscape.torch  # noqa: E402


def network():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1)).double()
    X, Y = torch.randn(12, 3, dtype=torch.float64), torch.randn(12, 1, dtype=torch.float64)
    return model, torch.nn.functional.mse_loss, (X, Y)


def test_derivatives_agree_with_finite_differences():
    model, loss, data = network()
    f = landscape.torch.objective(model, loss, data)
    x = landscape.torch.flatten(model)
    assert [name for name, _ in f.layout] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert f.value(x) == pytest.approx(float(loss(model(data[0]), data[1])), rel=1e-14)
    h = 1e-6
    e = np.eye(f.dim)
    fd = np.array([(f.value(x + h * e[i]) - f.value(x - h * e[i])) / (2 * h) for i in range(f.dim)])
    np.testing.assert_allclose(f.gradient(x), fd, rtol=1e-6, atol=1e-9)
    v = np.random.default_rng(1).standard_normal(f.dim)
    fd_hvp = (f.gradient(x + h * v) - f.gradient(x - h * v)) / (2 * h)
    np.testing.assert_allclose(f.hvp(x, v), fd_hvp, rtol=1e-5, atol=1e-8)


def test_extreme_eigenvalues_agree_with_a_dense_hessian():
    model, loss, (X, Y) = network()
    f = landscape.torch.objective(model, loss, (X, Y))
    x = landscape.torch.flatten(model)

    def flat_loss(theta):
        params = landscape.torch.unflatten(theta, model)
        return loss(torch.func.functional_call(model, params, (X,)), Y)

    dense = torch.autograd.functional.hessian(flat_loss, torch.as_tensor(x)).numpy()
    eig = np.linalg.eigvalsh(dense)
    c = landscape.classify(f, x)
    assert c["lambda_min"] == pytest.approx(eig[0], abs=1e-10)
    assert c["lambda_max"] == pytest.approx(eig[-1], rel=1e-10)
