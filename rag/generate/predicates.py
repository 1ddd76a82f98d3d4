"""Does a sentence say what the question asks *happened*? The question's main verbs ("died", "wrote",
"granted", "paid") must be matched in the sentence by the same lemma or by a word close in meaning
("killed", "death" for "died"), read from the offline embedder's vectors of the single words.

A sentence that names the question's people and place but says they were evacuated, not that they died,
does not answer "How many people died?": this is what lets the readers abstain on such questions.
Both readers use it through `rag.generate.reader.can_answer`; the learned reader also scores with it.
"""

from __future__ import annotations

import numpy as np

from rag import nlp
from rag.generate.asking import Asked
from rag.models import Embed

# Verbs that carry no event of their own: "What did X say / do / have?" asks about the content, not the act.
LIGHT_VERBS = frozenset({"say", "tell", "do", "have", "be", "get", "make", "take", "go", "happen", "become", "come",
                         "give", "put", "keep", "let", "use", "turn", "want", "know", "think", "expect", "call",
                         "describe", "mean", "stand", "include", "involve", "cause", "lead", "result"})
_WORD_POS = {"VERB", "NOUN", "ADJ", "ADV", "PROPN"}


def predicates(asked: Asked) -> tuple[str, ...]:
    """The lemmas of the question's main event verbs: what a sentence must say happened."""
    return tuple(v for v in asked.events if v not in LIGHT_VERBS and len(v) > 2)


def predicate_match(asked: Asked, sentences: list[str], embed: Embed) -> np.ndarray:
    """Per sentence, how well its words match the question's least-matched event verb: 1.0 for the same
    lemma (or a question without event verbs), else the best cosine between the verb's vector and those of
    the sentence's content words."""
    verbs = predicates(asked)
    out = np.ones(len(sentences))
    if not verbs or not sentences:
        return out
    words_per = [sorted({t.lemma_.lower() for t in doc if t.pos_ in _WORD_POS and t.is_alpha and len(t) > 2})
                 for doc in nlp.parse_many(sentences)]
    vocab = sorted({w for words in words_per for w in words} | set(verbs))
    index = {w: i for i, w in enumerate(vocab)}
    vecs = embed(vocab)
    sims = vecs[[index[v] for v in verbs]] @ vecs.T  # verbs x vocab
    for row, words in enumerate(words_per):
        if not words:
            out[row] = 0.0
            continue
        cols = [index[w] for w in words]
        out[row] = float(np.min([1.0 if v in words else float(sims[k, cols].max()) for k, v in enumerate(verbs)]))
    return out
