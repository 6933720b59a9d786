"""One message in, everything the bot needs to know about it out: ranked entries and a route.

The learned ranker and the BM25/fuzzy matcher each propose entries; the `Combiner` turns the
pair of scores into one confidence per entry. The route model, the lexicon and that confidence
give the route (`decide_route`). Without a model bundle the matcher and the lexicon alone
decide, as before the models existed.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.corpus import ROUTES
from knowledge.decide import Decision, decide_route
from knowledge.learned import (
    CANDIDATES,
    MATCHER_CHARS,
    MATCHER_DOCS,
    Models,
    candidates,
    combine,
    route_scores,
)
from knowledge.matcher import Matcher, MatchResult, Scored
from knowledge.textfeatures import clip
from knowledge.triage import Triage, TriageRules


@dataclass(frozen=True)
class Analysis:
    match: MatchResult
    decision: Decision
    lexicon: Triage
    route_margins: dict[str, float]


def analyse(
    question: str,
    matcher: Matcher,
    rules: TriageRules,
    models: Models | None,
    *,
    k: int = 3,
    unknown_below: float = 0.3,
) -> Analysis:
    """Rank entries and decide the route of one message (pure: no I/O)."""
    text = clip(question)
    lexicon = rules.classify(text)
    if models is None:
        result = matcher.match(text, k=k)
        legacy = rules.classify(text, match_score=result.score, unknown_below=unknown_below)
        decision = Decision(
            legacy.route,
            kinds=legacy.crisis_kinds,
            collective=legacy.collective,
            reasons=legacy.reasons,
        )
        return Analysis(result, decision, legacy, {})
    x = models.featurizer.transform_one(text)
    margins = dict(zip(ROUTES, route_scores(models.routes, x)[0].tolist(), strict=True))
    live = {e.id for e in matcher.entries}
    matched = matcher.match(clip(text, MATCHER_CHARS), k=CANDIDATES, candidate_docs=MATCHER_DOCS)
    by_id = {s.entry.id: s for s in matched.ranked}
    cands = candidates(
        models.ranker.scores(x)[0],
        models.ranker.classes,
        {eid: s.score for eid, s in by_id.items()},
        live,
    )
    ranked = []
    for eid, confidence in combine(cands, models.combiner)[:k]:
        entry = matcher.get(eid)
        if entry is not None:
            features = by_id[eid].features if eid in by_id else None
            ranked.append(Scored(entry, round(confidence, 4), features))
    result = MatchResult(matched.normalized, tuple(ranked))
    kind = None
    if models.kinds is not None:
        kind_scores = models.kinds.scores(x)[0]
        kind = models.kinds.classes[int(kind_scores.argmax())]
    decision = decide_route(margins, lexicon, result.score, models.thresholds, model_kind=kind)
    return Analysis(result, decision, lexicon, margins)
