"""Experiments from Python: the JSON of `landscape experiment NAME --json`."""

import json

import pytest

import landscape


def plain(report):
    return json.loads(json.dumps(report, default=lambda a: a.tolist()))


def test_experiments_match_the_command_line(cli_json):
    ours = landscape.experiment("du2017", dims=[2, 3], trials=3)
    assert plain(ours) == cli_json("experiment", "du2017", "--dims", "2,3", "--trials", "3")
    ours = landscape.experiment("kawaguchi", starts=5)
    assert plain(ours) == cli_json("experiment", "kawaguchi", "--starts", "5")
    ours = landscape.experiment("safran-shamir", k="3", runs=3, max_iters=2000)
    assert plain(ours) == cli_json("experiment", "safran-shamir", "--k", "3", "--runs", "3", "--max-iters", "2000")


def test_atlas_matches_the_command_line(cli_json):
    def without_clock(report):
        for row in report["rows"]:
            row.pop("seconds", None)
        return report

    ours = plain(landscape.experiment("atlas", runs=4, only=["matrix_sensing"]))
    assert [r["family"] for r in ours["rows"]] and ours["runs"] == 4
    theirs = cli_json("atlas", "--runs", "4", "--only", "matrix_sensing")
    assert without_clock(ours) == without_clock(theirs)
    with pytest.raises(ValueError, match="only"):
        landscape.experiment("atlas", only=["no_such_entry"])
    own = "expr:(x^2 - 1)^2 + (y^2 - 1)^2 + x*y/4"
    ours = plain(landscape.experiment("atlas", runs=4, problems=[own]))
    assert [r["spec"] for r in ours["rows"]] == [own]
    assert without_clock(ours) == without_clock(cli_json("atlas", "--runs", "4", "--problem", own))


def test_experiment_errors_name_the_keyword(cli):
    with pytest.raises(ValueError, match="invalid field `dims`"):
        landscape.experiment("du2017", dims="0-3")
    with pytest.raises(ValueError, match="experiment"):
        landscape.experiment("du2018")
    with pytest.raises(TypeError):
        landscape.experiment("kawaguchi", depth=3)
