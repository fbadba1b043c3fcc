"""A PyTorch model with a loss and data as a ``landscape`` objective, exact derivatives.

f(θ) = loss(model(inputs; θ), targets), with θ the model's named parameters
concatenated in ``named_parameters()`` order (each block row-major, as ``Linear.weight``
is stored), evaluated by ``torch.func.functional_call`` in float64; the gradient is
``torch.func.grad``, the Hessian-vector product ``torch.func.jvp`` of it
(forward-over-reverse, exact). The layout names each block after its parameter
(``0.weight``, ``0.bias``, …), so a verdict's escape direction or an eigenvector can be
read per layer with ``landscape.torch.unflatten``. The model's buffers are held fixed.

>>> import torch, landscape, landscape.torch
>>> model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))
>>> X, Y = torch.randn(20, 3), torch.randn(20, 1)
>>> f = landscape.torch.objective(model, torch.nn.functional.mse_loss, (X, Y))
>>> landscape.classify(f, landscape.torch.flatten(model))
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional, Sequence

import numpy as np

import torch
from torch.func import functional_call, grad, jvp

import landscape

__all__ = ["flatten", "objective", "unflatten"]


def _float64(t: "torch.Tensor") -> "torch.Tensor":
    """Floating tensors in float64; integer ones (labels) as they are."""
    return t.to(torch.float64) if t.is_floating_point() else t


def flatten(model: "torch.nn.Module") -> np.ndarray:
    """The model's parameters as one flat float64 vector, in the objective's order."""
    return np.concatenate(
        [p.detach().to(torch.float64).reshape(-1).cpu().numpy() for _, p in model.named_parameters()]
    )


def unflatten(x: Any, model: "torch.nn.Module") -> Dict[str, "torch.Tensor"]:
    """The flat vector ``x`` as a dict parameter name → float64 tensor of the
    parameter's shape (the inverse of ``flatten``)."""
    if isinstance(x, torch.Tensor):
        x = x.to(torch.float64).reshape(-1)
    else:
        x = torch.as_tensor(np.asarray(x, dtype=np.float64))
    out, offset = {}, 0
    for name, p in model.named_parameters():
        out[name] = x[offset : offset + p.numel()].reshape(p.shape)
        offset += p.numel()
    if offset != x.numel():
        raise ValueError(f"point has length {x.numel()}, expected {offset} (the model's parameters)")
    return out


def objective(
    model: "torch.nn.Module",
    loss: Callable[[Any, Any], "torch.Tensor"],
    data: Sequence[Any],
    *,
    optimum: Optional[float] = None,
) -> "landscape.Objective":
    """A ``landscape.Objective`` for ``loss(model(inputs), targets)`` as a function of the
    model's parameters; ``data`` is ``(inputs, targets)`` (tensors or arrays, cast to
    float64). ``optimum``: f* when known."""
    inputs, targets = (_float64(torch.as_tensor(np.asarray(d))) for d in data)
    names = [n for n, _ in model.named_parameters()]
    shapes = [tuple(p.shape) for _, p in model.named_parameters()]
    sizes = [int(np.prod(s, dtype=np.int64)) for s in shapes]
    buffers = {n: b.detach().to(torch.float64) if b.is_floating_point() else b for n, b in model.named_buffers()}

    def params(theta):
        out, offset = dict(buffers), 0
        for name, shape, size in zip(names, shapes, sizes):
            out[name] = theta[offset : offset + size].reshape(shape)
            offset += size
        return out

    # The data enter as arguments with zero tangents rather than as constants: with a
    # constant target, forward mode over mse_loss's backward fails in torch 2.x
    # ("ZeroTensors are immutable"). Integer data (class labels) stay constants.
    floating = [t for t in (inputs, targets) if t.is_floating_point()]
    zeros = tuple(torch.zeros_like(t) for t in floating)

    def f(theta, *data):
        it = iter(data)
        x_in, y = (next(it) if t.is_floating_point() else t for t in (inputs, targets))
        return loss(functional_call(model, params(theta), (x_in,)), y)

    g = grad(f, argnums=0)

    def as_tensor(x):
        return torch.as_tensor(np.asarray(x, dtype=np.float64))

    def hvp(x, v):
        return jvp(g, (as_tensor(x), *floating), (as_tensor(v), *zeros))[1].detach().numpy()

    return landscape.objective(
        value=lambda x: float(f(as_tensor(x), *floating)),
        gradient=lambda x: g(as_tensor(x), *floating).detach().numpy(),
        hvp=hvp,
        dim=sum(sizes),
        layout=[(n, s if s else (1,)) for n, s in zip(names, shapes)],
        optimum=optimum,
    )
