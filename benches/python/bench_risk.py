"""Side-by-side timings of voc.risk against scikit-learn on the same data in the same process.

(a) Fitting the churn model: ``voc.risk.fit_logistic(penalty="l2", C=1.0)`` against
    ``sklearn.linear_model.LogisticRegression`` (lbfgs, default tol 1e-4, and, for information, tol 1e-10)
    on the same standardised synthetic logistic data (1M rows × 20 features by default).
(b) ROC AUC: ``voc.risk.roc_auc`` against ``sklearn.metrics.roc_auc_score`` on 10M scores, once with many
    ties (scores rounded to 3 decimals) and once continuous.

The results are compared before anything is timed (coefficients: the largest absolute difference is
printed, since the two solvers stop at different tolerances; AUC: must agree to 1e-12). Each timing is the
median of ``--repeat`` calls after one untimed warm-up call, measured with ``time.perf_counter`` around the
whole call (Python overhead and input conversion included), garbage collector paused. Run from the
repository root::

    .venv/bin/python benches/python/bench_risk.py            # full size (1M × 20 fit, 10M AUC)
    .venv/bin/python benches/python/bench_risk.py --quick    # small sizes, for a CI smoke run
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings

from _bench import cap_threads, model_bench_args

AUC_TOL = 1e-12


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = model_bench_args(__doc__ or "", quick_help="small sizes (20k × 20 fit, 200k AUC) for a smoke run")
    p.add_argument("--auc-rows", type=int, default=None, help="scores of the AUC workloads (default 10M)")
    return p.parse_args(argv)


ARGS = parse_args()
cap_threads(ARGS.threads)

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402

import voc  # noqa: E402
from _bench import Row, correlated_features, loadavg, median_time, peak_rss_mb, print_report  # noqa: E402


# ---------------------------------------------------------------------------------------------- data


def logistic_data(rng: np.random.Generator, n: int, p: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Standardised features (correlated, mean 0, population SD 1), 0/1 labels drawn from a logistic model
    with a ~20% base rate, and the true coefficients."""
    z = correlated_features(rng, n, p)
    beta = np.zeros(p)
    k = max(1, p // 2)
    beta[:k] = rng.normal(0.0, 0.6, k)  # half the signals matter, half are noise
    eta = -1.6 + z @ beta
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-eta))).astype(np.float64)
    return z, y, beta


def auc_data(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """0/1 labels (~20% churners) and continuous scores that separate them moderately (AUC about 0.8)."""
    y = (rng.random(n) < 0.2).astype(np.float64)
    s = 1.0 / (1.0 + np.exp(-(rng.standard_normal(n) + 1.2 * y - 1.0)))
    return y, s


# ---------------------------------------------------------------------------------------------- workloads


def sk_fit(Z: np.ndarray, y: np.ndarray, tol: float) -> LogisticRegression:
    with warnings.catch_warnings():
        # At the default max_iter lbfgs may stop before tol on big data; the coefficient gap shows it.
        warnings.simplefilter("ignore")
        return LogisticRegression(C=1.0, solver="lbfgs", tol=tol, max_iter=1000).fit(Z, y)


def bench_fit(Z: np.ndarray, y: np.ndarray, beta: np.ndarray, repeat: int, tight: bool) -> list[Row]:
    """(a) L2 logistic regression, C = 1, on standardised data."""
    n, p = Z.shape

    def voc_fit() -> voc.risk.LogisticModel:
        return voc.risk.fit_logistic(x=Z, y=y, penalty="l2", C=1.0)

    m = voc_fit()
    if not m.converged:
        raise AssertionError("voc did not converge")
    ref = sk_fit(Z, y, 1e-4)
    gap = float(np.max(np.abs(np.asarray(m.coef_std) - ref.coef_[0])))
    # The data are standardised already, so voc's internal scaling is the identity (up to rounding).
    gap_b0 = abs(m.intercept - ref.intercept_[0])
    # Both estimate the same truth (a sanity check on the data, not on either solver).
    truth = float(np.max(np.abs(np.asarray(m.coef_std) - beta)))
    if truth > 10 / np.sqrt(n):  # about 4 standard errors
        raise AssertionError(f"voc coefficients are {truth} from the true ones")
    label = f"L2 fit, C=1, {n:,} × {p} standardised"
    t_voc = median_time(voc_fit, repeat)
    t_sk = median_time(lambda: sk_fit(Z, y, 1e-4), repeat)
    rows = [
        Row(label, t_voc, f"sklearn lbfgs tol=1e-4 ({ref.n_iter_[0]} iterations)", t_sk,
            f"max abs Δcoef {gap:.1e}, abs Δintercept {gap_b0:.1e}"),
    ]
    if tight:
        ref2 = sk_fit(Z, y, 1e-10)
        gap2 = float(np.max(np.abs(np.asarray(m.coef_std) - ref2.coef_[0])))
        t_sk2 = median_time(lambda: sk_fit(Z, y, 1e-10), repeat)
        rows.append(Row(label + " (info)", t_voc, f"sklearn lbfgs tol=1e-10 ({ref2.n_iter_[0]} iterations)",
                        t_sk2, f"max abs Δcoef {gap2:.1e}"))
    rows[0].workload += f" (voc: {m.iterations} Newton iterations)"
    return rows


def bench_auc(y: np.ndarray, s: np.ndarray, repeat: int) -> list[Row]:
    """(b) ROC AUC with ties (3 decimals) and continuous scores."""
    n = y.size
    rows = []
    for what, scores in (("3-decimal scores (ties)", np.round(s, 3)), ("continuous scores", s)):
        a = voc.risk.roc_auc(y=y, scores=scores)
        b = roc_auc_score(y, scores)
        if abs(a - b) > AUC_TOL:
            raise AssertionError(f"ROC AUC ({what}): voc {a!r} vs sklearn {b!r}")
        t_voc = median_time(lambda: voc.risk.roc_auc(y=y, scores=scores), repeat)
        t_sk = median_time(lambda: roc_auc_score(y, scores), repeat)
        rows.append(Row(f"ROC AUC, {n:,} {what}", t_voc, "sklearn roc_auc_score", t_sk,
                        f"abs ΔAUC {abs(a - b):.1e} (AUC {a:.6f})"))
    return rows


# ---------------------------------------------------------------------------------------------- report


def main() -> int:
    args = ARGS
    repeat = args.repeat or (3 if args.quick else 5)
    n_fit = args.rows or (20_000 if args.quick else 1_000_000)
    n_auc = args.auc_rows or (200_000 if args.quick else 10_000_000)
    load_start = loadavg()
    started = time.perf_counter()

    rng = np.random.default_rng(args.seed)
    Z, y, beta = logistic_data(rng, n_fit, args.features)
    ya, sa = auc_data(rng, n_auc)

    rows: list[Row] = []
    rows += bench_fit(Z, y, beta, repeat, tight=not (args.no_tight or args.quick))
    del Z, y
    rows += bench_auc(ya, sa, repeat)

    elapsed = time.perf_counter() - started
    print_report(
        rows,
        libraries=f"voc {voc.__version__}, numpy {np.__version__}, scikit-learn {sklearn.__version__}",
        notes=[
            f"{'quick' if args.quick else 'full'} run, median of {repeat} calls; total {elapsed:.0f} s",
            f"load average at start: {load_start}; at end: {loadavg()}; peak RSS {peak_rss_mb():.0f} MB",
            "voc fits to tol 1e-10 (Newton); ROC AUC agreed with scikit-learn to 1e-12 before timing",
        ],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
