"""Text: complaint themes and keyword mention rates (Chinese and English), sentiment, topic discovery.

Texts are any column of strings: a list, a numpy array, a pandas / polars / pyarrow string column. Every
function that reads texts takes the column itself, or a table and ``texts=`` naming its column
(docs/conventions.md §1); group (``by=``) and time columns are read like those of :mod:`voc.metrics`.

* ``themes(taxonomy=None)`` → :class:`ThemeMatcher` (the default retail taxonomy, or your own: a dict
  ``{"refund.slow": {"label": ..., "keywords": [...], "exclude": [...]}}``, a list of
  ``(id, label, keywords, exclude)`` tuples, or the text format of ``DEFAULT_RETAIL_TAXONOMY``).
* ``m.find(text)`` / ``m.matches(texts)``: every match with character offsets (a :class:`Table`);
  ``m.tag`` / ``m.indicators``: themes per text.
* ``m.mention_rates(df, texts="text", by="channel", time="created", period="month")`` → :class:`MentionRatesResult` (``.table``): rates with Wilson
  intervals, share of voice, period-over-period change with a two-proportion test and the alert rule.
* ``m.mention_state(df, texts=..., by=..., time=...)``: the same counts as a mergeable :class:`MentionState`
  (merge across batches or Dask / Spark workers, ``to_bytes`` / ``from_bytes``, ``finish()`` → the table).
* ``m.top_keywords(texts)``: keywords ranked by negative texts mentioning them.
* ``sentiment(texts)`` (a table) / ``polarity(text)`` (a :class:`PolarityResult`): VADER rules (English)
  or voc's seed lexicon (Chinese); ``m.theme_sentiment(texts)``: per theme at clause level.
* ``reason_shares(reasons)``: churn-survey reasons with intervals.
* ``fit_topics(texts, n_topics=...)`` → :class:`TopicModel`: TF-IDF + NMF topics, seeded; ``summary()``,
  ``predict(new_texts)``, ``to_bytes`` / ``from_bytes``, pickle.
* ``topics_over_time(df, model=tm, texts="text", time="created")`` (or ``tm.shares_over_time(...)``) →
  :class:`TopicSharesResult`: topic shares per period with intervals.
* ``m.discover_topics(texts)`` → :class:`DiscoveredTopics`: topics of the texts no theme tags, with top
  terms and example texts.
* ``m.mention_state(..., period="week").seasonal_alerts()``: seasonal anomaly alerts per theme
  (:mod:`voc.anomaly`).

>>> import voc
>>> m = voc.text.themes()
>>> sorted(set(m.find("退款太慢了，客服不理人")["theme"]))
['refund', 'refund.slow', 'service', 'service.unresponsive']
>>> round(voc.text.polarity("The refund was fast, thanks!").compound, 4)
0.4926
>>> rates = m.mention_rates(["退款太慢", "fast delivery", "refund please", None], by=["chat", "chat", "email", "email"],
...                         missing="skip")
>>> rates.n, rates.n_missing, rates.method
(3, 1, 'wilson')
>>> r = rates.table.to_pandas()
>>> r[r.theme == "refund"][["group", "mentions", "texts"]].values.tolist()
[['chat', 1, 2], ['email', 1, 1]]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from voc._voc import (
    DEFAULT_RETAIL_TAXONOMY,
    DiscoveredTopics,
    TopicSharesResult,
    MentionRatesResult,
    MentionState,
    PolarityResult,
    Table,
    ThemeMatcher,
    TopicModel,
)
from voc._voc import text_normalize as normalize
from voc._voc import text_polarity as polarity
from voc._voc import text_reason_shares as reason_shares
from voc._voc import text_sample_tickets as sample_tickets
from voc._voc import text_sentiment as sentiment
from voc._voc import text_fit_topics as fit_topics

from voc._args import Missing as _Missing
from voc._args import Period as _Period
from voc._args import ShareInterval as _ShareInterval

__all__ = [
    "themes",
    "ThemeMatcher",
    "MentionState",
    "MentionRatesResult",
    "DEFAULT_RETAIL_TAXONOMY",
    "normalize",
    "polarity",
    "PolarityResult",
    "sentiment",
    "reason_shares",
    "sample_tickets",
    "fit_topics",
    "TopicModel",
    "TopicSharesResult",
    "DiscoveredTopics",
    "topics_over_time",
    "Table",
]


def themes(
    taxonomy: str | Mapping[str, Any] | list[tuple[str, str, list[str], list[str]]] | None = None,
    *,
    lowercase: bool = True,
    width: bool = True,
) -> ThemeMatcher:
    """Compiles a theme taxonomy into a :class:`ThemeMatcher`.

    ``taxonomy`` is None (the default retail taxonomy), the taxonomy text format, a list of
    ``(id, label, keywords, exclude)`` tuples, or a dict mapping ids to ``{"label", "keywords",
    "exclude"}`` (or directly to a keyword list). Dotted ids make a hierarchy (parents first).

    >>> m = themes({"refund": ["退款", "refund*"], "refund.slow": {"keywords": ["退款慢"]}})
    >>> m.tag(["退款慢", "REFUNDED twice", "ok"])
    [['refund', 'refund.slow'], ['refund'], []]
    """
    if isinstance(taxonomy, Mapping):
        spec = []
        for theme_id, value in taxonomy.items():
            if isinstance(value, Mapping):
                spec.append(
                    (
                        str(theme_id),
                        str(value.get("label", "")),
                        list(value.get("keywords", [])),
                        list(value.get("exclude", [])),
                    )
                )
            else:
                spec.append((str(theme_id), "", list(value), []))
        return ThemeMatcher(spec, lowercase=lowercase, width=width)
    return ThemeMatcher(taxonomy, lowercase=lowercase, width=width)



def topics_over_time(
    data: Any = None,
    /,
    *,
    model: TopicModel,
    texts: Any = None,
    time: Any = None,
    by: Any = None,
    period: _Period = "month",
    confidence: float = 0.95,
    interval: _ShareInterval = "wilson",
    missing: _Missing = "error",
) -> TopicSharesResult:
    """Topic shares per period (and group ``by``) with intervals, on the topics of ``model`` (BERTopic's
    ``topics_over_time`` idea on voc's NMF topics): each text's topic is its heaviest topic
    (``model.predict_topic``), and a topic's ``share`` of a group × period is its texts over all the texts
    of the cell, with a Wilson (or ``interval=``) interval ``ci_low``, ``ci_high``. The same as
    ``model.shares_over_time(...)``.

    >>> import numpy as np, pandas as pd, voc
    >>> texts = voc.text.sample_tickets(300, seed=3, lang="en")
    >>> model = voc.text.fit_topics(texts, n_topics=3, seed=0)
    >>> res = voc.text.topics_over_time(texts=texts, model=model,
    ...                                 time=np.repeat(pd.date_range("2025-01-01", periods=3, freq="MS"), 100))
    >>> t = res.table.to_pandas()
    >>> len(t), res.n, bool((t.groupby("period").documents.sum() == 100).all())
    (9, 300, True)
    """
    if not isinstance(model, TopicModel):
        from voc.errors import DtypeError

        raise DtypeError(f"model: expected a voc.text.TopicModel, got {type(model).__name__} ({model!r:.60})", "model")
    return model.shares_over_time(
        data,
        texts=texts,
        time=time,
        by=by,
        period=period,
        confidence=confidence,
        interval=interval,
        missing=missing,
    )
