"""Built-in problems from Python agree with the command line to the last digit."""

import numpy as np
import pytest

import landscape


@pytest.mark.parametrize("kind", landscape.kinds())
def test_eval_agrees_with_the_command_line(kind, cli_json, tmp_path):
    f = landscape.problem(kind)
    rng = np.random.default_rng(7)
    x = rng.standard_normal(f.dim)
    v = rng.standard_normal(f.dim)
    # .npy files carry the points bit for bit (a JSON array's decimals need not)
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "v.npy", v)
    cli = cli_json("eval", "--problem", kind, "--point", str(tmp_path / "x.npy"), "--hvp", str(tmp_path / "v.npy"))
    assert cli["dim"] == f.dim
    assert cli["point"] == x.tolist() and cli["direction"] == v.tolist()
    assert f.value(x) == cli["value"]
    assert f.riemannian_gradient(x).tolist() == cli["gradient"]
    assert f.riemannian_hvp(x, v).tolist() == cli["hvp"]
    if kind != "tensor_decomposition":  # the one problem on spheres
        assert f.gradient(x).tolist() == cli["gradient"]
        assert f.hvp(x, v).tolist() == cli["hvp"]


def test_fields_seed_and_layout():
    f = landscape.problem("matrix_completion", n=12, rank=3, seed=4)
    assert f.dim == 36
    assert f.layout == [("U", [12, 3])]
    assert f.kind == "matrix_completion"
    g = landscape.problem("matrix_completion", n=12, rank=3, seed=5)
    x = np.ones(36)
    assert f.value(x) != g.value(x)  # the seed draws the data


def test_a_spec_file_and_known_points(tmp_path):
    spec = tmp_path / "saddle.toml"
    spec.write_text('kind = "quadratic"\na = [[2.0, 0.0], [0.0, -1.0]]\nb = [1.0, 0.0]\n')
    f = landscape.problem(str(spec))
    (x, verdict), = f.known_points.values()
    assert verdict == "strict_saddle"
    np.testing.assert_array_equal(x, [0.5, 0.0])
    np.testing.assert_array_equal(f.gradient(x), [0.0, 0.0])
    g = landscape.problem("quadratic", eigenvalues=[3.0, -1.0], b=np.array([1.0, 0.0]))
    assert g.dim == 2
    mf = landscape.problem("matrix_factorization")
    for name, (x, verdict) in mf.known_points.items():
        assert isinstance(x, np.ndarray) and x.shape == (mf.dim,)
        assert verdict in {"global_min", "strict_saddle", "local_max", "non_strict_saddle"}


def test_bad_input_raises_the_command_lines_message(cli):
    code, _, err = cli("eval", "--problem", "no_such_kind", "--point", "zeros")
    assert code == 2
    with pytest.raises(ValueError) as e:
        landscape.problem("no_such_kind")
    assert err.strip() == f"error: {e.value}"

    code, _, err = cli("eval", "--problem", "himmelblau", "--set", "bogus=1", "--point", "zeros")
    with pytest.raises(ValueError) as e:
        landscape.problem("himmelblau", bogus=1)
    assert err.strip() == f"error: {e.value}"

    f = landscape.problem("himmelblau")
    code, _, err = cli("eval", "--problem", "himmelblau", "--point", "[1, 2, 3]")
    with pytest.raises(ValueError) as e:
        f.value([1.0, 2.0, 3.0])
    assert err.strip() == f"error: {e.value}"

    with pytest.raises(ValueError, match="expected a 1-D array"):
        f.value(np.zeros((2, 1)))
    with pytest.raises(ValueError, match="non-finite"):
        f.gradient([np.nan, 0.0])
    with pytest.raises(TypeError):
        f.value(object())
    with pytest.raises(TypeError):
        landscape.problem("himmelblau", n=object())


def test_a_point_in_any_array_form_gives_the_same_derivatives():
    # A contiguous float64 array is read in place; every other form is converted.
    f = landscape.problem("mlp")
    rng = np.random.default_rng(3)
    x = rng.standard_normal(f.dim)
    v = rng.standard_normal(f.dim)
    g, h = f.gradient(x), f.hvp(x, v)
    strided = np.zeros(2 * f.dim)
    strided[::2] = x
    frozen = x.copy()
    frozen.setflags(write=False)
    for form in (strided[::2], frozen, x.tolist()):
        np.testing.assert_array_equal(f.gradient(form), g)
        np.testing.assert_array_equal(f.hvp(form, v), h)
    np.testing.assert_array_equal(f.hvp(frozen, frozen), f.hvp(x, x.copy()))  # one array twice
    assert f.value(strided[::2]) == f.value(x)
    np.testing.assert_array_equal(x, frozen)  # the caller's arrays are left untouched
    np.testing.assert_array_equal(f.gradient(np.arange(f.dim)), f.gradient(np.arange(f.dim, dtype=float)))
