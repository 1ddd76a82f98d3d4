"""A day or a place belongs to the event it is given for (`predicates.told_apart`), a name plays its phrase's role
(or, told of by a "for"-gerund, its doer's), and "What's the name" asks for a name as "What is the name" does."""

from __future__ import annotations

import pytest

from rag import nlp
from rag.generate.asking import read_question
from rag.generate.features import answer_spans
from rag.generate.predicates import told_apart


@pytest.mark.parametrize(("question", "sentence", "apart"), [
    # the day of the saying is not that of the signing
    ("When will Iraq and Russia sign their $40 billion deal?",
     "Iraq and Russia are close to signing a $40 billion economic cooperation plan, Iraq's ambassador said Saturday.",
     True),
    ("Where did Witkoff meet Putin?",
     "Witkoff met with Putin at the presidential library in St. Petersburg, which lasted four and a half hours.",
     False),
    ("Where did the meeting take place?", "The meeting took place in Geneva on Monday.", False),
    # a meeting in a preposition's phrase is a backdrop: the hotel is where the sitting down happened
    ("At which hotel did Witkoff meet Kirill Dmitriev?",
     "Before his meeting with Putin, Witkoff first sat down with Kirill Dmitriev at the Grand Hotel Europe.", False),
    # a sentence not telling the event by its lemma is left to the other checks
    ("When did Karelina return home?", "Karelina landed at Joint Base Andrews on Thursday.", False),
])
def test_told_apart__a_day_or_place_given_for_another_event_is_no_answer(question: str, sentence: str,
                                                                         apart: bool) -> None:
    asked = read_question(question)
    spans = answer_spans(asked, sentence)
    assert spans
    assert told_apart(asked, nlp.parse(sentence), spans) is apart


@pytest.mark.parametrize("question", ["What's the name of the scientist who said he was not the anthrax killer?",
                                      "What’s the name of the Russian defence minister?"])
def test_read_question__whats_the_name_asks_for_a_name(question: str) -> None:
    asked = read_question(question)
    assert asked.kind == "person" and asked.described in ("scientist", "minister")


def test_located_spans__a_name_inside_the_subject_phrase_plays_the_subjects_role() -> None:
    from rag.generate.features import located_spans

    asked = read_question("Who else did Witkoff meet on Friday?")
    sentence = ("Earlier Friday, the state-run TASS news agency reported that Witkoff held a meeting at the Grand "
                "Europe Hotel in St. Petersburg with Kirill Dmitriev.")
    roles = {text: role_ok for text, _, role_ok in located_spans(asked, sentence)}
    assert roles["Kirill Dmitriev"] and not roles["TASS"]  # TASS reported: it is no one met


def test_located_spans__who_a_for_gerund_is_told_of_is_its_doer() -> None:
    from rag.generate.features import located_spans

    sentence = ('The biowarfare expert declared, "I am not the anthrax killer," and lashed out today against Attorney '
                'General John Ashcroft for calling him a "person of interest" in the investigation.')
    for question in ("Who called the biowarfare expert a 'person of interest'?",
                     'Who described the anthrax suspect as a "person of interest"?'):
        assert ("John Ashcroft", True) in [(t, ok) for t, _, ok in located_spans(read_question(question), sentence)]
    # the one lashed out against is no one the expert met or named
    assert ("John Ashcroft", False) in [(t, ok) for t, _, ok in located_spans(
        read_question("Whom did the expert meet?"), sentence)]
