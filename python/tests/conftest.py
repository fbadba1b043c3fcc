"""Shared fixtures: the `landscape` command line, to compare against."""

import json
import os
import pathlib
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def cli():
    """Runs `landscape ARGS` (the binary `cargo test` builds, or $LANDSCAPE_BIN) and
    returns (exit code, stdout, stderr)."""
    binary = pathlib.Path(os.environ.get("LANDSCAPE_BIN", REPO / "target" / "debug" / "landscape"))
    if not binary.is_file():
        pytest.skip(f"no landscape binary at {binary}: run `cargo build` first (python/run-tests does)")

    def run(*args):
        p = subprocess.run([str(binary), *args], capture_output=True, text=True)
        return p.returncode, p.stdout, p.stderr

    return run


@pytest.fixture(scope="session")
def cli_json(cli):
    """Runs `landscape ARGS --json` and returns the parsed output."""

    def run(*args):
        code, out, err = cli(*args, "--json")
        assert code == 0, err
        doc = json.loads(out)
        # The command line adds what produced the report (tool, command, problem spec);
        # the package returns the report alone.
        if isinstance(doc, dict):
            doc.pop("provenance", None)
        return doc

    return run
