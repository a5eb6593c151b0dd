"""The binding only converts (docs/conventions.md §7): the Python modules pass their roles through and the
compiled module resolves them (one column reader, in Rust); the RFM score label comes from the core; a
dtype error in a column of a table role names the argument (``.arg``) and the column (in the message)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import voc

PACKAGE = Path(voc.__file__).parent

# Modules allowed to read columns or look at dtypes: the plotting front (matplotlib wants arrays), the
# dask front (partitions) and the small option checker.
ALLOWED = {"plot.py", "dask.py", "_args.py"}

# Reading columns or checking dtypes in Python: the removed role front, table or dtype sniffing, numpy
# conversions.
FORBIDDEN = [
    (r"\b_columns\b", "the removed voc._columns front"),
    (r"isinstance\([^)]*\b(pd|pa|pl)\.|isinstance\([^)]*np\.ndarray", "an isinstance check against a pandas / pyarrow / polars type or a numpy array"),
    (r"\bnp\.(asarray|asanyarray|unique|iscomplexobj)\(", "a numpy conversion of user input"),
    (r"\.dtype\b", "a dtype check"),
    (r"\bcolumn_names\b", "a pyarrow column listing"),
    (r"_is_table|_is_numeric|_table_names", "a table or dtype sniffer"),
]


def _code(path: Path) -> str:
    """The module's code without its docstrings and comments (examples may use numpy freely)."""
    text = path.read_text()
    text = re.sub(r'"""[\s\S]*?"""', '""', text)
    return "\n".join(line.split("#", 1)[0] for line in text.splitlines())


def test_only_plot_and_dask_read_columns_in_python() -> None:
    checked = []
    for path in sorted(PACKAGE.glob("*.py")):
        if path.name in ALLOWED:
            continue
        checked.append(path.name)
        code = _code(path)
        for pattern, what in FORBIDDEN:
            hits = [line.strip() for line in code.splitlines() if re.search(pattern, line)]
            assert not hits, f"{path.name} holds {what}: {hits}"
    assert {"retention.py", "impact.py", "segment.py", "risk.py"} <= set(checked)
    assert not (PACKAGE / "_columns.py").exists()


def test_the_grep_finds_what_it_forbids() -> None:
    # The patterns are live: each matches the kind of line it is meant to keep out.
    samples = [
        "from voc._columns import column",
        "if isinstance(x, pd.DataFrame):",
        "x = np.asarray(x, dtype=float)",
        "kind = col.dtype.kind",
        "names = t.column_names",
        "if _is_table(data):",
    ]
    for (pattern, _), sample in zip(FORBIDDEN, samples):
        assert re.search(pattern, sample), (pattern, sample)


# --- item 2: the RFM score label is the core's ---


def test_rfm_score_is_the_three_scores_from_the_core() -> None:
    rng = np.random.default_rng(3)
    n = 300
    recency = rng.integers(0, 400, n).astype(float)
    recency[rng.random(n) < 0.1] = np.nan  # no purchase: scores 0, label "000"
    data = {"recency_days": recency, "frequency": rng.integers(0, 20, n), "monetary": rng.gamma(2.0, 80.0, n)}
    for bins in (2, 3, 5):
        t = voc.segment.rfm(data, bins=bins, rules=[] if bins != 5 else None).table
        r, f, m = (t[c].tolist() for c in ("r", "f", "m"))
        assert t["rfm_score"] == [f"{a}{b}{c}" for a, b, c in zip(r, f, m)]
        assert all(s == "000" for s, x in zip(t["rfm_score"], recency) if np.isnan(x))
    # The docstring's case.
    t = voc.segment.rfm({"recency_days": [5.0, 300.0, float("nan"), 40.0, 10.0],
                         "frequency": [12, 1, 0, 3, 8], "monetary": [900.0, 20.0, 0.0, 150.0, 400.0]}).table
    assert t["rfm_score"] == ["555", "111", "000", "222", "444"]


def test_segment_module_builds_no_score_strings() -> None:
    code = _code(PACKAGE / "segment.py")
    assert 'f"{' not in code and "zip(r" not in code


# --- item 3: a dtype error in a column of a table role names the argument and the column ---


def _frames(columns: dict[str, Any]) -> list[Any]:
    return [columns, pd.DataFrame(columns), pl.DataFrame(columns), pa.table(columns)]


DURATIONS = [5.0, 8.0, 12.0, 20.0, 3.0, 9.0]
EVENTS = [1, 0, 1, 1, 1, 0]


CASES: list[tuple[str, Callable[[Any], Any]]] = [
    ("covariates", lambda d: voc.retention.fit_cox(d, durations="t", events="e")),
    ("covariates", lambda d: voc.retention.fit_cox(d, durations="t", events="e", covariates=["x", "age"])),
    ("drivers", lambda d: voc.impact.key_drivers(d, outcome="x", drivers=["t", "age"])),
    ("drivers", lambda d: voc.impact.driver_quadrants(d, outcome="x", drivers=["age", "t"])),
    ("x", lambda d: voc.risk.fit_logistic(d, x=["x", "age"], y="e")),
    ("x", lambda d: voc.segment.fit_kmeans(d, x=["x", "age"], k=2)),
    ("themes", lambda d: voc.impact.theme_impact(d, churned="e", themes=["age"])),
    ("themes", lambda d: voc.segment.profile(d, by="e", themes=["age"], value=None, nps=None)),
]


@pytest.mark.parametrize(("arg", "call"), CASES)
def test_dtype_error_in_a_table_column_names_the_argument(arg: str, call: Callable[[Any], Any]) -> None:
    columns = {"t": DURATIONS, "e": EVENTS, "x": [0.5, 1.0, -0.2, 0.3, 2.0, 1.1],
               "age": ["old", "young", "old", "young", "old", "young"]}
    for data in _frames(columns):
        with pytest.raises(voc.DtypeError) as e:
            call(data)
        assert e.value.arg == arg, (e.value.arg, str(e.value), type(data))
        assert "'age'" in str(e.value) and arg in str(e.value), str(e.value)
        assert isinstance(e.value, TypeError) and isinstance(e.value, ValueError)


# --- roles resolved in Rust: names and columns give the same results ---


def test_roles_by_name_and_by_column_agree() -> None:
    df = pd.DataFrame({"t": DURATIONS, "e": EVENTS, "x": [0.5, 1.0, -0.2, 0.3, 2.0, 1.1], "g": list("aabbab")})
    a_km = voc.retention.kaplan_meier(df, durations="t", events="e")
    b_km = voc.retention.kaplan_meier(durations=df["t"], events=df["e"].to_numpy())
    assert a_km.survival_at([4.0, 10.0]).tolist() == b_km.survival_at([4.0, 10.0]).tolist()
    g = voc.retention.kaplan_meier(df, durations="t", event_observed="e", by="g")
    h = voc.retention.kaplan_meier(durations=DURATIONS, events=EVENTS, by=list("aabbab"))
    assert g.groups == h.groups and g.medians["median"].tolist() == h.medians["median"].tolist()
    a = voc.impact.correlation(df, x="t", y="x")
    b = voc.impact.correlation(x=DURATIONS, y=df["x"])
    assert (a.estimate, a.p_value) == (b.estimate, b.p_value)
    m = voc.retention.fit_cox(df[["t", "e", "x"]], durations="t", events="e")
    m2 = voc.retention.fit_cox(df, durations="t", events="e", covariates=["x"])
    assert m.names == m2.names == ["x"] and list(m.coef) == list(m2.coef)
    with pytest.raises(voc.InvalidOptionError, match="event_observed"):
        voc.retention.kaplan_meier(df, durations="t", events="e", event_observed="e")
    with pytest.raises(voc.ColumnNotFoundError) as e:
        voc.retention.logrank_test(df, durations="t", events="e", by="nope")
    assert e.value.arg == "by" and e.value.value == "nope"


def test_correlation_matrix_default_columns_are_the_numeric_ones() -> None:
    data = {"a": [1.0, 2.0, 3.0, 4.0], "b": [4, 3, 1, 2], "flag": [True, False, True, True],
            "name": ["w", "x", "y", "z"], "when": np.array(["2024-01-01"] * 4, dtype="datetime64[D]")}
    for frame in (data, pd.DataFrame(data), pl.DataFrame(data)):
        m = voc.impact.correlation_matrix(frame)
        assert m.estimate["column"] == ["a", "b", "flag"], type(frame)


def test_alerts_keep_the_id_dtype() -> None:
    X = {"customer_id": ["c11", "c12", "c13", "c14"], "refund_delay_days": [20.0, 1.0, 15.0, 0.0],
         "monetary": [500.0, 900.0, 80.0, 300.0]}
    m = voc.risk.fit_logistic(X, x=["refund_delay_days"], y=[1, 0, 1, 0], C=0.5)
    a = voc.risk.alerts(X, model=m, value="monetary", contact_cost=5.0, capacity=2)
    assert list(a["customer_id"]) == ["c11", "c12"]
    rows = voc.risk.alerts(np.array([[20.0], [1.0], [15.0], [0.0]]), model=m, value=[500.0, 900.0, 80.0, 300.0],
                           capacity=2)
    assert rows["customer_id"].tolist() == [0, 1]
