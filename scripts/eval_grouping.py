#!/usr/bin/env python3
"""How well common needs are grouped at each threshold, on a labelled set of demand pairs.

The set is made from what the repository ships, never from the judged matching set:

* the demo's demands (``matchmaker/data/demo/demands.jsonl``): every pair of demands of one
  cluster from two different enterprises (the only pairs the detector may group), labelled by
  hand with one rule — *the same need* when one joint brief could serve both: the same kind of
  product and the same kind of design work (``SAME`` below); pairs that a reasonable reader
  could label either way are *unsure* (``UNSURE``) and left out of the figures; every other
  pair is a *different need*;
* a survey-style record of every demo demand, made mechanically the way the district survey
  forms record a need (``survey_record``): a generic title (the cluster's name and 设计需求),
  the description's first sentence only, the first two services, as another enterprise. Such a
  record is the same need as its demand (and as the demands that are the same need as it), and
  a different need from the others of its cluster.

Every labelled pair is scored with ``search.grouping.Similarity`` and the whole pool is grouped
with ``search.grouping.find_groups`` (complete link, one demand per enterprise) at each
threshold; a pair counts as grouped when both demands end in one group. Precision and recall
are over the labelled pairs.

    python scripts/eval_grouping.py           # print the table
    python scripts/eval_grouping.py --write   # and replace its section in docs/quality.md
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "scripts"]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from search.grouping import DEFAULT_THRESHOLD, Similarity, find_groups  # noqa: E402

DEMANDS = ROOT / "matchmaker" / "data" / "demo" / "demands.jsonl"
TAXONOMY = ROOT / "matchmaker" / "data" / "taxonomy.json"
DOC = ROOT / "docs" / "quality.md"
START, END = "<!-- grouping:start -->", "<!-- grouping:end -->"
THRESHOLDS = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)

# Demo demands (external ids) that are the same need, by the rule above.
SAME = [
    # food packaging and brand refresh: tea gift box, pickles and braised food, chili oil for
    # e-commerce, citrus products — one joint packaging brief for the cluster could serve all
    *combinations(("demo-d-030", "demo-d-032", "demo-d-035", "demo-d-036"), 2),
    # cross-sections of extruded aluminium profiles (battery tray frame, solar panel frame)
    ("demo-d-039", "demo-d-041"),
]
UNSURE = [
    ("demo-d-051", "demo-d-054"),  # energy storage exteriors: portable unit against a cabinet
    ("demo-d-059", "demo-d-062"),  # handheld medical devices: nebuliser against ultrasound
    ("demo-d-063", "demo-d-065"),  # service robots: cleaning robot against delivery robot
    ("demo-d-030", "demo-d-034"),  # tea gift box against an oil bottle's shape and handle
    ("demo-d-032", "demo-d-034"),
    ("demo-d-034", "demo-d-035"),
    ("demo-d-034", "demo-d-036"),
    ("demo-d-031", "demo-d-033"),  # food process engineering: a filling line against a kitchen
]


def demo_records() -> list[dict]:
    rows = [json.loads(line) for line in DEMANDS.read_text(encoding="utf-8").splitlines()]
    organisations: dict[str, int] = {}
    return [
        {
            "id": n,
            "key": row["external_id"],
            "organization_id": organisations.setdefault(row["organization"]["name"], n),
            "cluster": row["cluster"],
            "title": row["title"],
            "description": row["description"],
            "services": row["services"],
        }
        for n, row in enumerate(rows, 1)
    ]


def survey_record(demand: dict, taxonomy: dict, offset: int) -> dict:
    """The demand as a survey form records it: generic title, first sentence, two services."""
    cluster = next(c["zh"] for c in taxonomy["clusters"] if c["code"] == demand["cluster"])
    first = re.split(r"(?<=[。！？])", demand["description"], maxsplit=1)[0]
    return {
        "id": demand["id"] + offset,
        "key": f"survey:{demand['key']}",
        "organization_id": demand["id"] + offset,  # another enterprise
        "cluster": demand["cluster"],
        "title": f"{cluster}设计需求",
        "description": first,
        "services": demand["services"][:2],
    }


def labelled_pairs(records: list[dict]) -> dict[tuple[int, int], bool]:
    """Every pair of one cluster and two enterprises → same need?, leaving the unsure out."""
    base = {r["id"]: r["key"].removeprefix("survey:") for r in records}
    same = {frozenset(p) for p in SAME}
    unsure = {frozenset(p) for p in UNSURE}
    labels = {}
    for a, b in combinations(records, 2):
        if a["cluster"] != b["cluster"] or a["organization_id"] == b["organization_id"]:
            continue
        pair = frozenset((base[a["id"]], base[b["id"]]))
        if pair in unsure:
            continue
        labels[(a["id"], b["id"])] = len(pair) == 1 or pair in same
    return labels


def _figures(threshold: float, tp: int, fp: int, fn: int) -> dict:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"threshold": threshold, "tp": tp, "fp": fp, "fn": fn,
            "precision": precision, "recall": recall, "f1": f1}  # fmt: skip


def measure() -> dict:
    taxonomy = json.loads(TAXONOMY.read_text(encoding="utf-8"))
    demos = demo_records()
    records = demos + [survey_record(d, taxonomy, 1000) for d in demos]
    labels = labelled_pairs(records)
    similar = Similarity(records, taxonomy)
    scores = {pair: similar(*pair) for pair in labels}
    rows = []
    for threshold in THRESHOLDS:
        grouped = set()
        for group in find_groups(records, taxonomy, threshold):
            grouped |= {tuple(sorted(p)) for p in combinations(group.demand_ids, 2)}
        hits = [pair in grouped for pair in labels]
        tp = sum(1 for pair, hit in zip(labels, hits, strict=True) if hit and labels[pair])
        fp = sum(1 for pair, hit in zip(labels, hits, strict=True) if hit and not labels[pair])
        fn = sum(1 for pair, hit in zip(labels, hits, strict=True) if not hit and labels[pair])
        rows.append(_figures(threshold, tp, fp, fn))
    pairwise = []
    for threshold in THRESHOLDS:
        tp = sum(1 for p, s in scores.items() if s >= threshold and labels[p])
        fp = sum(1 for p, s in scores.items() if s >= threshold and not labels[p])
        fn = sum(1 for p, s in scores.items() if s < threshold and labels[p])
        pairwise.append(_figures(threshold, tp, fp, fn))
    same = sorted(s for p, s in scores.items() if labels[p])
    different = sorted(s for p, s in scores.items() if not labels[p])
    return {
        "demands": len(demos),
        "pairs": len(labels),
        "same": len(same),
        "different": len(different),
        "unsure": len(UNSURE),
        "hand_same": len(SAME),
        "rows": rows,
        "pairwise": pairwise,
        "same_scores": same,
        "different_scores": different,
    }


def _quantiles(values: list[float]) -> str:
    def at(q: float) -> float:
        return values[min(len(values) - 1, int(q * (len(values) - 1) + 0.5))]

    return (
        f"min {values[0]:.2f}, median {at(0.5):.2f}, 90th percentile {at(0.9):.2f}, "
        f"max {values[-1]:.2f}"
    )


def section(result: dict) -> str:
    lines = [
        START,
        "## Common needs: the grouping threshold",
        "",
        "Measured with `scripts/eval_grouping.py` (deterministic: no search engine, no",
        "randomness). The labelled set is made from the repository's own data, never from the",
        "judged matching set:",
        "",
        f"- the demo's {result['demands']} demands: every pair of one cluster from two different",
        "  enterprises (the only pairs the detector may group), labelled by hand with one rule —",
        "  the *same need* when one joint brief could serve both (the same kind of product and the",
        f"  same kind of design work). {result['hand_same']} demo pairs are the same need (food",
        "  packaging and brand refreshes; extruded aluminium profile sections); "
        f"{result['unsure']} pairs",
        "  a reader could label either way (two storage exteriors, two handheld medical devices,",
        "  two service robots, an oil bottle against food packaging) are left out; all others are",
        "  different needs. The demo has few common needs, so this part is mostly negatives;",
        "- a survey-style record of each demo demand, made mechanically as the district survey",
        "  forms record a need: a generic title (the cluster and 设计需求), the description's",
        "  first sentence only, the first two services, as another enterprise. It is the same",
        "  need as its demand (and as that demand's same-need partners), a different need from",
        "  the rest of its cluster. These positives are constructed from the demo, so they test",
        "  whether a terse record of a need still meets the full one, not whether two",
        "  enterprises' independent wordings meet.",
        "",
        f"{result['pairs']} labelled pairs: {result['same']} same need, {result['different']}"
        " different. Similarity of the same-need pairs: "
        f"{_quantiles(result['same_scores'])}; of the different ones: "
        f"{_quantiles(result['different_scores'])}.",
        "",
        "Each labelled pair on its own (alike when its similarity reaches the threshold), and",
        "the pairs grouped by `find_groups` over the whole pool (complete link, one demand per",
        "enterprise, groups never merge), at each threshold:",
        "",
        "| threshold | pairs: precision | recall | F1 | grouped: same need | different "
        "| missed | precision | recall | F1 |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for p, r in zip(result["pairwise"], result["rows"], strict=True):
        mark = " (default)" if abs(r["threshold"] - DEFAULT_THRESHOLD) < 1e-9 else ""
        lines.append(
            f"| {r['threshold']:.2f}{mark} | {p['precision']:.3f} | {p['recall']:.3f} "
            f"| {p['f1']:.3f} | {r['tp']} | {r['fp']} | {r['fn']} | {r['precision']:.3f} "
            f"| {r['recall']:.3f} | {r['f1']:.3f} |"
        )
    best = max(result["pairwise"], key=lambda r: (round(r["f1"], 3), r["precision"]))
    lines += [
        "",
        f"Best pairwise F1 at {best['threshold']:.2f}. The default is 0.75: grouped, 0.75 and",
        "0.80 are within 0.01 of F1 of each other (a few pairs on this set), while pairwise",
        "0.75 keeps 0.92 of the same-need pairs against 0.83; the proposals are reviewed by",
        "an administrator before anything reaches an enterprise, so a missed group costs more",
        "than one more proposal to dismiss. Below 0.75 precision falls without any gain in",
        "recall; at 0.85 and above half the same-need pairs are lost. Grouped recall stays",
        "under 0.71 at every threshold: groups never merge, so when a demand and its survey",
        "record pair up first, the four food packaging demands end in several groups instead",
        "of one — a limit of the grouping, not of the threshold. What the detector still groups",
        "wrongly at 0.75 are consumer products of one cluster needing the same kind of work on",
        "different products (a tablet and a door lock, a camera and earphones, a nebuliser and",
        "a veterinary syringe): the signals see the work, not the product.",
        END,
    ]
    return "\n".join(lines)


def write(text: str) -> None:
    doc = DOC.read_text(encoding="utf-8")
    if START in doc:
        before, rest = doc.split(START, 1)
        doc = before + text + rest.split(END, 1)[1]
    else:
        doc = doc.rstrip("\n") + "\n\n" + text + "\n"
    DOC.write_text(doc, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update docs/quality.md")
    args = parser.parse_args(argv)
    text = section(measure())
    print(text)
    if args.write:
        write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
