"""Reciprocal rank fusion and near-duplicate collapsing. Pure functions, no I/O."""

from __future__ import annotations

from collections.abc import Sequence

from rag.models import Passage
from rag.text import sentence_key


def reciprocal_rank_fusion(rankings: Sequence[Sequence[str]], k: int = 60) -> list[tuple[str, float]]:
    """Fuse ranked id lists: score(id) = sum over lists of 1 / (k + rank). Best first, ties by first seen."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda kv: -kv[1])


def collapse_near_duplicates(passages: Sequence[Passage], max_overlap: float) -> list[Passage]:
    """Drop a passage when more than `max_overlap` of its sentences already appear in a better one.

    The better passage records the dropped passage's source in `also_in`, so a fact printed by two
    articles can still be attributed to both.
    """
    kept: list[Passage] = []
    seen: dict[str, Passage] = {}
    for passage in passages:
        keys = [sentence_key(s.text) for s in passage.sentences] or [sentence_key(passage.text)]
        owners = [seen[k] for k in keys if k in seen]
        if keys and len(owners) / len(keys) > max_overlap:
            for owner in {id(o): o for o in owners}.values():
                owner.copies.append(passage)
                if passage.source != owner.source and passage.source not in owner.also_in:
                    owner.also_in.append(passage.source)
            continue
        kept.append(passage)
        for key in keys:
            seen.setdefault(key, passage)
    return kept
