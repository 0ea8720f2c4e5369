#!/usr/bin/env python3
"""Where a matcher loses on the judged set: the missed gain of good providers, by cause.

For every demand, each good provider (grade ≥ 2) that is not in the top 10 is *missed*; its
gain ``2^grade − 1`` is charged to the first cause that applies:

1. ``cluster`` — it does not list the demand's ticked cluster (the tick is wrong or narrow);
2. ``service ticks`` — it lists the cluster but does not tick every service asked for;
3. ``wording`` — it ticks both, but its description shares less of the demand's words
   (BM25 share) than the median of the top 10: it says the same in other words;
4. ``other`` — budget, scale, district, or a close call.

Besides, ``generalist slots`` counts the top-10 places held by ungraded generalists
(≥ 5 clusters, or a price range of two orders of magnitude or more).

    .venv/bin/python scripts/loss_analysis.py                          # the shipped model
    .venv/bin/python scripts/loss_analysis.py --rankings before.json   # {demand id: [ids]}
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "scripts"]
for path in (ROOT, ROOT / "scripts"):
    if str(path) not in sys.path:
        sys.path.append(str(path))

import train_ranker  # noqa: E402
from judged_set import load_judged_set  # noqa: E402

from search.scoring import SIGNAL_NAMES, load_model  # noqa: E402

CAUSES = ("cluster", "service ticks", "wording", "other")
GOOD = 2


def generalist(p: dict) -> bool:
    lo, hi = p.get("price_min") or 0, p.get("price_max") or 0
    return len(p.get("clusters") or ()) >= 5 or (lo > 0 and hi >= 100 * lo)


def analyse(rankings: dict, data_dir: Path) -> dict:
    providers, demands, qrels = load_judged_set(data_dir)
    by_id = {p["id"]: p for p in providers}
    data = train_ranker.provider_features(providers, demands, train_ranker.taxonomy())
    text = SIGNAL_NAMES.index("text")
    missed = dict.fromkeys(CAUSES, 0.0)
    slots = 0
    for d in demands:
        top = [int(i) for i in rankings[d["id"]]][:10]
        values, _ = data["queries"][d["id"]]
        share = {pid: values[data["ids"].index(pid), text] for pid in by_id}
        median = float(np.median([share[i] for i in top])) if top else 0.0
        for pid, grade in qrels[d["id"]].items():
            if grade < GOOD or pid in top:
                continue
            p = by_id[pid]
            if d.get("cluster") not in (p.get("clusters") or ()):
                cause = "cluster"
            elif not set(d.get("services") or ()) <= set(p.get("services") or ()):
                cause = "service ticks"
            elif share[pid] < median:
                cause = "wording"
            else:
                cause = "other"
            missed[cause] += 2**grade - 1
        slots += sum(1 for i in top if qrels[d["id"]].get(i, 0) == 0 and generalist(by_id[i]))
    total = sum(missed.values())
    return {
        "missed_gain": round(total, 1),
        "causes": {
            c: {"gain": round(v, 1), "share": round(v / total, 3) if total else 0.0}
            for c, v in missed.items()
        },
        "generalist_slots": slots,
        "slots": 10 * len(demands),
    }


def model_rankings(data_dir: Path) -> dict:
    providers, demands, _ = load_judged_set(data_dir)
    data = train_ranker.provider_features(providers, demands, train_ranker.taxonomy())
    weights = load_model()["weights"]["providers"]
    return {q: train_ranker.rank(data, q, weights) for q in data["queries"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=None, help="judged-set folder")
    parser.add_argument("--rankings", type=Path, help="JSON {demand id: [provider ids]}")
    args = parser.parse_args(argv)
    data_dir = args.data or (
        train_ranker.DEFAULT_DATA
        if train_ranker.DEFAULT_DATA.exists()
        else train_ranker.FALLBACK_DATA
    )
    if args.rankings:
        raw = json.loads(args.rankings.read_text("utf-8"))
        rankings = {int(k): v for k, v in raw.items()}
    else:
        rankings = model_rankings(data_dir)
    print(json.dumps(analyse(rankings, data_dir), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
