"""The support checks read forms news prose uses for the same fact (a nationality for its country, an age, a rate)
as stated, and forms that withhold a fact ("has yet to be reached", "are close to signing") as a negation or a
hedge (verify7; each from a development-set failure of eval/adversarial*.jsonl)."""

from __future__ import annotations

import pytest

from rag.cite.checks import check_support

COUNTRY = "Zelenskyy had declared that Ukraine would never recognize Russia’s control of Crimea."
MISSILE = "Zelenskyy said that at least one strike involved “a ballistic missile from North Korea.”"
AGE = "Dmitriev, 49, had visited Washington last week."
RATE = "“Too many people [are] DYING, thousands a week,” Trump wrote."
NOT_YET = "Officials said a formal agreement to end the war has yet to be reached."
CLOSE = "Iraq and Russia are close to signing a $40 billion economic cooperation plan, Iraq's ambassador said."


@pytest.mark.parametrize(("claim", "quote"), [
    ("Zelenskyy had stated that Ukraine would never recognize Russian control over Crimea.", COUNTRY),
    ("Zelenskyy said a North Korean ballistic missile was used in at least one strike.", MISSILE),
    ("The 49-year-old Dmitriev had visited Washington last week.", AGE),
    ("Trump wrote that thousands of people were dying every week.", RATE),
    ("Officials said a formal agreement to end the war has not been reached.", NOT_YET),
    ("Iraq and Russia are close to signing a $40 billion economic cooperation plan, Iraq's ambassador said.", CLOSE),
])
def test_check_support__the_same_fact_in_another_form_passes(claim: str, quote: str) -> None:
    assert check_support(claim, [quote]).failure is None


@pytest.mark.parametrize(("claim", "quote", "check"), [
    ("Zelenskyy said a South Korean ballistic missile was used in at least one strike.", MISSILE, "entities"),
    ("Norwegian spies listened to the ambassador.", "Australian spies listened to Norway’s ambassador.", "entities"),
    ("The 48-year-old Dmitriev had visited Washington last week.", AGE, "numbers"),
    ("Dmitriev had visited Washington for 49 days.", AGE, "numbers"),
    ("Trump wrote that thousands of people were dying every month.", RATE, "numbers"),
    ("Trump wrote that every person was dying.", RATE, "quantifiers"),
    ("Officials said a formal agreement to end the war has now been reached.", NOT_YET, "polarity"),
    ("Iraq and Russia have signed a $40 billion economic cooperation plan, Iraq's ambassador said.", CLOSE,
     "modality"),
])
def test_check_support__a_changed_fact_in_those_forms_still_fails(claim: str, quote: str, check: str) -> None:
    failure = check_support(claim, [quote]).failure
    assert failure is not None and failure[0] == check, failure


TWO = "The two countries have not held direct talks since the early days of Russia’s invasion in February 2022."
TWO_CONTEXT = ("Trump urged Russia and Ukraine to hold talks on Friday. Russia and Ukraine are expected to meet. "
               + TWO)
LAKE = "About 1800km of dikes around the lake are all that stand between 10 million people and disaster."
LAKE_CONTEXT = "Dongting Lake has swollen with the summer rains. " + LAKE


@pytest.mark.parametrize(("claim", "quote", "context", "ok"), [
    ("Russia and Ukraine have not held direct talks since the early days of Russia’s invasion in February 2022.",
     TWO, TWO_CONTEXT, True),
    # Another pair of countries is no antecedent of "the two countries" here.
    ("Russia and Poland have not held direct talks since the early days of Russia’s invasion in February 2022.",
     TWO, TWO_CONTEXT, False),
    ("About 1800km of dikes around Dongting Lake are all that stand between 10 million people and disaster.",
     LAKE, LAKE_CONTEXT, True),
    # A lake the passage never names before the quote is an addition.
    ("About 1800km of dikes around Poyang Lake are all that stand between 10 million people and disaster.",
     LAKE, LAKE_CONTEXT, False),
])
def test_check_support__the_quotes_description_stands_for_the_name_the_passage_gave_just_before(
        claim: str, quote: str, context: str, ok: bool) -> None:
    assert check_support(claim, [quote], context=context).ok is ok


EASTER = ("On Easter, Trump expressed optimism that Russia and Ukraine could reach a peace agreement this week, "
          "adding that once a deal is struck, both nations could “start to do big business with the United States of "
          "America…”")


@pytest.mark.parametrize(("claim", "ok"), [
    # The claim's "could" is on the business, not on the agreement it states as certain.
    ("On Easter, Trump said that Russia and Ukraine would reach a peace agreement this week, adding that both nations "
     "could then “start to do big business with the United States of America.”", False),
    ("On Easter, Trump said that Russia and Ukraine could reach a peace agreement this week, adding that both nations "
     "could then “start to do big business with the United States of America.”", True),
])
def test_check_support__a_hedge_the_claim_puts_on_another_hedged_word_keeps_only_that_words_hedge(
        claim: str, ok: bool) -> None:
    assert check_support(claim, [EASTER]).ok is ok


@pytest.mark.parametrize(("claim", "quote", "ok"), [
    # "receive" is a WordNet synonym of "have", here only the auxiliary of "had delivered".
    ("Mr Fleischer said Colin Powell had received the same message from his Russian counterpart.",
     "Mr Fleischer said Colin Powell had delivered the same message to his Russian counterpart.", False),
    # A "have" heading its clause says something, and its synonym states it.
    ("The CIA told officials to assume that Iraq possesses some weapons of mass destruction.",
     "The CIA has advised officials to assume that Iraq has some weapons of mass destruction.", True),
])
def test_check_support__a_synonym_of_an_auxiliary_states_nothing(claim: str, quote: str, ok: bool) -> None:
    failure = check_support(claim, [quote]).failure
    assert (failure is None) is ok, failure


BASQUE = ("Batasuna, a political party that campaigns for an independent Basque state, faces a double blow today: the "
          "Spanish parliament is expected to vote overwhelmingly in favour of banning the radical group.")


@pytest.mark.parametrize(("claim", "ok"), [
    ("The Basque parliament is expected to vote overwhelmingly in favour of banning Batasuna, a political party that "
     "campaigns for an independent Basque state.", False),
    ("Batasuna campaigns for an independent Basque state, and the Spanish parliament is expected to vote "
     "overwhelmingly in favour of banning the radical group.", True),
])
def test_check_support__a_nationality_moved_onto_another_noun_is_a_swap(claim: str, ok: bool) -> None:
    assert check_support(claim, [BASQUE]).ok is ok


def test_check_quantifiers__a_quotes_all_about_another_thing_does_not_state_the_claims_all() -> None:
    from rag.cite.facts import facts_of, merge_facts
    from rag.cite.quantifiers import check_quantifiers

    strikes = ("Zelenskyy said it was “clear” at least one of Russia’s sweeping strikes on Kyiv involved “a ballistic "
               "missile from North Korea.”")
    other = "In a long post Friday, Zelenskyy said that “Russia rejects all of this.”"
    claim = ("Zelenskyy said it was “clear” that all of Russia’s sweeping strikes on Kyiv involved North Korean "
             "missiles.")
    quotes = merge_facts([facts_of(strikes), facts_of(other)])
    assert check_quantifiers(facts_of(claim), quotes) == ("quantifiers", "'all' is said of another thing in the quote")
    same = "Zelenskyy said all of Russia’s sweeping strikes on Kyiv involved missiles."
    assert check_quantifiers(facts_of(same), facts_of(same)) is None


@pytest.mark.parametrize(("claim", "ok"), [
    ("Security experts say the mystery is a “chilling” one.", False),
    ("A security expert says the mystery is a “chilling” one.", True),
])
def test_check_support__one_source_is_not_made_many(claim: str, ok: bool) -> None:
    quote = ("U.S. officials are still trying to figure that out, but one security expert says the mystery is a "
             "“chilling” one.")
    assert check_support(claim, [quote]).ok is ok


@pytest.mark.parametrize(("claim", "ok"), [
    ("The letter was the most recent from the world's most wanted man.", False),
    ("The source claimed the letter was the most recent from the world's most wanted man.", True),
])
def test_check_support__what_a_source_claimed_is_not_stated_as_fact(claim: str, ok: bool) -> None:
    quote = "The source claimed the letter was the most recent from the world's most wanted man."
    assert check_support(claim, [quote]).ok is ok


TIME = ("Trump’s call came the same day he was quoted in an interview with Time saying that “Crimea will stay with "
        "Russia.”")


@pytest.mark.parametrize(("claim", "ok"), [
    ("In an interview with Time, Trump said that Crimea will stay with Russia.", True),
    ("In an interview with Fox, Trump said that Crimea will stay with Russia.", False),
])
def test_check_support__where_something_was_said_belongs_to_the_whole_report(claim: str, ok: bool) -> None:
    assert check_support(claim, [TIME]).ok is ok
