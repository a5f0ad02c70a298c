"""Which language a submission is written in: Indonesian, or one the model was never trained on.

    detect_language("Sedulur kabeh, aja gampang percaya karo kabar sing durung cetha sumbere.")
    -> LanguageGuess(code="jv", confidence=0.98, reliable=True)

The guess comes from Google's Compact Language Detector 2 (CLD2, through `pycld2`): a naive-Bayes model over
character quadgrams, written in C++, which knows Indonesian, Malay, Javanese, Sundanese and English and takes
tens of microseconds for a post. Two decisions are ours, both measured by `bench/bench_language.py`:

- Indonesian and Malay share most of their words and CLD2 splits short Indonesian posts between them (it
  called 8 % of the MAFINDO claims Malay). A text CLD2 places in either is called Malay only when it uses
  more words found in Malaysian usage only (kerana, percuma, sahaja, kongsi, ...) than words of Indonesian
  usage only (karena, gratis, saja, bagikan, ...); otherwise it is Indonesian.
- A text that is at least a third Indonesian (a quoted English headline, loanwords like "share" and "link")
  is Indonesian: editors can read it and the model was trained on such texts.

A text too short or too bare (an emoji, a link, "Hoaks.") to carry evidence gets code "und" (undetermined);
callers treat it as the deployment's language rather than as foreign.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice
from operator import methodcaller

import pycld2

from screening.text import ascii_table, translate_ascii

UNDETERMINED = "und"
INDONESIAN = "id"
# Share of the text CLD2 must find in Indonesian (or Malay) for the whole to count as Indonesian.
MIN_INDONESIAN_SHARE = 0.33
# CLD2 still uses the withdrawn ISO 639-1 code "jw" for Javanese.
_CODE_FIXES = {"jw": "jv", "un": UNDETERMINED, "xxx": UNDETERMINED}
_MAX_CHARS = 4000  # the first 4,000 characters decide: enough evidence, bounded time on a 20,000-character article

# Control characters, lone surrogates and non-characters, which CLD2 rejects as "invalid UTF-8".
_CLD2_REJECTS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")
_ASCII_REJECTS_TO_SPACE = ascii_table(lambda char: " " if _CLD2_REJECTS.match(char) else char)
_WORD_RE = re.compile(r"[^\W\d_]+")
# Links, mentions and hashtags are no evidence of a language (CLD2 reads "bit.ly/..." as English).
_NOT_LANGUAGE = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|id|ly|net|org|co|me|io|link)\b\S*|[@#]\w+")
# What every match of `_NOT_LANGUAGE` contains: one of these, or a dot followed by one of `_AFTER_A_DOT` (".co"
# also stands for ".com").
_LINK_MARKERS = ("@", "#", "http", "www.")
_AFTER_A_DOT = ("co", "id", "ly", "net", "org", "me", "io", "link")
_STARTS_AS_AFTER_A_DOT = methodcaller("startswith", _AFTER_A_DOT)
# lower case, and a space for every character that is not a letter
_ASCII_TO_LOWER_LETTERS = ascii_table(lambda char: char.lower() if char.isalpha() else " ")
MIN_LETTERS = 12  # below this (about two short words) a text is undetermined
MIN_RELIABLE_WORDS = 6  # a headline-length text ("DUBES CHINA BAWA DUIT") is never a reliable guess


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Words of Malaysian usage that Indonesian writes differently (or uses in another sense only rarely), and the
# Indonesian counterparts. Only consulted when CLD2 already places the text in the Indonesian-Malay pair.
_MALAY_ONLY = _wordset(
    "kerana percuma sahaja kongsi kongsikan dikongsi tular iaitu sila pautan tarikh nombor baucar polis "
    "diraja ringgit amaran terjejas sesiapa dakwaan menafikan tempatan kos berterusan semak mesyuarat "
    "jawatankuasa maklumat penggalak mahu faham teksi bas belah"
)
_MALAY_ONLY_PAIRS = frozenset(
    ("wang tunai", "isi rumah", "bulan hadapan", "minggu hadapan", "tahun hadapan", "orang ramai", "pihak berkuasa")
)
_MALAY_ONLY_PAIR_WORDS = tuple(pair.split() for pair in sorted(_MALAY_ONLY_PAIRS))
_MALAY_PAIR_FIRST_WORDS = frozenset(first for first, _ in _MALAY_ONLY_PAIR_WORDS)
_INDONESIAN_ONLY = _wordset(
    "karena karna krn uang gratis saja aja bisa nggak gak ga enggak kemarin mobil yaitu polisi kantor silakan "
    "tautan tanggal tgl nomor pemerintah mau banget bgt dong sih deh kok paham bagikan terdampak "
    "siapapun klaim membantah setempat biaya cek periksa kuota"
)

# Indonesian function words that English never uses: a text CLD2 calls English but built on these is Indonesian
# with English names and terms ("Program tersebut tidak ada, ujar General Manager ..."); CLD2 weighs the rarer
# English words more than these short ones.
_INDONESIAN_FUNCTION_WORDS = _wordset(
    "yang di ke dari dan ini itu tidak tak dengan untuk pada ada akan sudah telah juga karena atau oleh dalam "
    "bisa saat tersebut ujar kata bahwa jadi seorang para mereka kita kami saya aku kamu anda apa siapa "
    "bagaimana mengapa kenapa sebagai setelah sebelum masih belum hanya lebih sangat harus dapat bukan agar "
    "jika kalau namun tetapi tapi hingga sampai lagi buat sama udah udh gak nggak yg dgn utk tdk sdh jd"
)
MIN_FUNCTION_WORD_SHARE = 0.15


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    """The language of a text (ISO 639-1, or "und"), how much of the text supports it (0-1), and whether the
    detector had enough evidence to be sure."""

    code: str
    confidence: float
    reliable: bool

    @property
    def is_other_language(self) -> bool:
        """True when the text is reliably in a language other than Indonesian (the case to warn editors of)."""
        return self.reliable and self.code not in (INDONESIAN, UNDETERMINED)


def detect_language(text: str) -> LanguageGuess:
    """Guess the language of `text` (a post or an article, title included if the caller wants it weighed)."""
    sample = text[:_MAX_CHARS]
    sample = translate_ascii(sample, _ASCII_REJECTS_TO_SPACE) if sample.isascii() else _CLD2_REJECTS.sub(" ", sample)
    if _may_hold_links(sample):
        sample = _NOT_LANGUAGE.sub(" ", sample)
    words, letters = _words_and_letters(sample)
    if letters < MIN_LETTERS:
        return LanguageGuess(UNDETERMINED, 0.0, False)
    try:
        reliable, _, details = pycld2.detect(sample)
        if not reliable:  # a short text: take CLD2's best effort, but never call it reliable
            _, _, details = pycld2.detect(sample, bestEffort=True)
    except pycld2.error:  # pragma: no cover - inputs are cleaned of what CLD2 rejects above
        return LanguageGuess(UNDETERMINED, 0.0, False)
    shares: dict[str, float] = {}
    for _name, code, percent, _score in details:
        code = _CODE_FIXES.get(code, code)
        if code != UNDETERMINED and percent > 0:
            shares[code] = shares.get(code, 0.0) + percent / 100
    if not shares:
        return LanguageGuess(UNDETERMINED, 0.0, False)
    top = max(shares, key=shares.__getitem__)
    reliable = reliable and len(words) >= MIN_RELIABLE_WORDS
    pair_share = shares.get(INDONESIAN, 0.0) + shares.get("ms", 0.0)
    if top == "en" and _count_in(_INDONESIAN_FUNCTION_WORDS, words) >= MIN_FUNCTION_WORD_SHARE * len(words):
        pair_share = max(pair_share, 1.0 - shares["en"])  # an Indonesian sentence around English names and terms
        top = INDONESIAN
    if top in (INDONESIAN, "ms") or pair_share >= MIN_INDONESIAN_SHARE:
        return LanguageGuess(_indonesian_or_malay(words), round(min(pair_share, 1.0), 3), reliable)
    return LanguageGuess(top, round(shares[top], 3), reliable)


def _may_hold_links(sample: str) -> bool:
    """False when `sample` lacks what every link, domain, mention or hashtag of `_NOT_LANGUAGE` has (most
    articles): a cheap substring test that spares them the pattern's scan."""
    if any(marker in sample for marker in _LINK_MARKERS):
        return True
    # what follows each dot, split off in C: one pass for all the domain endings instead of one for each
    return any(map(_STARTS_AS_AFTER_A_DOT, islice(sample.split("."), 1, None)))


def _words_and_letters(sample: str) -> tuple[list[str], int]:
    """The lower-case words of `sample` (runs of letters) and the number of letters in the text as written, which
    lower case keeps (every character's lower case has as many letters as the character)."""
    if sample.isascii():  # the usual case: letters are A-Z and a-z, split apart in C
        letters_and_spaces = translate_ascii(sample, _ASCII_TO_LOWER_LETTERS)
        return letters_and_spaces.split(), len(letters_and_spaces) - letters_and_spaces.count(" ")
    words = _WORD_RE.findall(sample.lower())
    return words, sum(map(len, words))


def _count_in(words_set: frozenset[str], words: list[str]) -> int:
    return sum(map(words_set.__contains__, words))


def _indonesian_or_malay(words: list[str]) -> str:
    malay = _count_in(_MALAY_ONLY, words)
    firsts = _MALAY_PAIR_FIRST_WORDS.intersection(words)
    if firsts:  # counted only for the pairs whose first word occurs ("tahun" is common, "tahun hadapan" is not)
        spaced = f"  {'  '.join(words)}  "  # two spaces between words: adjacent pairs never share one
        malay += sum(
            spaced.count(f" {first}  {second} ") for first, second in _MALAY_ONLY_PAIR_WORDS if first in firsts
        )
    # with no Malay word found, no need to count the Indonesian ones
    return "ms" if malay and malay > _count_in(_INDONESIAN_ONLY, words) else INDONESIAN
