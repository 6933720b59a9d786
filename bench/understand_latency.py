"""Latency of one message through match + triage with the learned models, on the real KB.

    python bench/understand_latency.py [--queries 2000]

Queries are drawn (seeded) from the training corpus, every style included (long stories
too). Loads or trains the model bundle first (progress on stderr). Prints a table by style and
one JSON line: {"queries", "p50_ms", "p90_ms", "p99_ms", "max_ms"}.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.learning import load_or_train
from bot.settings import Settings
from knowledge.corpus import load_corpus
from knowledge.entries import load_yaml_dir
from knowledge.matcher import Matcher
from knowledge.normalize import Normalizer
from knowledge.triage import TriageRules
from knowledge.understand import analyse


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=2000)
    args = parser.parse_args()
    print("loading normaliser, KB and models …", file=sys.stderr, flush=True)
    normalizer = Normalizer()
    entries = load_yaml_dir()
    models = load_or_train(entries, normalizer, Settings().model_path)
    matcher = Matcher(entries, normalizer)
    rules = TriageRules.load()
    examples = [e for e in load_corpus(entries).examples if e.style != "kb"]
    rng = random.Random(0)
    sample = rng.sample(examples, min(args.queries, len(examples)))
    for e in sample[:50]:  # warm caches
        analyse(e.text, matcher, rules, models)
    timings: list[float] = []
    by_style: dict[str, list[float]] = defaultdict(list)
    for n, e in enumerate(sample, 1):
        started = time.perf_counter()
        analyse(e.text, matcher, rules, models)
        ms = (time.perf_counter() - started) * 1000
        timings.append(ms)
        by_style[e.style].append(ms)
        if n % 500 == 0:
            print(f"  {n}/{len(sample)} queries", file=sys.stderr, flush=True)
    print(f"{'style':10}{'n':>6}{'p50 ms':>9}{'p99 ms':>9}")
    for style, values in sorted(by_style.items()):
        print(
            f"{style:10}{len(values):>6}{percentile(values, 0.5):>9.2f}"
            f"{percentile(values, 0.99):>9.2f}"
        )
    print(
        json.dumps(
            {
                "queries": len(timings),
                "p50_ms": round(percentile(timings, 0.5), 2),
                "p90_ms": round(percentile(timings, 0.9), 2),
                "p99_ms": round(percentile(timings, 0.99), 2),
                "max_ms": round(max(timings), 2),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
