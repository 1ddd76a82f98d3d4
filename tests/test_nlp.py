import contextlib

from rag import nlp


def test_pipeline__is_spacys_en_core_web_sm_3_8_with_parser_ner_and_lemmas() -> None:
    meta = nlp.pipeline().meta
    assert (meta["lang"], meta["version"]) == ("en", "3.8.0")
    assert meta["performance"]["ents_f"] == 0.8433119744  # Explosion's published 3.8.0 figure
    assert {"tagger", "parser", "ner", "lemmatizer"} <= set(nlp.pipeline().pipe_names)


def test_parse__finds_entities_lemmas_and_negation() -> None:
    doc = nlp.parse("Zelenskyy said Ukraine would never recognize Russia's control of Crimea in 2025.")
    assert {e.text for e in doc.ents} >= {"Ukraine", "Crimea", "2025"}  # labels of the small model are noisier
    assert [t.lemma_ for t in doc if t.text == "said"] == ["say"]
    assert any(t.dep_ == "neg" for t in doc)


def test_parse_many__returns_docs_in_order_and_caches_them() -> None:
    texts = ["Putin met Witkoff.", "The talks lasted four hours.", "Putin met Witkoff."]
    docs = nlp.parse_many(texts)
    assert [d.text for d in docs] == texts and docs[0] is docs[2] is nlp.parse("Putin met Witkoff.")


def test_stored_parse__same_bytes_as_spacy_and_a_damaged_record_spoils_nothing_after_it() -> None:
    codec = nlp._codec()
    doc = nlp.parse("Witkoff met Putin in St. Petersburg on Friday, the Kremlin said.")
    stored = codec.dumps(doc)
    assert stored == doc.to_bytes(exclude=nlp._NOT_STORED)  # parses stored before this codec stay readable
    for damaged in (stored[:40], stored + b"\x01", b"\xc1"):
        with contextlib.suppress(Exception):  # whichever error msgpack or spaCy raises
            codec.loads(nlp.pipeline(), damaged)
        back = codec.loads(nlp.pipeline(), stored)
        tokens = [(t.text, t.lemma_, t.dep_, t.head.i) for t in doc]
        assert [(t.text, t.lemma_, t.dep_, t.head.i) for t in back] == tokens
        assert [(e.text, e.label_) for e in back.ents] == [(e.text, e.label_) for e in doc.ents]
