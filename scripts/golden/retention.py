#!/usr/bin/env python3
"""Golden fixtures for voc-core's retention module (Kaplan-Meier, log-rank, Cox PH, BG/NBD, Gamma-Gamma).

Run from the repository root:

    .venv/bin/python scripts/golden/retention.py

Writes ``voc-core/tests/data/retention_golden.json``, read by ``voc-core/tests/reference_retention.rs``.
Inputs are the public data sets in ``voc-core/tests/data/`` (provenance in the README there) plus small
samples from ``numpy.random.default_rng(SEED)``.  Peers:

* Kaplan-Meier: lifelines ``KaplanMeierFitter`` (survival_function_, confidence_interval_ (exponential
  Greenwood), event_table, median_survival_time_, median_survival_times(confidence_interval_)).
* Log-rank: lifelines ``statistics.logrank_test`` and ``multivariate_logrank_test``.
* Cox PH: lifelines ``CoxPHFitter`` (Efron ties; also penalizer=0.1) and statsmodels ``PHReg``
  (ties="breslow") on the rossi data.
* BG/NBD, Gamma-Gamma, CLV, summary from transactions: lifetimes 0.11.3 on the CDNOW data.
"""
import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")
SEED = 20261124
DATA = Path("voc-core/tests/data")
OUT = DATA / "retention_golden.json"


def f(x):
    """JSON-safe float list (NaN -> None, inf -> 'inf')."""
    out = []
    for v in np.asarray(x, dtype=float).ravel():
        if np.isnan(v):
            out.append(None)
        elif np.isinf(v):
            out.append("inf" if v > 0 else "-inf")
        else:
            out.append(float(v))
    return out


def km_case(name, t, e, level=0.95):
    from lifelines import KaplanMeierFitter
    from lifelines.utils import median_survival_times

    kmf = KaplanMeierFitter(alpha=1 - level).fit(t, e)
    et = kmf.event_table
    sf = kmf.survival_function_.iloc[:, 0]
    ci = kmf.confidence_interval_
    times = np.array(sorted(set(np.asarray(t, dtype=float))))
    med_ci = median_survival_times(ci)
    return {
        "name": name,
        "level": level,
        "durations": f(t),
        "events": f(e),
        "time": f(times),
        "at_risk": f(et.loc[times, "at_risk"]),
        "events_at": f(et.loc[times, "observed"]),
        "censored": f(et.loc[times, "censored"]),
        "survival": f(sf.loc[times]),
        "ci_low": f(ci.iloc[:, 0].loc[times]),
        "ci_high": f(ci.iloc[:, 1].loc[times]),
        "median": f([kmf.median_survival_time_])[0],
        "median_low": f([med_ci.iloc[0, 0]])[0],
        "median_high": f([med_ci.iloc[0, 1]])[0],
    }


def logrank_case(name, t, e, g):
    from lifelines.statistics import logrank_test, multivariate_logrank_test

    g = np.asarray(g)
    r = multivariate_logrank_test(t, g, e)
    out = {"name": name, "durations": f(t), "events": f(e), "groups": [int(x) for x in g],
           "statistic": float(r.test_statistic), "p_value": float(r.p_value), "df": int(r.degrees_of_freedom)}
    if len(set(g)) == 2:
        a, b = g == 0, g == 1
        r2 = logrank_test(t[a], t[b], e[a], e[b])
        out["statistic_two"] = float(r2.test_statistic)
    return out


def kaplan_meier_cases(rng):
    w = pd.read_csv(DATA / "waltons_dataset.csv")
    cases = [km_case("waltons_all", w["T"].values, w["E"].values)]
    for grp in sorted(w["group"].unique()):
        s = w[w["group"] == grp]
        cases.append(km_case(f"waltons_{grp}", s["T"].values, s["E"].values))
    cases.append(km_case("waltons_all_90", w["T"].values, w["E"].values, 0.90))
    # ties, censoring at event times, zero durations, S reaching 0
    t = rng.integers(0, 12, 300).astype(float)
    e = (rng.random(300) < 0.7).astype(float)
    cases.append(km_case("ties_int", t, e))
    t = rng.exponential(5.0, 200)
    e = (rng.random(200) < 0.5).astype(float)
    cases.append(km_case("continuous_heavy_censoring", t, e))
    t = np.array([1.0, 2.0, 2.0, 3.0, 3.0])
    e = np.array([1.0, 1.0, 0.0, 1.0, 1.0])
    cases.append(km_case("reaches_zero", t, e))
    lr = []
    codes = (w["group"] == "miR-137").astype(int).values
    lr.append(logrank_case("waltons", w["T"].values.astype(float), w["E"].values.astype(float), codes))
    n = 400
    g = rng.integers(0, 3, n)
    t = np.round(rng.exponential(1.0 + 0.3 * g), 1)
    e = (rng.random(n) < 0.8).astype(float)
    lr.append(logrank_case("three_groups_ties", t, e, g))
    g = rng.integers(0, 4, n)
    t = rng.exponential(2.0, n)
    e = (rng.random(n) < 0.6).astype(float)
    lr.append(logrank_case("four_groups_null", t, e, g))
    # group 2 leaves before the first event: singular covariance, pseudo-inverse
    lr.append(logrank_case("singular", np.array([5.5, 0.0, 0.5, 3.0, 4.0]), np.array([0.0, 0.0, 1.0, 1.0, 0.0]),
                           np.array([0, 2, 1, 0, 1])))
    return cases, lr


def main():
    import lifelines

    rng = np.random.default_rng(SEED)
    km, lr = kaplan_meier_cases(rng)
    out = {
        "versions": {"python": sys.version.split()[0], "numpy": np.__version__, "pandas": pd.__version__,
                     "lifelines": lifelines.__version__},
        "kaplan_meier": km,
        "logrank": lr,
    }
    for extra in EXTRA:
        out.update(extra(rng))
    text = json.dumps(out, indent=None, separators=(",", ":"))
    OUT.write_text(text + "\n")
    print(f"wrote {OUT} ({len(text)} bytes)")


def cox_cases(rng):
    from lifelines import CoxPHFitter
    import statsmodels
    from statsmodels.duration.hazard_regression import PHReg

    rossi = pd.read_csv(DATA / "rossi.csv")
    cols = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]
    out = []
    for pen in (0.0, 0.1):
        # lifelines' default stopping rule leaves the penalised fit ~1e-5 short of the optimum; tighten it.
        opts = {"precision": 1e-12, "r_precision": 1e-15} if pen > 0 else {}
        cph = CoxPHFitter(penalizer=pen).fit(rossi, "week", "arrest", fit_options=opts)
        s = cph.summary
        out.append({
            "name": f"rossi_efron_pen{pen}", "peer": "lifelines CoxPHFitter", "ties": "efron", "penalizer": pen,
            "columns": cols, "coef": f(s.loc[cols, "coef"]), "se": f(s.loc[cols, "se(coef)"]),
            "z": f(s.loc[cols, "z"]), "p": f(s.loc[cols, "p"]),
            "ci_low": f(s.loc[cols, "coef lower 95%"]), "ci_high": f(s.loc[cols, "coef upper 95%"]),
            "log_likelihood": float(cph.log_likelihood_),
            "lr_statistic": float(cph.log_likelihood_ratio_test().test_statistic),
            "lr_p": float(cph.log_likelihood_ratio_test().p_value),
            "concordance": float(cph.concordance_index_),
        })
    m = PHReg(rossi["week"].values.astype(float), rossi[cols].values.astype(float),
              status=rossi["arrest"].values.astype(float), ties="breslow").fit()
    ci = m.conf_int()
    out.append({
        "name": "rossi_breslow", "peer": f"statsmodels {statsmodels.__version__} PHReg", "ties": "breslow",
        "penalizer": 0.0, "columns": cols, "coef": f(m.params), "se": f(m.bse), "z": f(m.tvalues),
        "p": f(m.pvalues), "ci_low": f(ci[:, 0]), "ci_high": f(ci[:, 1]), "log_likelihood": float(m.llf),
    })
    m0 = PHReg(rossi["week"].values.astype(float), rossi[cols].values.astype(float),
               status=rossi["arrest"].values.astype(float), ties="efron").fit()
    out.append({
        "name": "rossi_efron_statsmodels", "peer": f"statsmodels {statsmodels.__version__} PHReg", "ties": "efron",
        "penalizer": 0.0, "columns": cols, "coef": f(m0.params), "se": f(m0.bse), "z": f(m0.tvalues),
        "p": f(m0.pvalues), "log_likelihood": float(m0.llf),
    })
    return {"cox": out}


def clv_cases(rng):
    import lifetimes
    from lifetimes import BetaGeoFitter, GammaGammaFitter
    from lifetimes.utils import calibration_and_holdout_data, summary_data_from_transaction_data

    summ = pd.read_csv(DATA / "cdnow_customers_summary.csv")
    bgf = BetaGeoFitter().fit(summ["frequency"], summ["recency"], summ["T"])
    x, tx, T = summ["frequency"], summ["recency"], summ["T"]
    sub = np.arange(0, len(summ), 7)
    bg = {
        "peer": f"lifetimes {lifetimes.__version__} BetaGeoFitter", "data": "cdnow_customers_summary.csv",
        "params": f([bgf.params_[k] for k in ("r", "alpha", "a", "b")]),
        "se": f([bgf.standard_errors_[k] for k in ("r", "alpha", "a", "b")]),
        # lifetimes stores the mean likelihood in its internally rescaled time; evaluate it in weeks instead.
        "log_likelihood": float(-len(summ) * bgf._negative_log_likelihood(
            np.log([bgf.params_[k] for k in ("r", "alpha", "a", "b")]), x.values, tx.values, T.values,
            np.ones(len(summ)), 0.0)),
        "rows": [int(i) for i in sub],
        "p_alive": f(bgf.conditional_probability_alive(x, tx, T).ravel()[sub]),
        "expected_39": f(bgf.conditional_expected_number_of_purchases_up_to_time(39, x, tx, T).values[sub]),
        "expected_new": f([bgf.expected_number_of_purchases_up_to_time(t) for t in (1.0, 10.0, 39.0, 78.0)]),
        "expected_new_t": [1.0, 10.0, 39.0, 78.0],
    }
    tr = pd.read_csv(DATA / "cdnow_customers_summary_with_transactions.csv")
    ret = tr[tr["x"] > 0]
    ggf = GammaGammaFitter().fit(ret["x"], ret["zbar"])
    clv = ggf.customer_lifetime_value(bgf, tr["x"], tr["t_x"], tr["T"], tr["zbar"], time=12,
                                      discount_rate=0.01, freq="W")
    gg = {
        "peer": f"lifetimes {lifetimes.__version__} GammaGammaFitter", "data": "cdnow_customers_summary_with_transactions.csv",
        "params": f([ggf.params_[k] for k in ("p", "q", "v")]),
        "se": f([ggf.standard_errors_[k] for k in ("p", "q", "v")]),
        "rows": [int(i) for i in sub],
        "expected_spend": f(ggf.conditional_expected_average_profit(tr["x"], tr["zbar"]).values[sub]),
        "clv_12m_weeks": f(clv.values[sub]),
    }
    raw = pd.read_csv(DATA / "CDNOW_sample.txt", sep=r"\s+", header=None,
                      names=["master_id", "id", "date", "cds", "spend"])
    raw["date"] = pd.to_datetime(raw["date"].astype(str), format="%Y%m%d")
    cal = calibration_and_holdout_data(raw, "id", "date", calibration_period_end="1997-09-30",
                                       observation_period_end="1998-06-30", freq="D", freq_multiplier=7,
                                       monetary_value_col="spend")
    full = summary_data_from_transaction_data(raw, "id", "date", observation_period_end="1998-06-30", freq="D",
                                              monetary_value_col="spend")
    summary = {
        "peer": f"lifetimes {lifetimes.__version__} calibration_and_holdout_data / summary_data_from_transaction_data",
        "calibration": {c: f(cal[c].values) for c in cal.columns}, "calibration_ids": [int(i) for i in cal.index],
        "full": {c: f(full[c].values) for c in full.columns}, "full_ids": [int(i) for i in full.index],
    }
    return {"bgnbd": bg, "gamma_gamma": gg, "summary": summary, "lifetimes_version": lifetimes.__version__}


EXTRA = [cox_cases, clv_cases]

if __name__ == "__main__":
    main()
