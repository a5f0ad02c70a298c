"""The word lists' affix analysis and suggestions: the shortcuts that make them cheap change no answer."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.quality import lexicon
from screening.quality.lexicon import _KIND_PRIOR, edit_kind, edits1, load_lexicon

# unknown words of held-out news (slips, derived forms the lists lack, foreign words) and some made up
UNKNOWN = [
    "mengklasifikan", "memperhadapkan", "teleprompter", "kondusifitas", "berdaptasi", "menandatangangi",
    "pembebesan", "sedanh", "menyelesaikn", "dipesenin", "kesepakakan", "laltop", "pengecatn", "kerumahnya",
    "terasaa", "bekerjaan", "mengirimkn", "ditandaii", "pemukulan", "sepengetahuanya", "quadcopter",
]  # fmt: skip
# words built from Indonesian affixes and syllables: most are no word, some are
_SYLLABLES = st.sampled_from([
    "me", "mem", "meng", "meny", "menge", "pe", "per", "ber", "ter", "di", "ke", "se",
    "ka", "ta", "ra", "sa", "pu", "kul", "tu", "lis", "ja", "ar", "an", "kan", "i", "nya",
])  # fmt: skip
_MADE_UP = st.lists(_SYLLABLES, min_size=1, max_size=6).map("".join)


def suggested_trying_every_slip(word: str, limit: int = 3) -> tuple[str, ...]:
    """`Lexicon.suggest` without its shortcuts: every likely slip asked, in any order, then ranked."""
    lex = load_lexicon()
    candidates = [c for c in edits1(word) if len(c) >= 2]
    scored = {
        c: lex.frequency_score(c) + _KIND_PRIOR[edit_kind(word, c)] for c in lex.suggestible.intersection(candidates)
    }
    if not scored:
        for c in set(candidates):
            if edit_kind(word, c) != "wrong" and lex.root_of(c) is not None:
                scored[c] = lex.frequency_score(c) + _KIND_PRIOR[edit_kind(word, c)]
    for i in range(3, len(word) - 1):
        left, right = word[:i], word[i:]
        if left in lex.rank and right in lex.rank and len(right) >= 2:
            score = lex.frequency_score(left) + lex.frequency_score(right) + 4.0
            scored[f"{left} {right}"] = max(score, scored.get(f"{left} {right}", -math.inf))
    return tuple(w for w, _ in sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))[:limit])


@pytest.mark.parametrize("word", UNKNOWN)
def test_suggestions_are_those_of_every_slip_tried(word: str) -> None:
    assert load_lexicon()._suggest(word, 3) == suggested_trying_every_slip(word)


@settings(max_examples=150, deadline=None)
@given(_MADE_UP)
def test_suggestions_for_made_up_words_are_those_of_every_slip_tried(word: str) -> None:
    if not load_lexicon().known(word):
        assert load_lexicon()._suggest(word, 3) == suggested_trying_every_slip(word)


@pytest.mark.parametrize("word", ["rumah", "menyelesaikn", "ab", "kegiatna"])
def test_likely_slips_are_every_edit_but_far_substitutions_in_ranking_order(word: str) -> None:
    kinds = {c: edit_kind(word, c) for c in edits1(word) if len(c) >= 2}
    likely = [c for c, kind in kinds.items() if kind != "wrong"]
    assert lexicon._likely_edits(word) == sorted(likely, key=lambda c: (-_KIND_PRIOR[kinds[c]], c))


@settings(max_examples=300, deadline=None)
@given(_MADE_UP)
def test_prefixes_read_from_the_first_letters_are_those_of_the_whole_word(word: str) -> None:
    # `_one_prefix` asks the grammar about the first `_PREFIX_HEAD` letters and appends the rest of the word
    assert list(lexicon._one_prefix(word)) == list(lexicon._head_prefixes.__wrapped__(word))


@settings(max_examples=300, deadline=None)
@given(_MADE_UP)
def test_remembered_roots_are_the_roots(word: str) -> None:
    lex = load_lexicon()
    assert lex.root_of(word) == lex._root_of(word)


def without_suffixes_trying_each(word: str) -> list[tuple[str, str]]:
    """`_without_suffixes` without its shortcuts: every suffix of every group tried on every form."""
    forms = [(word, "")]
    for group, derivational in ((lexicon._PARTICLES, False), (lexicon._POSSESSIVES, False), (lexicon._SUFFIXES, True)):
        forms += [
            (form[: -len(s)], s if derivational else suffix)
            for form, suffix in list(forms)
            for s in group
            if form.endswith(s) and len(form) - len(s) >= 3
        ]
    return forms


@settings(max_examples=300, deadline=None)
@given(_MADE_UP)
def test_suffixes_skipped_by_group_are_those_no_form_ends_in(word: str) -> None:
    assert lexicon._without_suffixes(word) == without_suffixes_trying_each(word)


@pytest.mark.parametrize("word", ["menyelesaikannyalah", "kebersamaannya", "dipukulinya", "rumahkupun", "kan", "ikan"])
def test_suffixes_of_several_groups_are_all_taken_off(word: str) -> None:
    assert lexicon._without_suffixes(word) == without_suffixes_trying_each(word)


def test_a_root_is_a_root_word_or_a_common_word() -> None:
    lex = load_lexicon()
    assert lex.reducible_to == lex.roots | set(lex.rank)
