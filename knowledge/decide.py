"""The route decision: learned route margins, with the lexicon as high-precision overrides.

Order of precedence (recall first for danger):

1. the lexicon's crisis, near-deadline or collective-action rules -> urgent (they name what
   they saw, which the safety message and the staff card use);
2. the urgent margin at or above the urgent threshold (chosen on held-out data for recall)
   -> urgent;
3. out_of_scope when the model prefers it over every labour route and either its margin is
   above the threshold (chosen for precision) or the lexicon names an out-of-scope topic; or
   when the margin is above the threshold and the knowledge base has no confident answer;
4. otherwise legal_aid or self_help, whichever the model prefers; the lexicon's explicit
   request for a person ("帮我找个律师") makes it legal_aid.

A message whose urgent margin lies between the check threshold and the urgent threshold keeps its
route but gets the one-tap check "现在有没有人身危险？" (`check`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from knowledge.learned import Thresholds
from knowledge.triage import Route, Triage

# Urgent kinds of the corpus -> the safety message families the dialog knows.
KIND_FAMILY = {
    "injury_now": "injury",
    "acute_illness": "injury",
    "vulnerable_danger": "injury",
    "fire_gas_explosion": "fire",
    "collapse_trapped": "fire",
    "death_at_work": "death",
    "violence": "violence",
    "threat": "violence",
    "confinement": "confinement",
    "self_harm": "self_harm",
    "collective_action": "collective",
    "deadline": "deadline",
}


_GREETINGS = frozenset(
    "你好 您好 你好啊 你好呀 在吗 在不在 有人吗 有人在吗 哈喽 嗨 早 早上好 中午好 下午好 晚上好 "
    "大家好 hi hello hey hallo nihao ninhao zaima 喂 谢谢 谢谢你 多谢 感谢 好的 好 嗯 ok okay "
    "thanks thankyou 再见 拜拜 bye".split()
)


_IDEOGRAPH = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")
_LETTER = re.compile(r"[a-z]")


def has_words(cleaned: str, minimum: int = 3) -> bool:
    """About `minimum` words of text (an ideograph, or three letters, each count as one):
    a phone number or an amount is not."""
    words = len(_IDEOGRAPH.findall(cleaned)) + len(_LETTER.findall(cleaned)) / 3
    return words >= minimum


def is_small_talk(cleaned: str) -> bool:
    """A greeting or a thank-you and nothing else (text as `normalize.clean` gives it)."""
    return cleaned.rstrip("啊呀哦哈嘛吖哇~") in _GREETINGS or cleaned in _GREETINGS


@dataclass(frozen=True)
class Decision:
    route: str
    check: bool = False
    kinds: tuple[str, ...] = ()
    collective: bool = False
    reasons: tuple[str, ...] = ()

    @property
    def crisis(self) -> bool:
        """Danger to a person (not only a deadline or a planned action)."""
        return self.route == Route.URGENT and any(
            k not in ("deadline", "collective") for k in self.kinds
        )


def decide_route(
    scores: Mapping[str, float],
    lexicon: Triage,
    confidence: float,
    thresholds: Thresholds,
    *,
    model_kind: str | None = None,
) -> Decision:
    """Combine the route model, the lexicon and the answer confidence into one route."""
    s_urgent = scores.get("urgent", 0.0)
    collective = lexicon.collective or model_kind == "collective_action"
    if lexicon.route is Route.URGENT:
        kinds = lexicon.crisis_kinds or (("collective",) if lexicon.collective else ())
        return Decision(
            Route.URGENT, kinds=kinds, collective=collective, reasons=("lexicon", *lexicon.reasons)
        )
    if s_urgent >= thresholds.urgent:
        family = KIND_FAMILY.get(model_kind or "", "injury")
        return Decision(
            Route.URGENT,
            kinds=(family,),
            collective=collective,
            reasons=(f"model:urgent={s_urgent:.2f}",),
        )
    check = s_urgent >= thresholds.check
    s_oos = scores.get("out_of_scope", 0.0)
    # When the model prefers out-of-scope over every labour route, a confident-looking match
    # does not overrule it (the ranker only ever learned labour questions).
    leaning = s_oos >= max(v for k, v in scores.items() if k != "out_of_scope")
    above = s_oos >= thresholds.out_of_scope
    lexicon_oos = lexicon.route is Route.OUT_OF_SCOPE
    if (leaning and (above or lexicon_oos)) or (above and confidence < thresholds.answer):
        return Decision(Route.OUT_OF_SCOPE, check=check, reasons=(f"model:oos={s_oos:.2f}",))
    asks_person = "intent" in lexicon.reasons
    legal = asks_person or scores.get("legal_aid", 0.0) > scores.get("self_help", 0.0)
    route = Route.LEGAL_AID if legal else Route.SELF_HELP
    return Decision(
        route,
        check=check,
        collective=collective,
        reasons=(f"model:{route.value}",) + (("intent",) if asks_person else ()),
    )
