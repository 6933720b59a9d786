"""Match latency and index build time on the real KB and on synthetic 10k / 50k KBs.

    python bench/match_latency.py [--sizes 10000 50000] [--queries 500]

Synthetic KBs are built by perturbing the real entries (character drops, swaps and
insertions in every phrasing), so their vocabulary and length distribution resemble the
real one. Queries are perturbed alternates of real entries. Prints progress on stderr, a
table, then one JSON line per KB size: {"kb_size", "build_s", "p50_ms", "p99_ms"}.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from knowledge.entries import Entry, load_yaml_dir
from knowledge.matcher import Matcher
from knowledge.normalize import Normalizer


def perturb(text: str, rng: random.Random, alphabet: str) -> str:
    chars = list(text)
    for _ in range(max(1, len(chars) // 8)):
        op = rng.random()
        i = rng.randrange(len(chars)) if chars else 0
        if op < 0.33 and len(chars) > 2:
            del chars[i]
        elif op < 0.66 and len(chars) > 2:
            j = min(i + 1, len(chars) - 1)
            chars[i], chars[j] = chars[j], chars[i]
        else:
            chars.insert(i, rng.choice(alphabet))
    return "".join(chars)


def synthetic_kb(entries: list[Entry], size: int, rng: random.Random) -> list[Entry]:
    alphabet = "".join(
        sorted({c for e in entries for p in e.phrasings() for c in p if "\u4e00" <= c <= "\u9fff"})
    )
    out = list(entries)
    while len(out) < size:
        base = rng.choice(entries)
        out.append(
            replace(
                base,
                id=f"{base.id}-syn{len(out)}",
                title=perturb(base.title, rng, alphabet),
                question=perturb(base.question, rng, alphabet),
                alternates=tuple(perturb(a, rng, alphabet) for a in base.alternates),
            )
        )
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(entries: list[Entry], normalizer: Normalizer, queries: list[str]) -> dict[str, float]:
    started = time.perf_counter()
    matcher = Matcher(entries, normalizer)
    build_s = time.perf_counter() - started
    for q in queries[:20]:  # warm caches
        matcher.match(q)
    timings = []
    for number, q in enumerate(queries, 1):
        t0 = time.perf_counter()
        matcher.match(q)
        timings.append((time.perf_counter() - t0) * 1000)
        if number % 100 == 0:
            print(
                f"\r  {len(entries)} entries: {number}/{len(queries)} queries",
                end="",
                file=sys.stderr,
                flush=True,
            )
    print(file=sys.stderr)
    return {
        "kb_size": len(entries),
        "build_s": round(build_s, 3),
        "p50_ms": round(statistics.median(timings), 3),
        "p99_ms": round(percentile(timings, 0.99), 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 50_000])
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    t0 = time.perf_counter()
    normalizer = Normalizer()
    print(
        f"normalizer (jieba + lexicon) ready in {time.perf_counter() - t0:.2f} s", file=sys.stderr
    )
    t0 = time.perf_counter()
    real = load_yaml_dir()
    print(f"{len(real)} real entries read in {time.perf_counter() - t0:.2f} s", file=sys.stderr)
    alphabet = "".join(
        sorted({c for e in real for a in e.alternates for c in a if "\u4e00" <= c <= "\u9fff"})
    )
    pool = [a for e in real for a in e.alternates]
    queries = [perturb(rng.choice(pool), rng, alphabet) for _ in range(args.queries)]

    results = [measure(real, normalizer, queries)]
    for size in args.sizes:
        print(f"building synthetic KB of {size} entries", file=sys.stderr)
        results.append(measure(synthetic_kb(real, size, rng), normalizer, queries))

    print(f"{'kb_size':>8} {'build_s':>8} {'p50_ms':>8} {'p99_ms':>8}")
    for r in results:
        print(f"{r['kb_size']:>8} {r['build_s']:>8} {r['p50_ms']:>8} {r['p99_ms']:>8}")
    for r in results:
        print(json.dumps(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
