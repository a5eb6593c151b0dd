"""voc.text: theme matching with offsets, normalisation, sentiment (live VADER cross-check), mention rates
(Wilson, two-proportion test, Holm — checked against scipy / statsmodels), the alert rule, top keywords,
reason shares, topics (against scikit-learn), inputs, bad input and pickling."""

from __future__ import annotations

import math
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
import scipy.stats as st
from _helpers import assert_tables_equal
from hypothesis import given
from hypothesis import strategies as hs
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportions_ztest

import voc

DATA = Path(__file__).resolve().parents[2] / "voc-core" / "tests" / "data" / "text"


@pytest.fixture(scope="module")
def m() -> voc.text.ThemeMatcher:
    return voc.text.themes()


# ---------------------------------------------------------------- matching and offsets


def test_offsets_on_mixed_text_are_python_string_positions(m):
    text = "ＡＰＰ里找不到入口😡, REFUNDS 退款慢 and the delivery was late!!"
    found = list(m.find(text).to_pandas().itertuples(index=False, name=None))
    assert ("app.findability", "找不到入口", 4, 9) in found
    assert ("refund.slow", "退款慢", 20, 23) in found
    assert ("refund", "refund*", 12, 19) in found
    for theme, keyword, start, end in found:
        assert text[start:end], (theme, keyword)
    t = m.matches([text, None, "no themes here"])
    assert set(t["text"].tolist()) == {0}
    for s, e, matched in zip(t["start"], t["end"], t["matched"]):
        assert text[s:e] == matched
    assert "REFUNDS" in t["matched"]


def test_default_taxonomy_finds_the_motivating_complaints(m):
    tags = m.tag(["退货流程太麻烦", "退款慢", "找不到入口", "客服不理人", "价格太贵"])
    assert "returns" in tags[0]
    assert "refund.slow" in tags[1]
    assert "app.findability" in tags[2]
    assert "service.unresponsive" in tags[3]
    assert "price" in tags[4]
    assert m.tag(["退款慢"], rollup=False) == [["refund", "refund.slow"]]
    table = m.taxonomy().to_pandas()
    assert table.loc[table.theme == "refund.slow", "parent"].item() == "refund"


def test_custom_taxonomy_word_boundaries_and_exclusions():
    m = voc.text.themes(
        {
            "app": {"keywords": ["app"], "exclude": ["app store"]},
            "price": ["price*", "价格"],
        }
    )
    assert m.tag(["happy days", "the app crashed", "app store listing", "prices up", "价格"]) == [
        [],
        ["app"],
        [],
        ["price"],
        ["price"],
    ]
    m2 = voc.text.themes(m.spec())
    assert m2.spec() == m.spec()
    m3 = voc.text.themes("[a]\nkeywords = x, y\n")
    assert m3.themes == ["a"]


def test_inputs_agree_across_column_types(m):
    texts = voc.text.sample_tickets(300, seed=3) + [None]
    ref = m.tag(texts)
    assert m.tag(pd.Series(texts)) == ref
    assert m.tag(pd.Series(texts, dtype="string[pyarrow]")) == ref
    assert m.tag(pl.Series(texts)) == ref
    assert m.tag(pa.array(texts)) == ref
    assert m.tag(np.array(texts, dtype=object)) == ref
    ind = m.indicators(texts).to_pandas()
    assert ind.shape == (301, len(m.themes))
    assert ind["refund"].tolist() == ["refund" in r for r in ref]


def test_normalize():
    assert voc.text.normalize("ＲＥＦＵＮＤ　退款！") == "refund 退款!"
    assert voc.text.normalize("ＡB", lowercase=False) == "AB"
    assert voc.text.normalize("ＡB", width=False) == "ａb"
    text = "Ｒｅｆｕｎｄ İstanbul ΣΑΣ"
    assert len(voc.text.normalize(text)) == len(text)


# ---------------------------------------------------------------- sentiment


def test_negation_and_contrast():
    pol = voc.text.polarity
    assert pol("good").compound > 0 > pol("not good").compound
    assert pol("满意").compound > 0 > pol("不满意").compound
    assert pol("没有问题").compound > 0
    assert pol("质量不错，但是退款太慢").compound < 0
    assert pol("The product is great but the refund is slow and terrible").compound < 0
    s = voc.text.sentiment(["great", "太差了", None]).to_pandas()
    assert list(s.columns) == ["neg", "neu", "pos", "compound"]
    assert s.compound[2] == 0


def test_vader_matches_vadersentiment_on_amazon_snippets():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    sia = SentimentIntensityAnalyzer()
    lines = (DATA / "vader_amazon_snippets.tsv").read_text(encoding="utf-8").splitlines()
    texts = [line.rstrip("\r").split("\t")[2] for line in lines[::5]]
    ours = voc.text.sentiment(texts, lang="en").to_pandas()
    for i, t in enumerate(texts):
        ref = sia.polarity_scores(t)
        assert abs(ours.compound[i] - ref["compound"]) <= 5e-5 + 1e-12, t
        for k in ("neg", "neu", "pos"):
            assert abs(ours[k][i] - ref[k]) <= 5e-4 + 1e-12, (t, k)


WORDS = [
    "good", "bad", "great", "terrible", "not", "very", "no", "but", "never", "so", "kind", "of",
    "least", "at", "refund", "slow", "GREAT", "BAD", "love", "hate", "without", "doubt", "isn't",
    "the", "bomb", ":)", ":(", "😁", "💔", "!", "?", "extremely", "barely", "sort", "nor", "or",
]


@given(hs.lists(hs.sampled_from(WORDS), max_size=14), hs.sampled_from(["", "!", "!!!", "?", "??", "?!?!"]))
def test_vader_matches_vadersentiment_on_random_sentences(words, end):
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    text = " ".join(words) + end
    ref = SentimentIntensityAnalyzer().polarity_scores(text)
    ours = voc.text.polarity(text, lang="en")
    assert abs(ours.compound - ref["compound"]) <= 5e-5 + 1e-12, text
    for k in ("neg", "neu", "pos"):
        assert abs(getattr(ours, k) - ref[k]) <= 5e-4 + 1e-12, (text, k)


def test_theme_sentiment_is_clause_level(m):
    t = m.theme_sentiment(["物流很快，但是退款太慢了", "Delivery was great, but the refund was terrible"]).to_pandas()
    by = {(r.text, r.theme): r.compound for r in t.itertuples()}
    assert by[(0, "delivery")] > 0 > by[(0, "refund.slow")]
    assert by[(1, "delivery")] > 0 > by[(1, "refund")]


# ---------------------------------------------------------------- mention rates and alerts


def _texts_with_rates(counts):
    """Texts per (channel, month) with k mentions of 退款慢 out of n."""
    texts, channel, time = [], [], []
    for (ch, month), (k, n) in counts.items():
        for i in range(n):
            texts.append("退款慢" if i < k else "东西收到了")
            channel.append(ch)
            time.append(np.datetime64(f"2026-{month:02d}-10"))
    return texts, channel, np.array(time, dtype="datetime64[s]")


def test_rates_match_scipy_and_statsmodels(m):
    counts = {("app", 1): (20, 400), ("app", 2): (45, 400), ("store", 1): (30, 300), ("store", 2): (28, 310)}
    texts, channel, time = _texts_with_rates(counts)
    r = m.mention_rates(texts, by=channel, time=time, period="month").table.to_pandas()
    slow = r[r.theme == "refund.slow"].reset_index(drop=True)
    assert slow[["group", "period"]].values.tolist() == [
        ["app", "2026-01"],
        ["app", "2026-02"],
        ["store", "2026-01"],
        ["store", "2026-02"],
    ]
    for row in slow.itertuples():
        k, n = counts[(row.group, int(row.period[-2:]))]
        ci = st.binomtest(k, n).proportion_ci(method="wilson")
        assert (row.mentions, row.texts) == (k, n)
        assert abs(row.ci_low - ci.low) < 1e-12 and abs(row.ci_high - ci.high) < 1e-12
    # change tests: statsmodels proportions_ztest (pooled), Holm over the whole table's family
    p_app = proportions_ztest([45, 20], [400, 400])[1]
    p_store = proportions_ztest([28, 30], [310, 300])[1]
    assert abs(slow.p_value[1] - p_app) < 1e-12
    assert abs(slow.p_value[3] - p_store) < 1e-12
    family = r.p_value.dropna().to_numpy()
    holm = multipletests(family, method="holm")[1]
    np.testing.assert_allclose(r.p_adjusted.dropna().to_numpy(), holm, rtol=0, atol=1e-12)
    assert math.isnan(slow.p_value[0])


def test_alert_rule(m):
    counts = {("app", 1): (20, 400), ("app", 2): (45, 400), ("store", 1): (30, 300), ("store", 2): (28, 310)}
    texts, channel, time = _texts_with_rates(counts)
    r = m.mention_rates(texts, by=channel, time=time, adjust=None).table.to_pandas()
    slow = r[r.theme == "refund.slow"].set_index(["group", "period"])
    assert bool(slow.loc[("app", "2026-02"), "alert"])  # p = 0.0012 < 0.01, rose
    assert not bool(slow.loc[("store", "2026-02"), "alert"])  # fell
    assert not slow.loc[("app", "2026-01"), "alert"]  # no previous period
    strict = m.mention_rates(texts, by=channel, time=time, adjust=None, alert_alpha=0.001).table.to_pandas()
    assert not strict.alert.any()
    few = m.mention_rates(texts, by=channel, time=time, adjust=None, min_mentions=50).table.to_pandas()
    assert not few.alert.any()


def test_rates_without_channel_or_time_and_share_of_voice(m):
    r = m.mention_rates(["退款慢", "价格太贵", "退货", "ok"]).table.to_pandas()
    assert "period" not in r.columns and "group" not in r.columns
    top = r[r.theme.isin([t for t in m.themes if "." not in t])]
    assert abs(top.share_of_voice.sum() - 1.0) < 1e-12
    assert r.loc[r.theme == "price", "rate"].item() == 0.25



def _mention_batches():
    texts = ["退款慢", "快递太慢了", "refund please", "hello", "退款", "late delivery", "价格太贵", "退款慢"]
    channel = ["chat", "email", "web", "web", "email", "chat", "app", "chat"]
    days = ["2026-01-03", "2026-01-20", "2026-02-02", "2026-01-09", "2026-02-11", "2026-02-25", "2026-01-30", "2026-02-01"]
    time = np.array(days, dtype="datetime64[s]")
    return texts, channel, time


def test_mention_state_pickles_and_merges_across_channel_orders(m):
    texts, channel, time = _mention_batches()
    full = m.mention_rates(texts, by=channel, time=time)
    whole = full.table
    # The parts meet their channels in different orders (chat, email, web / web, email, chat, app).
    a = m.mention_state(texts[:3], by=channel[:3], time=time[:3])
    b = m.mention_state(texts[3:], by=channel[3:], time=time[3:])
    assert (a.texts, b.texts) == (3, 5)
    for x, y in [(a, b), (b, a)]:
        z = pickle.loads(pickle.dumps(x))
        assert z == x and z is not x
        z.merge(pickle.loads(pickle.dumps(y)))
        assert_tables_equal(z.finish().table, whole)
        assert z.finish() == full
    ab, ba = pickle.loads(pickle.dumps(a)), pickle.loads(pickle.dumps(b))
    ab.merge(b)
    ba.merge(a)
    assert ab == ba  # equal states whatever order the channels were met in
    assert ab.texts == len(texts) and a.texts == 3  # the merged-in states are unchanged
    back = voc.text.MentionState.from_bytes(ab.to_bytes())
    assert back == ab and back.to_bytes() == ab.to_bytes()
    # Integer channel labels, each part numbering them differently.
    c, d = m.mention_state(texts[:4], by=[3, 1, 3, 2]), m.mention_state(texts[4:], by=[2, 7, 1, 1])
    c.merge(d)
    assert_tables_equal(c.finish().table, m.mention_rates(texts, by=[3, 1, 3, 2, 2, 7, 1, 1]).table)


def test_mention_states_of_other_settings_do_not_merge(m):
    texts, channel, time = _mention_batches()
    a = m.mention_state(texts, by=channel, time=time)
    before = a.to_bytes()
    for other in [
        m.mention_state(texts, by=channel, time=time, rollup=False),
        m.mention_state(texts, by=channel, time=time, period="quarter"),
        m.mention_state(texts, by=channel),
        m.mention_state(texts, time=time),
        voc.text.themes({"refund": ["退款"]}).mention_state(texts, by=channel, time=time),
    ]:
        with pytest.raises(voc.IncompatibleError):
            a.merge(other)
        assert a.to_bytes() == before
    assert a != m.mention_state(texts, by=channel, time=time, rollup=False)
    # Rolled-up and plain counts would give a parent theme fewer mentions than its child.
    with pytest.raises(voc.IncompatibleError, match="rollup"):
        a.merge(m.mention_state(texts, by=channel, time=time, rollup=False))


def test_mention_state_merges_from_threads(m):
    import concurrent.futures as cf

    texts, channel, time = _mention_batches()
    parts = [m.mention_state(texts[i::4], by=channel[i::4], time=time[i::4]) for i in range(4)]
    total = m.mention_state([], by=np.array([], dtype="U1"), time=np.array([], dtype="datetime64[s]"))
    with cf.ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda k: total.merge(parts[k % 4]), range(8)))
    total.merge(total)  # merging a state into itself doubles it, without a deadlock
    assert total.texts == 4 * len(texts)
    want = m.mention_rates(texts * 4, by=channel * 4, time=np.concatenate([time] * 4)).table
    assert_tables_equal(total.finish().table, want)

def test_top_keywords_and_reason_shares(m):
    texts = ["退款慢，太失望了", "退款慢", "客服不理人，很生气", "价格还行，挺满意"]
    neg = [True, False, True, False]
    k = m.top_keywords(texts, negative=neg).to_pandas()
    row = k[k.keyword == "退款慢"].iloc[0]
    assert (row.negative_mentions, row.mentions) == (1, 2)
    assert row.share_of_negative == 0.5 and row.negative_rate == 0.5
    auto = m.top_keywords(texts).to_pandas()
    assert "客服不理人" in auto.keyword.tolist()
    rs = voc.text.reason_shares(["price", "quality", None, ["price", "service"]]).to_pandas()
    assert rs.reason.tolist() == ["price", "quality", "service"]
    ci = st.binomtest(2, 4).proportion_ci(method="wilson")
    assert abs(rs.ci_low[0] - ci.low) < 1e-12 and rs.n[0] == 4


# ---------------------------------------------------------------- topics


def _domains():
    rows = [line.split("\t", 1) for line in (DATA / "vader_domains_2000.tsv").read_text(encoding="utf-8").splitlines()]
    return [r[1] for r in rows], [r[0] for r in rows]


def test_topics_seeded_and_comparable_to_sklearn():
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import normalized_mutual_info_score as nmi

    texts, labels = _domains()
    a = voc.text.fit_topics(texts, n_topics=4, seed=1)
    b = voc.text.fit_topics(texts, n_topics=4, seed=1)
    assert a == b
    assert a.doc_topic.shape == (len(texts), 4)
    assert a.components.shape == (4, len(a.vocabulary))
    ours = nmi(labels, a.labels)
    X = TfidfVectorizer(stop_words="english", min_df=2, max_df=0.95).fit_transform(texts)
    W = NMF(4, init="random", random_state=1, max_iter=200).fit_transform(X)
    theirs = nmi(labels, W.argmax(axis=1))
    # Both are weak on four sources of short snippets; voc must not be clearly worse.
    assert ours > theirs - 0.05, (ours, theirs)
    terms = a.top_terms(5).to_pandas()
    assert terms.shape == (20, 4)


def test_chinese_topics_use_jieba_tokens():
    texts = voc.text.sample_tickets(400, seed=5, lang="zh")
    t = voc.text.fit_topics(texts, n_topics=3, seed=0)
    assert any(len(w) >= 2 and "\u4e00" <= w[0] <= "\u9fff" for w in t.vocabulary)


# ---------------------------------------------------------------- bad input and pickling


def test_bad_input(m):
    with pytest.raises(voc.DtypeError):
        m.tag("a single string")
    with pytest.raises(voc.DtypeError, match="position 1"):
        m.tag(["ok", 3])
    with pytest.raises(voc.LengthMismatchError):
        m.mention_rates(["a", "b"], by=["x"]).table
    with pytest.raises(voc.MissingValueError):
        m.mention_rates(["a", None]).table
    r = m.mention_rates(["退款", None], missing="skip")
    assert (r.n, r.n_missing) == (1, 1)
    assert r.table.meta is None
    with pytest.raises(voc.InvalidOptionError):
        voc.text.polarity("x", lang="fr")
    with pytest.raises(voc.InvalidOptionError):
        m.mention_rates(["a"], confidence=1.5).table
    with pytest.raises(voc.InvalidOptionError):
        m.mention_rates(["a"], period="month").table
    with pytest.raises(voc.InvalidOptionError):
        voc.text.themes([("a.b", "", ["x"], [])])
    with pytest.raises(voc.InvalidOptionError, match="line 2"):
        voc.text.themes("[a]\nfoo = bar\n")
    with pytest.raises(voc.EmptyInputError):
        m.mention_rates([]).table
    with pytest.raises(voc.InvalidOptionError):
        voc.text.fit_topics(["a b", "b c"], n_topics=0)
    with pytest.raises(voc.VocError):
        voc.text.fit_topics(["refund", "login"], n_topics=5)


def test_pickle(m):
    m2 = pickle.loads(pickle.dumps(m))
    assert m2.spec() == m.spec()
    assert m2.tag(["退款慢"]) == m.tag(["退款慢"])
    t = voc.text.fit_topics(voc.text.sample_tickets(200, seed=2, lang="en"), n_topics=3)
    assert pickle.loads(pickle.dumps(t)) == t


def test_topic_model_pickles_as_the_core_byte_form():
    texts = voc.text.sample_tickets(200, seed=2, lang="en") + ["über crème café", "refund über"]
    t = voc.text.fit_topics(texts, n_topics=3, seed=4, lang="en", min_df=1)
    back = pickle.loads(pickle.dumps(t))
    assert back == t
    np.testing.assert_array_equal(back.doc_topic, t.doc_topic)
    np.testing.assert_array_equal(back.components, t.components)
    np.testing.assert_array_equal(back.labels, t.labels)
    assert back.vocabulary == t.vocabulary and "über" in back.vocabulary
    assert (back.n_topics, back.iterations, back.converged) == (t.n_topics, t.iterations, t.converged)
    assert back.reconstruction_err == t.reconstruction_err
    pd.testing.assert_frame_equal(back.top_terms(5).to_pandas(), t.top_terms(5).to_pandas())
    assert repr(back) == repr(t)
    # The pickled state is the core's versioned byte form (magic "VOCN").
    fn, (state,) = t.__reduce__()
    assert state[:4] == b"VOCN"
    assert type(fn(state)) is type(t) and fn(state) == t


def test_corrupted_topic_model_pickle_is_a_decode_error():
    t = voc.text.fit_topics(voc.text.sample_tickets(120, seed=3, lang="en"), n_topics=2, seed=0)
    _, (state,) = t.__reduce__()
    data = pickle.dumps(t)
    assert data.count(state) == 1
    for i in (0, 4, len(state) // 2, len(state) - 1):
        bad = bytearray(state)
        bad[i] ^= 0x10
        with pytest.raises(voc.DecodeError):
            pickle.loads(data.replace(state, bytes(bad)))
    cls = type(t)
    for junk in (b"", state[:10], state[:-8], b"VOCN" + bytes(40)):
        with pytest.raises(voc.DecodeError) as e:
            cls._from_state(junk)
        assert isinstance(e.value, voc.VocError)


def test_docstring_examples():
    import doctest

    result = doctest.testmod(voc.text, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 4
    assert result.failed == 0


def test_rates_read_pandas_and_polars_time_and_channel_columns(m):
    texts = ["退款慢", "价格太贵", "退款慢", "ok", "退款慢", None]
    time = pd.to_datetime(["2026-01-03", "2026-01-20", "2026-02-02", "2026-02-10", None, "2026-02-11"])
    channel = ["app", "app", "app", "store", "store", "store"]
    with pytest.raises(voc.MissingValueError):
        m.mention_rates(texts, by=channel, time=pd.Series(time)).table
    ra = m.mention_rates(texts, by=pd.Series(channel), time=pd.Series(time), missing="skip")
    rb = m.mention_rates(pl.Series(texts), by=pl.Series(channel), time=pl.Series(time), missing="skip")
    assert ra.n_missing == 2 and rb.n_missing == 2
    a, b = ra.table, rb.table
    da, db = a.to_pandas(), b.to_pandas()
    pd.testing.assert_frame_equal(da, db)
    slow = da[(da.theme == "refund.slow") & (da.group == "app")]
    assert slow.period.tolist() == ["2026-01", "2026-02"]
    assert slow.mentions.tolist() == [1, 1] and slow.texts.tolist() == [2, 1]
    assert str(slow.period_start.dtype).startswith("datetime64")


# ---------------------------------------------------------------- conventions (docs/conventions.md)


def test_fit_topics_model_predicts_summarises_and_round_trips():
    texts = voc.text.sample_tickets(300, seed=6, lang="en")
    df = pd.DataFrame({"body": texts})
    t = voc.text.fit_topics(df, texts="body", n_topics=3, seed=2)
    assert t == voc.text.fit_topics(texts, n_topics=3, seed=2) == voc.text.fit_topics(texts=texts, n_topics=3, seed=2)
    assert isinstance(t, voc.text.TopicModel) and t.n_docs == 300
    # predict on the fitted texts gives weights whose heaviest topic agrees with the fit on most rows.
    w = t.predict(texts)
    assert w.shape == (300, 3) and (w >= 0).all()
    assert (t.predict_topic(df, texts="body") == w.argmax(axis=1)).mean() > 0.9
    assert (t.predict_topic(texts) == t.labels).mean() > 0.8
    assert t.predict(["zzzz qqqq"]).sum() == 0 and t.predict_topic(["zzzz qqqq"]).tolist() == [-1]
    s = t.summary(n_terms=4)
    assert s.columns == ["topic", "label", "top_terms", "documents", "share"]
    assert s["topic"].tolist() == [0, 1, 2] and abs(s["share"].sum() - (t.labels >= 0).mean()) < 1e-12
    assert s["documents"].tolist() == [int((t.labels == k).sum()) for k in range(3)]
    top = t.top_terms(4).to_pandas()
    for k, terms in enumerate(s["top_terms"]):
        assert terms.split(", ") == top[top.topic == k].term.tolist()
        assert s["label"][k] == " / ".join(terms.split(", ")[:3])
    back = voc.text.TopicModel.from_bytes(t.to_bytes())
    assert back == t and pickle.loads(pickle.dumps(t)) == t
    np.testing.assert_array_equal(back.predict(texts), w)
    with pytest.raises(voc.DecodeError):
        voc.text.TopicModel.from_bytes(b"junk")
    assert t.to_dict()["n_topics"] == 3 and "<table" in t._repr_html_()
    with pytest.raises(voc.ColumnNotFoundError):
        voc.text.fit_topics(df, texts="text", n_topics=3)
    with pytest.raises(TypeError):
        voc.text.fit_topics(texts, 3)  # options are keyword-only


def test_polarity_is_a_typed_frozen_result():
    p = voc.text.polarity("The refund was fast, thanks!")
    assert isinstance(p, voc.text.PolarityResult)
    assert p.estimate == p.compound and round(p.compound, 4) == 0.4926
    assert p.to_dict() == {"estimate": p.compound, "neg": p.neg, "neu": p.neu, "pos": p.pos, "compound": p.compound}
    assert pickle.loads(pickle.dumps(p)) == p and "<table" in p._repr_html_()
    with pytest.raises(AttributeError):
        p.compound = 0.0  # type: ignore[misc]


def test_no_dict_or_tuple_returns(m):
    found = m.find("退款太慢了")
    assert isinstance(found, voc.Table) and found.columns == ["theme", "keyword", "start", "end"]
    empty = m.find("nothing here")
    assert len(empty) == 0 and empty.columns == ["theme", "keyword", "start", "end"]
    rs = voc.text.reason_shares(["price", "size", None])
    assert "estimate" in rs.columns and "share" not in rs.columns


def test_roles_read_a_table(m):
    df = pd.DataFrame({
        "body": ["退款慢", "价格太贵", "退款慢", "ok"],
        "store": ["a", "a", "b", "b"],
        "when": pd.to_datetime(["2026-01-03", "2026-02-03", "2026-01-05", "2026-02-05"]),
        "neg": [True, False, True, False],
        "why": ["price", "size", "price", None],
    })
    assert_tables_equal(
        m.mention_rates(df, texts="body", by="store", time="when").table,
        m.mention_rates(df["body"], by=df["store"], time=df["when"]).table,
    )
    assert m.mention_rates(df, texts="body", by="store").table["group"] == sorted(["a", "b"] * len(m.themes))
    assert m.mention_state(df, texts="body", by="store").texts == 4
    assert_tables_equal(m.top_keywords(df, texts="body", negative="neg"), m.top_keywords(df["body"], negative=df["neg"]))
    assert_tables_equal(m.theme_sentiment(df, texts="body"), m.theme_sentiment(df["body"]))
    assert_tables_equal(m.matches(df, texts="body"), m.matches(df["body"]))
    assert_tables_equal(m.indicators(pl.from_pandas(df), texts="body"), m.indicators(df["body"]))
    assert m.tag(df, texts="body") == m.tag(df["body"])
    assert_tables_equal(voc.text.sentiment(df, texts="body"), voc.text.sentiment(df["body"]))
    assert_tables_equal(voc.text.reason_shares(df, reasons="why"), voc.text.reason_shares(df["why"]))
    for call in (
        lambda: m.mention_rates(df, texts="text").table,
        lambda: m.mention_rates(df, texts="body", by="channel").table,
        lambda: voc.text.sentiment(df, texts="nope"),
        lambda: voc.text.reason_shares(df, reasons="nope"),
        lambda: m.top_keywords(df, texts="body", negative="nope"),
    ):
        with pytest.raises(voc.ColumnNotFoundError):
            call()
    with pytest.raises(TypeError):
        m.mention_rates(df["body"], channel=df["store"]).table  # grouping is by=


def test_lone_surrogates_are_input_errors(m):
    bad = "ok \ud800 refund"
    for call, arg, index in (
        (lambda: voc.text.polarity(bad), "text", 3),
        (lambda: voc.text.normalize(bad), "text", 3),
        (lambda: m.find(bad), "text", 3),
        (lambda: voc.text.sentiment(["fine", bad]), "texts", 1),
        (lambda: m.tag(["fine", "fine", bad]), "texts", 2),
        (lambda: voc.text.fit_topics(["fine", bad], n_topics=1), "texts", 1),
        (lambda: voc.text.reason_shares(["price", ["size", bad]]), "reasons", 1),
    ):
        with pytest.raises(voc.InputError, match="surrogate") as e:
            call()
        assert not isinstance(e.value, UnicodeError)
        assert (e.value.arg, e.value.index) == (arg, index)
        assert f"{arg}[{index}]" in str(e.value)


def test_taxonomy_text_with_a_lone_surrogate_is_an_input_error_naming_taxonomy():
    bad = "refund: 退款 \ud800"
    for call in (lambda: voc.text.themes(bad), lambda: voc.text.themes(taxonomy=bad),
                 lambda: voc.text.ThemeMatcher(taxonomy=bad)):
        with pytest.raises(voc.InvalidOptionError, match="surrogate") as e:
            call()
        assert not isinstance(e.value, UnicodeError)
        assert e.value.arg == "taxonomy"
        assert str(e.value).startswith("taxonomy = ")


def test_binding_raises_only_through_error_rs():
    src = Path(__file__).resolve().parents[1] / "src" / "text"
    for f in src.glob("*.rs"):
        code = f.read_text(encoding="utf-8")
        for bad in ("PyValueError", "PyKeyError", "PyTypeError", "py.import("):
            assert bad not in code, (f.name, bad)


def test_negative_accepts_bools_ints_and_floats(m):
    texts = ["退款慢，太失望了", "退款慢", "客服不理人", "价格还行"]
    want = m.top_keywords(texts, negative=[True, False, True, False])
    for neg in ([1, 0, 1, 0], np.array([1.0, 0.0, 1.0, 0.0]), pd.Series([True, False, True, False]), pl.Series([1, 0, 1, 0])):
        assert_tables_equal(m.top_keywords(texts, negative=neg), want)
    with pytest.raises(voc.InputError) as e:
        m.top_keywords(texts, negative=[1, 0, 2, 0])
    assert (e.value.arg, e.value.index) == ("negative", 2)
    with pytest.raises(voc.MissingValueError):
        m.top_keywords(texts, negative=[True, None, True, False])
