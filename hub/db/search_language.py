"""What users type → search terms, reading the text as Indonesian is written.

- **Words and numbers.** Words are letters (hyphenated forms stay whole: *se-Kaltim*,
  *KPU-nya*, *e-KTP*); a number stays as written — ``434.197``, ``2,5``, ``00.00``,
  ``14/2/2024`` — and the database reads it as written and in canonical form
  (``hub_word_query``, migration 0010). Stop words (``stopwords_id.txt`` minus
  ``stopwords_id_kept.txt``) are dropped.
- **Titles and honorifics** (``honorifics_id.txt``: ranks, degrees, forms of address) and
  initials are optional: *Kombes Pol Yusuf Sutejo* finds *Yusuf Sutejo* and the other way
  round. A search of nothing but titles searches them.
- **Thesaurus** (``thesaurus_id.csv``, with its source note): an abbreviation and its
  expansions are alternatives of one term, whichever of them was typed (*Pemilu* ↔ *pemilihan
  umum*, *Humas* ↔ *hubungan masyarakat*); spelling variants are equivalent (*hoax* ↔ *hoaks*);
  names in the old spelling also search the current one (*Soeharto* → *Suharto*).
- **Corrections.** Words the dictionary of published articles does not know are corrected
  by the caller (``hub/db/repositories/search_dictionary.py``); ``checked_words`` says which
  words to look up, ``understand`` applies the corrections.

The terms go to SQL as text for ``hub_term_query``: alternatives separated by ``|``, the words
of a phrase by spaces. All terms must match.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

from hub.errors import InvalidInput

MAX_WORDS = 8
MIN_CHECKED_LENGTH = 4  # shorter words are not corrected (their trigrams say little)
ALTERNATIVES = "|"
PHRASE = " "
# A number as written (digits grouped or joined by . , : / -), else a word of letters with its
# hyphenated parts, else any run of letters and digits.
_TOKEN = re.compile(r"\d+(?:[.,:/-]\d+)*|[^\W\d_]+(?:-[^\W\d_]+)*|[^\W_]+")
# Spelling before the 1972 reform, as names keep it: (old, current). Not "nj" → "ny": current
# words have "nj" (banjir).
OLD_SPELLING = (("oe", "u"), ("dj", "j"), ("tj", "c"), ("sj", "sy"))


def _lines(name: str) -> list[str]:
    text = resources.files("hub.data").joinpath(name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@cache
def stop_words() -> frozenset[str]:
    """The stop words in force (the same list as ``hub_stopwords()`` in SQL)."""
    return frozenset(_lines("stopwords_id.txt")) - frozenset(_lines("stopwords_id_kept.txt"))


@cache
def honorifics() -> frozenset[str]:
    """Titles, ranks, degrees and forms of address (lower-case, without dots)."""
    return frozenset(_lines("honorifics_id.txt"))


def key_of(word: str) -> str:
    """Lower-case, accents removed: how words are compared."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokens(text: str) -> list[re.Match[str]]:
    return list(_TOKEN.finditer(text))


@dataclass(frozen=True)
class Word:
    """A searchable word as typed: where it stands in the text, its key, what kind it is."""

    start: int
    end: int
    key: str
    number: bool
    optional: bool  # a title, honorific or initial


@dataclass(frozen=True)
class ParsedSearch:
    text: str
    words: tuple[Word, ...]

    def required(self) -> tuple[Word, ...]:
        """The words every result must match: all but titles, unless nothing else is left."""
        kept = tuple(word for word in self.words if not word.optional)
        return kept or self.words

    def checked_words(self) -> tuple[str, ...]:
        """The words to look up in the dictionary (to correct them when it does not know
        them): long enough, not numbers, not part of a thesaurus term."""
        keys = [word.key for word in self.required()]
        in_thesaurus: set[int] = set()
        index = 0
        while index < len(keys):
            length, _ = thesaurus().match(keys, index)
            if (tuple(keys[index : index + length])) in thesaurus().alternatives:
                in_thesaurus.update(range(index, index + length))
            index += length
        found = (
            word.key
            for index, word in enumerate(self.required())
            if not word.number and len(word.key) >= MIN_CHECKED_LENGTH and index not in in_thesaurus
        )
        return tuple(dict.fromkeys(found))


def parse(text: str, *, argument: str = "search") -> ParsedSearch:
    """The searchable words of ``text``, or an ``InvalidInput`` error naming ``argument``."""
    words: list[Word] = []
    seen: set[str] = set()
    for match in tokens(text):
        key = key_of(match.group(0))
        if key in stop_words() or key in seen:
            continue
        seen.add(key)
        number = key[0].isdigit()
        optional = not number and (len(key) == 1 or key in honorifics())
        words.append(Word(match.start(), match.end(), key, number, optional))
    if not words:
        raise InvalidInput(
            f"`{argument}` has no searchable word (only stop words or punctuation)",
            field=argument,
        )
    if len(words) > MAX_WORDS:
        raise InvalidInput(f"`{argument}` has more than {MAX_WORDS} words", field=argument)
    return ParsedSearch(text, tuple(words))


@dataclass(frozen=True)
class SearchedFor:
    """The search as understood: the typed text with its corrections, and those corrections
    as (typed, understood) pairs."""

    text: str
    corrections: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SearchTerms:
    terms: tuple[str, ...]  # for ``hub_term_query``, one per required word or thesaurus group
    searched_for: SearchedFor


def understand(parsed: ParsedSearch, corrections: Mapping[str, str]) -> SearchTerms:
    """The terms of a parsed search, with the dictionary's ``corrections`` (key → word) of the
    words it did not know. A corrected word still matches as typed too."""
    required = parsed.required()
    keys = [corrections.get(word.key, word.key) for word in required]
    terms: list[str] = []
    index = 0
    while index < len(keys):
        length, alternatives = thesaurus().match(keys, index)
        typed = [word.key for word in required[index : index + length]]
        alternatives += [PHRASE.join(typed)] if typed != keys[index : index + length] else []
        alternatives += [current for old in alternatives for current in _current_spelling(old)]
        terms.append(ALTERNATIVES.join(dict.fromkeys(alternatives)))
        index += length
    return SearchTerms(tuple(terms), _searched_for(parsed, corrections))


def _searched_for(parsed: ParsedSearch, corrections: Mapping[str, str]) -> SearchedFor:
    text, applied, end = [], [], 0
    for word in parsed.words:
        if word.key not in corrections:
            continue
        typed = parsed.text[word.start : word.end]
        understood = _same_case(typed, corrections[word.key])
        text += [parsed.text[end : word.start], understood]
        applied.append((typed, understood))
        end = word.end
    text.append(parsed.text[end:])
    return SearchedFor("".join(text).strip(), tuple(applied))


def _same_case(typed: str, word: str) -> str:
    if typed.isupper() and len(typed) > 1:
        return word.upper()
    return word[:1].upper() + word[1:] if typed[:1].isupper() else word


def _current_spelling(phrase: str) -> list[str]:
    current = phrase
    for old, new in OLD_SPELLING:
        current = current.replace(old, new)
    return [current] if current != phrase else []


def term_words(term: str) -> str:
    """The words of a term as understood (its first alternative)."""
    return term.split(ALTERNATIVES, 1)[0]


@dataclass(frozen=True)
class Thesaurus:
    """Alternatives per key (the words of a term or phrase, stop words left out), the key's
    own phrase first; ``longest``: the most words a key has."""

    alternatives: Mapping[tuple[str, ...], tuple[str, ...]]
    longest: int

    def match(self, keys: list[str], start: int) -> tuple[int, list[str]]:
        """The longest thesaurus key at ``keys[start:]``: its length and alternatives (a word
        of its own, length 1, when none)."""
        for length in range(min(self.longest, len(keys) - start), 0, -1):
            found = self.alternatives.get(tuple(keys[start : start + length]))
            if found is not None:
                return length, list(found)
        return 1, [keys[start]]


@dataclass(frozen=True)
class ThesaurusEntry:
    term: str
    expansion: str
    kind: str  # abbreviation | variant | narrower
    source: str


KINDS = ("abbreviation", "variant", "narrower")


@cache
def thesaurus_entries() -> tuple[ThesaurusEntry, ...]:
    text = resources.files("hub.data").joinpath("thesaurus_id.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    entries = tuple(ThesaurusEntry(**row) for row in rows)
    for entry in entries:
        if entry.kind not in KINDS or not entry.term or not entry.expansion or not entry.source:
            raise ValueError(f"thesaurus_id.csv: incomplete or unknown entry {entry}")
    return entries


def phrase_of(text: str) -> str:
    """A thesaurus term as searched: its words' keys separated by spaces."""
    return PHRASE.join(key_of(match.group(0)) for match in tokens(text))


def _key(phrase: str) -> tuple[str, ...]:
    return tuple(word for word in phrase.split(PHRASE) if word not in stop_words())


@cache
def thesaurus() -> Thesaurus:
    """Variants are equivalent (one class); an abbreviation and each of its expansions are
    alternatives of each other, one step only (an abbreviation with two meanings does not
    make the meanings alike); a term also finds its narrower terms (*Pilkada*: *Pilwali*,
    *pemilihan bupati*), not the other way round."""
    variants: dict[str, set[str]] = {}
    expands: dict[str, list[str]] = {}
    narrower: dict[str, list[str]] = {}
    for entry in thesaurus_entries():
        term, expansion = phrase_of(entry.term), phrase_of(entry.expansion)
        if entry.kind == "variant":
            merged = variants.get(term, {term}) | variants.get(expansion, {expansion})
            for member in merged:
                variants[member] = merged
        elif entry.kind == "narrower":
            narrower.setdefault(term, []).append(expansion)
        else:
            expands.setdefault(term, []).append(expansion)
            expands.setdefault(expansion, []).append(term)

    def equivalents(phrase: str) -> list[str]:
        """The phrase, its variants, its expansions (one step) and their variants."""
        found = [phrase, *sorted(variants.get(phrase, {phrase}) - {phrase})]
        for member in list(found):
            for linked in expands.get(member, ()):
                found += [linked, *sorted(variants.get(linked, {linked}) - {linked})]
        return found

    alternatives: dict[tuple[str, ...], tuple[str, ...]] = {}
    for phrase in set(variants) | set(expands) | set(narrower):
        found = equivalents(phrase)
        for member in list(found):
            for specific in narrower.get(member, ()):
                found += equivalents(specific)
        key = _key(phrase)
        if key:
            merged_alternatives = list(alternatives.get(key, ())) + found
            alternatives[key] = tuple(dict.fromkeys(merged_alternatives))
    return Thesaurus(alternatives, max((len(key) for key in alternatives), default=1))


def words_of(terms: Iterable[str]) -> str:
    """The words of the terms as understood, for comparing with titles."""
    return PHRASE.join(term_words(term) for term in terms)
