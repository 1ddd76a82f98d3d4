"""Check a model-written draft against the passages it was given.

For every sentence: markers out of range are removed; each remaining citation must be backed by a
verbatim quote from its passage that states the sentence (rag.cite.checks: entities, role, numbers,
polarity, modality, quantifiers, no additions); a sentence two cited passages state only together keeps
both, marked partial; a sentence whose citations fail is re-attributed to the passage that does state it,
or dropped. Nothing unverified survives. Does not call any model (see rag.cite.entail for that pass).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from rag.cite.checks import SupportCheck, check_support
from rag.cite.compose import Claim, Evidence
from rag.cite.markers import extract_markers, split_answer_sentences
from rag.cite.support import ranked_quotes
from rag.models import Embed, Passage, Sentence
from rag.text import content_terms, idf_weights

QUOTES_CHECKED = 4  # best-ranked quotes of a passage that are parsed and checked (ranking is lexical)
REATTRIBUTE_CHECKED = 8  # best-ranked quotes over all passages tried when the cited ones fail
MIN_RANK_SCORE = 0.2  # quotes sharing less than this with the claim are not worth parsing
MERGE_CANDIDATES = 3  # best quotes per cited article paired up when no single quote states the sentence
MERGE_POOL = 8  # best quotes per cited article, ranked as parts, from which a merged fact is assembled
MERGE_MAX_QUOTES = 3  # quotes a merged fact may need


@dataclass
class VerifiedDraft:
    """The draft's sentences that survived, with evidence, and a record of what was repaired."""

    claims: list[Claim]
    dropped: list[str] = field(default_factory=list)
    removed_markers: list[int] = field(default_factory=list)
    reattributed: int = 0
    failures: dict[str, tuple[str, str]] = field(default_factory=dict)  # dropped sentence -> first failed check


def _evidence(passage: Passage, quote: Sentence, check: SupportCheck) -> Evidence:
    support = "partial" if check.merged else "verified"
    return Evidence(passage.source, passage.title, quote, support=support, checks=check.checked)


def _supported(text: str, ranked: list[tuple[Passage, list[tuple[float, Sentence]]]], per_passage: int,
               limit: int, failures: list[tuple[str, str]], embed: Embed | None,
               contexts: dict[str, str]) -> list[Evidence]:
    """Evidence for `text` from the first quote (best-ranked first, at most `limit` tried) passing every check;
    `contexts`: each source's retrieved text, where the checks look for the names it gives a quoted thing."""
    tried = sorted(((score, p, q) for p, qs in ranked for score, q in qs[:per_passage] if score >= MIN_RANK_SCORE),
                   key=lambda x: -x[0])
    for _, passage, quote in tried[:limit]:
        check = check_support(text, [quote.text], embed, contexts.get(passage.source, passage.text))
        if check.ok:
            return [_evidence(passage, quote, check)]
        if check.failure:
            failures.append(check.failure)
    return []


def _merged(text: str, ranked: list[tuple[Passage, list[tuple[float, Sentence]]]], idf: dict[str, float],
            embed: Embed | None, contexts: dict[str, str]) -> list[Evidence]:
    """Evidence from two or three quotes of the cited articles that state the sentence only together (each
    partial): first the quotes that together cover most of its words, added one at a time (each the one that
    adds the most), then the best-ranked pairs."""
    pool = [(p, q) for p, _ in ranked for _, q in ranked_quotes(text, p, idf, partial=True)[:MERGE_POOL]]
    terms = {t: idf.get(t, 1.0) for t in content_terms(text)}
    chosen: list[tuple[Passage, Sentence]] = []
    covered: set[str] = set()
    tried: set[tuple[int, ...]] = set()
    while len(chosen) < MERGE_MAX_QUOTES:
        # Summed in sorted order: a set's order changes float sums in the last bit, and so ties, per hash seed.
        gains = [(sum(terms[t] for t in sorted(set(content_terms(q.text)) & terms.keys() - covered)), i)
                 for i, (p, q) in enumerate(pool) if not any(_overlap(p, q, pc, qc) for pc, qc in chosen)]
        gain, best = max(gains, default=(0.0, -1))
        if gain <= 0:
            break
        chosen.append(pool[best])
        covered |= set(content_terms(pool[best][1].text))
        if len(chosen) > 1:
            tried.add(tuple(sorted(id(q) for _, q in chosen)))
            if (found := _check_merged(text, chosen, embed, contexts)):
                return found
    pairs = [(p, q) for p, qs in ranked for s, q in qs[:MERGE_CANDIDATES] if s >= MIN_RANK_SCORE]
    for (pa, a), (pb, b) in itertools.combinations(pairs, 2):
        if _overlap(pa, a, pb, b) or tuple(sorted((id(a), id(b)))) in tried:
            continue
        if (found := _check_merged(text, [(pa, a), (pb, b)], embed, contexts)):
            return found
    return []


def _overlap(pa: Passage, a: Sentence, pb: Passage, b: Sentence) -> bool:
    """Overlapping spans of one article are not two facts."""
    return pa.source == pb.source and a.start < b.end and b.start < a.end


def _check_merged(text: str, parts: list[tuple[Passage, Sentence]], embed: Embed | None,
                  contexts: dict[str, str]) -> list[Evidence]:
    context = "\n".join(dict.fromkeys(contexts.get(p.source, p.text) for p, _ in parts))
    check = check_support(text, [q.text for _, q in parts], embed, context)
    return [_evidence(p, q, check) for p, q in parts] if check.ok else []


def verify_draft(draft: str, passages: list[Passage], embed: Embed | None = None) -> VerifiedDraft:
    """Keep only sentences a passage verifiably states, each with its quote(s)."""
    result = VerifiedDraft(claims=[])
    idf = idf_weights([s.text for p in passages for s in p.sentences])
    sentences = [extract_markers(s) for s in split_answer_sentences(draft)]
    vecs = embed([t for t, _ in sentences]) if embed is not None and sentences else None
    # A quote's article as far as it was retrieved, with its title: a name it gives what the quote only calls
    # "the strikes" or "the talks" is often in another of its passages ("strikes on Kyiv") or in the title
    # ("Trump Envoy Meets With Putin in St. Petersburg for Ukraine Talks").
    contexts = {src: "\n".join(dict.fromkeys([p.title for p in passages if p.source == src and p.title][:1]
                                              + [p.text for p in passages if p.source == src]))
                for src in {p.source for p in passages}}
    for i, (text, numbers) in enumerate(sentences):
        if not content_terms(text):
            continue  # "Here is what I found:" carries no fact and needs no citation; leave it out
        claim_vec = vecs[i] if vecs is not None else None
        cited: list[Passage] = []
        for n in numbers:
            if not 1 <= n <= len(passages):
                result.removed_markers.append(n)
            elif passages[n - 1] not in cited:
                cited.append(passages[n - 1])
        ranked = [(p, ranked_quotes(text, p, idf, claim_vec, embed)) for p in cited]
        failures: list[tuple[str, str]] = []
        evidence = (_supported(text, ranked, QUOTES_CHECKED, QUOTES_CHECKED * len(cited), failures, embed, contexts)
                    if cited else [])
        if not evidence and cited:
            # Two facts merged into one sentence may sit in two cited passages, or in two places of one
            # cited article (another retrieved passage of the same file counts as that article).
            sources = {p.source for p in cited}
            same_file = [(p, ranked_quotes(text, p, idf, claim_vec, embed)) for p in passages
                         if p not in cited and p.source in sources]
            evidence = _merged(text, ranked + same_file, idf, embed, contexts)
        if not evidence:
            others = [(p, ranked_quotes(text, p, idf, claim_vec, embed)) for p in passages if p not in cited]
            evidence = _supported(text, others, 3, REATTRIBUTE_CHECKED, failures, embed, contexts)
            if not evidence and others:
                # A true sentence cited to the wrong article may still be a fact its right article states in
                # two places: try the merge within the uncited article whose quotes rank best.
                best = max(others, key=lambda pr: pr[1][0][0] if pr[1] else 0.0)[0].source
                evidence = _merged(text, [pr for pr in others if pr[0].source == best], idf, embed, contexts)
            result.reattributed += bool(evidence)
        if evidence:
            result.claims.append(Claim(text=text, evidence=evidence))
        else:
            result.dropped.append(text)
            if failures:
                result.failures[text] = failures[0]
    return result
