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
}
SMALL = {
    "completion": ["n=500", "rank=4", "true_rank=4", "p=0.02"],
    "factorization": ["n=50", "rank=3"],
    "dense": ["n=30", "rank=3"],
    "census": ["n=10", "rank=2", "true_rank=3"],
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


def case_derivatives(name, problem, sets, repeats, torch):
    """∇f and ∇²f·v: ours in-process medians (`eval --repeat`) against NumPy, JAX, torch."""
    spec, d, manifest, a = export(name, problem, sets)
    kind, U, V = manifest["kind"], a["x"], a["v"]
    x, v = os.path.join(d, "x.npy"), os.path.join(d, "v.npy")
    exact = landscape_json(["eval", *spec, "--point", x, "--hvp", v, "--json"])
    timing = landscape_json(["eval", *spec, "--point", x, "--hvp", v, "--repeat", str(max(repeats, 10)), "--json"])
    g_ours, h_ours = timing["gradient_seconds"], timing["hvp_seconds"]
    label = f"{kind} d={manifest['dim']}"
    peers = []
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


def case_census(repeats):
    args = ["census", "--problem", "matrix_factorization"] + [x for s in SIZES["census"] for x in ("--set", s)]
    args += ["--starts", "10", "--json"]
    s, out = ours(args, repeats)
    found = json.loads(out)
    label = f"census matrix_factorization {' '.join(SIZES['census'])}, 10 starts"
    note = f"{len(found['points'])} points, counts {json.dumps(found['counts'])}"
    print(f"  {label}: {fmt(s)} (no peer); {note}", flush=True)
    ROWS.append(dict(case=label, ours=s, peer="", peer_s=None, ratio=None, agree="", note=note))


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
    ap.add_argument("--cases", default="derivatives,lanczos,dense,census")
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
    print(f"machine: {machine()}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", flush=True)
    if "derivatives" in cases:
        case_derivatives("mc", "matrix_completion", SIZES["completion"], args.repeats, have_torch)
        case_derivatives("mf", "matrix_factorization", SIZES["factorization"], args.repeats, have_torch)
    if "lanczos" in cases:
        case_lanczos(args.repeats)
    if "dense" in cases:
        case_dense(args.repeats)
    if "census" in cases:
        case_census(args.repeats)
    print()
    print(table())
    with open(os.path.join(WORK, "results.json"), "w") as fh:
        json.dump(dict(machine=machine(), rows=ROWS), fh, indent=1)
    if any("DIFFER" in r["agree"] for r in ROWS):
        sys.exit("some answers differ")


if __name__ == "__main__":
    main()
