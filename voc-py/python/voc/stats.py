"""Intervals and tests on summary numbers (counts, means, standard deviations).

* ``proportion_ci(k, n, method=...)``: Wilson, Wilson with continuity correction, Clopper–Pearson, Wald
  (matching ``scipy.stats.binomtest(k, n).proportion_ci``).
* ``two_proportion_test(k1, n1, k2, n2)``: pooled z statistic, unpooled Wald interval of the difference.
* ``welch_test(mean1, std1, nobs1, mean2, std2, nobs2)``: as ``scipy.stats.ttest_ind_from_stats`` with
  ``equal_var=False``, plus the interval of the difference.
* ``adjust_p_values(p, method="holm" | "bh")``: multiple-testing adjustment, as statsmodels ``multipletests``.
"""

from voc._voc import ProportionInterval, TestResult, adjust_p_values, proportion_ci, two_proportion_test, welch_test

__all__ = ["proportion_ci", "two_proportion_test", "welch_test", "adjust_p_values", "TestResult", "ProportionInterval"]
