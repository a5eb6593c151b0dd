"""The examples in the docstrings of the public Python API run and print what they claim."""

import doctest

import pytest

import voc
import voc.errors

FUNCTIONS = [voc.nps, voc.csat, voc.ces, voc.compare, voc.nps_test]


@pytest.mark.parametrize("func", FUNCTIONS, ids=lambda f: f.__name__)
def test_function_docstring_examples_pass(func):
    doc = func.__doc__ or ""
    assert ">>>" in doc, f"{func.__name__} has no example in its docstring"
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(func, func.__name__, globs={}):
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted > 0
    assert result.failed == 0


@pytest.mark.parametrize("module", [voc, voc.errors], ids=lambda m: m.__name__)
def test_module_docstring_examples_pass(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


# Every public function of the voc modules (voc.impact has its own checks) has an example, and every
# module's examples pass. Functions re-exported from the extension are checked through the module that
# exports them.
MODULES = ["voc.metrics", "voc.stats", "voc.signals", "voc.risk", "voc.segment", "voc.retention", "voc.text",
           "voc.sample", "voc.plot", "voc.dask", "voc.followup"]
MODULES.append("voc.anomaly")
OPTIONAL = {"voc.plot": "matplotlib", "voc.dask": "dask.dataframe"}


def _module(name):
    import importlib

    if name in OPTIONAL:
        pytest.importorskip(OPTIONAL[name])
    return importlib.import_module(name)


def _public_functions(mod):
    import inspect

    for name in getattr(mod, "__all__", []):
        obj = getattr(mod, name)
        if inspect.isfunction(obj) or inspect.isbuiltin(obj):
            yield name, obj


@pytest.mark.parametrize("name", MODULES)
def test_every_public_function_has_an_example(name):
    mod = _module(name)
    missing = [f for f, obj in _public_functions(mod) if ">>>" not in (obj.__doc__ or "")]
    assert not missing, f"{name}: no example in the docstring of {missing}"


@pytest.mark.parametrize("name", MODULES)
def test_module_and_function_examples_pass(name):
    mod = _module(name)
    if name == "voc.plot":
        import matplotlib

        matplotlib.use("Agg")
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    tests = finder.find(mod, name)  # with the module's globals, as doctest.testmod
    # Extension functions are not found through the module (their __module__ is voc._voc): add them.
    seen = {t.name.rsplit(".", 1)[-1] for t in tests}
    for f, obj in _public_functions(mod):
        if f not in seen and getattr(obj, "__module__", name) != name:
            tests += finder.find(obj, f"{name}.{f}", globs={})
    for t in tests:
        runner.run(t)
    result = runner.summarize(verbose=False)
    assert result.attempted > 0
    assert result.failed == 0
