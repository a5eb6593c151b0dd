"""Multiple-testing adjustment: voc.stats.adjust_p_values and the p_adjusted column of trend tables."""

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

import voc


@pytest.mark.parametrize(("ours", "theirs"), [("holm", "holm"), ("bh", "fdr_bh")])
def test_adjust_p_values_matches_statsmodels(ours, theirs):
    rng = np.random.default_rng(3)
    for n in (1, 2, 7, 50):
        p = rng.uniform(0, 0.2, n) ** 2
        got = voc.stats.adjust_p_values(p.tolist(), method=ours)
        np.testing.assert_allclose(got, multipletests(p, method=theirs)[1], rtol=0, atol=1e-15)


def test_nan_entries_stay_nan_and_are_left_out_of_the_family():
    got = voc.stats.adjust_p_values([0.01, float("nan"), 0.04])
    assert np.isnan(got[1])
    np.testing.assert_allclose([got[0], got[2]], multipletests([0.01, 0.04], method="holm")[1])


def test_out_of_range_p_values_and_unknown_methods_are_input_errors():
    with pytest.raises(voc.InputError) as ei:
        voc.stats.adjust_p_values([0.1, 1.5])
    assert (ei.value.arg, ei.value.index, ei.value.value) == ("p", 1, 1.5)
    with pytest.raises(voc.InvalidOptionError):
        voc.stats.adjust_p_values([0.1], method="bonferroni-ish")


def test_trend_table_p_adjusted_is_holm_over_the_tables_tests():
    data = voc.sample.surveys(seed=11, responses=40_000)
    t = voc.nps(data["nps"], by=data["channel"], period="month", time=data["time"]).table
    p = np.asarray(t["p_value"])
    defined = ~np.isnan(p)
    assert defined.sum() > 20
    np.testing.assert_allclose(np.asarray(t["p_adjusted"])[defined], multipletests(p[defined], method="holm")[1],
                               rtol=0, atol=1e-15)
    assert np.isnan(np.asarray(t["p_adjusted"])[~defined]).all()
    assert list(t["significant_adjusted"]) == list(np.nan_to_num(t["p_adjusted"], nan=1.0) < 0.05)
    # The planted July drop of app NPS survives the correction.
    rows = [i for i in range(len(t)) if t["group"][i] == "app" and t["period"][i] == "2025-07"]
    assert t["significant_adjusted"][rows[0]]
