"""The demo (examples/demo.py) runs end to end, writes every section of its report with the figures it
names, and its own data handling (linking NPS answers to texts, picking topics, measuring a call list) is
right: each is checked against a slow, obvious computation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

import voc

pytest.importorskip("matplotlib")

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PNG = b"\x89PNG\r\n\x1a\n"


def load_demo() -> ModuleType:
    sys.path.insert(0, str(EXAMPLES))
    try:
        import demo  # noqa: PLC0415

        return demo
    finally:
        sys.path.remove(str(EXAMPLES))


@pytest.fixture(scope="module")
def demo() -> ModuleType:
    return load_demo()


@pytest.fixture(scope="module")
def retailer() -> voc.sample.RetailerData:
    return voc.sample.retailer(seed=5, customers=3_000, holdout=0.2)


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("report")
    run = subprocess.run(
        [sys.executable, str(EXAMPLES / "demo.py"), "--responses", "20000", "--customers", "20000", "--out", str(out)],
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return out, run.stdout


def test_the_report_has_every_section_and_every_figure_it_names(report_dir: tuple[Path, str]) -> None:
    out, _ = report_dir
    text = (out / "report.md").read_text(encoding="utf-8")
    headings = [line[3:] for line in text.splitlines() if line.startswith("## ")]
    assert headings[-3:] == ["From themes to the score", "Who to call: risk vs uplift", "Closing the loop"]
    figures = [part.split(")")[0] for part in text.split("](")[1:]]
    for name in ["theme_score_impact.png", "score_waterfall.png", "refund_alerts.png", "qini.png",
                 "uplift_by_decile.png", "loop_time_to_contact.png", "loop_sla_trend.png"]:
        assert name in figures
    for name in figures:
        data = (out / name).read_bytes()
        assert data.startswith(PNG) and len(data) > 10_000, name


def test_the_printed_sections_report_what_the_library_computes(report_dir: tuple[Path, str], demo: ModuleType) -> None:
    _, printed = report_dir
    section = printed.split("From themes to the score")[1].split("Who to call")[0]
    # The ranking line lists every theme of the table, most costly first.
    ranking = section.split("Ranking by Shapley value: ")[1].split(".\n")[0].split(", ")
    rows = [line.split()[0] for line in section.split("Holm p\n")[1].split("Costs the most")[0].splitlines() if line]
    assert ranking == rows and len(rows) >= 3
    assert "Largest part of a theme:" in section and "weeks evaluated" in section
    who = printed.split("Who to call: risk vs uplift")[1].split("Closing the loop")[0]
    assert "The uplift list (voc.uplift.target" in who and "by churn risk" in who and "by uplift" in who


def test_the_closing_loop_section_reports_what_the_library_computes(report_dir: tuple[Path, str]) -> None:
    out, printed = report_dir
    section = printed.split("Closing the loop: ")[1]
    # One line per team, each with the SLA share the simulation planted for the team.
    lines = section.split("planted\n")[1].split("SLA attainment per team")[0].splitlines()
    assert sorted(line.split()[0] for line in lines) == ["east", "north", "south", "west"]
    for head in ("Trigger coverage", "Detractors won back", "contacted within SLA", "within vs never",
                 "Randomised holdout", "Customers kept by the", "The refund fix from the register (refund_sync"):
        assert head in section, head
    text = (out / "report.md").read_text(encoding="utf-8").split("## Closing the loop")[1]
    assert "customers kept** by" in text and "| team | cases |" in text and "refund_sync" in text


def test_loop_cases_classes_and_covariates(demo: ModuleType, retailer: voc.sample.RetailerData) -> None:
    """``fast`` is a first contact within the SLA of the case's opening (never for a held-out trigger or an
    unreached customer); the covariates are the customer's signals as of the loop's first day, one at a time."""
    log = voc.signals.EventLog(**retailer.tables())
    cases = demo.loop_cases(retailer, log)
    f = retailer.planted.followup
    X = log.features(f.first_date).to_pandas().set_index("customer_id")
    for r in cases.sample(200, random_state=0).itertuples():
        waited = (r.contacted - r.opened) / pd.Timedelta(hours=1) if not pd.isna(r.contacted) else np.inf
        assert r.fast == (not r.holdout and waited <= f.sla_hours)
        for name in ("tenure_days", "frequency", "monetary", "tickets_90d", "returns"):
            want = X[name].get(r.customer_id, np.nan)
            assert getattr(r, name) == (0.0 if np.isnan(want) else max(0.0, want)), name
        assert r.trigger_alert == (r.trigger == "alert") and r.trigger_ticket == (r.trigger == "ticket")
    assert cases.loc[cases["holdout"], "fast"].sum() == 0 and cases["fast"].any()


def brute_links(frame: pd.DataFrame, data: voc.sample.RetailerData, themes: list[str], link_days: int) -> np.ndarray:
    """Which themes each NPS answer mentions, one answer at a time."""
    m = voc.text.themes()
    answers = data.surveys.to_pandas().query("kind == 'nps'").reset_index(drop=True)
    tickets = data.tickets.to_pandas()
    by_customer = {c: g for c, g in tickets.groupby("customer_id")}
    out = np.zeros((len(answers), len(themes)), dtype=bool)
    for i, a in enumerate(answers.itertuples()):
        texts = [a.verbatim] if isinstance(a.verbatim, str) else []
        g = by_customer.get(a.customer_id)
        if g is not None:
            near = g[(g["time"] <= a.time) & (g["time"] > a.time - pd.Timedelta(days=link_days))]
            texts += near["text"].tolist()
        found = {t.split(".")[0] for tags in m.tag(texts) for t in tags} if texts else set()
        out[i] = [t in found for t in themes]
    return out


def test_answers_are_linked_to_their_verbatim_and_the_tickets_before_them(
    demo: ModuleType, retailer: voc.sample.RetailerData
) -> None:
    frame, themes = demo.answer_themes(retailer, voc.text.themes())
    assert themes and all(frame[t].any() for t in themes)
    expected = brute_links(frame, retailer, themes, demo.LINK_DAYS)
    np.testing.assert_array_equal(frame[themes].to_numpy(), expected)
    nps = retailer.surveys.to_pandas().query("kind == 'nps'")
    np.testing.assert_array_equal(frame["score"].to_numpy(), nps["score"].to_numpy())


def test_discover_keeps_topics_whose_terms_differ_or_says_there_are_none(demo: ModuleType) -> None:
    m = voc.text.themes()
    texts = ["Love this dress!"] * 30 + ["衣服很好看，推荐"] * 30 + ["refund is slow"] * 10
    found = demo.discover(m, texts)
    assert found is not None and found.n_untagged == 60
    labels = [frozenset(str(x).split(" / ")) for x in found.table["label"]]
    assert len(set(labels)) == len(labels) == found.n_topics
    assert demo.discover(m, ["refund is slow", "退款太慢了"] * 5) is None


def test_list_saves_is_the_stay_rate_difference_of_the_list_times_its_size(demo: ModuleType) -> None:
    test = pd.DataFrame({"customer_id": [10, 11, 12, 13, 14, 15], "called": [1, 1, 0, 0, 1, 0],
                         "stayed": [1, 1, 0, 1, 0, 1], "effect": [0.5, 0.2, 0.1, 0.0, 0.3, 0.2],
                         "value": [100.0, 50.0, 10.0, 20.0, 30.0, 40.0],
                         "group": ["slow_refund", "other", "other", "other", "slow_refund", "other"]})
    n, h, truth, value, groups = demo.list_saves(test, [14, 10, 12, 13])
    assert n == 4 and h is not None
    assert h.rate_treated == pytest.approx(0.5) and h.rate_control == pytest.approx(0.5)
    assert truth == pytest.approx(0.9) and value == pytest.approx(0.3 * 30 + 0.5 * 100 + 0.1 * 10)
    assert groups.to_dict() == {"slow_refund": 0.5, "other": 0.5}
    _, none, *_ = demo.list_saves(test, [10, 11])
    assert none is None  # no held-out customer on the list: no difference to measure
    _, none, *_ = demo.list_saves(test, [10, 11, 13, 15])
    assert none is None  # everyone stayed in both arms: the z test has no variance


def test_the_demo_runs_on_a_small_retailer(tmp_path: Path) -> None:
    # 1,000 customers: call lists of 17, where an arm of a list can have no churner; weeks without texts.
    run = subprocess.run(
        [sys.executable, str(EXAMPLES / "demo.py"), "--responses", "2000", "--customers", "1000", "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "count of refund mentions (a week had no texts)" in run.stdout
    assert "Closing the loop: " in run.stdout and (tmp_path / "loop_sla_trend.png").read_bytes().startswith(PNG)
    assert (tmp_path / "refund_alerts.png").read_bytes().startswith(PNG)
