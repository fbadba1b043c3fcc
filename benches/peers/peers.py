"""Side-by-side timings of `landscape` against NumPy/SciPy, JAX (and PyTorch when it is
importable) on the same exported instances; see README.md. Prints a Markdown table of
ours/peer time ratios (medians of --repeats runs) after checking that the answers agree.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import problems  # noqa: E402

ROWS = []
# The instances (`--set` overrides), and the small ones of --small.
SIZES = {
    "completion": ["n=10000", "rank=10", "true_rank=10", "p=0.001"],
    "factorization": ["n=1000", "rank=10"],
    "dense": ["n=200", "rank=5"],
    "census": ["n=100", "rank=5", "true_rank=8"],
    "mlp": ['data="digits"', "widths=[128, 128]", 'activation="relu"', 'loss="cross_entropy"'],
}
# The mlp's point: torch's default-style Kaiming-normal initialisation.
MLP_POINT = "init:kaiming_normal:0"
SMALL = {
    "completion": ["n=500", "rank=4", "true_rank=4", "p=0.02"],
    "factorization": ["n=50", "rank=3"],
    "dense": ["n=30", "rank=3"],
    "census": ["n=10", "rank=2", "true_rank=3"],
    "mlp": ['data="spiral"', "samples=100", "widths=[8, 8]", 'activation="tanh"', 'loss="cross_entropy"'],
}


def median_time(call, repeats):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        call()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def ours(args, repeats, out=None):
    """Median wall seconds of a whole `landscape` process, and its last stdout."""
    result = {}

    def call():
        r = subprocess.run([BIN, *args], capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"landscape {' '.join(args)} failed: {r.stderr.strip()}")
        result["stdout"] = r.stdout

    seconds = median_time(call, repeats)
    return seconds, result["stdout"]


def landscape_json(args):
    r = subprocess.run([BIN, *args], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"landscape {' '.join(args)} failed: {r.stderr.strip()}")
    return json.loads(r.stdout)


def row(case, ours_s, peer, peer_s, agree, note=""):
    ROWS.append(
        dict(case=case, ours=ours_s, peer=peer, peer_s=peer_s, ratio=ours_s / peer_s, agree=agree, note=note)
    )
    print(
        f"  {case:<46} ours {fmt(ours_s):>9}  {peer:<24} {fmt(peer_s):>9}  ratio {ours_s / peer_s:6.2f}  {agree}",
        flush=True,
    )


def fmt(s):
    if s < 1e-3:
        return f"{s * 1e6:.2f} µs"
    return f"{s * 1e3:.2f} ms" if s < 1 else f"{s:.2f} s"


def close(a, b, rtol):
    a, b = np.asarray(a, float).ravel(), np.asarray(b, float).ravel()
    err = np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-300)
    return err <= rtol, err


def export(name, problem, sets, point="random:1:0", hvp="random:1:1"):
    directory = os.path.join(WORK, name)
    spec = ["--problem", problem] + [x for s in sets for x in ("--set", s)]
    subprocess.run(
        [BIN, "export", *spec, "--point", point, "--hvp", hvp, "--out", directory],
        check=True,
        capture_output=True,
    )
    manifest, arrays = problems.load(directory)
    return spec, directory, manifest, arrays


def case_derivatives(name, problem, sets, repeats, torch, point="random:1:0"):
    """∇f and ∇²f·v: ours in-process medians (`eval --repeat`) against NumPy, JAX, torch."""
    spec, d, manifest, a = export(name, problem, sets, point=point)
    kind, U, V = manifest["kind"], a["x"], a["v"]
    x, v = os.path.join(d, "x.npy"), os.path.join(d, "v.npy")
    exact = landscape_json(["eval", *spec, "--point", x, "--hvp", v, "--json"])
    timing = landscape_json(["eval", *spec, "--point", x, "--hvp", v, "--repeat", str(max(repeats, 10)), "--json"])
    g_ours, h_ours = timing["gradient_seconds"], timing["hvp_seconds"]
    label = f"{kind} d={manifest['dim']}"
    peers = []
    if kind == "mlp":
        peers.append(("JAX fwd-over-rev",) + problems.jax_mlp_problem(manifest, a))
        if torch:
            peers.append(("PyTorch fwd-over-rev",) + problems.torch_mlp_problem(manifest, a))
            peers.append(("PyTorch autograd",) + problems.torch_mlp_autograd(manifest, a))
    else:
        npp = problems.numpy_problem(kind, a)
        peers.append(("NumPy/SciPy", npp.value, npp.gradient, npp.hvp))
        peers.append(("JAX fwd-over-rev",) + problems.jax_problem(kind, a))
        if torch:
            peers.append(("PyTorch fwd-over-rev",) + problems.torch_problem(kind, a))
    for peer, value, grad, hvp in peers:
        okf = abs(value(U) - exact["value"]) <= 1e-10 * max(abs(exact["value"]), 1)
        okg, eg = close(grad(U), exact["gradient"], 1e-10)
        okh, eh = close(hvp(U, V), exact["hvp"], 1e-10)
        grad(U), hvp(U, V)  # warm-up (jit)
        tg = median_time(lambda: grad(U), max(repeats, 10))
        th = median_time(lambda: hvp(U, V), max(repeats, 10))
        row(f"gradient, {label}", g_ours, peer, tg, f"{'agree' if okf and okg else 'DIFFER'} (rel {eg:.0e})")
        row(f"HVP, {label}", h_ours, peer, th, f"{'agree' if okh else 'DIFFER'} (rel {eh:.0e})")


def case_pyhessian(repeats):
    """PyHessian's top-k eigenvalues (power iteration with deflation) and SLQ density on the
    digits mlp, against `spectrum --method lanczos` and `spectrum --density`."""
    try:
        import torch
        import pyhessian
    except ImportError as e:
        print(f"PyHessian: not importable ({e}), its rows are skipped", flush=True)
        return
    torch.set_default_dtype(torch.float64)  # PyHessian draws its vectors in the default dtype

    # PyHessian 0.1's density calls torch.eig, which torch 2 keeps only as a stub that
    # raises: the same eigendecomposition of its symmetric tridiagonal T by eigh.
    def eig(T, eigenvectors=False):
        w, V = torch.linalg.eigh(T)
        return torch.stack([w, torch.zeros_like(w)], 1), V

    torch.eig = eig
    module = sys.modules[pyhessian.hessian.__module__]
    count = [0]
    hvp = module.hessian_vector_product

    def counted(*args):
        count[0] += 1
        return hvp(*args)

    module.hessian_vector_product = counted
    spec, d, manifest, a = export("pyhessian", "mlp", SIZES["mlp"], point=MLP_POINT)
    model, criterion, inputs, targets = problems.torch_mlp(manifest, a)
    dim, k, steps = manifest["dim"], 3, 100
    found = {}

    def top():
        torch.manual_seed(0)
        count[0] = 0
        h = pyhessian.hessian(model, criterion, data=(inputs, targets), cuda=False)
        found["top"] = h.eigenvalues(maxIter=100, tol=1e-3, top_n=k)[0]
        found["top_hvps"] = count[0]

    def density():
        torch.manual_seed(0)
        count[0] = 0
        h = pyhessian.hessian(model, criterion, data=(inputs, targets), cuda=False)
        found["nodes"] = h.density(iter=steps, n_v=1)[0][0]
        found["density_hvps"] = count[0]

    top_s = median_time(top, repeats)
    density_s = median_time(density, repeats)
    base = ["spectrum", *spec, "--point", MLP_POINT, "--no-symmetry-projection", "--json"]
    # Ours for the top k alone (`--which largest`, PyHessian's question here: the positive
    # end dominates) at the default residual tolerance, then at one nearer PyHessian's (a
    # Ritz value's error is of the order of the squared residual over the gap, so still the
    # more accurate of the two), then both ends (the default: k smallest too, a clustered
    # negative end that takes most of the HVPs).
    runs = (
        ("largest", "1e-8", f"top-{k} eigenvalues, mlp d={dim}"),
        ("largest", "1e-4", "  same, ours at --tol 1e-4"),
        ("both", "1e-8", f"  ours with the {k} smallest too (--which both)"),
    )
    for which, tol, label in runs:
        command = ["--method", "lanczos", "--k", str(k), "--tol", tol, "--which", which]
        ours_s, out = ours(base + command, repeats)
        spectrum = json.loads(out)
        extremes = [p["value"] for p in spectrum["smallest"] + spectrum["largest"]]
        ours_top = sorted(set(extremes), key=abs, reverse=True)[:k]
        err = max(abs(o - t) / abs(o) for o, t in zip(ours_top, found["top"]))
        values = ", ".join(f"{x:.5g}" for x in ours_top)
        agree = f"{'agree' if err <= 1e-2 else 'DIFFER'} (top {k}: ours {values}; rel {err:.0e})"
        note = (
            f"PyHessian {found['top_hvps']} HVPs (tol 1e-3); "
            f"ours {spectrum['hvp_count']} HVPs (residuals ≤ {tol}·‖H‖, {which})"
        )
        row(label, ours_s, "PyHessian (power iter.)", top_s, agree, note)
    ours_density_s, out = ours(
        base + ["--density", "--probes", "1", "--steps", str(steps), "--seed", "0"], repeats
    )
    ours_density = json.loads(out)
    ours_max = max(ours_density["nodes"])
    their_max = max(found["nodes"])
    # Different probes: both largest nodes are Ritz values that converge to λmax.
    err = abs(ours_max - their_max) / abs(their_max)
    agree = f"{'agree' if err <= 1e-4 else 'DIFFER'} (largest node {ours_max:.8g} vs {their_max:.8g})"
    note = f"1 probe, {steps} Lanczos steps: ours {ours_density['hvp_count']} HVPs, PyHessian {found['density_hvps']}"
    row(f"SLQ density, mlp d={dim}", ours_density_s, "PyHessian density", density_s, agree, note)


def case_optim(repeats):
    """One optimizer step at d = 10⁶ (criterion's `step/*`, benches/optim.rs) against the same
    torch.optim step on the same vectors, and each against a plain copy."""
    try:
        import torch
    except ImportError:
        print("torch.optim: PyTorch not importable, its rows are skipped", flush=True)
        return
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(root, "target"))
    subprocess.run(
        ["cargo", "bench", "--quiet", "--bench", "optim", "--", "step/", "--noplot"],
        cwd=root, check=True, stdout=subprocess.DEVNULL,
    )

    def criterion_median(name):
        with open(os.path.join(target, "criterion", "step", name, "new", "estimates.json")) as fh:
            return json.load(fh)["median"]["point_estimate"] * 1e-9

    # The bench's instance: f = ½ Σ λᵢxᵢ², λᵢ = 0.5 + (i mod 101)/100, x₀ᵢ = ((i mod 7) − 3)/10.
    dim = 1_000_000
    i = np.arange(dim)
    x0 = ((i % 7) - 3.0) * 0.1
    g = (0.5 + (i % 101) / 100.0) * x0
    torch.set_num_threads(os.cpu_count())
    peers = {
        "gd": lambda p: torch.optim.SGD(p, lr=1e-3),
        "heavy_ball": lambda p: torch.optim.SGD(p, lr=1e-3, momentum=0.9),
        "nesterov": lambda p: torch.optim.SGD(p, lr=1e-3, momentum=0.9, nesterov=True),
        "adagrad": lambda p: torch.optim.Adagrad(p, lr=0.01, eps=1e-10),
        "rmsprop": lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.99, eps=1e-8),
        "adadelta": lambda p: torch.optim.Adadelta(p, lr=1.0, rho=0.9, eps=1e-6),
        "adam": lambda p: torch.optim.Adam(p, lr=1e-3),
    }
    src, dst = torch.from_numpy(x0), torch.empty(dim, dtype=torch.float64)
    copy_s = median_time(lambda: dst.copy_(src), max(repeats, 20))
    ours_copy = criterion_median("copy")
    row(f"plain copy of x, d={dim}", ours_copy, "torch copy_", copy_s, "")
    for name, make in peers.items():
        x = torch.nn.Parameter(torch.from_numpy(x0.copy()))
        x.grad = torch.from_numpy(g)
        opt = make([x])
        opt.step()  # state allocated
        peer_s = median_time(opt.step, max(repeats, 20))
        ours_s = criterion_median(name)
        note = f"ours {ours_s / ours_copy:.1f}× our copy; torch {peer_s / copy_s:.1f}× its copy"
        row(f"{name} step, d={dim}", ours_s, f"torch.optim ({type(opt).__name__})", peer_s, "", note)


def case_lanczos(repeats):
    """λmin, λmax at matrix_completion n = 10⁴, r = 10, p = 0.001 vs SciPy eigsh (ARPACK)."""
    import scipy.sparse.linalg as sla

    sets = SIZES["completion"]
    spec, d, manifest, a = export("lanczos", "matrix_completion", sets)
    npp = problems.NumpyCompletion(a)
    U, dim = a["x"], manifest["dim"]
    count = [0]

    def matvec(v):
        count[0] += 1
        return npp.hvp(U, v.reshape(U.shape)).ravel()

    op = sla.LinearOperator((dim, dim), matvec=matvec, dtype=float)
    found = {}

    def peer():
        count[0] = 0
        found["min"] = sla.eigsh(op, k=1, which="SA", tol=1e-8, return_eigenvectors=False)[0]
        found["max"] = sla.eigsh(op, k=1, which="LA", tol=1e-8, return_eigenvectors=False)[0]
        found["hvps"] = count[0]

    peer_s = median_time(peer, repeats)
    base = ["spectrum", *spec, "--point", "random:1:0", "--method", "lanczos", "--k", "1", "--json"]
    setup_s, _ = ours(["eval", *spec, "--point", "random:1:0", "--repeat", "1"], repeats)
    plain_s, out = ours(base + ["--no-symmetry-projection"], repeats)
    plain = json.loads(out)
    proj_s, out = ours(base, repeats)
    proj = json.loads(out)
    lo, hi = plain["smallest"][0]["value"], plain["largest"][0]["value"]
    tol = 1e-6 * plain["hessian_norm"]
    ok = abs(lo - found["min"]) <= tol and abs(hi - found["max"]) <= tol
    agree = f"{'agree' if ok else 'DIFFER'} (λ {lo:.6g}, {hi:.6g})"
    note = (
        f"ARPACK {found['hvps']} HVPs (SA + LA), {fmt(peer_s / found['hvps'])} each; "
        f"ours {plain['hvp_count']} / {proj['hvp_count']} HVPs, "
        f"{fmt((plain_s - setup_s) / plain['hvp_count'])} / {fmt((proj_s - setup_s) / proj['hvp_count'])} a step"
    )
    label = f"Lanczos λmin+λmax, completion d={dim}"
    row(f"{label}, unprojected", plain_s, "SciPy eigsh", peer_s, agree, note)
    row(f"{label}, projected", proj_s, "SciPy eigsh", peer_s, "(projected: other operator)", note)
    row(f"  same, less instance setup ({fmt(setup_s)})", proj_s - setup_s, "SciPy eigsh", peer_s, "")
    row("symmetry projection: projected / unprojected", proj_s, "ours unprojected", plain_s, "")


def case_dense(repeats):
    """Every eigenvalue at d = 1000 (matrix_factorization n = 200, r = 5) vs numpy.linalg.eigh."""
    sets = SIZES["dense"]
    spec, d, manifest, a = export("dense", "matrix_factorization", sets)
    npp = problems.NumpyFactorization(a)
    U, dim = a["x"], manifest["dim"]
    found = {}

    def assemble():
        H = np.empty((dim, dim))
        E = np.zeros(dim)
        for j in range(dim):
            E[j] = 1.0
            H[:, j] = npp.hvp(U, E.reshape(U.shape)).ravel()
            E[j] = 0.0
        return (H + H.T) / 2

    H = assemble()
    both_s = median_time(lambda: found.update(w=np.linalg.eigh(assemble())[0]), repeats)
    eigh_s = median_time(lambda: np.linalg.eigvalsh(H), repeats)
    pairs_s = median_time(lambda: np.linalg.eigh(H), repeats)
    assembly_s = median_time(assemble, repeats)
    command = ["spectrum", *spec, "--point", "random:1:0", "--method", "dense", "--no-symmetry-projection", "--json"]
    ours_s, out = ours(command, repeats)
    got = np.array(json.loads(out)["eigenvalues"])
    agree = dense_agreement(got, found["w"])
    row(f"dense spectrum d={dim} (whole command)", ours_s, "NumPy HVPs + eigh", both_s, agree)
    row(f"dense spectrum d={dim} (whole command)", ours_s, "numpy eigvalsh alone", eigh_s, agree)
    # The stages on the same Hessian, timed inside our process (`spectrum --repeat`):
    # the same work as the peer's call (every pair vs eigh, eigenvalues vs eigvalsh).
    stages = landscape_json([*command, "--repeat", str(max(repeats, 5))])
    note = f"{stages['k']} pairs at each end"
    row(f"dense assembly d={dim} ({dim} HVPs)", stages["assembly_seconds"], "NumPy HVPs", assembly_s, "")
    row("dense eigensolve alone, every pair", stages["eigenpairs_seconds"], "numpy eigh", pairs_s, agree)
    row("dense eigensolve alone, eigenvalues", stages["eigenvalues_seconds"], "numpy eigvalsh", eigh_s, agree)
    row("dense eigensolve of the spectrum", stages["eigensolve_seconds"], "numpy eigvalsh", eigh_s, agree, note)


def dense_agreement(got, want):
    """Every eigenvalue to 1e-9·max|λ|."""
    ok = got.shape == want.shape and np.max(np.abs(np.sort(got) - want)) <= 1e-9 * np.max(np.abs(want))
    return "agree" if ok else "DIFFER"


def case_safran_shamir(repeats):
    """Safran–Shamir's gradient descent at k = n = 10: ours (the experiment's CPU time per
    run and step) against NumPy running 1,000 runs batched in lockstep."""
    import resource

    k, runs, steps = 10, 1000, 50
    spec = ["--problem", "relu_net", "--set", f"k={k}"]
    exact = landscape_json(["eval", *spec, "--point", "random:1:0", "--json"])
    _, d, manifest, a = export("relu_net", "relu_net", [f"k={k}"])
    ok, err = close(problems.relu_net_identity_gradient(a["x"][None])[0], exact["gradient"], 1e-10)
    rng = np.random.default_rng(0)
    W = rng.normal(size=(runs, k, k)) / np.sqrt(k)

    def peer():
        X = W.copy()
        for _ in range(steps):
            X -= 0.1 * problems.relu_net_identity_gradient(X)

    peer_s = median_time(peer, repeats) / (runs * steps)
    ours_runs = 200
    cpu, wall, iterations = [], [], 0
    for _ in range(repeats):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        # Plain GD (no Newton finish), so that the CPU time divides into GD steps only.
        found = landscape_json(
            ["experiment", "safran-shamir", "--k", str(k), "--runs", str(ours_runs), "--newton-below", "0", "--json"]
        )
        wall.append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        iterations = sum(r["iterations"] for r in found["rows"][0]["per_run"])
    ours_s = statistics.median(cpu) / iterations
    agree = f"{'agree' if ok else 'DIFFER'} (∇F at random:1:0, rel {err:.0e})"
    note = (
        f"ours: CPU time of `experiment safran-shamir --k {k} --runs {ours_runs} --newton-below 0` "
        f"({statistics.median(wall):.2f} s wall, {iterations} steps, certification included) per step; "
        f"NumPy: {runs} runs × {steps} steps"
    )
    row(f"Safran–Shamir GD step per run, k = n = {k}", ours_s, "NumPy batched (arccos)", peer_s, agree, note)


def case_census(repeats):
    args = ["census", "--problem", "matrix_factorization"] + [x for s in SIZES["census"] for x in ("--set", s)]
    args += ["--starts", "10", "--json"]
    s, out = ours(args, repeats)
    found = json.loads(out)
    label = f"census matrix_factorization {' '.join(SIZES['census'])}, 10 starts"
    note = f"{len(found['points'])} points, counts {json.dumps(found['counts'])}"
    print(f"  {label}: {fmt(s)} (no peer); {note}", flush=True)
    ROWS.append(dict(case=label, ours=s, peer="", peer_s=None, ratio=None, agree="", note=note))


# Every case, in the default order: (repeats, whether torch is importable) → rows.
CASES = {
    "derivatives": lambda r, torch: (
        case_derivatives("mc", "matrix_completion", SIZES["completion"], r, torch),
        case_derivatives("mf", "matrix_factorization", SIZES["factorization"], r, torch),
    ),
    "mlp": lambda r, torch: case_derivatives("mlp", "mlp", SIZES["mlp"], r, torch, point=MLP_POINT),
    "lanczos": lambda r, _: case_lanczos(r),
    "dense": lambda r, _: case_dense(r),
    "census": lambda r, _: case_census(r),
    "safran_shamir": lambda r, _: case_safran_shamir(r),
    "pyhessian": lambda r, _: case_pyhessian(r),
    "optim": lambda r, _: case_optim(r),
}


def machine():
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as fh:
            model = next(line.split(":", 1)[1].strip() for line in fh if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{os.cpu_count()} logical CPUs, {model}; {platform.system()} {platform.release()}"


def table():
    lines = ["| case | ours | peer | peer time | ours/peer | answers |", "|---|---|---|---|---|---|"]
    for r in ROWS:
        peer_s = fmt(r["peer_s"]) if r["peer_s"] else ""
        ratio = f"{r['ratio']:.2f}" if r["ratio"] else ""
        agree = "; ".join(a for a in (r["agree"], r["note"]) if a)
        lines.append(f"| {r['case']} | {fmt(r['ours'])} | {r['peer']} | {peer_s} | {ratio} | {agree} |")
    return "\n".join(lines)


def main():
    global BIN, WORK
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--bin", required=True, help="the landscape binary (release)")
    ap.add_argument("--work", required=True, help="a directory for the exported instances")
    ap.add_argument("--repeats", type=int, default=5, help="runs per timing (median)")
    ap.add_argument("--cases", default=",".join(CASES), help="comma-separated, in the order run")
    ap.add_argument("--small", action="store_true", help="small instances: a quick check of the harness")
    args = ap.parse_args()
    BIN, WORK = args.bin, args.work
    if args.small:
        SIZES.update(SMALL)
    os.makedirs(WORK, exist_ok=True)
    try:
        import torch  # noqa: F401

        have_torch = True
    except ImportError:
        have_torch = False
        print("PyTorch: not importable, its rows are skipped", flush=True)
    cases = args.cases.split(",")
    unknown = [c for c in cases if c not in CASES]
    if unknown:
        sys.exit(f"unknown case(s) {', '.join(unknown)}; expected some of {', '.join(CASES)}")
    print(f"machine: {machine()}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", flush=True)
    for case in cases:
        CASES[case](args.repeats, have_torch)
    print()
    print(table())
    with open(os.path.join(WORK, "results.json"), "w") as fh:
        json.dump(dict(machine=machine(), rows=ROWS), fh, indent=1)
    if any("DIFFER" in r["agree"] for r in ROWS):
        sys.exit("some answers differ")


if __name__ == "__main__":
    main()
