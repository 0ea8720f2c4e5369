#!/usr/bin/env python3
"""Learn the matcher's signal weights on a judged set, validated by whole queries.

Features are the signals of ``search.scoring`` exactly as the backends compute them: each
judged demand's spec is built with every weight 1 and evaluated by the embedded backend's
index over the provider pool (every term, no two-phase shortcut), one value per signal and
candidate provider (a provider is a candidate when an evidence signal fires). Leads the
same way: each judged provider's spec over the demands, against the inverted judgments.

Honest protocol: nothing the features use was learned from the judged set's demand texts.
The word vectors come from the taxonomy and the demo data (``vectors_provenance`` refuses
vectors whose corpus names the judged set); what is learned from text at run time — BM25
statistics, the providers whose cases vote on a demand's industry — comes from the index,
i.e. from the providers, exactly as on a live platform.

Model: a linear score ``Σ weight × value`` per direction, fitted as a pairwise logistic
ranker (RankNet with a linear scorer): for every query, each pair of candidates with
different grades (unjudged = 0, at most ``NEGATIVES`` ungraded ones per judged candidate,
drawn once per query with a fixed seed) should be ordered by the score, with an L2 penalty.
Weights of scored signals (shares, similarities, credit) and plain merits are kept ≥ 0, a
penalty ≤ 0. The penalty's strength is chosen from ``L2_GRID`` by the cross-validated
NDCG@10 (the only choice made on the judged set besides the weights themselves).

Second stage (``search.rerank``): LambdaMART (lightgbm, at build time only) re-ranks the
linear first phase's best ``DEPTH`` candidates of each query, over the same signal values.
Strongly regularised: shallow trees (``LEAVES_GRID``, chosen by the cross-validated
NDCG@10), at least ``MIN_LEAF`` candidates per leaf, row and column subsampling, an L2
penalty on leaf values, and monotone in every signal whose sign the linear model fixes. The
trees are exported as plain arrays and checked to predict exactly as lightgbm does.

Validation: 5-fold cross-validation by whole queries (a query's pairs are never split
between training and testing), repeated over ``REPEATS`` shuffles; NDCG@10, MRR and P@5 of
the held-out queries' rankings, mean and spread over the repeats. In each fold the first
phase is fitted on the training queries too, and the trees see only its candidates. The
model is accepted on its cross-validated NDCG@10 (``--min-cv``); the shipped weights and
trees are then fitted on all queries. Stability: each weight's spread and sign over the
cross-validation's fits. Ablation: the first phase's cross-validated NDCG@10 without each
signal (refitted).

    .venv/bin/pip install -e '.[ranker]'                     # lightgbm, build time only
    .venv/bin/python scripts/train_ranker.py                 # report only
    .venv/bin/python scripts/train_ranker.py --write         # also search/data/ranker-v3.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "scripts"]
for path in (ROOT, ROOT / "scripts"):
    if str(path) not in sys.path:
        sys.path.append(str(path))

from judged_set import inverted, load_judged_set, ndcg_at, precision_at, reciprocal_rank  # noqa: E402

from search import DEMANDS, PROVIDERS  # noqa: E402
from search.backends.embedded import _Index  # noqa: E402
from search.documents import build_document  # noqa: E402
from search.rerank import DECIMALS, DEPTH, Trees  # noqa: E402
from search.scoring import (  # noqa: E402
    MODEL_FILE,
    SIGNAL_NAMES,
    lead_spec,
    provider_spec,
)
from search.text import get_analyzer  # noqa: E402
from search.vectors import load as load_vectors  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "eval-dev"
FALLBACK_DATA = ROOT / "tests" / "search" / "data"
FOLDS = 5
REPEATS = 5
NEGATIVES = 30
L2_GRID = (0.0001, 0.001, 0.01, 0.1)
SEED = 7
MODEL_VERSION = 3
FLOOR = 0.01  # smallest first-phase weight: every signal reaches the trees
LEAVES_GRID = (4, 6)
ROUNDS = 200
MIN_LEAF = 20
TREE_PARAMS = {
    "objective": "lambdarank",
    "lambdarank_truncation_level": 20,
    "learning_rate": 0.05,
    "min_data_in_leaf": MIN_LEAF,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "num_threads": 1,
    "deterministic": True,
    "seed": 1,
    "verbose": -1,
}
UNIT = dict.fromkeys(SIGNAL_NAMES, 1.0)


def taxonomy() -> dict:
    return json.loads((ROOT / "matchmaker" / "data" / "taxonomy.json").read_text("utf-8"))


class Features:
    """Signal values of every candidate, per query, from the embedded index."""

    def __init__(self, records, index: str, tax: dict):
        self.tax = tax
        self.analyzer = get_analyzer(tax)
        self.idx = _Index(index)
        for r in records:
            self.idx.add(build_document(index, r, self.analyzer, tax))
        self.ids = sorted(self.idx.docs)
        self.pos = {i: n for n, i in enumerate(self.ids)}

    def of(self, spec) -> tuple[np.ndarray, np.ndarray]:
        """(values: documents × signals, candidate mask) for one unit-weight spec."""
        values = np.zeros((len(self.ids), len(SIGNAL_NAMES)))
        candidate = np.zeros(len(self.ids), dtype=bool)
        cache: dict = {}
        for clause in spec.clauses:
            column = SIGNAL_NAMES.index(clause.name.split(":")[0])
            scores = self.idx.clause_scores(clause.cond, cache)
            if isinstance(scores, set):
                scores = dict.fromkeys(scores, 1.0)
            for i, v in scores.items():
                values[self.pos[i], column] += clause.weight * v
                if clause.name in spec.evidence and v > 0:
                    candidate[self.pos[i]] = True
        for f in spec.filters:
            keep = np.zeros(len(self.ids), dtype=bool)
            for i in self.idx.match(f, cache):
                keep[self.pos[i]] = True
            candidate &= keep
        # The trees see values rounded as at run time (``search.rerank``).
        return np.round(values, DECIMALS), candidate


def provider_features(providers, demands, tax) -> dict:
    f = Features(providers, PROVIDERS, tax)
    out = {}
    for d in demands:
        spec = provider_spec(d, tax, f.analyzer, f.idx.neighbours, signal_weights=UNIT)
        values, candidate = f.of(spec)
        out[d["id"]] = (values, candidate)
    return {"ids": f.ids, "queries": out}


def lead_features(providers, demands, judged_providers, tax) -> dict:
    f = Features(demands, DEMANDS, tax)
    by_id = {p["id"]: p for p in providers}
    out = {}
    for pid in judged_providers:
        values, candidate = f.of(lead_spec(by_id[pid], tax, f.analyzer, signal_weights=UNIT))
        out[pid] = (values, candidate)
    return {"ids": f.ids, "queries": out}


# -- the pairwise model -----------------------------------------------------------------
def add_pairs(data: dict, qrels: dict) -> None:
    """Per query, the value differences of its ordered pairs (better − worse)."""
    ids = data["ids"]
    data["pairs"] = {}
    for q, (values, candidate) in data["queries"].items():
        rng = np.random.default_rng(SEED * 100_003 + int(q))
        grades = np.array([qrels[q].get(i, 0) for i in ids])
        cand = np.flatnonzero(candidate)
        judged = [i for i in cand if grades[i] > 0]
        unjudged = [i for i in cand if grades[i] == 0]
        diffs = []
        for a in judged:
            for b in judged:
                if grades[a] > grades[b]:
                    diffs.append(values[a] - values[b])
            for b in rng.choice(unjudged, min(NEGATIVES, len(unjudged)), replace=False):
                diffs.append(values[a] - values[b])
        data["pairs"][q] = np.asarray(diffs).reshape(-1, len(SIGNAL_NAMES))


def bounds() -> list[tuple]:
    """Sign of each weight: scored signals and plain merits ≥ 0, penalties ≤ 0, others free.

    Scored signals must be ≥ 0 for Elasticsearch (see ``search.scoring.build_spec``); the
    other signs are what the signal means (a verified provider is no worse for it, a price
    floor far above the budget is no better), so a small judged set cannot turn them over.
    """
    out = []
    for name in SIGNAL_NAMES:
        if name in SCORED_SIGNALS or name in MERITS:
            out.append((0.0, None))
        elif name in PENALTIES:
            out.append((None, 0.0))
        else:
            out.append((None, None))
    return out


# Signals whose value is a share or a similarity rather than yes/no.
SCORED_SIGNALS = frozenset(
    {
        "cluster",
        "case_cluster",
        "service",
        "service_evidence",
        "text",
        "case_text",
        "meaning",
        "case_meaning",
        "price_focus",
    }
)
MERITS = frozenset(
    {
        "cluster_related",
        "budget",
        "activity",
        "region",
        "region_chongqing",
        "level_national",
        "level_municipal",
        "level_district",
    }
)
PENALTIES = frozenset({"price_floor_far"})


def fit(data: dict, queries, active: list[str], l2: float) -> dict:
    """Weights of ``active`` signals (others 0), fitted on the pairs of ``queries``.

    Columns are scaled to unit spread first (a similarity moves by hundredths, a yes/no by
    whole units), so the penalty treats every signal alike and the solver converges fast.
    """
    from scipy.optimize import minimize
    from scipy.special import expit

    diffs = np.concatenate([data["pairs"][q] for q in sorted(queries)])
    cols = [SIGNAL_NAMES.index(n) for n in active]
    x = diffs[:, cols]
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    x = x / scale
    limits = [bounds()[c] for c in cols]

    def loss(w):
        margin = x @ w
        value = np.logaddexp(0.0, -margin).mean() + 0.5 * l2 * (w @ w)
        grad = -(x * expit(-margin)[:, None]).mean(axis=0) + l2 * w
        return value, grad

    res = minimize(loss, np.zeros(len(cols)), jac=True, method="L-BFGS-B", bounds=limits)
    weights = dict.fromkeys(SIGNAL_NAMES, 0.0)
    for n, v, s in zip(active, res.x, scale, strict=True):
        weights[n] = round(float(v / s), 4)
    return weights


def first_phase(data: dict, query, weights: dict, depth: int) -> list[int]:
    """Row numbers of the query's best ``depth`` candidates by the weighted sum."""
    values, candidate = data["queries"][query]
    w = np.array([weights[n] for n in SIGNAL_NAMES])
    scores = values @ w
    order = sorted(np.flatnonzero(candidate), key=lambda i: (-round(scores[i], 6), data["ids"][i]))
    return order[:depth]


def rank(data: dict, query, weights: dict, trees=None) -> list[int]:
    """The query's top 10 ids: by the weights, or the trees over the weights' best."""
    if trees is None:
        return [data["ids"][i] for i in first_phase(data, query, weights, 10)]
    rows = first_phase(data, query, weights, DEPTH)
    if not rows:
        return []
    scores = trees.predict(data["queries"][query][0][rows])
    order = sorted(range(len(rows)), key=lambda j: (-round(scores[j], 6), data["ids"][rows[j]]))
    return [data["ids"][rows[j]] for j in order[:10]]


def floored(weights: dict) -> dict:
    """First-phase weights: each at least ``FLOOR`` away from 0 in its allowed direction,
    so that every signal runs as a clause and its value reaches the trees."""
    out = {}
    for name, (_, high) in zip(SIGNAL_NAMES, bounds(), strict=True):
        w = weights[name]
        if abs(w) < FLOOR:
            w = -FLOOR if high == 0.0 else FLOOR
        out[name] = w
    return out


def monotone() -> list[int]:
    """lightgbm's monotone constraints: the linear model's sign bounds."""
    return [1 if low == 0.0 else -1 if high == 0.0 else 0 for low, high in bounds()]


def fit_trees(data: dict, qrels: dict, queries, weights: dict, leaves: int):
    """(lightgbm booster, plain-array trees) re-ranking ``weights``' best candidates."""
    import lightgbm

    x, y, groups = [], [], []
    for q in sorted(queries):
        rows = first_phase(data, q, weights, DEPTH)
        x.append(data["queries"][q][0][rows])
        y.extend(qrels[q].get(data["ids"][i], 0) for i in rows)
        groups.append(len(rows))
    params = {**TREE_PARAMS, "num_leaves": leaves, "monotone_constraints": monotone()}
    train = lightgbm.Dataset(np.vstack(x), np.asarray(y), group=groups)
    booster = lightgbm.train(params, train, ROUNDS)
    trees = Trees.from_json(export_trees(booster))
    gap = np.abs(trees.predict(np.vstack(x)) - booster.predict(np.vstack(x))).max()
    if gap > 1e-9:
        raise SystemExit(f"exported trees predict {gap} away from lightgbm's")
    return booster, trees


def export_trees(booster) -> dict:
    """A booster's trees as plain arrays (``search.rerank.Trees``)."""
    return {
        "signals": list(SIGNAL_NAMES),
        "trees": [export_tree(info) for info in booster.dump_model()["tree_info"]],
    }


def export_tree(info: dict) -> dict:
    """One dumped tree: inner nodes by split index, leaves as ``~leaf index``."""
    root = info["tree_structure"]
    if "leaf_value" in root:  # one leaf: a node whose children are both that leaf
        return {
            "feature": [0],
            "threshold": [0.0],
            "left": [-1],
            "right": [-1],
            "leaf": [root["leaf_value"]],
        }
    inner = info["num_leaves"] - 1
    tree = {key: [0] * inner for key in ("feature", "threshold", "left", "right")}
    tree["leaf"] = [0.0] * info["num_leaves"]
    stack = [root]
    while stack:
        node = stack.pop()
        if node["decision_type"] != "<=" or node.get("missing_type") not in ("None", None):
            raise SystemExit(f"unsupported split {node['decision_type']}")
        n = node["split_index"]
        tree["feature"][n] = node["split_feature"]
        tree["threshold"][n] = node["threshold"]
        for side in ("left", "right"):
            child = node[f"{side}_child"]
            if "leaf_value" in child:
                tree["leaf"][child["leaf_index"]] = child["leaf_value"]
                tree[side][n] = ~child["leaf_index"]
            else:
                tree[side][n] = child["split_index"]
                stack.append(child)
    return tree


def metrics(data: dict, qrels: dict, rankings: dict) -> dict:
    nd = [ndcg_at(rankings[q], qrels[q]) for q in rankings]
    mrr = [reciprocal_rank(rankings[q], qrels[q]) for q in rankings]
    p5 = [precision_at(rankings[q], qrels[q]) for q in rankings]
    return {"ndcg@10": float(np.mean(nd)), "mrr": float(np.mean(mrr)), "p@5": float(np.mean(p5))}


def cross_validate(
    data: dict, qrels: dict, active: list[str], l2: float, leaves: int | None = None
) -> dict:
    """Held-out metrics of the weights alone, or (``leaves``) of the trees over them."""
    queries = sorted(data["queries"])
    runs = []
    for r in range(REPEATS):
        order = list(np.random.default_rng(SEED + r).permutation(queries))
        rankings = {}
        for k in range(FOLDS):
            test = order[k::FOLDS]
            train = [q for q in order if q not in test]
            weights = fit(data, train, active, l2)
            trees = None
            if leaves is not None:
                weights = floored(weights)
                trees = fit_trees(data, qrels, train, weights, leaves)[1]
            for q in test:
                rankings[q] = rank(data, q, weights, trees)
        runs.append(metrics(data, qrels, rankings))
    out = {}
    for key in ("ndcg@10", "mrr", "p@5"):
        values = [run[key] for run in runs]
        out[key] = round(float(np.mean(values)), 4)
        out[key + "_sd"] = round(float(np.std(values)), 4)
    return out


def full_set(data: dict, qrels: dict, weights: dict, trees=None) -> dict:
    rankings = {q: rank(data, q, weights, trees) for q in data["queries"]}
    return {k: round(v, 4) for k, v in metrics(data, qrels, rankings).items()}


def weights_digest(weights: dict) -> str:
    """Digest of both directions' tables (``{direction: {signal: weight}}``)."""
    text = json.dumps(
        {d: {k: weights[d][k] for k in SIGNAL_NAMES} for d in sorted(weights)}, sort_keys=True
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def trees_digest(rerank: dict) -> str:
    """Digest of both directions' exported trees."""
    text = json.dumps(rerank, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def stability(data: dict, active: list[str], l2: float, full: dict) -> dict:
    """Per signal, over the cross-validation's fits: mean, spread, and the share of fits whose
    weight has the full fit's sign (or is 0 with it): a weight that flips between folds
    describes the sample, not the task."""
    queries = sorted(data["queries"])
    fits = []
    for r in range(REPEATS):
        order = list(np.random.default_rng(SEED + r).permutation(queries))
        for k in range(FOLDS):
            test = set(order[k::FOLDS])
            fits.append(fit(data, [q for q in order if q not in test], active, l2))
    out = {}
    for name in active:
        values = np.array([w[name] for w in fits])
        same = np.sign(values) == np.sign(full[name])
        out[name] = {
            "mean": round(float(values.mean()), 4),
            "sd": round(float(values.std()), 4),
            "same_sign": round(float(same.mean()), 2),
        }
    return out


def direction_report(data: dict, qrels: dict, ablation: bool) -> tuple[dict, dict, dict]:
    """(first-phase weights, trees, report) of one direction: L2 and tree size chosen by CV,
    full fit, stability, ablation."""
    active = list(SIGNAL_NAMES)
    by_l2 = {l2: cross_validate(data, qrels, active, l2) for l2 in L2_GRID}
    l2 = max(L2_GRID, key=lambda x: (by_l2[x]["ndcg@10"], x))
    linear = fit(data, sorted(data["queries"]), active, l2)
    by_leaves = {n: cross_validate(data, qrels, active, l2, leaves=n) for n in LEAVES_GRID}
    leaves = max(LEAVES_GRID, key=lambda n: (by_leaves[n]["ndcg@10"], -n))
    weights = floored(linear)
    booster, trees = fit_trees(data, qrels, data["queries"], weights, leaves)
    gain = booster.feature_importance("gain")
    report = {
        "queries": len(data["queries"]),
        "l2": l2,
        "l2_grid": {str(x): by_l2[x]["ndcg@10"] for x in L2_GRID},
        "leaves": leaves,
        "leaves_grid": {str(n): by_leaves[n]["ndcg@10"] for n in LEAVES_GRID},
        "cross_validated": by_leaves[leaves],
        "full_set": full_set(data, qrels, weights, trees),
        "first_phase": {
            "cross_validated": by_l2[l2],
            "full_set": full_set(data, qrels, linear),
            "weights": linear,
        },
        "importance": {
            n: round(float(g / gain.sum()), 4) for n, g in zip(SIGNAL_NAMES, gain, strict=True)
        },
        "stability": stability(data, active, l2, linear),
    }
    if ablation:
        report["ablation"] = {
            name: cross_validate(data, qrels, [n for n in active if n != name], l2)["ndcg@10"]
            for name in active
        }
    return weights, export_trees(booster), report


def vectors_provenance(data_dir: Path) -> dict:
    """What the word vectors were trained on; refuses vectors that saw the judged demands.

    Provider texts of the judged set may be in the corpus (a live platform has its providers
    before any demand arrives, as the BM25 statistics do); its demands may not: a corpus file
    with the judged ``demands.jsonl``'s digest is refused, whatever its folder is called.
    """
    build = json.loads((load_vectors().directory / "build.json").read_text("utf-8"))
    judged = hashlib.sha256((data_dir / "demands.jsonl").read_bytes()).hexdigest()
    for source in build["corpus"]:
        if judged in source.get("sha256", {}).values():
            raise SystemExit(
                f"the word vectors were trained on {data_dir.name}'s demands: its "
                "cross-validation would be optimistic (rebuild them with "
                "scripts/build_vectors.py)"
            )
    return {"corpus": build["corpus"], "sha256": build["sha256"]}


def train(data_dir: Path, ablation: bool = True) -> dict:
    tax = taxonomy()
    providers, demands, qrels = load_judged_set(data_dir)
    vectors = vectors_provenance(data_dir)
    data = provider_features(providers, demands, tax)
    add_pairs(data, qrels)
    weights, trees, providers_report = direction_report(data, qrels, ablation)
    inv = inverted(qrels)
    leads = lead_features(providers, demands, sorted(inv), tax)
    add_pairs(leads, inv)
    lead_weights, lead_trees, leads_report = direction_report(leads, inv, ablation)
    report = {
        "data": {
            "providers": len(providers),
            "demands": len(demands),
            "judgments": sum(len(v) for v in qrels.values()),
        },
        "protocol": {
            "model": "linear, pairwise logistic loss (RankNet), L-BFGS-B; then LambdaMART "
            f"(lightgbm) over the linear model's best {DEPTH} candidates",
            "trees": {**TREE_PARAMS, "rounds": ROUNDS, "monotone": "the weights' sign bounds"},
            "floor": FLOOR,
            "negatives_per_judged": NEGATIVES,
            "folds": FOLDS,
            "repeats": REPEATS,
            "split": "whole queries (demands; providers for leads)",
            "seed": SEED,
            "vectors": vectors,
        },
        "providers": providers_report,
        "leads": leads_report,
    }
    return {
        "weights": {"providers": weights, "leads": lead_weights},
        "rerank": {"providers": trees, "leads": lead_trees},
        "report": report,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=None, help="judged-set folder")
    parser.add_argument("--min-cv", type=float, default=0.85, help="accept at this CV NDCG@10")
    parser.add_argument("--no-ablation", action="store_true")
    parser.add_argument("--write", action="store_true", help=f"write {MODEL_FILE.name}")
    args = parser.parse_args(argv)
    data_dir = args.data or (DEFAULT_DATA if DEFAULT_DATA.exists() else FALLBACK_DATA)
    result = train(data_dir, ablation=not args.no_ablation)
    report = result["report"]
    print(json.dumps(report, indent=2))
    print(json.dumps(result["weights"], indent=2))
    if report["providers"]["cross_validated"]["ndcg@10"] < args.min_cv:
        print(f"REJECTED: cross-validated NDCG@10 below {args.min_cv}", file=sys.stderr)
        return 1
    if args.write:
        model = {
            "version": MODEL_VERSION,
            "trained": dt.date.today().isoformat(),
            "weights": result["weights"],
            "weights_sha256": weights_digest(result["weights"]),
            "rerank": result["rerank"],
            "rerank_sha256": trees_digest(result["rerank"]),
            "report": report,
        }
        MODEL_FILE.write_text(json.dumps(model, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {MODEL_FILE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
