#!/usr/bin/env python3
"""Build the shipped word vectors (``search/data/vectors-v1/``) from the platform's text.

Run once at build time; the output is plain arrays that the matcher reads with numpy
(``search/vectors.py``), so neither gensim nor this script is needed at run time.

Corpus (text only: no judgment, score or ranking is read):

* the taxonomy's labels and aliases (clusters, services, kinds, levels);
* the demo data shipped with the app (``matchmaker/data/demo``: providers with their cases,
  demands);
* every ``--corpus`` folder given, read the same way (``providers.jsonl`` and
  ``demands.jsonl`` with API bodies, e.g. the development set or an export of a live
  platform). The shipped vectors were built with the development set's two text files.

Tokens are the matcher's own (``search.text.Analyzer``), so the vectors cover exactly the
words the index sees. Training is gensim word2vec (skip-gram, 64 dimensions, window 5,
words seen at least twice, 40 epochs) in one thread with a fixed seed and a hash that does
not depend on ``PYTHONHASHSEED``: the same corpus gives the same file.

    .venv/bin/pip install gensim==4.4.0
    .venv/bin/python scripts/build_vectors.py --corpus ../shared/eval-dev
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import zlib
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "scripts"]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from search.text import Analyzer  # noqa: E402
from search.vectors import DATA_DIR, VERSION, WordVectors  # noqa: E402

DIMS = 64
WINDOW = 5
MIN_COUNT = 2
EPOCHS = 40
SEED = 1
SIF_A = 1e-3


def _hash(text: str) -> int:
    """Deterministic replacement for ``hash`` (gensim seeds each word's vector with it)."""
    return zlib.crc32(text.encode("utf-8"))


def _jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def corpus(taxonomy: dict, folders: list[Path], analyzer: Analyzer):
    """(sentences, cases) — token lists, and (cluster, tokens) for each portfolio case."""
    sentences: list[list[str]] = []
    cases: list[tuple[str, list[str]]] = []
    for section in ("clusters", "services", "provider_kinds", "provider_levels"):
        for item in taxonomy.get(section, ()):
            sentences.append(analyzer.tokens(" ".join([item["zh"], *item.get("aliases", ())])))
    for folder in folders:
        for body in _jsonl(folder / "providers.jsonl"):
            sentences.append(
                analyzer.tokens(f"{body.get('name', '')} {body.get('description', '')}")
            )
            for case in body.get("cases") or ():
                tokens = analyzer.tokens(f"{case.get('title', '')} {case.get('description', '')}")
                sentences.append(tokens)
                if case.get("cluster"):
                    cases.append((case["cluster"], tokens))
        for body in _jsonl(folder / "demands.jsonl"):
            sentences.append(
                analyzer.tokens(f"{body.get('title', '')} {body.get('description', '')}")
            )
    return [s for s in sentences if s], cases


def train(sentences: list[list[str]]):
    from gensim.models import Word2Vec

    model = Word2Vec(
        sentences,
        vector_size=DIMS,
        window=WINDOW,
        min_count=MIN_COUNT,
        sg=1,
        epochs=EPOCHS,
        seed=SEED,
        workers=1,
        hashfxn=_hash,
    )
    return model.wv


def write(out: Path, taxonomy: dict, sentences, cases, wv) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    counts = Counter(t for s in sentences for t in s)
    total = sum(counts.values())
    words = list(wv.index_to_key)
    with open(out / "words.tsv", "w", encoding="utf-8") as fh:
        for w in words:
            fh.write(f"{w}\t{SIF_A / (SIF_A + counts[w] / total):.6f}\n")
    np.save(out / "vectors.npy", np.asarray(wv.vectors, dtype=np.float16), allow_pickle=False)
    # Prototypes: the mean unit vector of each cluster's cases, read back through the
    # shipped arrays so that they match what the matcher computes.
    clusters = [c["code"] for c in taxonomy["clusters"]]
    with open(out / "clusters.tsv", "w", encoding="utf-8") as fh:
        fh.write("")
    np.save(out / "prototypes.npy", np.zeros((0, DIMS), dtype=np.float32), allow_pickle=False)
    vectors = WordVectors(out)
    by_cluster: dict[str, list[np.ndarray]] = {}
    for cluster, tokens in cases:
        v = vectors.vector(tokens)
        if v is not None and cluster in clusters:
            by_cluster.setdefault(cluster, []).append(v)
    kept = [c for c in clusters if by_cluster.get(c)]
    protos = []
    for c in kept:
        mean = np.mean(by_cluster[c], axis=0)
        protos.append(mean / np.linalg.norm(mean))
    with open(out / "clusters.tsv", "w", encoding="utf-8") as fh:
        fh.write("".join(f"{c}\n" for c in kept))
    np.save(out / "prototypes.npy", np.asarray(protos, dtype=np.float32), allow_pickle=False)
    digest = hashlib.sha256()
    for name in ("words.tsv", "vectors.npy", "clusters.tsv", "prototypes.npy"):
        digest.update((out / name).read_bytes())
    return {
        "words": len(words),
        "sentences": len(sentences),
        "tokens": total,
        "cases": len(cases),
        "clusters": {c: len(by_cluster[c]) for c in kept},
        "sha256": digest.hexdigest(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus",
        type=Path,
        action="append",
        default=[],
        help="folder with providers.jsonl / demands.jsonl (repeatable)",
    )
    parser.add_argument("--out", type=Path, default=DATA_DIR / f"vectors-v{VERSION}")
    args = parser.parse_args(argv)
    taxonomy = json.loads((ROOT / "matchmaker" / "data" / "taxonomy.json").read_text("utf-8"))
    analyzer = Analyzer(taxonomy)
    folders = [ROOT / "matchmaker" / "data" / "demo", *args.corpus]
    sentences, cases = corpus(taxonomy, folders, analyzer)
    summary = write(args.out, taxonomy, sentences, cases, train(sentences))
    (args.out / "build.json").write_text(
        json.dumps(
            {
                "corpus": ["taxonomy", *(f.name for f in folders)],
                "dims": DIMS,
                "window": WINDOW,
                "min_count": MIN_COUNT,
                "epochs": EPOCHS,
                "seed": SEED,
                **summary,
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
