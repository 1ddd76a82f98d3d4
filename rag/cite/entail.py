"""The LLM entailment pass: after the rule checks, one batched request asks the configured model whether
each surviving claim's quotes state it (YES / PARTIAL / NO).

A NO drops the claim; a PARTIAL marks its citations partial; a YES keeps the rules' verdict. Verdicts are
cached per (claim, quotes), so asking the same question twice costs one request. Raises `EntailFailure`
(the caller keeps the rules' verdict and says so) when the request fails or the reply does not give a
verdict for every item. Does not check anything itself, and is never used without a model.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import replace
from typing import TYPE_CHECKING

from rag.cite.compose import Claim
from rag.errors import LLMError
from rag.generate import prompts

if TYPE_CHECKING:
    from llama_index.core.llms import LLM

    from rag.settings import RagSettings

VERDICTS = ("YES", "PARTIAL", "NO")
_LINE = re.compile(r"^\W*(\d+)\W+(YES|PARTIAL|NO)\b", re.IGNORECASE | re.MULTILINE)
_CACHE_SIZE = 10_000


class EntailFailure(LLMError):
    """The entailment request failed or its reply could not be read; `reason` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _VerdictCache:
    """Thread-safe LRU of (claim, quotes) -> verdict."""

    def __init__(self, size: int) -> None:
        self.size, self.items, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key: tuple[str, str]) -> str | None:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
            return self.items.get(key)

    def put(self, key: tuple[str, str], verdict: str) -> None:
        with self.lock:
            self.items[key] = verdict
            while len(self.items) > self.size:
                self.items.popitem(last=False)


CACHE = _VerdictCache(_CACHE_SIZE)


def _key(claim: Claim) -> tuple[str, str]:
    return claim.text, " … ".join(ev.quote.text for ev in claim.evidence)


def parse_verdicts(reply: str, n: int) -> list[str]:
    """Verdicts for items 1..n from the model's reply; EntailFailure when any is missing."""
    found: dict[int, str] = {}
    for match in _LINE.finditer(reply):
        found.setdefault(int(match.group(1)), match.group(2).upper())
    if n == 1 and not found:  # a single item answered with a bare word
        bare = re.match(r"^\W*(YES|PARTIAL|NO)\b", reply.strip(), re.IGNORECASE)
        if bare:
            found[1] = bare.group(1).upper()
    missing = [i for i in range(1, n + 1) if i not in found]
    if missing:
        raise EntailFailure(f"its reply gave no verdict for {len(missing)} of {n} claims")
    return [found[i] for i in range(1, n + 1)]


def ask_verdicts(llm: LLM, settings: RagSettings, pairs: list[tuple[str, str]]) -> list[str]:
    """One request: a verdict per (claim, quote) pair, in order (uncached; see `entail_claims`)."""
    from rag.generate.llm import LLMFailure, chat_messages, complete_chat

    items = "\n".join(prompts.ENTAIL_ITEM.format(n=i, quote=q, claim=c) for i, (c, q) in enumerate(pairs, 1))
    try:
        reply = complete_chat(llm, chat_messages(prompts.ENTAIL_SYSTEM, prompts.ENTAIL_USER.format(items=items)),
                              settings)
    except LLMFailure as failure:
        raise EntailFailure(failure.reason) from None
    return parse_verdicts(reply, len(pairs))


def entail_claims(llm: LLM, settings: RagSettings, claims: list[Claim]) -> list[Claim]:
    """The claims the model does not reject, their citations marked partial where it said PARTIAL and
    "llm" added to what was checked. Raises EntailFailure (nothing is cached then)."""
    keys = [_key(c) for c in claims]
    todo = list(dict.fromkeys(k for k in keys if CACHE.get(k) is None))
    if todo:
        for key, verdict in zip(todo, ask_verdicts(llm, settings, todo), strict=True):
            CACHE.put(key, verdict)
    kept: list[Claim] = []
    for claim, key in zip(claims, keys, strict=True):
        verdict = CACHE.get(key) or "NO"
        if verdict == "NO":
            continue
        evidence = [replace(ev, support="partial" if verdict == "PARTIAL" else ev.support,
                            checks=(*ev.checks, "llm")) for ev in claim.evidence]
        kept.append(Claim(text=claim.text, evidence=evidence))
    return kept
