"""The peers' side: f, ∇f and ∇²f·v of the exported instances in NumPy/SciPy and in JAX,
written from the formulas that `landscape export --help` states (not from our code).

matrix_completion, with S = P_Ω(UUᵀ − M) (CSR over the exported pattern), ρᵢ = ‖Uᵢ‖,
eᵢ = (ρᵢ − α)₊:
  f   = 1/(4p) Σ_Ω ((UUᵀ)ᵢⱼ − Mᵢⱼ)² + λ Σᵢ eᵢ⁴
  ∇f  = (1/p) S U + λ 4eᵢ³ Uᵢ/ρᵢ
  ∇²f·V = (1/p)(S V + P_Ω(UVᵀ + VUᵀ) U) + λ[(12eᵢ²/ρᵢ² − 4eᵢ³/ρᵢ³)(Uᵢ·Vᵢ)Uᵢ + 4eᵢ³/ρᵢ Vᵢ]
matrix_factorization: f = ¼‖UUᵀ − M‖², ∇f = (UUᵀ − M)U, ∇²f·V = (UVᵀ + VUᵀ)U + (UUᵀ − M)V.
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
