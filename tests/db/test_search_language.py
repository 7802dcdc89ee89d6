"""What users type → search terms: words and numbers as written, titles, thesaurus, corrections;
and the numbers of a text as the database reads them (``hub_number_lexemes``, migration 0010)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.db import search_language
from hub.db.repositories.search_dictionary import allowed_edits, edit_distance
from hub.errors import InvalidInput


def terms(typed: str, corrections: dict[str, str] | None = None) -> tuple[str, ...]:
    return search_language.understand(search_language.parse(typed), corrections or {}).terms


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        # Numbers stay as written; the database reads their canonical forms.
        ("434.197 personel", ("434.197", "personel|personil")),
        ("pukul 00.00 WITA", ("00.00", "wita|waktu indonesia tengah")),
        ("Rabu (14/2/2024)", ("rabu", "14/2/2024")),
        ("2,5 persen", ("2,5", "persen")),
        # Stop words dropped, hyphenated words whole, slashes split.
        ("banjir yang di se-Kaltim", ("banjir", "se-kaltim")),
        ("Kodam VI/Mulawarman", ("kodam|komando daerah militer", "vi", "mulawarman")),
        # Abbreviations and expansions, both ways; an expansion's stop words keep their place.
        (
            "Pemilu",
            (
                "pemilu|pemilihan umum|pilpres|pemilihan presiden|pemilu presiden dan "
                "wakil presiden|pileg|pemilihan legislatif|pemilu anggota legislatif",
            ),
        ),
        ("hubungan masyarakat", ("hubungan masyarakat|humas|kehumasan",)),
        ("daftar pemilih tetap Kukar", ("daftar pemilih tetap|dpt", "kukar|kutai kartanegara")),
        ("Dinas Komunikasi dan Informatika", ("dinas komunikasi dan informatika|diskominfo",)),
        # An abbreviation with two meanings: both, as alternatives of the short form only.
        ("PPK", ("ppk|panitia pemilihan kecamatan|pejabat pembuat komitmen",)),
        ("panitia pemilihan kecamatan", ("panitia pemilihan kecamatan|ppk",)),
        # Spelling variants and foreign words, both ways.
        ("hoax", ("hoax|berita bohong|hoaks",)),
        ("hoaks", ("hoaks|berita bohong|hoax",)),
        ("pengaduan online", ("pengaduan", "online|daring")),
        # Titles, ranks, degrees and initials are optional, unless nothing else is left.
        ("Kombes Pol Yusuf Sutejo", ("yusuf", "sutejo")),
        ("Dr. H. Muhammad Faisal, M.Si.", ("muhammad", "faisal")),
        ("Kombes", ("kombes|komisaris besar polisi",)),
        # Names in the old spelling also search the current one.
        ("Soeharto", ("soeharto|suharto",)),
    ],
)
def test_terms(typed: str, expected: tuple[str, ...]) -> None:
    assert terms(typed) == expected


def test_a_narrower_term_is_found_by_the_broader_one_only() -> None:
    pilkada = terms("Pilkada")[0].split("|")
    assert {"pilwali", "pemilihan wali kota", "pilbup", "pemilihan gubernur"} <= set(pilkada)
    assert "pilkada" not in terms("pilwali")[0].split("|")


def test_corrections_replace_the_word_keep_it_as_an_alternative_and_show_the_text() -> None:
    parsed = search_language.parse("debat paslon di BALIKPAPN Tenggarog")
    assert parsed.checked_words() == ("debat", "balikpapn", "tenggarog")  # paslon: thesaurus
    understood = search_language.understand(
        parsed, {"balikpapn": "balikpapan", "tenggarog": "tenggarong"}
    )
    assert understood.terms == (
        "debat",
        "paslon|pasangan calon",
        "balikpapan|balikpapn",
        "tenggarong|tenggarog",
    )
    assert understood.searched_for.text == "debat paslon di BALIKPAPAN Tenggarong"
    assert understood.searched_for.corrections == (
        ("BALIKPAPN", "BALIKPAPAN"),
        ("Tenggarog", "Tenggarong"),
    )


def test_words_of_a_thesaurus_term_and_numbers_are_not_looked_up() -> None:
    assert search_language.parse("money politic 2.816 kpu").checked_words() == ()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("yang dan di", "no searchable word"),
        ("... !!!", "no searchable word"),
        ("banjir longsor gempa kebakaran kekeringan angin topan puting beliung", "more than 8"),
    ],
)
def test_unsearchable_text_is_a_clear_error(typed: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        search_language.parse(typed)


@pytest.mark.parametrize(
    ("typed", "word", "edits", "allowed"),
    [
        ("banjr", "banjir", 1, True),
        ("samarnda", "samarinda", 1, True),
        ("pemilhan", "pemilihan", 1, True),
        ("pmeilihan", "pemilihan", 1, True),  # a transposition is one error
        ("mulawarmn", "mulawarman", 1, True),
        ("bakohumsa", "bakohumas", 1, True),
        ("pilih", "pilah", 1, True),
        ("bontag", "bontang", 1, True),
        ("kabut", "kebut", 1, True),
        ("debat", "dekat", 1, True),
        ("samarinda", "sangatta", 6, False),
        ("kpu", "kpud", 1, True),
    ],
)
def test_a_correction_assumes_few_typing_errors(
    typed: str, word: str, edits: int, allowed: bool
) -> None:
    assert edit_distance(typed, word) == edits
    assert (edits <= allowed_edits(typed)) is allowed


@pytest.mark.parametrize(
    ("written", "lexemes"),
    [
        ("Sebanyak 434.197 personel", {"434197"}),
        ("naik 2,5 persen", {"2,5"}),
        ("naik 2.5 persen", {"2,5"}),
        ("sejak pukul 00.00 WITA", {"00:00"}),
        ("pukul 8:30", {"08:30"}),
        ("Rabu (14/2/2024)", {"2024-02-14", "14", "februari", "2024"}),
        ("tanggal 14-02-24", {"2024-02-14", "14", "februari", "2024"}),
        ("pada 27 November 2024", {"2024-11-27", "27", "2024"}),
        ("5 Agt. 2023", {"2023-08-05", "5", "2023"}),
        ("Rp1.500.000 per bulan", {"1500000"}),
        ("1.234,5 ton", {"1234,5"}),
        ("TPS 07", {"07"}),
        ("34/13/2024 bukan tanggal", set()),
    ],
)
async def test_numbers_as_written(engine: AsyncEngine, written: str, lexemes: set[str]) -> None:
    async with engine.connect() as connection:
        found = await connection.scalar(
            text("SELECT hub_number_lexemes(:written, true)"), {"written": written}
        )
    assert set(found) == lexemes


@pytest.mark.parametrize(
    ("document", "typed"),
    [
        ("Sebanyak 434.197 personel dikerahkan.", "434.197"),
        ("Sebanyak 434.197 personel dikerahkan.", "434197"),
        ("Sebanyak 434197 personel dikerahkan.", "434.197"),
        ("Kenaikan 2,5 persen.", "2,5"),
        ("Kenaikan 2,5 persen.", "2.5"),
        ("Dimulai pukul 00.00 WITA.", "00.00"),
        ("Dimulai pukul 00:00 WITA.", "00.00"),
        ("Dimulai pukul 14.30 WITA.", "14:30"),
        ("Rabu (14/2/2024) pagi.", "14/2/2024"),
        ("Rabu (14/2/2024) pagi.", "14-02-2024"),
        ("Pada 14 Februari 2024 warga memilih.", "14/2/2024"),
        ("Pemungutan suara 27 November, pekan depan.", "27/11/2024"),
        ("Di Kodam VI/Mulawarman.", "Mulawarman"),
    ],
)
async def test_a_number_matches_as_written_and_as_digits(
    engine: AsyncEngine, document: str, typed: str
) -> None:
    async with engine.connect() as connection:
        found = await connection.scalar(
            text("SELECT hub_text_vector(:document) @@ hub_term_query(:typed)"),
            {"document": document, "typed": typed},
        )
    assert found is True


async def test_a_phrase_keeps_the_place_of_its_stop_words(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        matches = [
            await connection.scalar(
                text("SELECT hub_text_vector(:document) @@ hub_term_query(:term)"),
                {"document": document, "term": "diskominfo|dinas komunikasi dan informatika"},
            )
            for document in (
                "Dinas Komunikasi dan Informatika Kukar",
                "Diskominfo Kukar",
                "Komunikasi dan Informatika",
                "Dinas Informatika dan Komunikasi",
            )
        ]
    assert matches == [True, True, False, False]
