"""The LLM answerer: the model drafts an answer with [n] markers over numbered passages, streaming its
text, and the draft is verified against the passages (rag.cite.verify: rule checks) into claims with
quotes, then, unless `llm_verify` is off, the model itself is asked whether each quote states its claim
(rag.cite.entail: one batched request; on failure the rules' verdict stands and `Draft.notice` says so).

Like the extractive answerer it returns a `Draft`. It raises `LLMFailure` whenever the offline answer
should be used instead (the model failed after retries, or nothing it wrote could be verified), so the
caller decides what to show. Does not number citations or build the `Answer`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Generator

from llama_index.core.llms import LLM

from rag.cite.entail import EntailFailure, entail_claims
from rag.cite.verify import verify_draft
from rag.generate import prompts
from rag.generate.draft import Draft
from rag.generate.llm import LLMFailure, chat_messages, stream_with_retries
from rag.models import Embed, Passage, StreamEvent, StreamReset, TextDelta
from rag.settings import RagSettings

log = logging.getLogger(__name__)
_CONFLICT_WORDS = re.compile(r"\b(disagree|differ|conflict|contradict|inconsistent)", re.IGNORECASE)


def _may_be_sentinel(draft: str) -> bool:
    """True while the text so far may still turn out to be the CANNOT_ANSWER reply (never stream that)."""
    head = draft.strip().upper()
    return prompts.CANNOT_ANSWER.startswith(head) or head.startswith(prompts.CANNOT_ANSWER)


def llm_draft(llm: LLM, settings: RagSettings, question: str, passages: list[Passage],
              embed: Embed) -> Generator[StreamEvent, None, Draft]:
    """Stream the model's text as events, then return its verified draft (`draft = yield from ...`).

    Raises LLMFailure when the offline answer should replace it.
    """
    if not passages:
        return Draft()
    context = "\n\n".join(
        prompts.PASSAGE_FORMAT.format(n=i, source=p.source, title=p.title, text=p.text)
        for i, p in enumerate(passages, start=1)
    )
    messages = chat_messages(prompts.ANSWER_SYSTEM, prompts.ANSWER_USER.format(passages=context, question=question))
    draft, shown = "", 0
    for event in stream_with_retries(llm, messages, settings):
        if isinstance(event, StreamReset):
            if shown:
                yield event
            draft, shown = "", 0
            continue
        draft += event.text
        if shown or not _may_be_sentinel(draft):
            yield TextDelta(draft[shown:])
            shown = len(draft)
    if draft.strip().upper().startswith(prompts.CANNOT_ANSWER):
        return Draft()
    declined = prompts.CANNOT_ANSWER in draft.upper() or prompts.ABSTAIN_TEXT in draft
    cleaned = re.sub(re.escape(prompts.CANNOT_ANSWER), "", draft, flags=re.IGNORECASE)
    verified = verify_draft(cleaned, passages, embed)
    if verified.dropped or verified.removed_markers or verified.reattributed:
        log.info("repaired LLM draft: dropped %d sentence(s), removed markers %s, re-attributed %d",
                 len(verified.dropped), verified.removed_markers, verified.reattributed)
    claims, notice = verified.claims, None
    if claims and settings.llm_verify:
        try:
            claims = entail_claims(llm, settings, claims)
        except EntailFailure as failure:  # the rules' verdict stands; say the second check is missing
            log.warning("entailment pass failed: %s", failure.reason)
            notice = prompts.ENTAIL_FALLBACK_NOTICE.format(reason=failure.reason)
        if len(claims) < len(verified.claims):
            log.info("entailment pass dropped %d sentence(s)", len(verified.claims) - len(claims))
    if not claims:
        if declined:
            return Draft()
        if shown:
            yield StreamReset()  # callers can rely on a clean screen whenever this raises
        raise LLMFailure("its answer could not be verified against the articles")
    return Draft(claims, conflict=bool(_CONFLICT_WORDS.search(draft)), notice=notice)
