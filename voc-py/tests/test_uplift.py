"""voc.uplift: every metric against scikit-uplift 0.5.1 on random and tied inputs (1e-12), the T-learner
and the class transformation against statsmodels ``Logit`` (1e-8), the models on a planted effect, the
bad-input matrix, layouts and pickling."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
import statsmodels.api as sm
from sklift import metrics as skm

import voc
from voc.errors import (
    ColumnNotFoundError,
    DecodeError,
    EmptyInputError,
    InputError,
    InsufficientDataError,
    InvalidOptionError,
    LengthMismatchError,
    LimitError,
    MissingValueError,
    NonFiniteError,
)

U = voc.uplift
TOL = 1e-12


def _data(n: int, seed: int, tied: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = rng.integers(0, 2, n)
    t[:2] = [0, 1]
    score = rng.normal(size=n)
    y = (rng.random(n) < 1 / (1 + np.exp(-(0.3 * score * (2 * t - 1))))).astype(int)
    y[2:4] = [0, 1]
    if tied:
        score = np.round(score * 2) / 2  # a handful of levels: many ties
        score[score == 0] = -0.0 if seed % 2 else 0.0
    return y, t, score


CASES = [(n, seed, tied) for n in (7, 60, 1001) for seed in (1, 2) for tied in (False, True)]


def _close(a, b, tol=TOL):
    np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=tol, atol=tol)


@pytest.mark.parametrize(("n", "seed", "tied"), CASES)
def test_curves_equal_sklift(n, seed, tied):
    y, t, s = _data(n, seed, tied)
    for ours, theirs in [
        (U.qini_curve(outcome=y, treatment=t, uplift=s), skm.qini_curve(y, s, t)),
        (U.uplift_curve(outcome=y, treatment=t, uplift=s), skm.uplift_curve(y, s, t)),
        (U.perfect_qini_curve(outcome=y, treatment=t), skm.perfect_qini_curve(y, t)),
        (U.perfect_uplift_curve(outcome=y, treatment=t), skm.perfect_uplift_curve(y, t)),
    ]:
        _close(ours["targeted"], theirs[0])
        _close(ours["value"], theirs[1])


@pytest.mark.parametrize(("n", "seed", "tied"), CASES)
def test_areas_equal_sklift(n, seed, tied):
    y, t, s = _data(n, seed, tied)
    q = U.qini_auc(outcome=y, treatment=t, uplift=s)
    assert abs(q.estimate - skm.qini_auc_score(y, s, t)) <= TOL
    assert q.curve == "qini" and q.negative_effect is True and q.n == n
    u = U.uplift_auc(outcome=y, treatment=t, uplift=s)
    assert abs(u.estimate - skm.uplift_auc_score(y, s, t)) <= TOL
    r = y[t == 1].sum() - (t == 1).sum() * y[t == 0].sum() / (t == 0).sum()
    if r >= 0:
        q2 = U.qini_auc(outcome=y, treatment=t, uplift=s, negative_effect=False)
        assert abs(q2.estimate - skm.qini_auc_score(y, s, t, negative_effect=False)) <= TOL
        c = U.perfect_qini_curve(outcome=y, treatment=t, negative_effect=False)
        px, py = skm.perfect_qini_curve(y, t, negative_effect=False)
        _close(c["targeted"], px)
        _close(c["value"], py)
    else:
        with pytest.raises(ValueError):
            skm.qini_auc_score(y, s, t, negative_effect=False)
        with pytest.raises(InsufficientDataError):
            U.qini_auc(outcome=y, treatment=t, uplift=s, negative_effect=False)


@pytest.mark.parametrize(("n", "seed", "tied"), CASES)
@pytest.mark.parametrize("strategy", ["overall", "by_group"])
def test_uplift_at_k_equals_sklift(n, seed, tied, strategy):
    y, t, s = _data(n, seed, tied)
    checked = 0
    for k in [0.1, 0.3, 0.5, 0.77, 1, 2, 3, n // 2, n - 1]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            try:
                theirs = skm.uplift_at_k(y, s, t, strategy=strategy, k=k)
            except ValueError:
                with pytest.raises(LimitError):
                    U.uplift_at_k(outcome=y, treatment=t, uplift=s, k=k, strategy=strategy)
                continue
        if np.isnan(theirs):
            with pytest.raises(InsufficientDataError):
                U.uplift_at_k(outcome=y, treatment=t, uplift=s, k=k, strategy=strategy)
            continue
        ours = U.uplift_at_k(outcome=y, treatment=t, uplift=s, k=k, strategy=strategy)
        assert abs(ours.estimate - theirs) <= TOL, k
        assert ours.strategy == strategy and ours.k == k
        checked += 1
    assert checked >= (1 if n < 10 else 3)


@pytest.mark.parametrize(("n", "seed", "tied"), [c for c in CASES if c[0] > 10])
@pytest.mark.parametrize("strategy", ["overall", "by_group"])
@pytest.mark.parametrize("bins", [10, 7, 3])
def test_uplift_by_percentile_equals_sklift(n, seed, tied, strategy, bins):
    y, t, s = _data(n, seed, tied)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        theirs = skm.uplift_by_percentile(y, s, t, strategy=strategy, bins=bins, std=True, total=True)
    ours = U.uplift_by_percentile(outcome=y, treatment=t, uplift=s, bins=bins, strategy=strategy)
    assert ours["percentile"] == list(theirs.index)
    for a, b in [
        ("n_treated", "n_treatment"),
        ("n_control", "n_control"),
        ("rate_treated", "response_rate_treatment"),
        ("rate_control", "response_rate_control"),
        ("uplift", "uplift"),
    ]:
        _close(ours[a], theirs[b].to_numpy(float))
    # Standard errors of the bins (sklift's total row sums the bins' deviations instead).
    for a, b in [("se_treated", "std_treatment"), ("se_control", "std_control"), ("se_uplift", "std_uplift")]:
        _close(ours[a][:-1], theirs[b].to_numpy(float)[:-1])
    # Intervals: NaN exactly where an arm is empty, and around the estimate otherwise.
    ok = ~np.isnan(ours["uplift"])
    assert np.all(np.isnan(ours["ci_low"][~ok]))
    assert np.all(ours["ci_low"][ok] <= ours["uplift"][ok]) and np.all(ours["uplift"][ok] <= ours["ci_high"][ok])


def test_wilson_and_wald_intervals_by_hand():
    from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

    y, t, s = _data(400, 3, False)
    w = U.uplift_by_percentile(outcome=y, treatment=t, uplift=s, bins=2)
    row = 0
    nt, yt, nc, yc = (int(w[c][row]) for c in ("n_treated", "responders_treated", "n_control", "responders_control"))
    lo, hi = proportion_confint(yt, nt, method="wilson")
    _close([w["rate_treated_ci_low"][row], w["rate_treated_ci_high"][row]], [lo, hi])
    lo, hi = confint_proportions_2indep(yt, nt, yc, nc, method="newcomb", compare="diff")
    _close([w["ci_low"][row], w["ci_high"][row]], [lo, hi])
    d = U.uplift_by_percentile(outcome=y, treatment=t, uplift=s, bins=2, interval="wald", confidence=0.9)
    z = 1.6448536269514722
    _close(d["ci_high"][row] - d["uplift"][row], z * d["se_uplift"][row])


def test_t_learner_equals_two_statsmodels_logits():
    rng = np.random.default_rng(5)
    n = 3000
    x = rng.normal(size=(n, 3))
    t = rng.integers(0, 2, n)
    p = 1 / (1 + np.exp(-(0.2 + x @ [0.5, -0.3, 0.1] + t * (0.4 + 0.8 * x[:, 0]))))
    y = (rng.random(n) < p).astype(int)
    m = U.fit_t_learner(x=x, outcome=y, treatment=t, penalty="none")
    summ = m.summary()
    fits = {}
    for arm, flag in [("treated", 1), ("control", 0)]:
        res = sm.Logit(y[t == flag], sm.add_constant(x[t == flag])).fit(disp=0, tol=1e-12, maxiter=200)
        fits[arm] = res
        rows = np.array(summ["model"]) == arm
        _close(summ["coef"][rows], res.params, 1e-8)
        _close(summ["se"][rows], res.bse, 1e-7)
    xv = rng.normal(size=(50, 3))
    pt = fits["treated"].predict(sm.add_constant(xv))
    pc = fits["control"].predict(sm.add_constant(xv))
    pred = m.predict(xv)
    _close(pred["p_treated"], pt, 1e-8)
    _close(pred["p_control"], pc, 1e-8)
    _close(pred["uplift"], pt - pc, 1e-8)
    _close(m.predict_uplift(xv), pt - pc, 1e-8)


def test_class_transformation_equals_a_statsmodels_logit_of_z():
    rng = np.random.default_rng(6)
    n = 2000
    x = rng.normal(size=(n, 2))
    t = np.r_[np.zeros(n // 2, int), np.ones(n // 2, int)]
    y = (rng.random(n) < 1 / (1 + np.exp(-(x[:, 1] + t * x[:, 0])))).astype(int)
    m = U.fit_class_transformation(x=x, outcome=y, treatment=t, penalty="none")
    z = y * t + (1 - y) * (1 - t)
    res = sm.Logit(z, sm.add_constant(x)).fit(disp=0, tol=1e-12, maxiter=200)
    _close(m.summary()["coef"], res.params, 1e-8)
    _close(m.predict_uplift(x), 2 * res.predict(sm.add_constant(x)) - 1, 1e-8)
    assert np.all(np.isnan(m.predict(x)["p_treated"]))


@pytest.mark.parametrize("fit", [U.fit_t_learner, U.fit_class_transformation, U.fit_x_learner])
def test_models_find_a_planted_effect_and_explain_it(fit):
    rng = np.random.default_rng(7)
    n = 6000
    x = rng.normal(size=(n, 2))
    t = rng.integers(0, 2, n)
    base = -0.3 + 0.8 * x[:, 1]
    truth = 1 / (1 + np.exp(-(base + 1.2 * x[:, 0]))) - 1 / (1 + np.exp(-base))
    y = (rng.random(n) < 1 / (1 + np.exp(-(base + t * 1.2 * x[:, 0])))).astype(int)
    df = {"refund_delay_days": x[:, 0], "tenure": x[:, 1], "stayed": y, "called": t}
    m = fit(df, outcome="stayed", treatment="called")
    assert m.names == ["refund_delay_days", "tenure"] and m.n == n and m.converged
    u = m.predict_uplift(df)
    assert np.corrcoef(u, truth)[0, 1] > 0.9
    c = m.contributions(df)
    _close(c.sum(axis=1) + m.baseline, u, 1e-12)
    r = m.reasons(df, reasons=2)
    top = int(np.argmax(u))
    assert r["reason_1_feature"][top] == "refund_delay_days"
    assert r["reason_1_contribution"][top] > 0
    # Layouts: C, Fortran, strided give the same numbers.
    xc = np.ascontiguousarray(x)
    _close(m.predict_uplift(np.asfortranarray(x)), m.predict_uplift(xc), 0)
    wide = np.zeros((n, 4))
    wide[:, ::2] = x
    _close(m.predict_uplift(wide[:, ::2]), m.predict_uplift(xc), 0)


def test_x_learner_propensity():
    y, t, s = _data(500, 8, False)
    x = np.c_[s, np.sin(np.arange(500))]
    m = U.fit_x_learner(x=x, outcome=y, treatment=t)
    assert m.propensity == t.mean()
    assert U.fit_x_learner(x=x, outcome=y, treatment=t, propensity=0.3).propensity == 0.3
    with pytest.raises(InvalidOptionError) as e:
        U.fit_x_learner(x=x, outcome=y, treatment=t, propensity=1.5)
    assert e.value.arg == "propensity"
    assert U.fit_t_learner(x=x, outcome=y, treatment=t).propensity is None


def test_qini_bootstrap_interval_is_seeded():
    y, t, s = _data(800, 9, False)
    a = U.qini_auc(outcome=y, treatment=t, uplift=s, resamples=300, seed=4)
    b = U.qini_auc(outcome=y, treatment=t, uplift=s, resamples=300, seed=4)
    c = U.qini_auc(outcome=y, treatment=t, uplift=s, resamples=300, seed=5)
    assert a == b and a.ci_low != c.ci_low
    assert a.method == "bootstrap" and a.confidence == 0.95 and a.seed == 4
    assert a.resamples + a.n_undefined == 300
    assert a.ci_low < a.estimate < a.ci_high and a.se > 0
    assert a.estimate == U.qini_auc(outcome=y, treatment=t, uplift=s).estimate
    with pytest.raises(LimitError) as e:
        U.qini_auc(outcome=y, treatment=t, uplift=s, resamples=10**6)
    assert e.value.arg == "resamples"
    with pytest.raises(InvalidOptionError):
        U.qini_auc(outcome=y, treatment=t, uplift=s, resamples=5)
    with pytest.raises(InputError):
        U.qini_auc(outcome=y, treatment=t, uplift=s, resamples=100, seed=-1)


def test_balance_equals_numpy():
    rng = np.random.default_rng(10)
    x = rng.normal(size=(300, 3))
    t = rng.integers(0, 2, 300)
    x[t == 1, 2] += 0.5
    b = U.balance(x=x, treatment=t)
    a, c = x[t == 1], x[t == 0]
    smd = (a.mean(0) - c.mean(0)) / np.sqrt((a.var(0, ddof=1) + c.var(0, ddof=1)) / 2)
    _close(b.table["smd"], smd)
    _close(b.table["sd_treated"], a.std(0, ddof=1))
    assert b.table["feature"] == ["x0", "x1", "x2"]
    assert b.table["imbalanced"].tolist() == list(np.abs(smd) > 0.1)
    assert (b.n_treated, b.n_control, b.threshold) == ((t == 1).sum(), (t == 0).sum(), 0.1)


def test_roles_by_name_and_pandas():
    pd = pytest.importorskip("pandas")
    y, t, s = _data(60, 11, True)
    df = pd.DataFrame({"y": y, "t": t.astype(bool), "s": s})
    a = U.qini_auc(df, outcome="y", treatment="t", uplift="s")
    assert a.estimate == U.qini_auc(outcome=y, treatment=t, uplift=s).estimate
    with pytest.raises(ColumnNotFoundError):
        U.qini_auc(df, outcome="nope", treatment="t", uplift="s")


BAD = [
    # (kwargs changes, error class, arg)
    ({"treatment": [1, 0, 2, 0, 1, 0]}, InputError, "treatment"),
    ({"treatment": [1, 0, np.nan, 0, 1, 0]}, MissingValueError, "treatment"),
    ({"treatment": [1, 1, 1, 1, 1, 1]}, EmptyInputError, "treatment"),
    ({"treatment": [0, 0, 0, 0, 0, 0]}, EmptyInputError, "treatment"),
    ({"outcome": [1, 0, 0.5, 0, 1, 0]}, InputError, "outcome"),
    ({"outcome": [1, 0, 1]}, LengthMismatchError, None),
    ({"uplift": [0.1, 0.2, np.inf, 0.3, 0.2, 0.1]}, NonFiniteError, "uplift"),
    ({"uplift": [0.1, 0.2, np.nan, 0.3, 0.2, 0.1]}, MissingValueError, "uplift"),
    ({"uplift": [0.1, 0.2]}, LengthMismatchError, None),
]
GOOD = {"outcome": [1, 0, 1, 0, 1, 1], "treatment": [1, 0, 0, 1, 1, 0], "uplift": [0.9, 0.5, 0.4, 0.1, 0.3, 0.2]}


@pytest.mark.parametrize(("change", "err", "arg"), BAD)
@pytest.mark.parametrize(
    "call",
    [
        lambda **kw: U.qini_auc(**kw),
        lambda **kw: U.uplift_auc(**kw),
        lambda **kw: U.qini_curve(**kw),
        lambda **kw: U.uplift_at_k(**kw, k=0.5),
        lambda **kw: U.uplift_by_percentile(**kw, bins=2),
    ],
)
def test_bad_input_matrix(change, err, arg, call):
    with pytest.raises(err) as e:
        call(**{**GOOD, **change})
    assert isinstance(e.value, ValueError)
    if arg is not None:
        assert e.value.arg == arg


def test_bad_options():
    with pytest.raises(LimitError) as e:
        U.uplift_at_k(**GOOD, k=7)
    assert e.value.arg == "k"
    with pytest.raises(LimitError):
        U.uplift_at_k(**GOOD, k=4, strategy="by_group")
    with pytest.raises(InvalidOptionError):
        U.uplift_at_k(**GOOD, k=1.5)
    with pytest.raises(InvalidOptionError):
        U.uplift_at_k(**GOOD, k=True)
    with pytest.raises(InvalidOptionError):
        U.uplift_at_k(**GOOD, k=0.5, strategy="top")
    with pytest.raises(LimitError) as e:
        U.uplift_by_percentile(**GOOD, bins=6)
    assert e.value.arg == "bins"
    with pytest.raises(InvalidOptionError):
        U.uplift_by_percentile(**GOOD, interval="exact")
    with pytest.raises(InvalidOptionError):
        U.uplift_by_percentile(**GOOD, confidence=1.0)
    with pytest.raises(InsufficientDataError):
        U.qini_auc(outcome=[0, 0, 0, 0], treatment=[1, 0, 1, 0], uplift=[1, 2, 3, 4])


def test_model_bad_input_names_row_and_column():
    x = np.arange(12.0).reshape(6, 2)
    y, t = [1, 0, 1, 0, 1, 0], [1, 1, 1, 0, 0, 0]
    x[4, 1] = np.nan
    with pytest.raises(MissingValueError) as e:
        U.fit_t_learner(x=x, outcome=y, treatment=t)
    assert e.value.arg == "x" and e.value.index == (4, 1)
    x[4, 1] = np.inf
    with pytest.raises(NonFiniteError) as e:
        U.fit_t_learner(x=x, outcome=y, treatment=t)
    assert e.value.index == (4, 1)
    x[4, 1] = 0.0
    with pytest.raises(InsufficientDataError, match="treated arm has only outcome 1"):
        U.fit_t_learner(x=x, outcome=[1, 1, 1, 0, 1, 0], treatment=t)
    with pytest.raises(EmptyInputError) as e:
        U.fit_x_learner(x=x, outcome=y, treatment=[1] * 6)
    assert e.value.arg == "treatment"
    with pytest.raises(InputError) as e:
        U.fit_class_transformation(x=x, outcome=y, treatment=[1, 1, 2, 0, 0, 0])
    assert (e.value.arg, e.value.index) == ("treatment", 2)
    with pytest.raises(LengthMismatchError):
        U.fit_t_learner(x=x, outcome=y[:5], treatment=t[:5])
    m = U.fit_t_learner(x=x, outcome=y, treatment=t)
    with pytest.raises(LengthMismatchError):
        m.predict_uplift(np.zeros((2, 3)))
    with pytest.raises(MissingValueError) as e:
        m.predict_uplift(np.array([[1.0, 2.0], [np.nan, 1.0]]))
    assert e.value.index == (1, 0)
    with pytest.raises(InvalidOptionError):
        m.reasons(x, reasons=21)


@pytest.mark.parametrize("fit", [U.fit_t_learner, U.fit_class_transformation, U.fit_x_learner])
def test_model_pickle_and_bytes_round_trip(fit):
    y, t, s = _data(300, 12, False)
    x = np.c_[s, np.cos(np.arange(300))]
    m = fit(x=x, outcome=y, treatment=t)
    for back in (pickle.loads(pickle.dumps(m)), voc.uplift.UpliftModel.from_bytes(m.to_bytes())):
        assert back == m
        _close(back.predict_uplift(x), m.predict_uplift(x), 0)
    b = bytearray(m.to_bytes())
    b[20] ^= 4
    with pytest.raises(DecodeError):
        voc.uplift.UpliftModel.from_bytes(bytes(b))
    with pytest.raises(DecodeError):
        voc.risk.LogisticModel.from_bytes(m.to_bytes())
    assert m.to_dict()["method"] == m.method and "UpliftModel" in m._repr_html_()


def test_results_pickle_and_dicts():
    y, t, s = _data(200, 13, False)
    for r in [
        U.qini_auc(outcome=y, treatment=t, uplift=s),
        U.qini_auc(outcome=y, treatment=t, uplift=s, resamples=100),
        U.uplift_auc(outcome=y, treatment=t, uplift=s),
        U.uplift_at_k(outcome=y, treatment=t, uplift=s, k=0.5),
        U.uplift_at_k(outcome=y, treatment=t, uplift=s, k=50),
        U.balance(x=np.c_[s, y], treatment=t),
    ]:
        back = pickle.loads(pickle.dumps(r))
        assert back == r
        d = r.to_dict()
        assert d["n_treated"] == r.n_treated
        assert r._repr_html_().startswith("<p><b>voc")
        assert type(r).__name__ in repr(r)
    for tab in [
        U.qini_curve(outcome=y, treatment=t, uplift=s),
        U.uplift_by_percentile(outcome=y, treatment=t, uplift=s),
    ]:
        assert tab.meta is None and len(tab) > 0


def test_docstring_examples_run():
    import doctest
    import inspect

    for name in U.__all__:
        obj = getattr(U, name)
        if inspect.isfunction(obj):
            assert ">>>" in (obj.__doc__ or ""), f"{name} has no example"
    result = doctest.testmod(U, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 10 and result.failed == 0


def test_the_guide_example_runs():
    import doctest
    import pathlib

    guide = pathlib.Path(__file__).resolve().parents[2] / "docs" / "uplift.md"
    result = doctest.testfile(str(guide), module_relative=False, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 5 and result.failed == 0
