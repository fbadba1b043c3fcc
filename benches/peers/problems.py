"""The peers' side: f, ∇f and ∇²f·v of the exported instances in NumPy/SciPy and in JAX,
written from the formulas that `landscape export --help` states (not from our code).

matrix_completion, with S = P_Ω(UUᵀ − M) (CSR over the exported pattern), ρᵢ = ‖Uᵢ‖,
eᵢ = (ρᵢ − α)₊:
  f   = 1/(4p) Σ_Ω ((UUᵀ)ᵢⱼ − Mᵢⱼ)² + λ Σᵢ eᵢ⁴
  ∇f  = (1/p) S U + λ 4eᵢ³ Uᵢ/ρᵢ
  ∇²f·V = (1/p)(S V + P_Ω(UVᵀ + VUᵀ) U) + λ[(12eᵢ²/ρᵢ² − 4eᵢ³/ρᵢ³)(Uᵢ·Vᵢ)Uᵢ + 4eᵢ³/ρᵢ Vᵢ]
matrix_factorization: f = ¼‖UUᵀ − M‖², ∇f = (UUᵀ − M)U, ∇²f·V = (UVᵀ + VUᵀ)U + (UUᵀ − M)V.
mlp (no normalisation, no penalty): the network of the manifest's layout (W1, b1, …, torch's
`Linear` order), Aₗ = φ(Aₗ₋₁Wₗᵀ + bₗ), f = mean over samples of ½‖ŷ − y‖² (squared) or
−yᵀ log softmax(ŷ) (cross_entropy, y one-hot); derivatives by each framework's autodiff.
"""

import json
import os

import numpy as np


def load(directory):
    """The manifest and every exported array of an export directory."""
    with open(os.path.join(directory, "manifest.json")) as fh:
        manifest = json.load(fh)
    arrays = {f["name"]: np.load(os.path.join(directory, f["file"])) for f in manifest["files"]}
    return manifest, arrays


class NumpyCompletion:
    """matrix_completion in NumPy + scipy.sparse; buffers reused across calls."""

    def __init__(self, a):
        import scipy.sparse as sp

        self.n = int(a["n"])
        self.p, self.lam, self.alpha = float(a["p"]), float(a["lambda"]), float(a["alpha"])
        indptr = a["indptr"].astype(np.int64)
        self.cols = a["indices"].astype(np.int64)
        self.rows = np.repeat(np.arange(self.n), np.diff(indptr))
        self.values = a["values"]
        self.S = sp.csr_matrix((self.values.copy(), self.cols, indptr), shape=(self.n, self.n))
        self.Q = self.S.copy()

    def _residual(self, U):
        return np.einsum("ij,ij->i", U[self.rows], U[self.cols]) - self.values

    def _reg(self, U):
        rho = np.linalg.norm(U, axis=1)
        e = np.maximum(rho - self.alpha, 0.0)
        safe = np.where(rho > 0, rho, 1.0)
        return rho, e, safe

    def value(self, U):
        r = self._residual(U)
        _, e, _ = self._reg(U)
        return r @ r / (4 * self.p) + self.lam * np.sum(e**4)

    def gradient(self, U):
        self.S.data[:] = self._residual(U)
        _, e, safe = self._reg(U)
        return self.S @ U / self.p + (self.lam * 4 * e**3 / safe)[:, None] * U

    def hvp(self, U, V):
        self.S.data[:] = self._residual(U)
        self.Q.data[:] = np.einsum("ij,ij->i", U[self.rows], V[self.cols]) + np.einsum(
            "ij,ij->i", V[self.rows], U[self.cols]
        )
        rho, e, safe = self._reg(U)
        c1 = self.lam * (12 * e**2 / safe**2 - 4 * e**3 / safe**3)
        c2 = self.lam * 4 * e**3 / safe
        uv = np.einsum("ij,ij->i", U, V)
        return (self.S @ V + self.Q @ U) / self.p + (c1 * uv)[:, None] * U + c2[:, None] * V


class NumpyFactorization:
    """matrix_factorization in NumPy."""

    def __init__(self, a):
        self.M = a["m"]

    def value(self, U):
        R = U @ U.T - self.M
        return 0.25 * np.sum(R * R)

    def gradient(self, U):
        return (U @ U.T - self.M) @ U

    def hvp(self, U, V):
        return (U @ V.T + V @ U.T) @ U + (U @ U.T - self.M) @ V


def numpy_problem(kind, arrays):
    return {"matrix_completion": NumpyCompletion, "matrix_factorization": NumpyFactorization}[kind](
        arrays
    )


def jax_problem(kind, a):
    """(value, gradient, hvp) jitted, HVP forward-over-reverse: jax.jvp of jax.grad."""
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    if kind == "matrix_completion":
        n = int(a["n"])
        p, lam, alpha = float(a["p"]), float(a["lambda"]), float(a["alpha"])
        indptr = a["indptr"].astype(np.int64)
        cols = jnp.asarray(a["indices"].astype(np.int64))
        rows = jnp.asarray(np.repeat(np.arange(n), np.diff(indptr)))
        values = jnp.asarray(a["values"])

        def f(U):
            r = jnp.sum(U[rows] * U[cols], axis=1) - values
            rho = jnp.sqrt(jnp.sum(U * U, axis=1))
            # the regulariser's terms vanish where ρ ≤ α (no derivative through √0)
            rho = jnp.where(rho > alpha, rho, alpha)
            return r @ r / (4 * p) + lam * jnp.sum((rho - alpha) ** 4)

    elif kind == "matrix_factorization":
        M = jnp.asarray(a["m"])

        def f(U):
            R = U @ U.T - M
            return 0.25 * jnp.sum(R * R)

    else:
        raise ValueError(kind)
    return jax_functions(f)


def jax_functions(f):
    """(value, gradient, hvp) of a JAX function, jitted, the HVP forward-over-reverse
    (jax.jvp of jax.grad), each returning NumPy."""
    import jax

    grad = jax.jit(jax.grad(f))
    hvp = jax.jit(lambda U, V: jax.jvp(jax.grad(f), (U,), (V,))[1])
    value = jax.jit(f)
    return (
        lambda U: float(value(U)),
        lambda U: np.asarray(grad(U).block_until_ready()),
        lambda U, V: np.asarray(hvp(U, V).block_until_ready()),
    )


def torch_problem(kind, a):
    """(value, gradient, hvp) in PyTorch (float64), HVP by torch.func.jvp of torch.func.grad."""
    import torch
    from torch.func import grad, jvp

    if kind == "matrix_completion":
        n = int(a["n"])
        p, lam, alpha = float(a["p"]), float(a["lambda"]), float(a["alpha"])
        indptr = a["indptr"].astype(np.int64)
        cols = torch.from_numpy(a["indices"].astype(np.int64))
        rows = torch.from_numpy(np.repeat(np.arange(n), np.diff(indptr)))
        values = torch.from_numpy(a["values"])

        def f(U):
            r = (U[rows] * U[cols]).sum(1) - values
            rho = (U * U).sum(1).sqrt()
            rho = torch.where(rho > alpha, rho, torch.full_like(rho, alpha))
            return r @ r / (4 * p) + lam * ((rho - alpha) ** 4).sum()

    elif kind == "matrix_factorization":
        M = torch.from_numpy(a["m"])

        def f(U):
            R = U @ U.T - M
            return 0.25 * (R * R).sum()

    else:
        raise ValueError(kind)
    t = torch.from_numpy
    return (
        lambda U: float(f(t(U))),
        lambda U: grad(f)(t(U)).numpy(),
        lambda U, V: jvp(grad(f), (t(U),), (t(V),))[1].numpy(),
    )


def mlp_network(manifest):
    """(layer shapes [(out, in, has_bias)], activation, loss) of an exported plain mlp."""
    spec = manifest["provenance"]["problem"]
    if spec.get("norm", "none") != "none" or spec.get("l2", 0) != 0:
        raise ValueError("the peers' mlp has no normalisation and no penalty")
    if not isinstance(spec.get("activation"), str) or "loss" not in spec:
        raise ValueError("export the mlp with one `activation` and a `loss` given")
    blocks = {b["name"]: b["shape"] for b in manifest["layout"]}
    layers, l = [], 1
    while f"W{l}" in blocks:
        out, inp = blocks[f"W{l}"]
        layers.append((out, inp, f"b{l}" in blocks))
        l += 1
    return layers, spec["activation"], spec["loss"]


def torch_mlp(manifest, a):
    """The exported mlp as a torch `nn.Sequential` (float64, parameters set to the point x),
    its loss `criterion(output, targets)`, and the training inputs and targets."""
    import torch

    layers, activation, loss = mlp_network(manifest)
    act = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid}[activation]
    modules = []
    for i, (out, inp, bias) in enumerate(layers):
        modules.append(torch.nn.Linear(inp, out, bias=bias, dtype=torch.float64))
        if i + 1 < len(layers):
            modules.append(act())
    model = torch.nn.Sequential(*modules)
    torch.nn.utils.vector_to_parameters(torch.from_numpy(a["x"].ravel().copy()), model.parameters())

    def criterion(out, y):
        if loss == "squared":
            return 0.5 * ((out - y) ** 2).sum(1).mean()
        return -(y * torch.log_softmax(out, 1)).sum(1).mean()

    return model, criterion, torch.from_numpy(a["inputs"]), torch.from_numpy(a["targets"])


def torch_mlp_problem(manifest, a):
    """(value, gradient, hvp) of the exported mlp in PyTorch: torch.func.functional_call
    over the flat θ, HVP by torch.func.jvp of torch.func.grad."""
    import torch
    from torch.func import functional_call, grad, jvp

    model, criterion, x, y = torch_mlp(manifest, a)
    names = [(n, p.shape) for n, p in model.named_parameters()]

    def f(theta):
        params, at = {}, 0
        for n, shape in names:
            size = shape.numel()
            params[n] = theta[at : at + size].reshape(shape)
            at += size
        return criterion(functional_call(model, params, (x,)), y)

    t = torch.from_numpy
    return (
        lambda th: float(f(t(th))),
        lambda th: grad(f)(t(th)).numpy(),
        lambda th, v: jvp(grad(f), (t(th),), (t(v),))[1].numpy(),
    )


def torch_mlp_autograd(manifest, a):
    """(value, gradient, hvp) of the exported mlp the way most PyTorch code (and PyHessian)
    computes them: `torch.autograd.grad` of the loss, and the HVP by double backward (the
    gradient with `create_graph=True`, then the gradient of ⟨∇f, v⟩)."""
    import torch
    from torch.nn.utils import parameters_to_vector, vector_to_parameters

    model, criterion, x, y = torch_mlp(manifest, a)
    params = list(model.parameters())

    def at(theta):
        vector_to_parameters(torch.from_numpy(theta), params)
        return criterion(model(x), y)

    def gradient(theta):
        return parameters_to_vector(torch.autograd.grad(at(theta), params)).detach().numpy()

    def hvp(theta, v):
        g = torch.autograd.grad(at(theta), params, create_graph=True)
        vs, start = [], 0
        for p in params:
            vs.append(torch.from_numpy(v[start : start + p.numel()]).view_as(p))
            start += p.numel()
        return parameters_to_vector(torch.autograd.grad(g, params, grad_outputs=vs)).numpy()

    def value(theta):
        with torch.no_grad():
            return float(at(theta))

    return value, gradient, hvp


def jax_mlp_problem(manifest, a):
    """(value, gradient, hvp) of the exported mlp in JAX (jit, forward-over-reverse HVP)."""
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    layers, activation, loss = mlp_network(manifest)
    act = {"relu": jax.nn.relu, "tanh": jnp.tanh, "sigmoid": jax.nn.sigmoid}[activation]
    x, y = jnp.asarray(a["inputs"]), jnp.asarray(a["targets"])

    def f(theta):
        h, at = x, 0
        for i, (out, inp, bias) in enumerate(layers):
            w = theta[at : at + out * inp].reshape(out, inp)
            at += out * inp
            h = h @ w.T
            if bias:
                h = h + theta[at : at + out]
                at += out
            if i + 1 < len(layers):
                h = act(h)
        if loss == "squared":
            return 0.5 * jnp.mean(jnp.sum((h - y) ** 2, 1))
        return -jnp.mean(jnp.sum(y * jax.nn.log_softmax(h, 1), 1))

    return jax_functions(f)


def relu_net_identity_gradient(W):
    """∇F of `relu_net` with the teacher vⱼ = eⱼ (d = k) at a batch of students W (R, n, d),
    in NumPy, every run in lockstep: with the arc-cosine kernel's ∂₁g(w, v) =
    (‖v‖ sin θ w̄ + (π − θ) v)/(2π), θ = ∠(w, v),
      ∇_{wᵢ}F = wᵢ/2 + Σ_{i'≠i} ∂₁g(wᵢ, wᵢ') − Σⱼ ∂₁g(wᵢ, eⱼ)."""
    norms = np.linalg.norm(W, axis=2)  # (R, n)
    unit = W / norms[:, :, None]
    n = W.shape[1]
    cos = np.clip(unit @ unit.transpose(0, 2, 1), -1.0, 1.0)  # (R, n, n)
    theta, sin = np.arccos(cos), np.sqrt(1.0 - cos * cos)
    off = 1.0 - np.eye(n)
    students = (np.sum(norms[:, None, :] * sin * off, axis=2)[:, :, None] * unit
                + ((np.pi - theta) * off) @ W)
    cos_t = np.clip(unit, -1.0, 1.0)  # w̄ᵢ·eⱼ
    theta_t, sin_t = np.arccos(cos_t), np.sqrt(1.0 - cos_t * cos_t)
    teacher = np.sum(sin_t, axis=2)[:, :, None] * unit + (np.pi - theta_t)
    return W / 2 + (students - teacher) / (2 * np.pi)
