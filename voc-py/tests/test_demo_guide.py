"""The runnable examples of docs/guide.md (one per module added by issues 17-19: themes -> score, seasonal
alerts, topics of untagged texts, uplift targeting, follow-up cases) run and print what the guide says."""

from __future__ import annotations

import doctest
from pathlib import Path

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "guide.md"


def test_the_guide_examples_run() -> None:
    result = doctest.testfile(str(GUIDE), module_relative=False, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 28 and result.failed == 0


def test_the_guide_links_every_module_of_issues_17_to_19() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    examples = "\n".join(line for line in text.splitlines() if line.startswith((">>> ", "... ")))
    for name in ["voc.uplift.target", "voc.impact.theme_score_impact", "voc.impact.score_change",
                 "voc.anomaly.seasonal_alerts", ".discover_topics(", "voc.followup.loop_metrics"]:
        assert name in examples, name
    for page in ["uplift.md", "followup.md", "anomaly.md", "impact.md#theme-impact-on-a-score",
                 "text.md#what-the-taxonomy-misses"]:
        assert f"({page}" in text, page
