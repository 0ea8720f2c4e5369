#!/usr/bin/env python3
"""Build the shipped word vectors (``search/data/vectors-v2/``) from supply-side text.

Run once at build time; the output is plain arrays that the matcher reads with numpy
(``search/vectors.py``), so neither gensim nor this script is needed at run time.

Corpus (text only: no judgment, score or ranking is read):

* the taxonomy's labels and aliases (clusters, services, kinds, levels);
* the demo data shipped with the app (``matchmaker/data/demo``: providers with their cases,
  demands — invented for demonstration, never judged);
* the providers (profiles and portfolio cases, ``providers.jsonl`` of API bodies) of every
  ``--providers`` folder: the text a live platform has in its index before any demand
  arrives. No demand of these folders is read: demands are what the matcher is judged on,
  and vectors that saw them make a cross-validation optimistic. The shipped vectors use the
  development set's providers (``--providers ../shared/eval-dev``).

Tokens are the matcher's own (``search.text.Analyzer``). Training is gensim FastText
(skip-gram with character n-grams of 1–3 characters hashed into ``BUCKETS`` rows, 64
dimensions, window 5, every word, 60 epochs) in one thread with a fixed seed and a hash that
does not depend on ``PYTHONHASHSEED``: the same corpus gives the same files. After writing,
the reader's vector of every n-gram-only word is checked against gensim's own.

    .venv/bin/pip install -e '.[vectors]'
    .venv/bin/python scripts/build_vectors.py --providers ../shared/eval-dev
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
MIN_COUNT = 1
EPOCHS = 60
MIN_N, MAX_N = 1, 3
BUCKETS = 1 << 14
SEED = 1
SIF_A = 1e-3
FILES = ("words.tsv", "vectors.npy", "ngrams.npy", "common.npy")


def _hash(text: str) -> int:
    """Deterministic replacement for ``hash`` (gensim seeds each word's vector with it)."""
    return zlib.crc32(text.encode("utf-8"))


def _jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _provider_texts(body: dict) -> list[str]:
    texts = [f"{body.get('name', '')} {body.get('description', '')}"]
    texts += [f"{c.get('title', '')} {c.get('description', '')}" for c in body.get("cases") or ()]
    return texts


def corpus(
    taxonomy: dict, demo: Path, provider_folders: list[Path], analyzer: Analyzer
) -> list[list[str]]:
    """Token lists: taxonomy entries, the demo data, then the given folders' providers."""
    texts: list[str] = []
    for section in ("clusters", "services", "provider_kinds", "provider_levels"):
        for item in taxonomy.get(section, ()):
            texts.append(" ".join([item["zh"], *item.get("aliases", ())]))
    for folder in [demo, *provider_folders]:
        for body in _jsonl(folder / "providers.jsonl"):
            texts += _provider_texts(body)
    for body in _jsonl(demo / "demands.jsonl"):
        texts.append(f"{body.get('title', '')} {body.get('description', '')}")
    return [t for t in (analyzer.tokens(x) for x in texts) if t]


def train(sentences: list[list[str]]):
    from gensim.models import FastText

    model = FastText(
        sentences,
        vector_size=DIMS,
        window=WINDOW,
        min_count=MIN_COUNT,
        sg=1,
        epochs=EPOCHS,
        min_n=MIN_N,
        max_n=MAX_N,
        bucket=BUCKETS,
        seed=SEED,
        workers=1,
        hashfxn=_hash,
    )
    return model.wv


def common_direction(vectors: WordVectors, sentences: list[list[str]]) -> np.ndarray:
    """First principal component of the texts' vectors (uncentred, as in SIF): the direction
    every text shares, removed from each document vector so similarity measures content."""
    rows = [v for v in (vectors.vector(s) for s in sentences) if v is not None]
    _, _, vt = np.linalg.svd(np.asarray(rows, dtype=np.float64), full_matrices=False)
    return vt[0].astype(np.float32)


def write(out: Path, sentences: list[list[str]], wv) -> dict:
    """The arrays; returns the settings and summary for ``build.json``."""
    out.mkdir(parents=True, exist_ok=True)
    counts = Counter(t for s in sentences for t in s)
    total = sum(counts.values())
    settings = {
        "dims": DIMS,
        "window": WINDOW,
        "min_count": MIN_COUNT,
        "epochs": EPOCHS,
        "min_n": MIN_N,
        "max_n": MAX_N,
        "buckets": BUCKETS,
        "seed": SEED,
        "unknown_weight": round(SIF_A / (SIF_A + 1 / total), 6),
    }
    words = list(wv.index_to_key)
    with open(out / "words.tsv", "w", encoding="utf-8") as fh:
        for w in words:
            fh.write(f"{w}\t{SIF_A / (SIF_A + counts[w] / total):.6f}\n")
    np.save(out / "vectors.npy", np.asarray(wv.vectors, dtype=np.float16), allow_pickle=False)
    np.save(out / "ngrams.npy", np.asarray(wv.vectors_ngrams, dtype=np.float16), allow_pickle=False)
    (out / "common.npy").unlink(missing_ok=True)
    (out / "build.json").write_text(json.dumps(settings), encoding="utf-8")
    (out / "common.npy").unlink(missing_ok=True)  # computed below, through the reader
    np.save(out / "common.npy", common_direction(WordVectors(out), sentences), allow_pickle=False)
    digest = hashlib.sha256()
    for name in FILES:
        digest.update((out / name).read_bytes())
    summary = {
        "words": len(words),
        "sentences": len(sentences),
        "tokens": total,
        "sha256": digest.hexdigest(),
    }
    return {**settings, **summary}


def check(out: Path, wv, probes: list[str]) -> None:
    """The reader gives an unseen word the vector gensim gives it (to float16 precision)."""
    vectors = WordVectors(out)
    for word in probes:
        ours = vectors.word(word)
        theirs = wv.get_vector(word)
        if ours is None or not np.allclose(ours[0], theirs, atol=2e-3):
            raise SystemExit(f"n-gram vector of {word!r} differs from gensim's")


def source(folder: Path, texts: list[str]) -> dict:
    """A corpus folder as ``build.json`` records it: the digest of every file read, so that a
    judged set's demands are recognised under any folder name."""
    files = {f"{t}.jsonl": folder / f"{t}.jsonl" for t in texts}
    return {
        "name": folder.resolve().name,
        "texts": texts,
        "sha256": {n: hashlib.sha256(p.read_bytes()).hexdigest() for n, p in files.items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--providers",
        type=Path,
        action="append",
        default=[],
        help="folder whose providers.jsonl joins the corpus (repeatable; demands are not read)",
    )
    parser.add_argument("--out", type=Path, default=DATA_DIR / f"vectors-v{VERSION}")
    args = parser.parse_args(argv)
    taxonomy = json.loads((ROOT / "matchmaker" / "data" / "taxonomy.json").read_text("utf-8"))
    analyzer = Analyzer(taxonomy)
    demo = ROOT / "matchmaker" / "data" / "demo"
    sentences = corpus(taxonomy, demo, args.providers, analyzer)
    wv = train(sentences)
    summary = write(args.out, sentences, wv)
    sources = [
        {"name": "taxonomy", "texts": ["labels"]},
        source(demo, ["providers", "demands"]),
        *(source(f, ["providers"]) for f in args.providers),
    ]
    summary = {"corpus": sources, **summary}
    (args.out / "build.json").write_text(
        json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    check(args.out, wv, ["医用器械", "医用", "钛合金外壳", "外形开发", "康养", "无人艇"])
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
