"""Results as the command line's JSON text."""

from __future__ import annotations

import json
from typing import Any

import numpy as np


def _plain(value: Any) -> Any:
    """JSON's types for NumPy values."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"a {type(value).__name__} in a result, expected numbers, str, lists, dicts")


def _rows(columns: dict) -> list:
    """``landscape.run``'s records (a dict of arrays) as the JSON's list of records."""
    n = len(next(iter(columns.values()))) if columns else 0
    return [{k: v[i] for k, v in columns.items()} for i in range(n)]


def to_json(result: dict, **dumps: Any) -> str:
    """A result of an analysis or an experiment as the JSON the command line prints
    with ``--json`` (what its ``plot`` command reads back); ``dumps`` are passed to
    ``json.dumps`` (``indent=2``, …). Floats are written exactly."""
    doc = dict(result)
    if isinstance(doc.get("records"), dict):
        doc["records"] = _rows(doc["records"])
    return json.dumps(doc, default=_plain, **dumps)
