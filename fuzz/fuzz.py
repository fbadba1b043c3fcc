#!/usr/bin/env python3
"""Black-box fuzzer of the `landscape` command line (stdlib only; see fuzz/README.md).

Every case is one invocation: a fast valid baseline of a subcommand with one or more
faults injected (a flag's value, a spec field through `--set`, a point, an `.npy` or
spec file, an output path). Each runs in its own temporary directory with a time and a
memory limit and is classified:

  ok, error (exit 2, one stderr line `error: …`), panic, signal, abort (allocation
  failure), hang (timeout), slow (timeout on a huge but valid count: not a failure),
  partial (an --out target left behind by a failed run), multiline (a failing run whose
  stderr is not one `error:` line), accepted_invalid (a surely invalid input exiting 0),
  nondeterministic (a seeded --json report differing between 1 and 2 threads).

`--strict` exits 1 when any failure class occurs. The same `--seed` gives the same cases.
"""

import argparse
import concurrent.futures as cf
import json
import os
import random
import re
import resource
import shlex
import shutil
import struct
import subprocess
import sys
import tempfile
import time

FAILURES = [
    "panic",
    "signal",
    "abort",
    "hang",
    "partial",
    "multiline",
    "accepted_invalid",
    "nondeterministic",
]
CLASSES = ["ok", "error", "slow"] + FAILURES

# Fast valid baselines, one or more per leaf subcommand. `{out}` is an output path in
# the case's directory; `{dir}` an output directory.
BASELINES = [
    "problems",
    "problems --json",
    "eval --problem rosenbrock --point zeros --json",
    "eval --problem matrix_factorization --point zeros --hvp zeros",
    "eval --problem quadratic --point '[1, 2, 3]' --json",
    "eval --problem 'expr:(x^2 - 1)^2 + y^2' --point '[0.5, 0.5]'",
    "layers --problem mlp --json",
    "points --problem himmelblau --json",
    "points --problem matrix_factorization",
    "run --problem rosenbrock --optimizer gd --lr 1e-3 --iters 50 --json",
    "run --problem saddle --optimizer nesterov --lr 0.1 --momentum 0.5 --iters 20 --classify-final --json",
    "run --problem himmelblau --optimizer adam --lr 0.01 --iters 30 --out {out}.json",
    "run --problem saddle --optimizer pgd --lr 0.1 --radius 0.01 --iters 30 --seed 3 --json",
    "run --problem rosenbrock --optimizer lbfgs --memory 5 --iters 30 --out {out}.csv",
    "spectrum --problem matrix_factorization --point zeros --json",
    "spectrum --problem matrix_factorization --point zeros --density --probes 2 --steps 10 --json",
    "classify --problem saddle --point '[0, 0]' --json",
    "classify --problem himmelblau --point name:min:1",
    "census --problem himmelblau --starts 10 --seed 2 --json",
    "escape --problem saddle --from name:origin --method pgd --trials 5 --max-iters 200 --json",
    "bounds --problem quadratic --iters 20 --json",
    "plot slice --problem rosenbrock --resolution 21 --out {out}.png",
    "plot slice --problem himmelblau --range 5 --resolution 15 --contour --out {out}.svg",
    "plot line --problem rosenbrock --from zeros --direction '[1, 1]' --resolution 21 --out {out}.png",
    "plot spectrum --problem matrix_factorization --at zeros --out {out}.png",
    "plot descent --problem quadratic --iters 20 --out {out}.png",
    "plot convergence --problem rosenbrock --iters 20 --out {out}.svg",
    "plot rate --problem 'expr:x^2 + 3*y^2' --iters 20 --out {out}.png",
    "atlas --runs 2 --only " + "{atlas}" + " --json",
    "experiment du2017 --dims 2-3 --trials 3 --max-iters 10000 --json",
    "experiment kawaguchi --starts 5 --json",
]

# Flags whose value is free text or a path: a fault value there is not surely invalid.
TEXT_FLAGS = {
    "--out", "--title", "--names", "--only", "--problem", "--point", "--init", "--from",
    "--at", "--hvp", "--d1", "--d2", "--direction", "--to", "--trajectory", "--census",
    "--du2017", "--set", "--kind", "--schedule", "--optimizer", "--method", "--noise",
    "--directions",
}
# Count flags: a huge value may take long legitimately (a timeout there is `slow`).
HUGE = ["1000000000", "4294967296", "9223372036854775807", "18446744073709551615"]
FLAG_FAULTS = [
    ("nan", True), ("inf", None), ("-inf", None), ("1e308", None), ("-1e308", None),
    ("1e-320", None), ("0", None), ("-1", None), ("-0", None), ("", None),
    ("abc", True), ("1e400", None), ("0x10", None), ("1,2", None), ("2.5", None),
    ("-1e-300", None), ("99999999999999999999999", None),
] + [(h, None) for h in HUGE]
SPEC_FAULTS = [
    ("nan", True), ("inf", None), ("-1", None), ("0", None), ("1e308", None),
    ("4294967296", None), ("9223372036854775807", None), ("1000000", None),
    ("'text'", None), ("[]", None), ("[1, 2]", None), ("true", None),
    ("1979-05-27T07:32:00Z", None), ('"a\\nb"', None), ('"\\u0001"', None),
    ("[[1, 2], [3]]", None), ("1e-320", None), ("2.5", None),
]
POINT_FAULTS = [
    ("[1e200, 0]", None), ("[nan, 0]", True), ("[1, 2, 3, 4, 5, 6, 7]", True),
    ("[]", True), ("[", True), ("/dev/zero", True), ("/dev/null", True),
    ("random:1e308:0", None), ("random:-1:0", True), ("random:nan:0", True),
    ("name:nosuch", True), ("init:nosuch", True), ("{npy_bad}", True),
    ("{npy_huge}", True), ("{npy_trunc}", True), ("{json_bad}", True),
    ("{npy_ok}", None), ("[1e-320, -0.0]", None), ("zeros", None), ("\u0001", True),
]
OUT_FAULTS = [
    ("/nonexistent-dir/x.png", True), ("{tmp}", True), ("/dev/full", None),
    ("{tmp}/sub/x.png", True), ("{tmp}/x.txt", True), ("{tmp}/x.png", None),
]
PROBLEM_FAULTS = [
    ("nosuch", True), ("expr:", True), ("expr:x^", True), ("expr:1/0", None),
    ("expr:exp(exp(exp(x)))", None), ("{spec_bad}", True), ("{spec_ctrl}", True),
    ("{spec_newline}", True), ("{spec_date}", True), ("/dev/zero", True),
    ("matrix_factorization", None), ("relu_net", None), ("linear_net", None),
    ("tensor_decomposition", None), ("octopus", None), ("quadratic_net", None),
]


def parse_flags(binary, sub):
    """The long flags of a leaf subcommand and whether each takes a value."""
    text = run_plain([binary] + sub + ["--help"])
    flags = {}
    for m in re.finditer(r"^\s+(?:-\w, )?(--[\w-]+)(?: <([^>]+)>)?", text, re.M):
        if m.group(1) not in ("--help", "--version"):
            flags[m.group(1)] = m.group(2) is not None
    return flags


def parse_fields(binary):
    """Problem kind → its spec fields, from `landscape problems`."""
    text = run_plain([binary, "problems"])
    kinds, kind, in_fields = {}, None, False
    for line in text.splitlines():
        if re.match(r"^[a-z_]+$", line):
            kind, in_fields = line, False
            kinds[kind] = []
        elif line.strip() == "fields:":
            in_fields = True
        elif in_fields and re.match(r"^    [a-z_]+\s", line):
            kinds[kind].append(line.split()[0])
        elif line.strip().startswith("shipped spec"):
            in_fields = False
    return kinds


def run_plain(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout


def make_files(d):
    """Fault files in the case directory; returns the placeholders' values."""
    def npy(name, header, payload):
        h = header.encode()
        pad = 64 - (10 + len(h) + 1) % 64
        h = h + b" " * pad + b"\n"
        with open(os.path.join(d, name), "wb") as f:
            f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h + payload)
        return os.path.join(d, name)

    files = {
        "npy_ok": npy("ok.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }",
                      struct.pack("<2d", 0.5, 0.5)),
        "npy_bad": npy("bad.npy", "{'descr': '<c16', 'fortran_order': True, 'shape': (2,), }",
                       b"\0" * 32),
        "npy_huge": npy("huge.npy",
                        "{'descr': '<f8', 'fortran_order': False, 'shape': (2305843009213693952, 8), }",
                        b"\0" * 16),
        "npy_trunc": npy("trunc.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }",
                         b"\0" * 8),
    }
    texts = {
        "json_bad": ("bad.json", '{"x": [1, "a"]'),
        "spec_bad": ("bad.toml", 'kind = "rosenbrock"\nseed = [\n'),
        "spec_ctrl": ("ctrl.toml", 'kind = "rosenbrock"\x01\n'),
        "spec_newline": ("nl.toml", 'kind = "rosenbrock"\n"new\\nline" = 1\n'),
        "spec_date": ("date.toml", 'kind = "rosenbrock"\nborn = 1979-05-27\n'),
    }
    for key, (name, text) in texts.items():
        with open(os.path.join(d, name), "w") as f:
            f.write(text)
        files[key] = os.path.join(d, name)
    files["tmp"] = d
    return files


class Case:
    def __init__(self, argv, invalid, slow_ok, outs, label):
        self.argv, self.invalid, self.slow_ok, self.outs, self.label = (
            argv, invalid, slow_ok, outs, label)


def generate(rng, binary, n, atlas_entry):
    flags_of, kinds = {}, parse_fields(binary)
    cases = []
    while len(cases) < n:
        base = rng.choice(BASELINES).replace("{atlas}", atlas_entry)
        argv = shlex.split(base)
        sub = [a for a in argv[:2] if not a.startswith("-")]
        if sub[0] not in ("plot", "experiment"):
            sub = sub[:1]
        key = " ".join(sub)
        if key not in flags_of:
            flags_of[key] = parse_flags(binary, sub)
        flags = flags_of[key]
        bad_of, slow_ok, labels = {}, False, []
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            kind = rng.random()
            if kind < 0.45 and flags:
                flag = rng.choice(sorted(flags))
                if not flags[flag]:
                    if flag not in argv:
                        argv.append(flag)
                    labels.append(flag)
                    continue
                if flag == "--out":
                    value, bad = rng.choice(OUT_FAULTS)
                    if sub == ["atlas"]:
                        value, bad = rng.choice([("{tmp}", None), ("/nonexistent", True),
                                                 ("{npy_ok}", True)])
                elif flag in ("--problem",):
                    value, bad = rng.choice(PROBLEM_FAULTS)
                elif flag in ("--point", "--init", "--from", "--at", "--hvp", "--d1",
                              "--d2", "--direction", "--to"):
                    value, bad = rng.choice(POINT_FAULTS)
                elif flag == "--set":
                    continue
                else:
                    value, bad = rng.choice(FLAG_FAULTS)
                    if flag in TEXT_FLAGS:
                        bad = None
                    if value in HUGE or value.startswith("9999"):
                        slow_ok = True
                set_flag(argv, flag, value)
            elif kind < 0.75 and "--problem" in argv:
                pkind = problem_kind(argv)
                fields = kinds.get(pkind, []) + ["kind", "nosuchfield"]
                field = rng.choice(fields)
                if field == "kind":
                    value, bad = rng.choice([("5", True), ("'nosuch'", True),
                                             ("'rosenbrock'", None)])
                elif field == "nosuchfield":
                    value, bad = "1", True
                else:
                    value, bad = rng.choice(SPEC_FAULTS)
                    if value[0].isdigit() and len(value) > 6:
                        slow_ok = True
                argv += ["--set", f"{field}={value}"]
                flag = "--set " + field
            elif kind < 0.9:
                pflags = [f for f in ("--point", "--init", "--from", "--at", "--hvp")
                          if f in flags]
                if not pflags:
                    continue
                flag = rng.choice(pflags)
                value, bad = rng.choice(POINT_FAULTS)
                set_flag(argv, flag, value)
            else:
                if "--problem" not in flags:
                    continue
                flag = "--problem"
                value, bad = rng.choice(PROBLEM_FAULTS)
                set_flag(argv, flag, value)
            bad_of[flag] = bool(bad)
            labels.append(flag)
        invalid = any(bad_of.values())
        outs = [argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--out"]
        cases.append(Case(argv, invalid, slow_ok, outs, " ".join(labels)))
    return cases


def problem_kind(argv):
    spec = argv[argv.index("--problem") + 1]
    if spec.startswith("expr:"):
        return "expression"
    return spec


def set_flag(argv, flag, value):
    if flag in argv and flag != "--set":
        argv[argv.index(flag) + 1] = value
    else:
        argv += [flag, value]


def limits(mem_mb):
    def apply():
        resource.setrlimit(resource.RLIMIT_AS, (mem_mb << 20, mem_mb << 20))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_FSIZE, (256 << 20, 256 << 20))
    return apply


def execute(binary, case, timeout, mem_mb, threads=None):
    with tempfile.TemporaryDirectory(prefix="lfuzz-") as d:
        files = make_files(d)
        argv = [a.replace("{out}", os.path.join(d, "out")).replace("{dir}", d)
                for a in case.argv]
        argv = [re.sub(r"\{(\w+)\}", lambda m: files.get(m.group(1), m.group(0)), a)
                for a in argv]
        outs = [a for i, a in enumerate(argv[:-1]) if argv[i] == "--out"]
        outs = [argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--out"]
        before = {o: os.path.exists(o) for o in outs}
        env = dict(os.environ, RUST_BACKTRACE="0", NO_COLOR="1")
        if threads:
            env["RAYON_NUM_THREADS"] = str(threads)
        t0 = time.time()
        try:
            p = subprocess.run([binary] + argv, cwd=d, env=env, capture_output=True,
                               timeout=timeout, preexec_fn=limits(mem_mb),
                               stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return ("slow" if case.slow_ok else "hang"), "", "", time.time() - t0
        err = p.stderr.decode("utf-8", "replace")
        out = p.stdout.decode("utf-8", "replace")
        lines = [l for l in err.splitlines() if l.strip()]
        if "memory allocation of" in err or "capacity overflow" in err and p.returncode < 0:
            cls = "abort"
        elif p.returncode == 101 or "panicked" in err:
            cls = "panic"
        elif p.returncode < 0:
            cls = "signal"
        elif p.returncode == 0:
            cls = "accepted_invalid" if case.invalid else "ok"
        elif p.returncode == 2 and len(lines) == 1 and lines[0].startswith("error: "):
            cls = "error"
        else:
            cls = "multiline"
        if p.returncode != 0 and cls in ("error", "multiline"):
            left = [o for o in outs if not before[o] and os.path.exists(o)
                    and not os.path.isdir(o)]
            if left:
                cls = "partial"
        return cls, out, err, time.time() - t0


def strip_times(v):
    if isinstance(v, dict):
        return {k: strip_times(x) for k, x in v.items()
                if k != "provenance" and not re.search(r"(^|_)(time|seconds|secs|elapsed|wall)", k)}
    if isinstance(v, list):
        return [strip_times(x) for x in v]
    return v


def determinism(binary, timeout, mem_mb):
    """Seeded --json baselines on 1 and 2 threads; returns the differing commands."""
    bad = []
    for base in BASELINES:
        if "--json" not in base or ("--seed" not in base and "census" not in base
                                    and "atlas" not in base and "du2017" not in base):
            continue
        case = Case(shlex.split(base.replace("{atlas}", atlas_entry())), False, False, [], "")
        r1 = execute(binary, case, timeout, mem_mb, threads=1)
        r2 = execute(binary, case, timeout, mem_mb, threads=2)
        if r1[0] != "ok" or r2[0] != "ok":
            continue
        try:
            if strip_times(json.loads(r1[1])) != strip_times(json.loads(r2[1])):
                bad.append(case)
        except ValueError:
            bad.append(case)
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default="target/debug/landscape")
    ap.add_argument("--cases", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--timeout", type=float, default=20.0)
    ap.add_argument("--mem-mb", type=int, default=2048)
    ap.add_argument("--strict", action="store_true",
                    help="exit 1 on any failure class")
    ap.add_argument("--no-determinism", action="store_true")
    ap.add_argument("--show", type=int, default=40, help="failing cases to print")
    ap.add_argument("--repro", metavar="CMD",
                    help="run one printed failing case (its arguments after `landscape`)")
    a = ap.parse_args()
    # A private copy: a rebuild replacing the binary mid-run does not disturb the run.
    private = tempfile.mkdtemp(prefix="lfuzz-bin-")
    binary = shutil.copy2(os.path.abspath(a.bin), os.path.join(private, "landscape"))
    try:
        run_cases(a, binary)
    finally:
        shutil.rmtree(private, ignore_errors=True)


def run_cases(a, binary):
    if a.repro:
        case = Case(shlex.split(a.repro), False, False, [], "")
        cls, out, err, secs = execute(binary, case, a.timeout, a.mem_mb)
        print(f"{cls} in {secs:.1f} s\n--- stdout\n{out[:2000]}--- stderr\n{err[:4000]}")
        return
    atlas = atlas_entry()
    cases = generate(random.Random(a.seed), binary, a.cases, atlas)
    counts = {c: 0 for c in CLASSES}
    failing = []
    t0 = time.time()
    with cf.ThreadPoolExecutor(a.jobs) as pool:
        futures = {pool.submit(execute, binary, c, a.timeout, a.mem_mb): c for c in cases}
        for fut in cf.as_completed(futures):
            case = futures[fut]
            cls, _, err, _ = fut.result()
            counts[cls] += 1
            if cls in FAILURES:
                failing.append((cls, case, err))
    if not a.no_determinism:
        for case in determinism(binary, a.timeout * 3, a.mem_mb):
            counts["nondeterministic"] += 1
            failing.append(("nondeterministic", case, ""))
    print(f"{len(cases)} cases, seed {a.seed}, {time.time() - t0:.0f} s")
    for c in CLASSES:
        print(f"  {c:18} {counts[c]}")
    failing.sort(key=lambda f: (f[0], f[1].argv))
    for cls, case, err in failing[: a.show]:
        lines = [l for l in err.strip().splitlines() if not l.startswith("note:")] or [""]
        last = next((l for l in lines if "panicked" in l or "memory allocation" in l),
                    lines[-1])[:160]
        print(f"[{cls}] landscape {shlex.join(case.argv)}\n    {last}")
    if a.strict and failing:
        sys.exit(1)


def atlas_entry():
    """The smallest shipped atlas entry's name (problems/atlas/*.toml)."""
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "problems", "atlas")
    try:
        names = sorted(f[:-5] for f in os.listdir(root) if f.endswith(".toml"))
    except OSError:
        names = []
    return names[0] if names else "nosuch"


if __name__ == "__main__":
    main()
