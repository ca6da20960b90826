"""Village gazetteer on the real seeded database (305 villages of Bangka)."""

from __future__ import annotations

import random

import pytest

from services.gazetteer import (
    DISTRICT,
    EXACT,
    PREFIX,
    SUBSTRING,
    TYPO,
    WORD_PREFIX,
    Gazetteer,
    _prefix_distance,
    max_edits,
    normalise,
)

NO_COORDINATES = ["Keranggan", "Menjelang"]  # Mentok; no boundary in the source


@pytest.fixture
def gazetteer(database) -> Gazetteer:
    with database.read() as session:
        return Gazetteer(session)


def names(matches) -> list[str]:
    return [m.name for m in matches]


def test_loads_every_village(gazetteer):
    assert len(gazetteer) == 305


@pytest.mark.parametrize(
    "text",
    ["kel. sungailiat", "Kelurahan Sungailiat", "SUNGAILIAT", "Sungailíat", "Súngailiat "],
)
def test_sungailiat_as_operators_type_it(gazetteer, text):
    first = gazetteer.search(text)[0]

    assert first.name == "Sungailiat"
    assert first.reason == EXACT
    assert (first.kind, first.district, first.ulp) == ("kelurahan", "Sungailiat", "Sungailiat")
    assert first.lon == pytest.approx(106.122213) and first.lat == pytest.approx(-1.857938)


@pytest.mark.parametrize("text", ["sungailat", "sungailait", "sungaliat", "sungeiliat"])
def test_sungailiat_with_one_slip(gazetteer, text):
    matches = gazetteer.search(text)

    assert matches[0].name == "Sungailiat"
    assert (matches[0].reason, matches[0].edits) == (TYPO, 1)


@pytest.mark.parametrize("text", ["Desa Belo Laut", "Ds. Belo Laut", "belo laut", "BELO  LAUT!"])
def test_belo_laut(gazetteer, text):
    first = gazetteer.search(text)[0]

    assert (first.name, first.kind, first.district, first.ulp) == (
        "Belo Laut",
        "desa",
        "Mentok",
        "Mentok",
    )


def test_district_named_after_the_village_is_context(gazetteer):
    plain = gazetteer.search("Belo Laut")[0]
    placed = gazetteer.search("Belo Laut Mentok")[0]

    assert placed.name == "Belo Laut"
    assert placed.context == "Mentok"
    assert placed.score > plain.score


@pytest.mark.parametrize(
    ("text", "district"),
    [
        ("Riding Panjang Merawang", "Merawang"),
        ("Riding Panjang Belinyu", "Belinyu"),
        ("Desa Riding Panjang Kec. Belinyu", "Belinyu"),
        ("riding panjang, kecamatan merawang", "Merawang"),
        ("Pasir Putih Pangkalpinang", "Bukit Intan"),  # a ULP works as context too
        ("Pasir Putih Tukak Sadai", "Tukak Sadai"),
    ],
)
def test_context_breaks_a_tie_between_namesakes(gazetteer, text, district):
    first, second = gazetteer.search(text)[:2]

    assert first.name == second.name
    assert first.district == district
    assert second.district != district


def test_prefix_then_word_start_then_substring_then_typo(gazetteer):
    matches = gazetteer.search("sungai", limit=20)

    prefixed = [m for m in matches if m.reason == PREFIX]
    assert names(prefixed) == [
        "Sungailiat",
        "Sungai Baru",
        "Sungai Buluh",
        "Sungai Daeng",
        "Sungai Selan",
        "Sungai Selan Atas",
    ]
    assert matches[: len(prefixed)] == prefixed
    order = [PREFIX, WORD_PREFIX, SUBSTRING, TYPO]
    ranks = [order.index(m.reason) for m in matches]
    assert ranks == sorted(ranks)
    scores = [m.score for m in matches]
    assert scores == sorted(scores, reverse=True)


def test_word_start_and_substring(gazetteer):
    assert gazetteer.search("laut")[0].name == "Belo Laut"
    assert gazetteer.search("laut")[0].reason == WORD_PREFIX
    assert gazetteer.search("s baru")[0].reason == WORD_PREFIX
    liat = gazetteer.search("liat")
    assert liat[0].name == "Sungailiat" and liat[0].reason == SUBSTRING


def test_half_typed_district_keeps_the_village(gazetteer):
    assert gazetteer.search("belo laut men")[0].name == "Belo Laut"


def test_district_alone_lists_its_villages(gazetteer):
    matches = gazetteer.search("Kec. Mentok", limit=50)

    assert len(matches) == 9
    assert {m.district for m in matches} == {"Mentok"}
    assert {m.reason for m in matches} == {DISTRICT}


@pytest.mark.parametrize("text", ["xqzvwk", "qqqq zzzz", "zzz", "12345", "", "   ", "Kec."])
def test_nonsense_finds_nothing(gazetteer, text):
    assert gazetteer.search(text) == []


@pytest.mark.parametrize("name", NO_COORDINATES)
def test_villages_without_coordinates_are_found_but_have_no_point(gazetteer, name):
    first = gazetteer.search(name)[0]

    assert first.name == name
    assert (first.lon, first.lat) == (None, None)
    assert not first.has_point
    assert gazetteer.point_for(first.village_id) is None


def test_point_for(gazetteer):
    village = gazetteer.search("Belo Laut")[0]

    assert gazetteer.point_for(village.village_id) == (village.lon, village.lat)
    lon, lat = gazetteer.point_for(village.village_id)
    assert 105.1 < lon < 107.1 and -3.2 < lat < -1.5  # on Bangka
    with pytest.raises(KeyError):
        gazetteer.point_for(999_999)


def test_short_words_forgive_one_slip_long_words_two(gazetteer):
    assert "Rebo" in names(gazetteer.search("rwbo"))  # 4 letters, 1 edit
    assert "Rebo" not in names(gazetteer.search("rwbi"))  # 4 letters, 2 edits
    assert gazetteer.search("kenagna")[0].name == "Kenanga"  # transposition = 1 edit
    assert gazetteer.search("xenagna")[0].name == "Kenanga"  # 7 letters, 2 edits
    assert "Kenanga" not in names(gazetteer.search("xxnagna"))  # 3 edits
    for text in ["rwbo", "sungailat", "xenagna", "pangkl", "tobali"]:
        for match in gazetteer.search(text):
            assert match.edits <= max_edits(len(normalise(text).replace(" ", "")))


def test_limit(gazetteer):
    assert len(gazetteer.search("air")) == 8
    assert len(gazetteer.search("air", limit=3)) == 3
    assert len(gazetteer.search("air", limit=100)) > 8


def test_normalise():
    assert normalise("  Kel.  Súngailiat,  ") == "kel sungailiat"
    assert normalise("Kurau (Timur)") == "kurau timur"


def _reference_distance(typed: str, name: str) -> int:
    """Unbanded OSA distance from ``typed`` to the name or any of its prefixes."""
    rows = [list(range(len(name) + 1))]
    for i in range(1, len(typed) + 1):
        row = [i] + [0] * len(name)
        for j in range(1, len(name) + 1):
            cost = typed[i - 1] != name[j - 1]
            row[j] = min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and typed[i - 1] == name[j - 2] and typed[i - 2] == name[j - 1]:
                row[j] = min(row[j], rows[i - 2][j - 2] + 1)
        rows.append(row)
    return min(rows[-1])


def test_banded_distance_agrees_with_the_plain_one():
    rng = random.Random(7)
    for _ in range(3000):
        typed = "".join(rng.choice("abcs") for _ in range(rng.randint(3, 9)))
        name = "".join(rng.choice("abcs") for _ in range(rng.randint(1, 12)))
        limit = rng.choice([1, 2])
        expected = _reference_distance(typed, name)
        got = _prefix_distance(typed, name, limit)
        if expected <= limit:
            assert got == expected, (typed, name, limit)
        else:
            assert got > limit, (typed, name, limit)
