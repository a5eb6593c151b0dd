#!/usr/bin/env python3
"""Golden fixtures for the churn-risk module of voc-core: logistic regression and score evaluation.

Run from the repository root:

    .venv/bin/python scripts/golden/risk.py

Writes ``voc-core/tests/data/risk_golden.json``, read by ``voc-core/tests/reference_risk.rs``.
Deterministic: every data set comes from ``numpy.random.default_rng`` with a fixed seed, inputs are
rounded to short decimals (so that they parse to the same doubles in Rust), and the JSON is written with
a fixed layout. Versions used (also stored in the file): Python 3.11.7, numpy 2.4.6, scipy 1.17.1,
pandas 3.1.1, scikit-learn 1.9.1, statsmodels 0.15.0. Takes a few seconds.

Peers:

* ``sklearn.linear_model.LogisticRegression``. Its objective is ``C * sum_i s_i * loss_i + penalty(w)``
  with the intercept unpenalised, i.e. voc's ``sum_i s_i * loss_i + (1/C) * penalty(w)``.
  - L2 (``l1_ratio=0``): ``solver="lbfgs", tol=1e-12, max_iter=100000``.
  - L1 (``l1_ratio=1``) and elastic net (``l1_ratio=0.5``): ``solver="saga", tol=1e-12,
    max_iter=1000000`` on standardised features (liblinear is not used: it penalises the intercept).
  - Unpenalised fits come from statsmodels (below).
  - Standardisation mirrors voc's ``prepare()``: column mean and population SD weighted by the row
    weights ``s_i = sample_weight_i * class_weight(y_i)``. Without class weights this is exactly
    ``StandardScaler().fit(X, sample_weight=sample_weight)``; with class weights the scaler also uses
    the class weights (a plain ``StandardScaler`` in a pipeline would not). sklearn is fitted on the
    standardised columns; coefficients are mapped back with ``coef = coef_std / sd`` and
    ``intercept = intercept_std - sum(coef * mean)``.
  - ``class_weight="balanced"`` is ``n / (2 n_class)`` in both; with sample weights both use the
    *weighted* class totals (the case ``balanced_sw``). The case ``balanced_rows_sw`` gives sklearn
    row-count balanced weights explicitly, and the Rust test passes the same weights to voc as
    ``ClassWeight::Manual``.
  - Every sklearn solution is checked here against the optimality conditions of the penalised
    objective: ``ref_error`` is the size of one Newton step from it (on the active set for L1/EN), i.e.
    an estimate of the distance to the exact optimum; ``kkt_margin`` is the smallest
    ``(lambda_1 - |gradient_j|) / lambda_1`` over coefficients at zero (positive: the zero pattern is
    not borderline). The fixture also stores ``polished_*``: the sklearn solution (on the standardised
    scale) after Newton steps on its active set, signs fixed for L1/EN (quadratic convergence), which
    the script checks satisfies the optimality conditions to 1e-12; ``sklearn_vs_polished`` is how far
    the solver stopped from the optimum (lbfgs: up to 1e-7; saga: below 4e-13).
* ``statsmodels.discrete.discrete_model.Logit`` (maximum likelihood, ``method="newton", tol=1e-14``):
  ``params, bse, tvalues, pvalues, conf_int(0.05), llf, llnull, llr, llr_pvalue, prsquared``.
* ``statsmodels.api.GLM(y, X, family=Binomial(), freq_weights=w)`` for weighted maximum likelihood
  (voc treats sample weights as frequency weights): ``params, bse, tvalues, pvalues, conf_int(0.05),
  llf, llnull, pseudo_rsquared("mcf")``.
* ``sklearn.metrics.roc_auc_score, average_precision_score, brier_score_loss`` and
  ``sklearn.calibration.calibration_curve(strategy="uniform", n_bins=10)`` (``prob_true, prob_pred``;
  bin counts from the same ``np.searchsorted(bins[1:-1], p)`` assignment sklearn uses).
  Scores with heavy ties (rounded to 1 or 2 decimals) are included. Scores in ``score_bits`` are given
  as IEEE-754 bit patterns, because they must reach Rust bit for bit (values next to bin edges).
"""

from __future__ import annotations

import json
import platform
import warnings
from pathlib import Path

import numpy as np
import pandas
import scipy
import sklearn
import statsmodels
import statsmodels.api as sm
from sklearn.calibration import calibration_curve
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.utils.class_weight import compute_class_weight

OUT = Path(__file__).resolve().parents[2] / "voc-core" / "tests" / "data" / "risk_golden.json"
SEEDS = {"subscriptions": 20261124, "rare": 20261125, "wide": 20261126, "small": 20261127}

# ------------------------------------------------------------------------------------------------
# Data
# ------------------------------------------------------------------------------------------------


def sigmoid(t):
    return 1.0 / (1.0 + np.exp(-t))


def tune_intercept(eta, rate):
    """Intercept giving the wanted mean churn probability (bisection)."""
    lo, hi = -30.0, 30.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if sigmoid(eta + mid).mean() < rate:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def subscriptions():
    """1000 subscribers, 5 signals on their own scales (tenure and fee correlated), ~25% churn."""
    rng = np.random.default_rng(SEEDS["subscriptions"])
    n = 1000
    tenure = rng.gamma(2.0, 12.0, n)
    fee = 20.0 + 0.6 * tenure + rng.normal(0.0, 8.0, n)
    tickets = rng.poisson(0.5 + 1.5 * rng.random(n))
    nps = np.clip(np.round(rng.normal(7.0, 2.2, n)), 0, 10)
    usage = rng.normal(0.0, 0.3, n) - 0.002 * tenure
    x = np.column_stack([tenure, fee, tickets, nps, usage])
    x = np.round(x, 4)
    eta = -0.04 * x[:, 0] + 0.02 * x[:, 1] + 0.45 * x[:, 2] - 0.25 * x[:, 3] - 1.5 * x[:, 4]
    y = (rng.random(n) < sigmoid(eta + tune_intercept(eta, 0.25))).astype(float)
    w = np.round(rng.gamma(2.0, 0.5, n), 4)
    names = ["tenure_months", "monthly_fee", "tickets_90d", "nps", "usage_change"]
    return names, x, y, w


def rare():
    """600 accounts, 3 signals, ~10% churn."""
    rng = np.random.default_rng(SEEDS["rare"])
    n = 600
    x = rng.normal(size=(n, 3)) * [1.0, 5.0, 0.2] + [0.0, 50.0, 1.0]
    x = np.round(x, 4)
    eta = 0.8 * (x[:, 0]) - 0.1 * (x[:, 1] - 50) + 2.0 * (x[:, 2] - 1)
    y = (rng.random(n) < sigmoid(eta + tune_intercept(eta, 0.10))).astype(float)
    return ["complaints_z", "spend", "delay_ratio"], x, y, None


def wide():
    """2000 customers, 8 signals, strongly correlated pairs (r = 0.85, 0.6), one on a scale of
    thousands, two with no effect; ~45% churn."""
    rng = np.random.default_rng(SEEDS["wide"])
    n, p = 2000, 8
    cov = np.eye(p)
    cov[0, 1] = cov[1, 0] = 0.85
    cov[2, 3] = cov[3, 2] = 0.6
    cov[4, 5] = cov[5, 4] = -0.4
    z = rng.multivariate_normal(np.zeros(p), cov, n)
    x = z * [1, 1, 2, 0.5, 1000, 1, 3, 1] + [0, 0, 10, 5, 20000, 0, 0, 2]
    x = np.round(x, 4)
    beta = np.array([0.7, -0.4, 0.15, 0.5, 0.0004, -0.3, 0.0, 0.0])
    eta = (x - x.mean(0)) @ beta
    y = (rng.random(n) < sigmoid(eta + tune_intercept(eta, 0.45))).astype(float)
    names = [f"s{j}" for j in range(p)]
    return names, x, y, None


def small():
    """200 customers, 2 signals, ~35% churn, with sample weights."""
    rng = np.random.default_rng(SEEDS["small"])
    n = 200
    x = np.column_stack([rng.normal(3.0, 1.5, n), rng.integers(0, 6, n).astype(float)])
    x = np.round(x, 4)
    eta = 0.6 * x[:, 0] - 0.3 * x[:, 1]
    y = (rng.random(n) < sigmoid(eta + tune_intercept(eta, 0.35))).astype(float)
    w = np.round(rng.uniform(0.2, 3.0, n), 4)
    return ["wait_minutes", "visits"], x, y, w


DATA = {"subscriptions": subscriptions(), "rare": rare(), "wide": wide(), "small": small()}

# ------------------------------------------------------------------------------------------------
# Logistic regression references
# ------------------------------------------------------------------------------------------------


def row_weights(y, sw, class_weight):
    """voc's row weights: sample weight x class weight."""
    s = np.ones_like(y) if sw is None else sw.astype(float).copy()
    if class_weight == "balanced":
        n, n1 = len(y), y.sum()
        s *= np.where(y == 1, n / (2 * n1), n / (2 * (n - n1)))
    elif isinstance(class_weight, dict):
        s *= np.where(y == 1, class_weight[1], class_weight[0])
    return s


def standardise(x, s, on):
    """Mirror of voc's prepare(): weighted mean and population SD."""
    if not on:
        return x, np.zeros(x.shape[1]), np.ones(x.shape[1])
    m = (s[:, None] * x).sum(0) / s.sum()
    sd = np.sqrt((s[:, None] * (x - m) ** 2).sum(0) / s.sum())
    return (x - m) / sd, m, sd


def grad_hess(z, y, s, beta):
    d = np.column_stack([np.ones(len(y)), z])
    p = sigmoid(d @ beta)
    g = d.T @ (s * (p - y))
    h = (d * (s * p * (1 - p))[:, None]).T @ d
    return g, h


def optimality(z, y, s, beta, l1, l2):
    """Newton-step size from beta on the active set (error estimate) and the KKT margin of zeros."""
    g, h = grad_hess(z, y, s, beta)
    w = beta[1:]
    g[1:] += l2 * w
    h[1:, 1:] += l2 * np.eye(len(w))
    active = np.concatenate([[True], w != 0])
    g[1:][w != 0] += l1 * np.sign(w[w != 0])
    step = np.linalg.solve(h[np.ix_(active, active)], g[active])
    zeros = ~active[1:]
    margin = float(np.min((l1 - np.abs(g[1:][zeros])) / l1)) if zeros.any() else None
    return float(np.max(np.abs(step))), margin


def polish(z, y, s, beta, l1, l2):
    """Newton steps from the sklearn solution on its active set (signs fixed for L1 / elastic net)."""
    b = beta.copy()
    w = b[1:]
    active = np.concatenate([[True], w != 0])
    sign = np.concatenate([[0.0], np.sign(w)])
    for _ in range(50):
        g, h = grad_hess(z, y, s, b)
        g[1:] += l2 * b[1:] + l1 * sign[1:]
        h[1:, 1:] += l2 * np.eye(len(w))
        step = np.linalg.solve(h[np.ix_(active, active)], g[active])
        b[active] -= step
        if np.max(np.abs(step)) < 1e-15 * (1 + np.max(np.abs(b))):
            break
    if l1 > 0:
        assert np.all(np.sign(b[1:]) == sign[1:]), "signs changed while polishing"
    err, _ = optimality(z, y, s, b, l1, l2)
    assert err < 1e-12, err
    return b


def sklearn_case(name, dataset, penalty, c, standardize=True, class_weight=None, use_sw=False,
                 solver=None):
    names, x, y, w = DATA[dataset]
    sw = w if use_sw else None
    l1_ratio = {"l2": 0.0, "l1": 1.0, "elasticnet": 0.5}[penalty]
    # sklearn's class weights (weighted totals when sample weights are given), used to mirror its fit.
    if class_weight == "balanced":
        cw = compute_class_weight("balanced", classes=np.array([0.0, 1.0]), y=y, sample_weight=sw)
        cw_used = {0: float(cw[0]), 1: float(cw[1])}
    elif class_weight == "balanced_rows":
        # voc's ClassWeight::Balanced with sample weights: n / (2 n_class) from row counts, given to
        # sklearn as explicit class weights.
        n, n1 = len(y), float(y.sum())
        cw_used = {0: n / (2 * (n - n1)), 1: n / (2 * n1)}
    else:
        cw_used = class_weight
    s = row_weights(y, sw, cw_used)
    z, m, sd = standardise(x, s, standardize)
    solver = solver or ("lbfgs" if penalty == "l2" else "saga")
    model = LogisticRegression(
        C=c,
        l1_ratio=l1_ratio,
        solver=solver,
        tol=1e-12,
        max_iter=1_000_000 if solver == "saga" else 100_000,
        class_weight=cw_used if class_weight == "balanced_rows" else class_weight,
        random_state=0,  # saga visits rows in random order
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model.fit(z, y, sample_weight=sw)
    beta = np.concatenate([model.intercept_, model.coef_[0]])
    lam = 1.0 / c
    l1, l2 = lam * l1_ratio, lam * (1 - l1_ratio)
    err, margin = optimality(z, y, s, beta, l1, l2)
    assert err < 1e-7, (name, err)
    if margin is not None:
        assert margin > 1e-3, (name, margin)
    coef = beta[1:] / sd
    case = {
        "name": name,
        "dataset": dataset,
        "penalty": penalty,
        "l1_ratio": l1_ratio,
        "c": c,
        "standardize": standardize,
        "class_weight": class_weight if isinstance(class_weight, (str, type(None))) else
        [class_weight[0], class_weight[1]],
        "sample_weight": use_sw,
        "solver": solver,
        "n_iter": int(model.n_iter_[0]),
        "sklearn_class_weight": None if cw_used is None else [cw_used[0], cw_used[1]],
        "coef_std": beta[1:].tolist(),
        "intercept_std": float(beta[0]),
        "coef": coef.tolist(),
        "intercept": float(beta[0] - coef @ m),
        "ref_error": err,
        "kkt_margin": margin,
    }
    pb = polish(z, y, s, beta, l1, l2)
    case["polished_coef_std"] = pb[1:].tolist()
    case["polished_intercept_std"] = float(pb[0])
    case["sklearn_vs_polished"] = float(np.max(np.abs(pb - beta)))
    return case


SKLEARN = [
    ("l2_c0.01_std", "subscriptions", "l2", 0.01, True, None, False),
    ("l2_c1_std", "subscriptions", "l2", 1.0, True, None, False),
    ("l2_c100_std", "subscriptions", "l2", 100.0, True, None, False),
    ("l2_c1_raw", "subscriptions", "l2", 1.0, False, None, False),
    ("l2_c0.01_raw", "subscriptions", "l2", 0.01, False, None, False),
    ("wide_l2_c0.01_std", "wide", "l2", 0.01, True, None, False),
    ("wide_l2_c1_std", "wide", "l2", 1.0, True, None, False),
    ("wide_l2_c100_std", "wide", "l2", 100.0, True, None, False),
    # lbfgs stops 4e-3 away from the optimum here (a column on a scale of thousands), without a warning.
    ("wide_l2_c1_raw", "wide", "l2", 1.0, False, None, False, "newton-cholesky"),
    ("rare_balanced_c1_std", "rare", "l2", 1.0, True, "balanced", False),
    ("rare_balanced_c0.01_raw", "rare", "l2", 0.01, False, "balanced", False),
    ("rare_manual_c1_std", "rare", "l2", 1.0, True, {0: 1.0, 1: 3.0}, False),
    ("sw_c1_std", "subscriptions", "l2", 1.0, True, None, True),
    ("sw_c100_raw", "subscriptions", "l2", 100.0, False, None, True),
    ("small_sw_c0.01_std", "small", "l2", 0.01, True, None, True),
    ("balanced_sw", "small", "l2", 1.0, True, "balanced", True),
    ("balanced_rows_sw", "small", "l2", 1.0, True, "balanced_rows", True),
    ("l1_c0.02_std", "subscriptions", "l1", 0.02, True, None, False),
    ("l1_c0.1_std", "subscriptions", "l1", 0.1, True, None, False),
    ("l1_c1_std", "subscriptions", "l1", 1.0, True, None, False),
    ("wide_l1_c0.005_std", "wide", "l1", 0.005, True, None, False),
    ("wide_l1_c0.02_std", "wide", "l1", 0.02, True, None, False),
    ("rare_l1_c0.05_std", "rare", "l1", 0.05, True, None, False),
    ("en_c0.01_std", "subscriptions", "elasticnet", 0.01, True, None, False),
    ("wide_en_c0.02_std", "wide", "elasticnet", 0.02, True, None, False),
    ("small_l1_sw_c0.02_std", "small", "l1", 0.02, True, None, True),
]


def statsmodels_case(dataset):
    names, x, y, _ = DATA[dataset]
    res = sm.Logit(y, sm.add_constant(x)).fit(method="newton", tol=1e-14, maxiter=200, disp=0)
    assert res.mle_retvals["converged"]
    ci = res.conf_int(0.05)
    return {
        "dataset": dataset,
        "params": res.params.tolist(),
        "bse": res.bse.tolist(),
        "tvalues": res.tvalues.tolist(),
        "pvalues": res.pvalues.tolist(),
        "conf_int": ci.tolist(),
        "llf": float(res.llf),
        "llnull": float(res.llnull),
        "llr": float(res.llr),
        "llr_pvalue": float(res.llr_pvalue),
        "prsquared": float(res.prsquared),
    }


def statsmodels_weighted_case(dataset):
    """Weighted maximum likelihood: GLM Binomial with the sample weights as frequency weights (the
    weighted log-likelihood sum_i w_i log p_i and the inverse weighted information)."""
    names, x, y, w = DATA[dataset]
    res = sm.GLM(y, sm.add_constant(x), family=sm.families.Binomial(), freq_weights=w).fit(
        method="newton", tol=1e-14, maxiter=200
    )
    assert res.mle_retvals["converged"]
    ci = res.conf_int(0.05)
    return {
        "dataset": dataset,
        "params": res.params.tolist(),
        "bse": res.bse.tolist(),
        "tvalues": res.tvalues.tolist(),
        "pvalues": res.pvalues.tolist(),
        "conf_int": ci.tolist(),
        "llf": float(res.llf),
        "llnull": float(res.llnull),
        "prsquared": float(res.pseudo_rsquared(kind="mcf")),
    }


# ------------------------------------------------------------------------------------------------
# Evaluation references
# ------------------------------------------------------------------------------------------------


def evaluation_case(name, y, p, exact_bits=False):
    bins = np.linspace(0.0, 1.0, 11)
    prob_true, prob_pred = calibration_curve(y, p, n_bins=10, strategy="uniform")
    ids = np.searchsorted(bins[1:-1], p)
    counts = np.bincount(ids, minlength=10)
    case = {
        "name": name,
        "y": y.astype(int).tolist(),
        "roc_auc": float(roc_auc_score(y, p)),
        "average_precision": float(average_precision_score(y, p)),
        "brier": float(brier_score_loss(y, p)),
        "calibration_bins": np.nonzero(counts)[0].tolist(),
        "calibration_n": counts[counts > 0].tolist(),
        "prob_true": prob_true.tolist(),
        "prob_pred": prob_pred.tolist(),
    }
    if exact_bits:
        case["score_bits"] = [int(v) for v in np.asarray(p, dtype=np.float64).view(np.uint64)]
    else:
        case["score"] = p.tolist()
    return case


def evaluations(sm_fits):
    out = []
    _, x, y, _ = DATA["subscriptions"]
    params = np.array(sm_fits["subscriptions"]["params"])
    p = np.round(sigmoid(params[0] + x @ params[1:]), 12)
    out.append(evaluation_case("subscriptions_fitted", y, p))
    out.append(evaluation_case("subscriptions_2dp", y, np.round(p, 2)))
    out.append(evaluation_case("subscriptions_1dp", y, np.round(p, 1)))
    _, x, y, _ = DATA["rare"]
    params = np.array(sm_fits["rare"]["params"])
    p = np.round(sigmoid(params[0] + x @ params[1:]), 12)
    out.append(evaluation_case("rare_fitted", y, p))
    # Scores with only three values: most pairs tied.
    out.append(evaluation_case("rare_three_levels", y, np.round(np.round(p * 2.0, 0) / 2.0, 1)))
    # Values on and next to the bin edges numpy's linspace produces (0.30000000000000004 = 3 * 0.1 is an
    # edge there, while k / 10 = 0.3 is the edge in exact arithmetic).
    rng = np.random.default_rng(20261128)
    edges = np.linspace(0.0, 1.0, 11)
    vals = np.concatenate([edges, np.arange(11) / 10, np.nextafter(edges, 2.0), np.nextafter(edges, -1.0)])
    vals = np.clip(vals, 0.0, 1.0)
    vals = np.concatenate([vals, np.round(rng.random(60), 3)])
    yv = (rng.random(len(vals)) < vals).astype(float)
    yv[:2] = [0.0, 1.0]
    out.append(evaluation_case("edges", yv, vals, exact_bits=True))
    return out


# ------------------------------------------------------------------------------------------------


def dataset_json(name):
    names, x, y, w = DATA[name]
    return {
        "names": names,
        "x": [x[:, j].tolist() for j in range(x.shape[1])],
        "y": y.astype(int).tolist(),
        "sample_weight": None if w is None else w.tolist(),
        "churn_rate": float(y.mean()),
    }


def main():
    sk = [sklearn_case(*args) for args in SKLEARN]
    sm_list = [statsmodels_case(d) for d in ["subscriptions", "rare", "wide", "small"]]
    sm_fits = {c["dataset"]: c for c in sm_list}
    fixture = {
        "versions": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "pandas": pandas.__version__,
            "scikit-learn": sklearn.__version__,
            "statsmodels": statsmodels.__version__,
        },
        "seeds": SEEDS,
        "datasets": {k: dataset_json(k) for k in DATA},
        "sklearn": sk,
        "statsmodels": sm_list,
        "statsmodels_weighted": [statsmodels_weighted_case(d) for d in ["subscriptions", "small"]],
        "evaluation": evaluations(sm_fits),
    }
    write(fixture)
    for c in sk:
        extra = f" sklearn_vs_polished={c['sklearn_vs_polished']:.2e}"
        print(f"{c['name']:26s} iter={c['n_iter']:7d} ref_error={c['ref_error']:.2e} "
              f"kkt_margin={c['kkt_margin']}{extra}")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


def write(fixture):
    """One top-level key per line group and one case per line: stable, reviewable diffs."""
    compact = dict(separators=(",", ":"), allow_nan=False)
    lines = ["{"]
    items = list(fixture.items())
    for i, (key, value) in enumerate(items):
        end = "," if i + 1 < len(items) else ""
        if isinstance(value, list):
            lines.append(f"  {json.dumps(key)}: [")
            for j, case in enumerate(value):
                lines.append("    " + json.dumps(case, **compact) + ("," if j + 1 < len(value) else ""))
            lines.append("  ]" + end)
        elif key == "datasets":
            lines.append(f"  {json.dumps(key)}: {{")
            for j, (k, v) in enumerate(value.items()):
                lines.append(f"    {json.dumps(k)}: {json.dumps(v, **compact)}"
                             + ("," if j + 1 < len(value) else ""))
            lines.append("  }" + end)
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value, **compact)}{end}")
    lines.append("}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
