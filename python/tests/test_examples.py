"""The examples in python/examples run, and write what they say."""

import importlib.util
import pathlib
import subprocess
import sys

import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples"
NEEDS = {"torch_spectrum.py": "torch", "jax_census.py": "jax", "slice_trained.py": "jax"}


@pytest.mark.parametrize("name", sorted(NEEDS))
def test_example_runs(name, tmp_path):
    if importlib.util.find_spec(NEEDS[name]) is None:
        pytest.skip(f"{name} needs {NEEDS[name]}, which is not installed (CI does not install PyTorch)")
    p = subprocess.run([sys.executable, str(EXAMPLES / name), str(tmp_path)], capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 0, p.stderr
    if name == "jax_census.py":
        assert "local_min" in p.stdout and "strict_saddle" in p.stdout and "local_max" in p.stdout
    else:
        png = tmp_path / name.replace(".py", ".png")
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
        assert f"wrote {png}" in p.stdout


def test_every_example_is_tested():
    assert sorted(p.name for p in EXAMPLES.glob("*.py")) == sorted(NEEDS)
