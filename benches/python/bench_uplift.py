"""Side-by-side timings of voc.uplift against scikit-uplift on the same data in the same process.

The workload is what an uplift analysis runs end to end: fit a T-learner (one logistic model per arm) on
a randomised test, predict every customer's uplift, and score the ranking with the Qini coefficient.

- voc: ``voc.uplift.fit_t_learner(...)``, ``UpliftModel.predict_uplift(X)``, ``voc.uplift.qini_auc(...)``.
- scikit-uplift: ``sklift.models.TwoModels(method="vanilla")`` with two scikit-learn
  ``LogisticRegression`` (lbfgs), ``TwoModels.predict(X)``, ``sklift.metrics.qini_auc_score``.

Both fit the same model with the same penalty (``--penalty none``, the default: maximum likelihood, which
is also what voc's inference needs; or ``--penalty l2``: scikit-learn's default C = 1 on the raw
coefficients, with voc's ``standardize=False`` so the objective is the same). scikit-learn runs at its
default tolerance (lbfgs, ``tol=1e-4`` on the gradient, which stops short of the optimum); voc at its own
default (Newton, steps below 1e-10), so the headline comparison favours scikit-learn; an information row
runs scikit-learn at ``tol=1e-10`` too. Before anything is timed the answers are compared: the Qini
coefficients, each arm's coefficients and intercept, and the predicted uplift (largest absolute
differences printed). Each timing is the median of ``--repeat`` calls after one untimed warm-up call, the
two libraries alternating, measured with ``time.perf_counter`` around the whole pipeline (Python calls and
input conversion included), garbage collector paused. Run from the repository root::

    .venv/bin/python benches/python/bench_uplift.py            # 1M customers × 20 features, median of 5
    .venv/bin/python benches/python/bench_uplift.py --quick    # 20k × 20, for a CI smoke run
    .venv/bin/python benches/python/bench_uplift.py --threads 1
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from typing import Any

from _bench import cap_threads, model_bench_args


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = model_bench_args(__doc__ or "", quick_help="small size (20k × 20) for a smoke run")
    p.add_argument("--penalty", choices=["none", "l2"], default="none", help="the penalty of both (default none)")
    return p.parse_args(argv)


ARGS = parse_args()
cap_threads(ARGS.threads)

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
import sklift  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklift.metrics import qini_auc_score  # noqa: E402
from sklift.models import TwoModels  # noqa: E402

import voc  # noqa: E402
from _bench import Row, alternate, correlated_features, loadavg, peak_rss_mb, print_report  # noqa: E402

# ---------------------------------------------------------------------------------------------- data


def uplift_data(rng: np.random.Generator, n: int, p: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A randomised retention test: standardised, correlated features (neighbours share a common part),
    a 50/50 treatment, and a 0/1 outcome (stayed) from a logistic model whose treatment effect varies
    with three of the features (helps some customers, harms others)."""
    z = correlated_features(rng, n, p)
    t = rng.integers(0, 2, n)
    k = max(1, p // 2)
    beta = np.zeros(p)
    beta[:k] = rng.normal(0.0, 0.5, k)
    gamma = np.zeros(p)
    gamma[: min(3, p)] = [0.4, -0.3, 0.2][: min(3, p)]
    eta = 0.8 + z @ beta + t * (0.1 + z @ gamma)
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-eta))).astype(np.int64)
    return z, y, t


# ---------------------------------------------------------------------------------------------- pipelines


def voc_pipeline(X: np.ndarray, y: np.ndarray, t: np.ndarray, penalty: str) -> tuple[Any, np.ndarray, float]:
    if penalty == "none":
        model = voc.uplift.fit_t_learner(x=X, outcome=y, treatment=t, penalty="none")
    else:
        model = voc.uplift.fit_t_learner(x=X, outcome=y, treatment=t, penalty="l2", C=1.0, standardize=False)
    u = model.predict_uplift(X)
    return model, u, voc.uplift.qini_auc(outcome=y, treatment=t, uplift=u).estimate


def sk_logistic(penalty: str, tol: float) -> LogisticRegression:
    # scikit-learn 1.8 deprecates penalty=None in favour of C=inf (the same unpenalised fit).
    return LogisticRegression(C=np.inf if penalty == "none" else 1.0, solver="lbfgs", tol=tol, max_iter=1000)


def sk_pipeline(X: np.ndarray, y: np.ndarray, t: np.ndarray, penalty: str, tol: float) -> tuple[Any, np.ndarray, float]:
    with warnings.catch_warnings():
        # FutureWarnings of scikit-uplift's calls into scikit-learn, and lbfgs' iteration-limit notes.
        warnings.simplefilter("ignore")
        tm = TwoModels(estimator_trmnt=sk_logistic(penalty, tol), estimator_ctrl=sk_logistic(penalty, tol), method="vanilla")
        tm.fit(X, y, t)
        u = tm.predict(X)
        return tm, u, float(qini_auc_score(y, u, t))


def coefficient_gap(model: Any, tm: Any) -> tuple[float, float]:
    """Largest absolute differences between voc's arm models and scikit-learn's: (coefficients,
    intercepts)."""
    s = model.summary().to_pandas()
    gap_c, gap_b = 0.0, 0.0
    for arm, est in (("treated", tm.estimator_trmnt), ("control", tm.estimator_ctrl)):
        rows = s[s["model"] == arm]
        coef = rows[rows["term"] != "(intercept)"]["coef"].to_numpy()
        b0 = float(rows[rows["term"] == "(intercept)"]["coef"].iloc[0])
        gap_c = max(gap_c, float(np.max(np.abs(coef - est.coef_[0]))))
        gap_b = max(gap_b, abs(b0 - float(est.intercept_[0])))
    return gap_c, gap_b


# ---------------------------------------------------------------------------------------------- report


def main() -> int:
    args = ARGS
    repeat = args.repeat or (3 if args.quick else 5)
    n = args.rows or (20_000 if args.quick else 1_000_000)
    p = args.features
    load_start = loadavg()
    started = time.perf_counter()
    X, y, t = uplift_data(np.random.default_rng(args.seed), n, p)

    # The answers first.
    model, u_voc, q_voc = voc_pipeline(X, y, t, args.penalty)
    tm, u_sk, q_sk = sk_pipeline(X, y, t, args.penalty, 1e-4)
    gap_c, gap_b = coefficient_gap(model, tm)
    gap_u = float(np.max(np.abs(u_voc - u_sk)))
    if abs(q_voc - q_sk) > 1e-3 or gap_c > 1e-2:
        raise AssertionError(f"voc and scikit-uplift disagree: Qini {q_voc} vs {q_sk}, Δcoef {gap_c}")
    # The same ranking scored by both metrics: identical to 1e-12 (the metric alone, no model in between).
    q_same = voc.uplift.qini_auc(outcome=y, treatment=t, uplift=u_sk).estimate
    if abs(q_same - q_sk) > 1e-12:
        raise AssertionError(f"qini_auc on scikit-uplift's scores: voc {q_same!r} vs sklift {q_sk!r}")
    iters = [int(tm.estimator_trmnt.n_iter_[0]), int(tm.estimator_ctrl.n_iter_[0])]

    label = f"T-learner fit + predict + Qini, {n:,} × {p}, penalty {args.penalty}"
    t_voc, t_sk = alternate(
        [lambda: voc_pipeline(X, y, t, args.penalty), lambda: sk_pipeline(X, y, t, args.penalty, 1e-4)], repeat
    )
    rows = [
        Row(label, t_voc, f"sklift TwoModels + lbfgs tol=1e-4 ({iters[0]}/{iters[1]} iterations) + qini_auc_score",
            t_sk, f"ΔQini {abs(q_voc - q_sk):.1e} (Qini {q_voc:.4f}); max abs Δcoef {gap_c:.1e}, Δintercept "
            f"{gap_b:.1e}; max abs Δuplift {gap_u:.1e}"),
    ]
    # The parts, for information.
    Xt, Xc, yt, yc = X[t == 1], X[t == 0], y[t == 1], y[t == 0]
    fit_voc = (lambda: voc.uplift.fit_t_learner(x=X, outcome=y, treatment=t, penalty="none")) if args.penalty == "none" \
        else (lambda: voc.uplift.fit_t_learner(x=X, outcome=y, treatment=t, penalty="l2", standardize=False))

    def fit_sk() -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return TwoModels(estimator_trmnt=sk_logistic(args.penalty, 1e-4),
                             estimator_ctrl=sk_logistic(args.penalty, 1e-4), method="vanilla").fit(X, y, t)

    del Xt, Xc, yt, yc
    a, b = alternate([fit_voc, fit_sk], repeat)
    rows.append(Row("  of which: fit both arms", a, "TwoModels.fit", b, ""))
    a, b = alternate([lambda: model.predict_uplift(X), lambda: tm.predict(X)], repeat)
    rows.append(Row("  of which: predict the uplift", a, "TwoModels.predict", b, f"max abs Δuplift {gap_u:.1e}"))

    def sk_qini() -> float:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return float(qini_auc_score(y, u_sk, t))

    a, b = alternate([lambda: voc.uplift.qini_auc(outcome=y, treatment=t, uplift=u_sk), sk_qini], repeat)
    rows.append(Row("  of which: Qini coefficient of one ranking", a, "qini_auc_score", b,
                    f"abs ΔQini {abs(q_same - q_sk):.1e} (same scores)"))
    if not (args.no_tight or args.quick):
        tm2, _, q_sk2 = sk_pipeline(X, y, t, args.penalty, 1e-10)
        gap_c2, _ = coefficient_gap(model, tm2)
        iters2 = [int(tm2.estimator_trmnt.n_iter_[0]), int(tm2.estimator_ctrl.n_iter_[0])]
        (t_sk2,) = alternate([lambda: sk_pipeline(X, y, t, args.penalty, 1e-10)], repeat)
        rows.append(Row(label + " (info)", t_voc, f"same with lbfgs tol=1e-10 ({iters2[0]}/{iters2[1]} iterations)",
                        t_sk2, f"ΔQini {abs(q_voc - q_sk2):.1e}; max abs Δcoef {gap_c2:.1e}"))

    elapsed = time.perf_counter() - started
    print_report(
        rows,
        libraries=f"voc {voc.__version__}, numpy {np.__version__}, scikit-learn {sklearn.__version__}, "
        f"scikit-uplift {sklift.__version__}",
        notes=[
            f"{'quick' if args.quick else 'full'} run, median of {repeat} alternating calls; total {elapsed:.0f} s",
            f"load average at start: {load_start}; at end: {loadavg()}; peak RSS {peak_rss_mb():.0f} MB",
            f"penalty {args.penalty} on both; voc Newton to tol 1e-10, scikit-learn lbfgs at its default tol 1e-4",
        ],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
