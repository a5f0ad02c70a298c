"""Language: spelling against Indonesian word lists, informal words, doubled words."""

from __future__ import annotations

from screening.quality.common import MAX_CHECKED_WORDS, MAX_FINDINGS_PER_KIND, PLACEHOLDERS, finding
from screening.resources import load_root_words, load_slang_map, load_stopwords
from screening.result import QualityFinding
from screening.stemming import BoundedStemmer
from screening.text import NormalisedText

# Standard words of community news that PySastrawi's root list lacks.
_EXTRA_WORDS_TEXT = (
    "hoaks herbal admin online daring internet website situs whatsapp covid vaksin vaksinasi posyandu puskesmas"
    " stunting bansos sembako disinfektan hektare kilometer digital aplikasi media video foto"
)
_EXTRA_WORDS = frozenset(_EXTRA_WORDS_TEXT.split())
_TITLE_ABBREVIATIONS = frozenset({"dr", "drg", "ir", "h", "hj", "kh", "prof", "st", "sh", "se"})


def _known_word(word: str, stemmer: BoundedStemmer) -> bool:
    """True when `word` is a root word or Sastrawi's stemmer reduces it to one (the stemmer's cache is bounded)."""
    roots = load_root_words()
    if word in roots:
        return True
    if "-" in word:
        return all(_known_word(part, stemmer) for part in word.split("-") if part)
    return stemmer.stem(word) in roots


def assess_language(text: str, doc: NormalisedText, *, stemmer: BoundedStemmer) -> tuple[int, list[QualityFinding]]:
    findings: list[QualityFinding] = []
    roots, stopwords, slang = load_root_words(), load_stopwords(), load_slang_map()
    checked = misspelled = informal = doubled = 0
    seen_spans: set[tuple[int, int]] = set()
    previous: tuple[str, int, int] | None = None
    last_was_number = after_number = False
    for tok in doc.tokens:
        raw = text[tok.start : tok.end]
        lower = raw.lower()
        word_like = tok.text.isalpha() and raw.isalpha()
        if previous is not None and word_like and len(tok.text) > 1 and tok.text == previous[0]:
            between = text[previous[2] : tok.start]
            if between.strip() == "" and between and (previous[1], tok.end) not in seen_spans:
                doubled += 1
                seen_spans.add((previous[1], tok.end))
                if doubled <= MAX_FINDINGS_PER_KIND:
                    findings.append(
                        finding(
                            "language",
                            f'Kata ganda: "{text[previous[1] : tok.end]}".',
                            "Hapus salah satu kata, atau pakai tanda hubung untuk kata ulang (anak-anak).",
                            (previous[1], tok.end),
                            text,
                        )
                    )
        previous = (tok.text, tok.start, tok.end) if word_like else None
        after_number, last_was_number = last_was_number, tok.text.isdigit()
        if (tok.start, tok.end) in seen_spans or checked >= MAX_CHECKED_WORDS:
            continue
        if tok.text in PLACEHOLDERS or not raw.isascii() or not raw.isalpha():
            continue
        # Not slang: acronyms (PKK, WA), abbreviations with a full stop or titles (dr.), standard words the
        # lexicon also lists ("tak"), single letters, and units after a number ("5 g").
        not_slang = (
            (raw.isupper() and len(raw) > 1)
            or text[tok.end : tok.end + 1] == "."
            or lower in _TITLE_ABBREVIATIONS
            or lower in roots
            or len(raw) < 2
            or after_number
        )
        if lower in slang and slang[lower] != lower and not not_slang:
            informal += 1
            seen_spans.add((tok.start, tok.end))
            if informal <= MAX_FINDINGS_PER_KIND:
                findings.append(
                    finding(
                        "language",
                        f'Kata tidak baku: "{raw}".',
                        f'Gunakan bentuk baku "{slang[lower]}".',
                        (tok.start, tok.end),
                        text,
                    )
                )
            continue
        if len(raw) < 4 or raw[0].isupper() or lower in stopwords or lower in roots or lower in _EXTRA_WORDS:
            if len(raw) >= 4 and not raw[0].isupper():
                checked += 1
            continue
        checked += 1
        if not _known_word(lower, stemmer):
            misspelled += 1
            seen_spans.add((tok.start, tok.end))
            if misspelled <= MAX_FINDINGS_PER_KIND:
                findings.append(
                    finding(
                        "language",
                        f'Kata tidak dikenal kamus: "{raw}" (mungkin salah ketik).',
                        "Periksa ejaannya dengan KBBI.",
                        (tok.start, tok.end),
                        text,
                    )
                )
    if checked == 0:
        return (100 if doubled == 0 else 80), findings
    # about one unknown word in 25 is normal (names in lower case, new loanwords); beyond that it costs
    unknown_rate = max(misspelled / checked - 0.04, 0.0)
    informal_rate = informal / checked
    score = 100 - 400 * unknown_rate - 300 * informal_rate - 10 * doubled
    return max(round(score), 0), findings
