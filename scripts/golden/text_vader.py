"""Reference VADER scores for voc's English sentiment test.

Reads voc-core/tests/data/text/vader_amazon_snippets.tsv (id, mean human rating, text) and writes
voc-core/tests/data/text/vader_amazon_scores.tsv with vaderSentiment 3.3.2's polarity_scores of each
text (neg, neu, pos, compound, rounded by vaderSentiment to 3 / 4 decimals).

    pip install vaderSentiment==3.3.2
    python scripts/golden/text_vader.py
"""

from pathlib import Path

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

root = Path(__file__).resolve().parents[2] / "voc-core" / "tests" / "data" / "text"
sia = SentimentIntensityAnalyzer()
rows = []
for line in (root / "vader_amazon_snippets.tsv").read_text(encoding="utf-8").splitlines():
    parts = line.rstrip("\r").split("\t")
    if len(parts) < 3:
        continue
    s = sia.polarity_scores(parts[2])
    rows.append(f"{parts[0]}\t{s['neg']}\t{s['neu']}\t{s['pos']}\t{s['compound']}")
(root / "vader_amazon_scores.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
print(f"{len(rows)} rows")
