"""Train a small PyTorch model, classify its end point and draw its Hessian's spectral
density.

    python torch_spectrum.py [OUT_DIR]

The objective is the model's training loss as a function of its parameters, with the
exact gradient and Hessian-vector product of ``torch.func`` (``landscape.torch``).
"""

import pathlib
import sys

import torch

import landscape
import landscape.plot
import landscape.torch

out_dir = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
torch.manual_seed(0)
X = torch.randn(64, 3)
Y = torch.sin(X @ torch.tensor([[1.0], [-2.0], [0.5]]))
model = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))

# Ordinary training, in float32.
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
for step in range(1500):
    optimizer.zero_grad()
    loss = torch.nn.functional.mse_loss(model(X), Y)
    loss.backward()
    optimizer.step()

# The end point, and the loss it sits in, in float64 with exact derivatives.
f = landscape.torch.objective(model, torch.nn.functional.mse_loss, (X, Y))
x = landscape.torch.flatten(model)
# Adam in float32 stops near, not at, a stationary point: a gradient tolerance of 10⁻³.
verdict = landscape.classify(f, x, grad_tol=1e-3)
print(f"f = {verdict['value']:.3e}, ‖∇f‖ = {verdict['grad_norm']:.1e}: {verdict['kind']}")
print(f"λmin = {verdict['lambda_min']:.3e}, λmax = {verdict['lambda_max']:.3e} over {f.dim} parameters")
image = landscape.plot.spectrum(f, x, density=True, title="Hessian at the end of training",
                                out=out_dir / "torch_spectrum.png")
print(image.note)
print(f"wrote {out_dir / 'torch_spectrum.png'}")
