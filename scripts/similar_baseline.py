"""All-pairs top-5 Similar Posts with scikit-learn: the baseline of
`storyline bench scale` (run through scripts/similar-baseline), on every core.

Reads JSON Lines articles (`id`, `title`, `text`), weights title and text
with TF-IDF (English stop words, sublinear tf, L2-normalised) and finds each
article's 5 nearest others by brute-force cosine similarity, in blocks so
that memory stays bounded; writes {"id", "similar": [ids]} per article.
"""

import json
import sys

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.neighbors import NearestNeighbors

K = 5


def main(path):
    ids, docs = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            record = json.loads(line)
            ids.append(str(record.get("id", len(ids))))
            docs.append("%s\n%s" % (record.get("title") or "", record.get("text") or ""))
    vectors = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(docs)
    # Every core, as storyline uses every core.
    knn = NearestNeighbors(n_neighbors=min(K + 1, len(ids)), metric="cosine", algorithm="brute", n_jobs=-1)
    knn.fit(vectors)
    out = sys.stdout
    block = 2048
    for start in range(0, len(ids), block):
        _, found = knn.kneighbors(vectors[start : start + block])
        for row, neighbours in enumerate(found):
            me = start + row
            similar = [ids[j] for j in neighbours if j != me][:K]
            out.write(json.dumps({"id": ids[me], "similar": similar}) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
