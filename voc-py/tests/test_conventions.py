"""docs/conventions.md, checked by introspection over every public callable of every module.

Functions that do not follow the conventions yet are listed in ``PENDING`` with the rule they break. The list
may only shrink: an entry whose function now follows the rule fails ``test_pending_entries_are_real``, so
that fixing a function also removes it from the list.
"""

from __future__ import annotations

import inspect
import typing

import pytest

import voc
import voc.impact
import voc.metrics
import voc.retention
import voc.risk
import voc.sample
import voc.segment
import voc.signals
import voc.stats
import voc.text

MODULES = [
    voc, voc.metrics, voc.stats, voc.signals, voc.risk, voc.segment, voc.retention, voc.impact, voc.text,
    voc.sample,
]
MODULES.append(voc.uplift)
MODULES.append(voc.followup)
MODULES.append(voc.anomaly)

# Keywords that spell a concept the conventions name differently (§2), with the right spelling.
FORBIDDEN = {
    "groups": "by",
    "classes": "by",
    "segments": "by",
    "channel": "by",
    "on_invalid": "missing",
    "impute": "missing",
    "nan_policy": "missing",
    "sample_weight": "weights",
    "random_state": "seed",
    "level": "confidence",
    "n_boot": "resamples",
    "bootstrap": "resamples",
    "observed": "events",
    "datetime_col": "time",
    "customer_col": "customers",
    "times": "time",
}

# Rules a function may still break, by qualified name. Remove the entry when the function is converted.
PENDING: dict[str, set[str]] = {
}

# Functions of summary numbers or results, not columns, take them positionally like scipy.stats (§1).
SUMMARY = {
    "voc.compare",
    "voc.nps_test",
    "voc.stats.proportion_ci",
    "voc.stats.two_proportion_test",
    "voc.stats.welch_test",
    "voc.stats.adjust_p_values",
    "voc.impact.before_after",
    "voc.impact.holdout",
    "voc.impact.rate_ratio",
    "voc.impact.sample_size",
    "voc.impact.minimum_detectable_effect",
}

# Model-fitting functions must be called fit_<model> (§5).
FITTING = {"fit", "kmeans", "cox_ph", "bgnbd_fit", "gamma_gamma_fit", "topics"}


def _public_functions():
    seen = {}
    for module in MODULES:
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name, None)
            if obj is None or inspect.isclass(obj) or inspect.ismodule(obj) or not callable(obj):
                continue
            qual = f"{module.__name__}.{name}"
            if id(obj) in {id(o) for o in seen.values()}:
                continue  # re-exports are checked once, under their first module
            seen[qual] = obj
    return seen


FUNCTIONS = _public_functions()


def _signature(f):
    try:
        return inspect.signature(f)
    except (TypeError, ValueError):
        return None


def _breaks(qual: str, f) -> set[str]:
    """The rules of docs/conventions.md that `f` breaks."""
    out: set[str] = set()
    name = qual.rsplit(".", 1)[1]
    if name in FITTING:
        out.add(f"name:{name}")
    sig = _signature(f)
    if sig is None:
        return out
    params = list(sig.parameters.values())
    for p in params:
        if p.name in FORBIDDEN and p.kind is not p.POSITIONAL_ONLY:
            out.add(f"keyword:{p.name}")
        if p.kind is p.VAR_KEYWORD:
            out.add("var-keyword")
    # §1: at most one positional parameter (the table or the single column).
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if len(positional) > 1 and qual not in SUMMARY:
        out.add("positional")
    ann = sig.return_annotation
    text = ann if isinstance(ann, str) else getattr(ann, "__name__", str(ann))
    text = str(text)
    for bad in ("dict", "tuple", "Any"):
        if text == bad or text.startswith(f"{bad}[") or f"| {bad}" in text or text.startswith(f"{bad} |"):
            out.add(f"returns:{bad}")
    if "None" in text.split(" | ") and "tuple" in text:
        out.add("returns:tuple")
    return out


def test_functions_are_found():
    assert len(FUNCTIONS) > 60
    assert "voc.nps" in FUNCTIONS and "voc.retention.kaplan_meier" in FUNCTIONS


@pytest.mark.parametrize("qual", sorted(FUNCTIONS))
def test_function_follows_the_conventions(qual):
    broken = _breaks(qual, FUNCTIONS[qual]) - PENDING.get(qual, set())
    assert broken == set(), f"{qual} breaks docs/conventions.md: {sorted(broken)}"


@pytest.mark.parametrize("qual", sorted(PENDING))
def test_pending_entries_are_real(qual):
    assert qual in FUNCTIONS, f"{qual} is no longer public: remove it from PENDING"
    fixed = PENDING[qual] - _breaks(qual, FUNCTIONS[qual])
    assert fixed == set(), f"{qual} now follows {sorted(fixed)}: remove them from PENDING"


def test_the_checker_catches_each_rule():
    def bad(a, b, /, *, groups=None, **kw) -> dict[str, float]:  # noqa: ARG001
        return {}

    def good(data=None, /, *, by=None, missing="error") -> voc.Table:  # noqa: ARG001
        raise NotImplementedError

    assert _breaks("m.bad", bad) == {"keyword:groups", "var-keyword", "positional", "returns:dict"}
    assert _breaks("m.good", good) == set()
    assert _breaks("m.fit", good) == {"name:fit"}


def test_errors_follow_the_tree():
    assert issubclass(voc.ColumnNotFoundError, voc.InputError)
    assert issubclass(voc.ColumnNotFoundError, KeyError)
    assert issubclass(voc.InputError, ValueError)
    assert issubclass(voc.DtypeError, TypeError)
    for name in voc.errors.__all__:
        assert issubclass(getattr(voc.errors, name), voc.VocError)


def test_missing_column_is_column_not_found():
    with pytest.raises(voc.ColumnNotFoundError, match="no such column") as exc:
        voc.impact.key_drivers({"a": [1.0, 2.0, 3.0]}, outcome="nope")
    assert isinstance(exc.value, KeyError)
    assert exc.value.value == "nope"


def test_type_hints_resolve():
    # Annotations of the Python-level functions must be real types (mypy --strict reads them).
    for qual, f in FUNCTIONS.items():
        if getattr(f, "__module__", "").startswith("voc.") and inspect.isfunction(f):
            typing.get_type_hints(f)


def _tables():
    """Tables from every module, with every column kind a Table holds (labels, ints, floats, bools, strings,
    dates, categoricals)."""
    import numpy as np
    import pandas as pd

    data = voc.sample.retailer(customers=400, seed=3)
    scores = np.array([10, 9, 3, 8, 7, 1, 6, 10])
    yield "nps by", voc.nps(scores, by=["b", "a", "a", "b", "c", "c", "a", "b"]).table
    yield "nps trend", voc.nps(
        scores, time=np.arange("2024-01-01", "2024-01-09", dtype="datetime64[D]"), period="week"
    ).table
    yield "kaplan_meier", voc.retention.kaplan_meier(durations=[5.0, 3.0, 8.0, 2.0], events=[1, 0, 1, 1]).table
    yield "features", voc.signals.EventLog(**data.tables()).features("2025-06-01")
    yield "orders", data.orders
    yield "categorical", voc.Table(
        "user", {"lab": pd.Categorical(["b", "a", None], categories=["b", "a"]), "v": np.arange(3)}
    )


@pytest.mark.parametrize("name, table", list(_tables()), ids=lambda x: x if isinstance(x, str) else "")
def test_every_table_exports_arrow(name, table):
    import numpy as np
    import polars as pl
    import pyarrow as pa

    assert hasattr(table, "__arrow_c_stream__")
    at = pa.table(table)
    assert at.column_names == table.columns and at.num_rows == len(table)
    assert table.to_arrow().schema == at.schema and table.to_arrow().num_rows == at.num_rows
    df = pl.DataFrame(table)
    assert df.columns == table.columns and df.height == len(table)
    assert table.to_polars().schema == df.schema and table.to_polars().height == df.height
    for col in table.columns:
        ours = table[col]
        theirs = at[col].to_pylist()
        if isinstance(ours, np.ndarray) and ours.dtype.kind == "f":
            np.testing.assert_array_equal(np.asarray(theirs, dtype=float), ours)
        elif isinstance(ours, np.ndarray) and ours.dtype.kind == "M":
            assert [None if np.isnat(v) else v.item() for v in ours] == theirs
        else:
            values = ours.tolist() if hasattr(ours, "tolist") else list(ours)
            assert [None if isinstance(v, float) and v != v else v for v in values] == theirs, col


def test_table_constructor_errors_are_voc_errors():
    with pytest.raises(voc.LengthMismatchError, match="same length"):
        voc.Table("x", {"a": [1, 2], "b": [1]})


def _public_methods():
    """Public methods of every public class, by qualified name (checked for the keyword vocabulary)."""
    out = {}
    for module in MODULES:
        for name in getattr(module, "__all__", []):
            cls = getattr(module, name, None)
            if not inspect.isclass(cls) or issubclass(cls, BaseException):
                continue
            for attr in dir(cls):
                if attr.startswith("_"):
                    continue
                f = getattr(cls, attr, None)
                if callable(f) and not inspect.isclass(f):
                    out.setdefault(f"{cls.__module__}.{cls.__name__}.{attr}", f)
    return out


METHODS = _public_methods()

# Methods that may keep a keyword of the FORBIDDEN table, with the reason.
METHOD_EXCEPTIONS = {
    # scikit-learn's estimator protocol names the case weights `sample_weight` (§2).
    "voc.risk.ChurnClassifier.fit": {"keyword:sample_weight"},
    "voc.risk.ChurnClassifier.score": {"keyword:sample_weight"},
    "voc.risk.ChurnClassifier.set_params": {"var-keyword"},
}


def test_methods_are_found():
    assert len(METHODS) > 50
    assert any(q.endswith("NpsState.update") for q in METHODS)


@pytest.mark.parametrize("qual", sorted(METHODS))
def test_method_keywords_follow_the_vocabulary(qual):
    sig = _signature(METHODS[qual])
    if sig is None:
        return
    # A positional-only parameter's name is not part of the API (callers cannot spell it).
    broken = {
        f"keyword:{p.name}" for p in sig.parameters.values() if p.name in FORBIDDEN and p.kind is not p.POSITIONAL_ONLY
    }
    broken |= {"var-keyword" for p in sig.parameters.values() if p.kind is p.VAR_KEYWORD}
    broken -= METHOD_EXCEPTIONS.get(qual, set())
    assert broken == set(), f"{qual} breaks docs/conventions.md §2: {sorted(broken)}"


# ---------------------------------------------------------------- outputs of every public function (§5)
#
# Every public function has a docstring example (test_docstrings.py). Running those examples with every
# public function wrapped records what each one returns: the corpus the checks below run on, so a new
# function is checked as soon as its example exists, without a hand list of calls.


def _run_examples_recording():
    import collections
    import doctest
    import functools
    import io

    recorded: dict[str, list] = collections.defaultdict(list)
    patched = []
    for qual, f in FUNCTIONS.items():

        def wrapper(*args, __f=f, __qual=qual, **kwargs):
            out = __f(*args, **kwargs)
            recorded[__qual].append(out)
            return out

        functools.update_wrapper(wrapper, f)
        for module in MODULES:
            for name in getattr(module, "__all__", []):
                if getattr(module, name, None) is f:
                    patched.append((module, name, f))
                    setattr(module, name, wrapper)
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    sink = io.StringIO()
    try:
        tests = []
        for module in MODULES:
            tests += finder.find(module, module.__name__, globs={})
        for qual, f in FUNCTIONS.items():
            tests += finder.find(f, qual, globs={})
        for test in tests:
            runner.run(test, out=sink.write, clear_globs=False)
            # What the example kept in variables (method results such as ThemeMatcher.mention_rates).
            recorded["<example variables>"].extend(
                v for k, v in test.globs.items() if not k.startswith("__") and not inspect.ismodule(v)
            )
            test.globs.clear()
    finally:
        for module, name, f in patched:
            setattr(module, name, f)
    return recorded


@pytest.fixture(scope="module")
def outputs():
    return _run_examples_recording()


def _is_result_class(cls) -> bool:
    """A public class that holds an outcome: results and fitted models (not tables, states, errors or
    builders)."""
    if not inspect.isclass(cls) or issubclass(cls, BaseException) or cls is voc.Table:
        return False
    name = cls.__name__
    return name.endswith(("Result", "Model", "Matrix")) or name in {"Standardized", "Features", "PlantedChange"}


def _result_classes():
    import voc._voc

    found = {}
    for module in [voc._voc, *MODULES]:
        for name in dir(module):
            cls = getattr(module, name, None)
            if not name.startswith("_") and _is_result_class(cls):
                found.setdefault(f"{cls.__module__}.{cls.__qualname__}", cls)
    return found


RESULT_CLASSES = _result_classes()


def _children(obj):
    """The objects a result hands out without arguments: properties, and zero-argument methods that
    return tables (``summary()``, ``medians()``, ...)."""
    if isinstance(obj, (list, tuple)):
        yield from obj
        return
    if not _is_result_class(type(obj)):
        return
    for attr in dir(obj):
        if attr.startswith("_"):
            continue
        try:
            value = getattr(obj, attr)
        except Exception:  # noqa: BLE001 - a property that needs a fitted state, etc.
            continue
        if callable(value) and not isinstance(value, voc.Table):
            try:
                sig = inspect.signature(value)
            except (TypeError, ValueError):
                continue
            if any(p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
                   for p in sig.parameters.values()):
                continue
            if attr in {"to_dict", "to_bytes", "copy"}:
                continue
            try:
                value = value()
            except Exception:  # noqa: BLE001
                continue
        yield value


def _walk(values):
    seen: set[int] = set()
    stack = list(values)
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        yield obj
        stack.extend(_children(obj))


def test_every_public_function_ran_in_an_example(outputs):
    silent = sorted(q for q in FUNCTIONS if not outputs.get(q))
    assert silent == [], f"no docstring example calls {silent}"


def test_result_classes_are_found():
    names = {q.rsplit(".", 1)[1] for q in RESULT_CLASSES}
    assert {"NpsResult", "GroupedResult", "MentionRatesResult", "ValueVoiceResult", "KeyDriversResult",
            "LogisticModel"} <= names
    assert len(RESULT_CLASSES) > 30


def _instances(outputs):
    by_class: dict[type, object] = {}
    for obj in _walk(v for vs in outputs.values() for v in vs):
        if _is_result_class(type(obj)):
            by_class.setdefault(type(obj), obj)
    return by_class


@pytest.fixture(scope="module")
def instances(outputs):
    return _instances(outputs)


@pytest.mark.parametrize("qual", sorted(RESULT_CLASSES))
def test_result_class_to_dict_html_pickle_eq(qual, instances):
    import json
    import pickle

    cls = RESULT_CLASSES[qual]
    assert cls in instances, f"no docstring example returns a {qual}: add one"
    obj = instances[cls]
    d = obj.to_dict()
    assert isinstance(d, dict) and d
    json.dumps(d)  # JSON-serialisable values (NaN allowed, as Python's json writes it)
    html = obj._repr_html_()
    assert isinstance(html, str) and html.startswith("<") and len(html) > 20
    back = pickle.loads(pickle.dumps(obj))
    assert type(back) is cls
    assert back == obj
    assert not (back != obj)


def _tables_of(outputs):
    for obj in _walk(v for vs in outputs.values() for v in vs):
        if isinstance(obj, voc.Table):
            yield obj


@pytest.fixture(scope="module")
def produced_tables(outputs):
    return list(_tables_of(outputs))


def test_tables_hold_no_headline_numbers_in_meta(produced_tables):
    assert len(produced_tables) > 40
    bad = [(t.kind, t.meta) for t in produced_tables if t.meta is not None and t.kind != "user"]
    assert bad == [], f"tables with meta (a headline number belongs in a typed result): {bad}"


def test_no_table_column_is_named_p(produced_tables):
    bad = sorted({t.kind for t in produced_tables if "p" in t.columns})
    assert bad == [], f"tables with a column named 'p' (call it p_value): {bad}"


def test_every_produced_table_round_trips_through_arrow(produced_tables):
    import polars as pl
    import pyarrow as pa

    for t in produced_tables:
        at = pa.table(t)
        assert at.column_names == t.columns and at.num_rows == len(t), t.kind
        df = pl.DataFrame(t)
        assert df.columns == t.columns and df.height == len(t), t.kind
        back = pl.from_arrow(at)
        assert back.shape == df.shape, t.kind


def test_typing_usage_runs():
    # The file mypy --strict checks (scripts/test.sh) must also run: its annotations are real uses.
    import importlib.util
    import pathlib

    path = pathlib.Path(__file__).with_name("typing_usage.py")
    spec = importlib.util.spec_from_file_location("typing_usage", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main()


def test_demo_runs_at_small_sizes(tmp_path):
    # The demo runs at any size: numbers that are undefined on little data (an ROI interval, a payback)
    # are printed with the reason, never crash the print.
    import pathlib
    import subprocess
    import sys

    demo = pathlib.Path(__file__).resolve().parents[2] / "examples" / "demo.py"
    for customers in (2000, 5000):
        run = subprocess.run(
            [sys.executable, str(demo), "--responses", "5000", "--customers", str(customers), "--out", str(tmp_path)],
            capture_output=True, text=True, timeout=600,
        )
        assert run.returncode == 0, run.stderr[-3000:]
        assert "ROI" in run.stdout and "payback" in run.stdout


def test_stub_functions_and_methods_return_no_bare_tuple_dict_or_any():
    # §3: results are typed objects or Tables. The stub is read directly, so compiled functions whose
    # runtime signature carries no return annotation are checked too. Properties (`ci`, `scale`) may be
    # pairs; the conversions (`to_dict`, `to_pandas`, ...) are what they say.
    import ast
    from pathlib import Path

    conversions = {"to_dict", "to_pandas", "to_polars", "to_arrow"}
    stub = Path(voc.__file__).with_name("_voc.pyi")
    tree = ast.parse(stub.read_text(encoding="utf-8"))

    def bad(fn: ast.FunctionDef) -> bool:
        if fn.returns is None:
            return False
        s = ast.unparse(fn.returns)
        return any(s == b or s.startswith(f"{b}[") or f"| {b}" in s or s.startswith(f"{b} |")
                   for b in ("dict", "tuple", "Any"))

    def is_property(fn: ast.FunctionDef) -> bool:
        return any(ast.unparse(d) == "property" for d in fn.decorator_list)

    found = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_") and bad(node):
            found.append(node.name)
        if isinstance(node, ast.ClassDef):
            for m in node.body:
                if (isinstance(m, ast.FunctionDef) and not m.name.startswith("_") and m.name not in conversions
                        and not is_property(m) and bad(m)):
                    found.append(f"{node.name}.{m.name}")
    assert found == [], f"public stubs returning a bare tuple/dict/Any: {found}"
    # The check itself catches a bad stub.
    assert bad(ast.parse("def f() -> tuple[int, int]: ...").body[0])  # type: ignore[arg-type]
    assert not bad(ast.parse("def f() -> Table: ...").body[0])  # type: ignore[arg-type]
