"""voc.risk: live cross-checks against scikit-learn and statsmodels, the binding surface, the bad-input
matrix, alerts, cross-validation, persistence and threads."""

from __future__ import annotations

import pickle
import threading

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st
import statsmodels.api as sm
from sklearn.calibration import calibration_curve
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.preprocessing import StandardScaler

import voc

# Coefficients of smooth fits agree to this (both solvers run to tol 1e-12 or tighter).
COEF_TOL = 1e-6


def logistic_data(n: int = 600, seed: int = 11) -> tuple[np.ndarray, np.ndarray]:
    """Realistic logistic data: features on very different scales and offsets, overlapping classes."""
    rng = np.random.default_rng(seed)
    scales = np.array([1.0, 30.0, 0.05, 400.0, 2.0])
    offsets = np.array([0.0, 100.0, -2.0, 5_000.0, 3.0])
    z = rng.normal(size=(n, 5))
    z[:, 4] += 0.6 * z[:, 0]  # correlated, not collinear
    X = offsets + scales * z
    eta = -0.8 + z @ np.array([1.1, -0.7, 0.4, 0.0, 0.25])
    y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(np.float64)
    return X, y


def sk_lbfgs(X: np.ndarray, y: np.ndarray, C: float, **kw: object) -> LogisticRegression:
    return LogisticRegression(C=C, l1_ratio=0.0, solver="lbfgs", tol=1e-12, max_iter=100_000, **kw).fit(X, y)


@pytest.fixture(scope="module")
def xy() -> tuple[np.ndarray, np.ndarray]:
    return logistic_data()


@pytest.fixture(scope="module")
def retail() -> voc.signals.EventLog:
    return voc.signals.EventLog(**voc.sample.retailer(seed=7, customers=5_000).tables())


# --- live cross-checks: the model ---


@pytest.mark.parametrize("C", [0.1, 1.0, 10.0])
def test_l2_standardised_matches_sklearn_on_scaled_data(xy: tuple[np.ndarray, np.ndarray], C: float) -> None:
    X, y = xy
    m = voc.risk.fit_logistic(x=X, y=y, penalty="l2", C=C)
    assert m.converged
    Z = StandardScaler().fit_transform(X)  # population SD, as voc
    ref = sk_lbfgs(Z, y, C)
    np.testing.assert_allclose(m.coef_std, ref.coef_[0], rtol=0, atol=COEF_TOL)
    sd = X.std(axis=0)
    np.testing.assert_allclose(m.coef, ref.coef_[0] / sd, rtol=COEF_TOL, atol=0)
    intercept = ref.intercept_[0] - np.sum(ref.coef_[0] / sd * X.mean(axis=0))
    assert m.intercept == pytest.approx(intercept, abs=COEF_TOL)
    np.testing.assert_allclose(m.predict_proba(X), ref.predict_proba(Z)[:, 1], rtol=0, atol=COEF_TOL)


def test_l2_unstandardised_matches_sklearn_on_raw_data() -> None:
    # Raw scales within a range lbfgs handles at tol 1e-12.
    X, y = logistic_data(seed=3)
    X = X[:, [0, 2, 4]] * np.array([1.0, 20.0, 1.0])
    m = voc.risk.fit_logistic(x=X, y=y, penalty="l2", C=0.5, standardize=False)
    ref = sk_lbfgs(X, y, 0.5)
    np.testing.assert_allclose(m.coef, ref.coef_[0], rtol=0, atol=COEF_TOL)
    assert m.intercept == pytest.approx(ref.intercept_[0], abs=COEF_TOL)
    assert m.coef == m.coef_std  # no scaling


def test_class_weight_balanced_matches_sklearn(xy: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = xy
    Z = StandardScaler().fit_transform(X)
    m = voc.risk.fit_logistic(x=Z, y=y, C=1.0, class_weight="balanced", standardize=False)
    ref = sk_lbfgs(Z, y, 1.0, class_weight="balanced")
    np.testing.assert_allclose(m.coef, ref.coef_[0], rtol=0, atol=COEF_TOL)
    assert m.intercept == pytest.approx(ref.intercept_[0], abs=COEF_TOL)
    # "balanced" is n / (2 n_class) per row: the same fit as those sample weights, to the last bit.
    n1 = y.sum()
    w = np.where(y == 1, len(y) / (2 * n1), len(y) / (2 * (len(y) - n1)))
    same = voc.risk.fit_logistic(x=X, y=y, weights=w)
    assert voc.risk.fit_logistic(x=X, y=y, class_weight="balanced").coef == same.coef
    manual = voc.risk.fit_logistic(x=Z, y=y, class_weight={0: 0.5, 1: 2.0}, standardize=False)
    ref = sk_lbfgs(Z, y, 1.0, class_weight={0: 0.5, 1: 2.0})
    np.testing.assert_allclose(manual.coef, ref.coef_[0], rtol=0, atol=COEF_TOL)


def test_sample_weight_matches_sklearn(xy: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = xy
    w = np.random.default_rng(5).uniform(0.2, 3.0, len(y))
    # Standardisation uses the weighted mean and weighted population SD.
    mu = np.average(X, axis=0, weights=w)
    sd = np.sqrt(np.average((X - mu) ** 2, axis=0, weights=w))
    Z = (X - mu) / sd
    ref = LogisticRegression(C=2.0, tol=1e-12, max_iter=100_000).fit(Z, y, sample_weight=w)
    m = voc.risk.fit_logistic(x=X, y=y, weights=w, C=2.0)
    np.testing.assert_allclose(m.coef_std, ref.coef_[0], rtol=0, atol=COEF_TOL)
    np.testing.assert_allclose(m.coef, ref.coef_[0] / sd, rtol=COEF_TOL, atol=0)
    # Integer weights are row repeats.
    k = np.random.default_rng(6).integers(1, 4, len(y))
    rep = voc.risk.fit_logistic(x=np.repeat(X, k, axis=0), y=np.repeat(y, k))
    np.testing.assert_allclose(voc.risk.fit_logistic(x=X, y=y, weights=k.astype(float)).coef, rep.coef, rtol=1e-9)


def test_l1_matches_saga_zero_pattern_and_values() -> None:
    X, y = logistic_data(n=400, seed=21)
    Z = StandardScaler().fit_transform(X)
    C = 0.02
    m = voc.risk.fit_logistic(x=X, y=y, penalty="l1", C=C)
    ref = LogisticRegression(C=C, l1_ratio=1.0, solver="saga", tol=1e-12, max_iter=1_000_000).fit(Z, y)
    sk = ref.coef_[0]
    zero = np.abs(sk) < 1e-8
    assert 0 < zero.sum() < len(sk)  # a real sparsity pattern
    assert list(np.asarray(m.coef_std) == 0.0) == list(zero)
    np.testing.assert_allclose(m.coef_std, sk, rtol=0, atol=COEF_TOL)
    en = voc.risk.fit_logistic(x=X, y=y, penalty="elasticnet", l1_ratio=0.5, C=0.05)
    ref = LogisticRegression(C=0.05, l1_ratio=0.5, solver="saga", tol=1e-12, max_iter=1_000_000).fit(Z, y)
    np.testing.assert_allclose(en.coef_std, ref.coef_[0], rtol=0, atol=COEF_TOL)


def test_no_penalty_inference_matches_statsmodels(xy: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = xy
    m = voc.risk.fit_logistic(x=X, y=y, penalty="none")
    ref = sm.Logit(y, sm.add_constant(X)).fit(method="newton", tol=1e-14, maxiter=200, disp=0)
    t = m.summary().to_pandas()
    assert list(t["term"]) == ["(intercept)", "x0", "x1", "x2", "x3", "x4"]
    rel = dict(rtol=1e-6, atol=0)
    np.testing.assert_allclose(t["coef"], ref.params, **rel)
    np.testing.assert_allclose(t["se"], ref.bse, **rel)
    np.testing.assert_allclose(t["z"], ref.tvalues, **rel)
    np.testing.assert_allclose(t["p_value"], ref.pvalues, **rel)
    ci = ref.conf_int(alpha=0.05)
    np.testing.assert_allclose(t["ci_low"], ci[:, 0], **rel)
    np.testing.assert_allclose(t["ci_high"], ci[:, 1], **rel)
    np.testing.assert_allclose(t["odds_ratio"], np.exp(ref.params), **rel)
    np.testing.assert_allclose(t["odds_ratio_ci_low"], np.exp(ci[:, 0]), **rel)
    assert m.log_likelihood == pytest.approx(ref.llf, rel=1e-9)
    assert m.null_log_likelihood == pytest.approx(ref.llnull, rel=1e-9)
    stat, p = m.lr_statistic, m.lr_p_value
    assert stat == pytest.approx(ref.llr, rel=1e-6)
    assert p == pytest.approx(ref.llr_pvalue, rel=1e-6)
    assert m.pseudo_r2 == pytest.approx(ref.prsquared, rel=1e-6)
    # A 90% interval.
    t90 = voc.risk.fit_logistic(x=X, y=y, penalty="none", confidence=0.9).summary()
    np.testing.assert_allclose(t90["ci_low"], ref.conf_int(alpha=0.1)[:, 0], **rel)
    assert voc.risk.fit_logistic(x=X, y=y, penalty="none", confidence=0.9).confidence == 0.9
    # Penalised fits have no inference.
    tl2 = voc.risk.fit_logistic(x=X, y=y).summary().to_pandas()
    assert tl2["se"].isna().all() and voc.risk.fit_logistic(x=X, y=y).lr_statistic is None


# --- live cross-checks: evaluation ---


def scores_with_ties(n: int = 5_000, seed: int = 2) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.2).astype(np.float64)
    p = np.clip(0.2 + 0.25 * y + rng.normal(0, 0.2, n), 0, 1)
    return y, np.round(p, 2)  # many ties, exact 0s and 1s and values on bin edges


def test_roc_auc_average_precision_brier_match_sklearn() -> None:
    y, p = scores_with_ties()
    assert len(np.unique(p)) < 120
    assert voc.risk.roc_auc(y=y, scores=p) == pytest.approx(roc_auc_score(y, p), abs=1e-12)
    e = voc.risk.evaluate(y=y, scores=p, threshold=0.4)
    assert isinstance(e, voc.risk.EvaluationResult)
    assert e.roc_auc == pytest.approx(roc_auc_score(y, p), abs=1e-12)
    assert e.average_precision == pytest.approx(average_precision_score(y, p), abs=1e-12)
    assert e.brier == pytest.approx(brier_score_loss(y, p), abs=1e-12)
    flagged = p >= 0.4
    assert e.true_positives == int(np.sum(flagged & (y == 1)))
    assert e.false_positives == int(np.sum(flagged & (y == 0)))
    assert e.precision == pytest.approx(np.mean(y[flagged]), abs=1e-15)
    assert e.base_rate == pytest.approx(y.mean(), abs=1e-15)
    assert e.threshold == 0.4 and e.n == len(y) and e.confusion.true_positives == e.true_positives
    d = e.to_dict()
    assert d["roc_auc"] == e.roc_auc and d["true_negatives"] == e.true_negatives and d["n"] == len(y)
    assert "<table>" in e._repr_html_()
    assert pickle.loads(pickle.dumps(e)) == e
    # Continuous scores, negative scores (decision function) and a Mann-Whitney check by hand.
    s = np.random.default_rng(4).normal(size=y.size) + y
    assert voc.risk.roc_auc(y=y, scores=s) == pytest.approx(roc_auc_score(y, s), abs=1e-12)
    assert voc.risk.roc_auc(y=[0, 0, 1, 1], scores=[0.1, 0.4, 0.35, 0.8]) == 0.75
    assert voc.risk.roc_auc(y=[0, 1, 0, 1], scores=[0.5, 0.5, 0.2, 0.9]) == pytest.approx(0.875, abs=0)


@given(
    st.lists(st.tuples(st.booleans(), st.integers(-3, 3)), min_size=2, max_size=60).filter(
        lambda v: 0 < sum(b for b, _ in v) < len(v)
    )
)
def test_roc_auc_property_matches_sklearn(pairs: list[tuple[bool, int]]) -> None:
    y = np.array([b for b, _ in pairs], dtype=float)
    s = np.array([k / 2 for _, k in pairs])  # few distinct values: ties everywhere
    assert voc.risk.roc_auc(y=y, scores=s) == pytest.approx(roc_auc_score(y, s), abs=1e-12)
    assert voc.risk.evaluate(y=y, scores=s).average_precision == pytest.approx(average_precision_score(y, s), abs=1e-12)
    # Ranking invariance: a monotone transform leaves the AUC unchanged, reversing gives 1 − AUC.
    assert voc.risk.roc_auc(y=y, scores=np.exp(s)) == voc.risk.roc_auc(y=y, scores=s)
    assert voc.risk.roc_auc(y=y, scores=-s) == pytest.approx(1 - voc.risk.roc_auc(y=y, scores=s), abs=1e-15)


def test_calibration_matches_sklearn_calibration_curve() -> None:
    y, p = scores_with_ties()
    for bins in (10, 7, 4):
        t = voc.risk.calibration(y=y, scores=p, bins=bins)
        prob_true, prob_pred = calibration_curve(y, p, n_bins=bins, strategy="uniform")
        np.testing.assert_allclose(t["observed"], prob_true, rtol=0, atol=1e-12)
        np.testing.assert_allclose(t["mean_predicted"], prob_pred, rtol=0, atol=1e-12)
        assert int(np.sum(t["n"])) == len(y)
    t = voc.risk.calibration(y=y, scores=p).to_pandas()
    assert (t.observed_ci_low <= t.observed).all() and (t.observed <= t.observed_ci_high).all()


def test_lift_hand_checked() -> None:
    # Sorted by score: y = 1 1 0 1 0 0 0 1 0 0 → groups of two: (1,1) (0,1) (0,0) (0,1) (0,0).
    scores = np.array([0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1])
    y = np.array([1, 1, 0, 1, 0, 0, 0, 1, 0, 0], dtype=float)
    order = np.random.default_rng(0).permutation(10)
    t = voc.risk.lift(y=y[order], scores=scores[order], bins=5).to_pandas()
    assert list(t.group) == [1, 2, 3, 4, 5]
    assert list(t.n) == [2] * 5
    assert list(t.churners) == [2, 1, 0, 1, 0]
    assert list(t.rate) == [1.0, 0.5, 0.0, 0.5, 0.0]
    assert list(t.lift) == [2.5, 1.25, 0.0, 1.25, 0.0]  # base rate 0.4
    assert list(t.cumulative_gain) == [0.5, 0.75, 0.75, 1.0, 1.0]
    np.testing.assert_allclose(t.cumulative_lift, [2.5, 1.875, 1.25, 1.25, 1.0], rtol=0, atol=1e-15)
    assert list(t.score_high) == [0.95, 0.8, 0.6, 0.4, 0.2]
    assert list(t.score_low) == [0.9, 0.7, 0.5, 0.3, 0.1]
    # 10 rows in 3 groups: 4, 3, 3.
    assert list(voc.risk.lift(y=y, scores=scores, bins=3)["n"]) == [4, 3, 3]


def test_thresholds_and_confusion_hand_checked() -> None:
    y = [1, 1, 0, 1, 0]
    s = [0.9, 0.8, 0.7, 0.6, 0.1]
    t = voc.risk.threshold_for_precision(y=y, scores=s, target=0.75)
    assert isinstance(t, voc.risk.PrecisionThresholdResult)
    assert (t.found, t.target, t.threshold, t.precision, t.recall) == (True, 0.75, 0.6, 0.75, 1.0)
    t = voc.risk.threshold_for_precision(y=y, scores=s, target=1.0)
    assert (t.threshold, t.precision, t.recall) == (0.8, 1.0, 2 / 3)
    assert t.to_dict() == {"found": True, "target": 1.0, "threshold": 0.8, "precision": 1.0, "recall": 2 / 3}
    assert voc.risk.threshold_top_k(scores=s, k=2) == 0.8
    assert voc.risk.threshold_top_k(s, k=2) == 0.8  # the natural positional form
    assert voc.risk.threshold_top_k({"p": s}, scores="p", k=2) == 0.8
    c = voc.risk.confusion(y=y, scores=s, threshold=0.7)
    assert isinstance(c, voc.risk.ConfusionResult)
    assert (c.true_positives, c.false_positives, c.true_negatives, c.false_negatives) == (2, 1, 1, 1)
    assert (c.threshold, c.n, c.precision, c.recall, c.accuracy) == (0.7, 5, 2 / 3, 2 / 3, 0.6)
    assert c.to_dict()["false_negatives"] == 1 and "<table>" in c._repr_html_()
    assert pickle.loads(pickle.dumps(c)) == c
    none = voc.risk.threshold_for_precision(y=[0, 0, 1], scores=[0.9, 0.8, 0.1], target=0.9)
    assert none.found is False and none.threshold is None and none.precision is None and none.recall is None
    assert none.target == 0.9 and pickle.loads(pickle.dumps(none)) == none


# --- binding surface ---


def test_input_kinds_agree(retail: voc.signals.EventLog) -> None:
    X = retail.features("2024-10-01")
    y = retail.labels("2024-10-01", horizon_days=180)
    ref = voc.risk.fit_logistic(x=X, y=y, missing="impute_mean")
    assert "customer_id" not in ref.names and ref.names == [c for c in X.columns if c != "customer_id"]
    df = X.to_pandas()
    churned = np.asarray(y["churned"])
    assert churned.dtype == bool
    for Xk in (df, pl.from_pandas(df), pa.Table.from_pandas(df, preserve_index=False),
               {c: df[c].to_numpy() for c in df.columns}):
        for yk in (y, churned, pd.Series(churned), churned.astype(np.int64)):
            m = voc.risk.fit_logistic(x=Xk, y=yk, missing="impute_mean")
            assert m.coef == ref.coef and m.intercept == ref.intercept, (type(Xk), type(yk))
    # A 2-D array: features x0, x1, ...
    arr = df.drop(columns="customer_id").to_numpy()
    m = voc.risk.fit_logistic(x=arr, y=churned, missing="impute_mean")
    assert m.names == [f"x{j}" for j in range(arr.shape[1])]
    assert m.coef == ref.coef
    np.testing.assert_array_equal(m.predict_proba(arr), ref.predict_proba(X))


def test_predict_selects_columns_by_name(xy: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = xy
    df = pd.DataFrame(X, columns=["a", "b", "c", "d", "e"])
    m = voc.risk.fit_logistic(x=df, y=y)
    p = m.predict_proba(df)
    shuffled = df[["e", "c", "a", "d", "b"]].assign(extra=np.arange(len(df)), customer_id=np.arange(len(df)))
    np.testing.assert_array_equal(m.predict_proba(shuffled), p)
    np.testing.assert_array_equal(m.predict_proba(pl.from_pandas(shuffled)), p)
    eta = m.decision_function(shuffled)
    np.testing.assert_allclose(1 / (1 + np.exp(-eta)), p, rtol=1e-14, atol=0)
    np.testing.assert_allclose(eta, m.intercept + X @ np.asarray(m.coef), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(m.predict_proba(X), p)  # a 2-D array is taken in order
    with pytest.raises(voc.ColumnNotFoundError, match=r'x = "c": the table has no such column') as exc:
        m.predict_proba(df.drop(columns="c"))
    assert isinstance(exc.value, ValueError) and isinstance(exc.value, KeyError)
    assert (exc.value.arg, exc.value.value) == ("x", "c")
    with pytest.raises(voc.LengthMismatchError, match="x has 4 values but model features has 5"):
        m.predict_proba(X[:, :4])


def test_impute_mean_stores_training_means() -> None:
    X, y = logistic_data(n=300, seed=8)
    Xn = X.copy()
    Xn[::7, 1] = np.nan
    m = voc.risk.fit_logistic(x=Xn, y=y, missing="impute_mean")
    filled = Xn.copy()
    filled[::7, 1] = np.nanmean(Xn[:, 1])
    ref = voc.risk.fit_logistic(x=filled, y=y)
    np.testing.assert_allclose(m.coef, ref.coef, rtol=1e-12)
    # At prediction, NaN becomes the training mean, not the mean of the new data.
    new = X[:5].copy()
    new[0, 1] = np.nan
    want = new.copy()
    want[0, 1] = np.nanmean(Xn[:, 1])
    np.testing.assert_allclose(m.predict_proba(new), ref.predict_proba(want), rtol=1e-12)
    strict = voc.risk.fit_logistic(x=X, y=y)
    with pytest.raises(voc.MissingValueError, match=r'x\[row 0, column "x1"\]'):
        strict.predict_proba(new)


# --- bad input ---


def _fit_err(X: object, y: object, **kw: object) -> BaseException:
    with pytest.raises(voc.VocError) as exc:
        voc.risk.fit_logistic(x=X, y=y, **kw)
    return exc.value


@pytest.fixture(scope="module")
def small() -> tuple[np.ndarray, np.ndarray]:
    return logistic_data(n=200, seed=1)


def test_nan_inf_in_x(small: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = small
    Xn = X.copy()
    Xn[5, 1] = np.nan
    e = _fit_err(pd.DataFrame(Xn, columns=list("abcde")), y)
    assert type(e) is voc.MissingValueError and isinstance(e, ValueError) and e.arg == "x"
    assert str(e).startswith('x[row 5, column "b"] is missing (NaN')
    assert 'missing="impute_mean"' in str(e)
    Xi = X.copy()
    Xi[7, 2] = -np.inf
    e = _fit_err(Xi, y)
    assert type(e) is voc.NonFiniteError and isinstance(e, ValueError)
    assert str(e) == 'x[row 7, column "x2"] = -inf is not finite'
    e = _fit_err(Xi, y, missing="impute_mean")  # imputation fills NaN only
    assert type(e) is voc.NonFiniteError


def test_nulls_in_dataframes_are_missing_values(small: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = small
    col = [None if i == 3 else float(v) for i, v in enumerate(X[:, 0])]
    a = pd.array(X[:, 0], dtype="Float64")
    a[3] = pd.NA
    for obj in (pd.DataFrame({"a": a, "b": X[:, 1]}), pl.DataFrame({"a": col, "b": X[:, 1]}),
                pa.table({"a": pa.array(col), "b": X[:, 1]})):
        e = _fit_err(obj, y)
        assert type(e) is voc.MissingValueError and str(e).startswith('x[row 3, column "a"] is missing'), obj
        m = voc.risk.fit_logistic(x=obj, y=y, missing="impute_mean")
        assert m.converged and m.n == len(y)


def test_bad_labels(small: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = small
    y2 = y.copy()
    y2[3] = 2
    e = _fit_err(X, y2)
    assert isinstance(e, voc.InputError) and isinstance(e, ValueError)
    assert (e.arg, e.index) == ("y", 3)
    assert str(e) == "y[3] = 2 is invalid: labels must be 0 or 1"
    yn = y.copy()
    yn[4] = np.nan
    e = _fit_err(X, yn)
    assert isinstance(e, voc.InputError) and "y[4]" in str(e)
    for one in (np.ones(len(y)), np.zeros(len(y))):
        e = _fit_err(X, one)
        assert type(e) is voc.InsufficientDataError and isinstance(e, ValueError)
        assert "only one class" in str(e)
    e = _fit_err(X, np.array(["churned", "stayed"] * 100))
    assert type(e) is voc.DtypeError and e.arg == "y"
    e = _fit_err(X, y[:-1])
    assert type(e) is voc.LengthMismatchError and isinstance(e, ValueError)
    assert "200" in str(e) and "199" in str(e)
    e = _fit_err(X, y, weights=np.ones(10))
    assert type(e) is voc.LengthMismatchError and "weights" in str(e)
    w = np.ones(len(y))
    w[9] = -1
    e = _fit_err(X, y, weights=w)
    assert isinstance(e, voc.InputError) and (e.arg, e.index) == ("weights", 9)


@pytest.mark.parametrize(
    "kw, arg, message",
    [
        ({"C": 0.0}, "C", "invalid option C = 0: must be positive and finite"),
        ({"C": -1.0}, "C", "C = -1"),
        ({"C": float("inf")}, "C", "C = inf"),
        ({"penalty": "l3"}, "penalty", 'penalty = l3: expected "l2", "l1", "elasticnet" or "none"'),
        ({"penalty": "elasticnet"}, "l1_ratio", "elasticnet needs l1_ratio in [0, 1]"),
        ({"penalty": "elasticnet", "l1_ratio": 1.5}, "l1_ratio", "l1_ratio = 1.5: must lie in [0, 1]"),
        ({"class_weight": "even"}, "class_weight", "class_weight = even"),
        ({"class_weight": {0: 1.0, 1: -2.0}}, "class_weight", "positive"),
        ({"missing": "median"}, "missing", "expected one of error, skip, impute_mean"),
        ({"missing": "mean"}, "missing", "missing = mean"),
        ({"max_iter": 0}, "max_iter", "max_iter = 0"),
        ({"tol": 0.0}, "tol", "tol = 0"),
        ({"confidence": 1.5}, "confidence", "confidence"),
    ],
)
def test_bad_options(small: tuple[np.ndarray, np.ndarray], kw: dict[str, object], arg: str, message: str) -> None:
    X, y = small
    e = _fit_err(X, y, **kw)
    assert type(e) is voc.InvalidOptionError and isinstance(e, ValueError)
    assert e.arg == arg
    assert message in str(e), str(e)


def test_separation_is_an_error_without_penalty_only() -> None:
    x = np.arange(20.0)[:, None]
    y = (x[:, 0] > 9.5).astype(float)
    e = _fit_err(x, y, penalty="none")
    assert type(e) is voc.InsufficientDataError and isinstance(e, ValueError)
    assert "perfectly separated" in str(e) and "use a penalty" in str(e)
    m = voc.risk.fit_logistic(x=x, y=y, penalty="l2")
    assert m.converged and m.coef[0] > 0
    p = m.predict_proba(x)
    assert np.all(p[y == 1] > 0.5) and np.all(p[y == 0] < 0.5)
    ref = sk_lbfgs(StandardScaler().fit_transform(x), y, 1.0)
    assert m.coef_std[0] == pytest.approx(ref.coef_[0][0], abs=COEF_TOL)


def test_collinear_columns_without_penalty(small: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = small
    Xc = np.column_stack([X[:, :3], X[:, 0] + 2 * X[:, 1]])
    e = _fit_err(pd.DataFrame(Xc, columns=["a", "b", "c", "a_plus_2b"]), y, penalty="none")
    assert type(e) is voc.InsufficientDataError and isinstance(e, ValueError)
    assert 'column "a_plus_2b" is a linear combination' in str(e) and "collinear" in str(e)
    # With a penalty the fit is unique (and equals scikit-learn's).
    m = voc.risk.fit_logistic(x=Xc, y=y, penalty="l2")
    ref = sk_lbfgs(StandardScaler().fit_transform(Xc), y, 1.0)
    np.testing.assert_allclose(m.coef_std, ref.coef_[0], rtol=0, atol=COEF_TOL)


def test_constant_column_gets_zero_coefficient(small: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = small
    Xk = np.column_stack([X[:, 0], np.full(len(y), 3.0), X[:, 1]])
    for penalty in ("l2", "none", "l1"):
        m = voc.risk.fit_logistic(x=Xk, y=y, penalty=penalty, C=10.0)
        ref = voc.risk.fit_logistic(x=Xk[:, [0, 2]], y=y, penalty=penalty, C=10.0)
        assert m.coef[1] == 0.0 and m.coef_std[1] == 0.0
        np.testing.assert_allclose(np.asarray(m.coef)[[0, 2]], ref.coef, rtol=1e-12)
        assert m.intercept == pytest.approx(ref.intercept, rel=1e-12)
    t = voc.risk.fit_logistic(x=Xk, y=y, penalty="none").summary().to_pandas()
    assert np.isnan(t.se[2]) and t.coef[2] == 0.0


def test_string_column_is_a_dtype_error(small: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = small
    df = pd.DataFrame(X, columns=list("abcde")).assign(region=["north", "south"] * 100)
    e = _fit_err(df, y)
    assert type(e) is voc.DtypeError and isinstance(e, ValueError) and isinstance(e, TypeError)
    assert e.arg == "x" and "column 'region' of x has dtype" in str(e)
    e = _fit_err(pa.Table.from_pandas(df, preserve_index=False), y)
    assert type(e) is voc.DtypeError and e.arg == "x" and "'region'" in str(e)
    e = _fit_err({**{c: df[c].to_numpy() for c in df.columns}}, y)
    assert type(e) is voc.DtypeError and e.arg == "x" and "'region'" in str(e)
    with pytest.raises(voc.DtypeError, match="x has dtype <U11"):
        voc.risk.fit_logistic("not a table", y=y)


def test_string_column_in_polars_is_a_dtype_error(small: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = small
    df = pl.DataFrame({"a": X[:, 0], "region": ["north", "south"] * 100})
    e = _fit_err(df, y)
    assert type(e) is voc.DtypeError and e.arg == "x" and "'region'" in str(e)


def test_bad_evaluation_input() -> None:
    with pytest.raises(voc.LengthMismatchError):
        voc.risk.roc_auc(y=[0, 1, 1], scores=[0.1, 0.2])
    with pytest.raises(voc.InsufficientDataError, match="both classes"):
        voc.risk.roc_auc(y=[1, 1], scores=[0.1, 0.2])
    with pytest.raises(voc.NonFiniteError, match=r"scores\[1\] = inf"):
        voc.risk.roc_auc(y=[0, 1], scores=[0.1, np.inf])
    with pytest.raises(voc.NonFiniteError, match=r"scores\[0\] = NaN is not finite"):
        voc.risk.roc_auc(y=[0, 1], scores=[np.nan, 0.2])
    with pytest.raises(voc.InputError, match=r"y\[1\] = 3"):
        voc.risk.roc_auc(y=[0, 3], scores=[0.1, 0.2])
    with pytest.raises(voc.InputError, match=r"scores\[1\] = 1.5"):
        voc.risk.calibration(y=[0, 1], scores=[0.1, 1.5])
    with pytest.raises(voc.InvalidOptionError, match="bins"):
        voc.risk.calibration(y=[0, 1], scores=[0.1, 0.5], bins=0)
    with pytest.raises(voc.InvalidOptionError, match="bins"):
        voc.risk.lift(y=[0, 1], scores=[0.1, 0.5], bins=3)
    with pytest.raises(voc.InvalidOptionError, match="k"):
        voc.risk.threshold_top_k(scores=[0.1, 0.5], k=3)
    with pytest.raises(voc.InvalidOptionError, match="target"):
        voc.risk.threshold_for_precision(y=[0, 1], scores=[0.1, 0.5], target=1.2)
    with pytest.raises(voc.EmptyInputError):
        voc.risk.roc_auc(y=[], scores=[])


# --- alerts ---


def test_alerts_rank_cut_and_explain(xy: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = xy
    names = ["refund_delay_max_days", "tickets", "x2", "x3", "x4"]
    df = pd.DataFrame(X, columns=names).assign(customer_id=np.arange(len(y)) * 10 + 7,
                                               value=np.linspace(50, 500, len(y)))
    m = voc.risk.fit_logistic(x=df.drop(columns="value"), y=y)
    full = voc.risk.alerts(df, model=m, value="value", capacity=None).to_pandas()
    p = m.predict_proba(df)
    ev = df["value"].to_numpy() * p * 0.3 - 5.0
    assert len(full) == int(np.sum(ev > 0))
    np.testing.assert_allclose(full.expected_value, np.sort(ev[ev > 0])[::-1], rtol=1e-12)
    assert (np.diff(full.expected_value) <= 0).all()
    rows = (full.customer_id.to_numpy() - 7) // 10
    np.testing.assert_allclose(full.probability, p[rows], rtol=1e-14)
    np.testing.assert_array_equal(full.value, df["value"].to_numpy()[rows])
    t = voc.risk.alerts(df, model=m, value="value", capacity=25, reasons=2)
    assert len(t) == 25 and t.meta is None
    assert list(t["customer_id"]) == list(full.customer_id[:25])
    assert "reason_3" not in t.columns
    # Reasons: features whose contribution coef · (x − mean) is positive, largest first, in words.
    means = X.mean(axis=0)
    for i, r in enumerate(rows[:25]):
        contrib = np.asarray(m.coef) * (X[r] - means)
        want = [names[j] for j in np.argsort(-contrib) if contrib[j] > 0][:2]
        got = [f for f in (t["reason_1_feature"][i], t["reason_2_feature"][i]) if f is not None]
        assert got == want
        for k in (1, 2):
            text = t[f"reason_{k}"][i]
            assert (text is None) == (t[f"reason_{k}_feature"][i] is None)
            if t[f"reason_{k}_feature"][i] == "refund_delay_max_days":
                assert text == f"waited {X[r, 0]:.0f} days for a refund"
    # A higher contact cost keeps fewer customers; min_probability filters.
    assert len(voc.risk.alerts(df, model=m, value="value", contact_cost=50.0)) < len(full)
    hi = voc.risk.alerts(df, model=m, value="value", min_probability=0.6)
    assert (np.asarray(hi["probability"]) >= 0.6).all()
    # Values as an array; a 2-D array gives row numbers as ids.
    arr = voc.risk.alerts(X, model=m, value=df["value"].to_numpy(), capacity=5)
    np.testing.assert_array_equal(arr["customer_id"], rows[:5])
    with pytest.raises(voc.InvalidOptionError, match="value names a column"):
        voc.risk.alerts(X, model=m, value="value")
    with pytest.raises(voc.InvalidOptionError, match="save_rate"):
        voc.risk.alerts(df, model=m, value="value", save_rate=1.5)


def test_alerts_on_retailer_name_refund_delays(retail: voc.signals.EventLog) -> None:
    cols = ["refund_delay_max_days", "tickets_90d", "recency_days", "nps_last", "frequency"]
    X = retail.features("2024-10-01")
    y = retail.labels("2024-10-01", horizon_days=180)
    train = X.to_pandas()
    m = voc.risk.fit_logistic(x=train[cols], y=y, missing="impute_mean")
    assert m.converged
    assert m.coef[0] > 0  # slow refunds raise churn risk (the planted cause)
    today = retail.features("2025-01-01")
    t = voc.risk.alerts(today, model=m, value="monetary", capacity=200)
    d = t.to_pandas()
    assert 0 < len(d) <= 200
    assert (d.expected_value > 0).all() and (np.diff(d.expected_value) <= 0).all()
    ids = set(np.asarray(today["customer_id"]))
    assert set(d.customer_id) <= ids
    money = dict(zip(np.asarray(today["customer_id"]), np.asarray(today["monetary"])))
    assert all(v == money[c] for c, v in zip(d.customer_id, d.value))
    texts = [s for k in (1, 2, 3) for s in t[f"reason_{k}"] if s is not None]
    assert all(isinstance(s, str) for s in texts)
    assert all(isinstance(s, str) for s in t["reason_1"])  # every listed customer has a reason
    refund = [s for s in texts if s.startswith("waited ") and s.endswith(" days for a refund")]
    assert refund, texts[:10]


# --- cross-validation ---


def test_cross_validate_seeded_and_stratified(xy: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = xy
    cv = voc.risk.cross_validate(x=X, y=y, k=5, seed=3)
    assert len(cv.table) == 5 and list(cv.table["fold"]) == [0, 1, 2, 3, 4]
    assert int(np.sum(cv.table["n"])) == len(y)
    again = voc.risk.cross_validate(x=X, y=y, k=5, seed=3)
    assert isinstance(cv, voc.risk.CrossValidationResult) and (cv.k, cv.seed, cv.n, cv.n_missing) == (5, 3, len(y), 0)
    np.testing.assert_array_equal(cv.fold, again.fold)
    np.testing.assert_array_equal(cv.table["roc_auc"], again.table["roc_auc"])
    assert cv.pooled_roc_auc == again.pooled_roc_auc
    other = voc.risk.cross_validate(x=X, y=y, k=5, seed=4)
    assert not np.array_equal(cv.fold, other.fold)
    fold = np.asarray(cv.fold)
    for f in range(5):
        n_f, k_f = np.sum(fold == f), np.sum(y[fold == f])
        assert abs(k_f - n_f * y.mean()) <= 1 + 1e-9, (f, k_f, n_f)
        assert abs(n_f - len(y) / 5) <= 1
        # Each fold's AUC and probabilities are those of a model fitted without the fold.
        m = voc.risk.fit_logistic(x=X[fold != f], y=y[fold != f])
        p = m.predict_proba(X[fold == f])
        np.testing.assert_allclose(np.asarray(cv.out_of_fold_probability)[fold == f], p, rtol=1e-12)
        assert cv.table["roc_auc"][f] == pytest.approx(roc_auc_score(y[fold == f], p), abs=1e-12)
    oof = np.asarray(cv.out_of_fold_probability)
    assert cv.pooled_roc_auc == pytest.approx(roc_auc_score(y, oof), abs=1e-12)
    # Options reach each fit.
    l1 = voc.risk.cross_validate(x=X, y=y, k=3, seed=1, penalty="l1", C=0.05)
    assert not np.allclose(l1.table["roc_auc"], voc.risk.cross_validate(x=X, y=y, k=3, seed=1).table["roc_auc"])
    assert cv.to_dict()["pooled_roc_auc"] == cv.pooled_roc_auc and "<table>" in cv._repr_html_()
    back = pickle.loads(pickle.dumps(cv))
    assert back == cv and back.pooled_roc_auc == cv.pooled_roc_auc
    with pytest.raises(voc.InvalidOptionError, match="k"):
        voc.risk.cross_validate(x=X, y=y, k=1)


# --- persistence and threads ---


def test_pickle_and_json_round_trips(retail: voc.signals.EventLog) -> None:
    X = retail.features("2024-10-01")
    y = retail.labels("2024-10-01", horizon_days=180)
    today = retail.features("2025-01-01")
    for m in (voc.risk.fit_logistic(x=X, y=y, missing="impute_mean"), voc.risk.fit_logistic(x=X, y=y, missing="impute_mean", penalty="l1", C=0.5)):
        p = m.predict_proba(today)
        back = pickle.loads(pickle.dumps(m))
        np.testing.assert_array_equal(back.predict_proba(today), p)
        assert back.names == m.names and back.coef == m.coef and back.penalty == m.penalty
        assert repr(back) == repr(m)
    m = voc.risk.fit_logistic(x=X, y=y, missing="impute_mean", class_weight="balanced", C=0.3)
    back = voc.risk.LogisticModel.from_bytes(m.to_bytes())
    np.testing.assert_array_equal(back.predict_proba(today), m.predict_proba(today))
    assert back.coef == m.coef
    assert back.names == m.names and repr(back) == repr(m)
    ml = voc.risk.fit_logistic(x=logistic_data(n=300)[0], y=logistic_data(n=300)[1], penalty="none")
    pd.testing.assert_frame_equal(pickle.loads(pickle.dumps(ml)).summary().to_pandas(),
                                  ml.summary().to_pandas())
    pd.testing.assert_frame_equal(voc.risk.LogisticModel.from_bytes(ml.to_bytes()).summary().to_pandas(),
                                  ml.summary().to_pandas())
    with pytest.raises(voc.DecodeError):
        voc.risk.LogisticModel.from_bytes(b'{"names": 3}')


def test_bytes_round_trip_is_bit_exact() -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(2000, 6)) * [1, 10, 100, 0.1, 3, 7]
    y = (X @ [1, -0.1, 0.01, 5, 0.2, 0.1] + rng.logistic(size=2000) > 0).astype(float)
    m = voc.risk.fit_logistic(x=X, y=y)
    back = voc.risk.LogisticModel.from_bytes(m.to_bytes())
    assert back.coef == m.coef and back.intercept == m.intercept
    np.testing.assert_array_equal(back.predict_proba(X), m.predict_proba(X))


@pytest.mark.parametrize("kind", ["l1", "none with a constant column"])
def test_bytes_round_trip_with_non_finite_fields(kind: str) -> None:
    X, y = logistic_data(n=300)
    if kind == "l1":
        m = voc.risk.fit_logistic(x=X, y=y, penalty="l1", C=0.5)
    else:
        X = np.column_stack([X, np.ones(len(y))])
        m = voc.risk.fit_logistic(x=X, y=y, penalty="none")
    back = voc.risk.LogisticModel.from_bytes(m.to_bytes())
    np.testing.assert_array_equal(back.predict_proba(X), m.predict_proba(X))
    assert back == m


def test_predict_from_threads_is_identical(retail: voc.signals.EventLog) -> None:
    X = retail.features("2024-10-01")
    y = retail.labels("2024-10-01", horizon_days=180)
    m = voc.risk.fit_logistic(x=X, y=y, missing="impute_mean")
    big = pd.concat([retail.features("2025-01-01").to_pandas()] * 20, ignore_index=True)
    ref = m.predict_proba(big)
    out: list[np.ndarray] = []

    def work() -> None:
        for _ in range(3):
            out.append(m.predict_proba(big))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(out) == 12
    for p in out:
        np.testing.assert_array_equal(p, ref)


def test_fit_is_deterministic_across_runs() -> None:
    # More rows than one parallel chunk: sums are added in a fixed order.
    X, y = logistic_data(n=70_000, seed=9)
    a, b = voc.risk.fit_logistic(x=X, y=y), voc.risk.fit_logistic(x=X, y=y)
    assert a.coef == b.coef and a.intercept == b.intercept


# --- memory layouts: every 2-D input gives identical results ---


def _layouts(X: np.ndarray) -> dict[str, object]:
    """The same matrix as C-ordered, Fortran-ordered, strided (every other row of a doubled array),
    pandas and polars DataFrames."""
    doubled = np.empty((2 * X.shape[0], X.shape[1]))
    doubled[::2] = X
    doubled[1::2] = np.nan
    cols = [f"x{j}" for j in range(X.shape[1])]
    out: dict[str, object] = {
        "C": np.ascontiguousarray(X),
        "F": np.asfortranarray(X),
        "strided": doubled[::2],
        "pandas": pd.DataFrame(X, columns=cols),
        "polars": pl.DataFrame({c: X[:, j] for j, c in enumerate(cols)}),
    }
    assert out["C"].flags.c_contiguous and out["F"].flags.f_contiguous  # type: ignore[attr-defined]
    strided = out["strided"]
    assert isinstance(strided, np.ndarray) and not strided.flags.c_contiguous and not strided.flags.f_contiguous
    return out


@pytest.mark.parametrize("options", [{}, {"penalty": "elasticnet", "l1_ratio": 0.5, "C": 0.1},
                                     {"penalty": "none", "missing": "impute_mean", "class_weight": "balanced"}])
def test_every_layout_gives_identical_fits_and_predictions(options: dict[str, object]) -> None:
    X, y = logistic_data(n=3_000, seed=5)
    X = X.copy()
    if options.get("missing") == "impute_mean":
        X[::17, 2] = np.nan
    w = 0.5 + (np.arange(len(y)) % 5)
    inputs = _layouts(X)
    models = {k: voc.risk.fit_logistic(x=v, y=y, weights=w, **options) for k, v in inputs.items()}
    ref = models["C"]
    probe = X[:500]
    probes = _layouts(probe)
    p_ref = ref.predict_proba(probes["C"])
    eta_ref = ref.decision_function(probes["C"])
    for kind, m in models.items():
        assert m == ref, kind
        assert m.coef == ref.coef and m.intercept == ref.intercept, kind
        for pkind, px in probes.items():
            np.testing.assert_array_equal(m.predict_proba(px), p_ref, err_msg=f"{kind} / {pkind}")
            np.testing.assert_array_equal(m.decision_function(px), eta_ref, err_msg=f"{kind} / {pkind}")
    cvs = [voc.risk.cross_validate(x=v, y=y, k=3, seed=2, **{k: o for k, o in options.items() if k != "confidence"})
           for v in inputs.values()]
    for cv in cvs[1:]:
        np.testing.assert_array_equal(cv.out_of_fold_probability, cvs[0].out_of_fold_probability)


def test_every_layout_reports_the_same_bad_value() -> None:
    X, y = logistic_data(n=300, seed=6)
    m = voc.risk.fit_logistic(x=X, y=y)
    bad = X[:50].copy()
    bad[7, 2] = np.nan
    bad[3, 4] = np.nan  # the first in row order: row 3, column x4
    for kind, v in _layouts(bad).items():
        with pytest.raises(voc.MissingValueError, match=r'x\[row 3, column "x4"\]'):
            m.predict_proba(v)
        with pytest.raises(voc.MissingValueError, match=r'x\[row 3, column "x4"\]'):
            voc.risk.fit_logistic(x=v, y=y[:50])
