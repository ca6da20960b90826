"""Village gazetteer: type-ahead search over the desa/kelurahan names of Bangka.

An operator taking a 123 call types what the caller says ("kel. sungailiat",
"Belo Laut Mentok", "sungailat"); the gazetteer answers with the villages it could
mean, best first, and gives a village's point when the caller has no address.

Ranking, best first: exact name, name prefix ("sungai" -> Sungailiat, Sungai Baru),
start of a later word or of successive words ("laut" -> Belo Laut), any substring,
then small typos. Within a tier a district/ULP named in the text ("Belo Laut Mentok",
"Riding Panjang Kec. Merawang") and a matching kind prefix ("Kel.", "Desa") break
ties, then shorter names come first.

Typos use an optimal-string-alignment Damerau-Levenshtein distance written here,
not difflib: difflib's ratio is a similarity, not a count of edits, so it cannot
honour "at most one edit for a short word", and it counts a swapped pair of letters
(the commonest typing slip, "sungailait") as two changes. The distance is computed
as a banded dynamic programme against the whole name, so one pass gives both the
distance to the name and to its best-matching prefix (a name half typed with a slip).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from comcen_desktop.storage.models import District, UlpArea, Village

# Match.reason values, best first.
EXACT = "exact"
PREFIX = "prefix"
WORD_PREFIX = "word_prefix"
SUBSTRING = "substring"
TYPO = "typo"
DISTRICT = "district"  # the text named only a kecamatan/ULP: its villages

_TIER = {EXACT: 100, PREFIX: 90, WORD_PREFIX: 80, SUBSTRING: 70, TYPO: 50, DISTRICT: 40}
_CONTEXT_BONUS = 5  # below the 10 between tiers: a tie-break, never an override
_KIND_BONUS = 2
_TYPO_PENALTY = 10  # per edit, so a 2-edit typo ranks below a 1-edit one
_HALF_TYPED = 25  # a reading that ignored the last word ranks below any that used it

# Words operators put before a name. Bare "ds"/"kel" are abbreviations with a dot
# that normalisation removed.
_KIND_WORDS = {"desa": "desa", "ds": "desa", "kelurahan": "kelurahan", "kel": "kelurahan"}
_AREA_WORDS = {"kecamatan", "kec", "ulp"}

_NOT_WORD = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True)
class Match:
    village_id: int
    name: str
    kind: str  # "desa" or "kelurahan"
    district: str
    ulp: str
    lon: float | None  # None for the villages the source gives no coordinates
    lat: float | None
    score: int
    reason: str  # EXACT, PREFIX, WORD_PREFIX, SUBSTRING, TYPO or DISTRICT
    edits: int = 0  # typing slips forgiven (TYPO only)
    context: str | None = None  # district or ULP named in the text that this village is in

    @property
    def label(self) -> str:
        """How the form shows it: 'Desa Belo Laut, Kec. Mentok (ULP Mentok)'."""
        kind = "Kel." if self.kind == "kelurahan" else "Desa"
        return f"{kind} {self.name}, Kec. {self.district} (ULP {self.ulp})"

    @property
    def has_point(self) -> bool:
        return self.lon is not None and self.lat is not None


@dataclass(frozen=True)
class _Entry:
    village_id: int
    name: str
    kind: str
    district: str
    ulp: str
    lon: float | None
    lat: float | None
    key: str  # normalised name, words separated by one space
    compact: str  # normalised name without spaces: "sungai liat" finds "Sungailiat"
    words: tuple[str, ...]
    bigrams: frozenset[str]
    district_key: str
    ulp_key: str


@dataclass(frozen=True)
class _Query:
    text: str  # normalised village part
    kind: str | None  # from a "Desa"/"Kel." prefix
    context: str | None  # normalised district/ULP name found in the text
    penalty: int = 0


def normalise(text: str) -> str:
    """Lower case, accents dropped, punctuation to spaces, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_WORD.sub(" ", plain.casefold()).strip()


def max_edits(length: int) -> int:
    """Typos forgiven for a word of this length: none below 3 letters (one edit
    would match almost anything), one up to 5, two from 6."""
    if length < 3:
        return 0
    return 1 if length <= 5 else 2


class Gazetteer:
    """Every village of the database, loaded once; searches never touch the database."""

    def __init__(self, session: Session):
        rows = session.execute(
            select(
                Village.id,
                Village.name,
                Village.kind,
                District.name,
                UlpArea.name,
                Village.lon,
                Village.lat,
            )
            .join(District, Village.district_id == District.id)
            .join(UlpArea, Village.ulp_id == UlpArea.id)
            .order_by(Village.code)
        ).all()
        self._entries = [_entry(*row) for row in rows]
        self._by_id = {e.village_id: e for e in self._entries}
        areas = {e.district_key for e in self._entries} | {e.ulp_key for e in self._entries}
        # Longest first, so "sungai selan" wins over a shorter name it contains.
        self._areas = sorted(areas, key=lambda a: (-len(a), a))

    def __len__(self) -> int:
        return len(self._entries)

    def search(self, text: str, limit: int = 8) -> list[Match]:
        best: dict[int, Match] = {}
        for query in self._readings(normalise(text)):
            for match in self._matches(query):
                kept = best.get(match.village_id)
                if kept is None or match.score > kept.score:
                    best[match.village_id] = match
        ranked = sorted(best.values(), key=lambda m: (-m.score, len(m.name), m.name, m.district))
        return ranked[:limit]

    def point_for(self, village_id: int) -> tuple[float, float] | None:
        """(lon, lat) of the village's gazetteer point; None when the source has none.
        Raises KeyError for an id that is not a village."""
        entry = self._by_id[village_id]
        if entry.lon is None or entry.lat is None:
            return None
        return entry.lon, entry.lat

    def village(self, village_id: int) -> Match:
        """The village as a Match (score 0), e.g. to name a place found on the map."""
        return _match(self._by_id[village_id], 0, EXACT)

    def _readings(self, text: str) -> list[_Query]:
        """Ways to read the text: as typed; with a trailing district/ULP split off as
        context; with a half-typed trailing district dropped (ranked lower)."""
        words = text.split()
        kind = None
        while words and words[0] in _KIND_WORDS:
            kind = _KIND_WORDS[words.pop(0)]
        for i, word in enumerate(words):
            if word in _AREA_WORDS:
                context = " ".join(w for w in words[i + 1 :] if w not in _AREA_WORDS)
                return [_Query(" ".join(words[:i]), kind, context or None)]

        plain = " ".join(words)
        readings = [_Query(plain, kind, None)]
        for area in self._areas:
            if plain == area or plain.endswith(" " + area):
                readings.append(_Query(plain[: -len(area)].strip(), kind, area))
                break
        else:
            # "Belo Laut Men": the operator is still typing "Mentok"; without this the
            # village would drop out of the list until the word is complete.
            if len(words) > 1 and any(a.startswith(words[-1]) for a in self._areas):
                readings.append(_Query(" ".join(words[:-1]), kind, None, _HALF_TYPED))
        return readings

    def _matches(self, query: _Query) -> list[Match]:
        if not query.text:
            return self._area_villages(query) if query.context else []
        typed = _Typed.of(query.text)
        found = []
        for entry in self._entries:
            graded = _grade(typed, entry)
            if graded is not None:
                found.append(_scored(entry, query, *graded))
        return found

    def _area_villages(self, query: _Query) -> list[Match]:
        """The villages of a kecamatan named alone ("Kec. Mentok"); a ULP named alone
        lists its villages only when no kecamatan has that name (a ULP holds 40-80)."""
        inside = [e for e in self._entries if e.district_key == query.context]
        if not inside:
            inside = [e for e in self._entries if e.ulp_key == query.context]
        return [_scored(e, query, DISTRICT, 0) for e in inside]


def _entry(village_id, name, kind, district, ulp, lon, lat) -> _Entry:
    key = normalise(name)
    compact = key.replace(" ", "")
    return _Entry(
        village_id=village_id,
        name=name,
        kind=kind,
        district=district,
        ulp=ulp,
        lon=lon,
        lat=lat,
        key=key,
        compact=compact,
        words=tuple(key.split()),
        bigrams=frozenset(_bigrams(compact)),
        district_key=normalise(district),
        ulp_key=normalise(ulp),
    )


@dataclass(frozen=True)
class _Typed:
    """The village part of a query, prepared once and compared with every name."""

    text: str
    compact: str
    words: tuple[str, ...]
    bigrams: tuple[str, ...]
    limit: int  # typing slips forgiven

    @classmethod
    def of(cls, text: str) -> _Typed:
        compact = text.replace(" ", "")
        return cls(
            text, compact, tuple(text.split()), tuple(_bigrams(compact)), max_edits(len(compact))
        )


def _grade(typed: _Typed, entry: _Entry) -> tuple[str, int] | None:
    """(reason, edits) of the best way the typed text matches the name, or None."""
    if typed.text == entry.key or typed.compact == entry.compact:
        return EXACT, 0
    if entry.key.startswith(typed.text) or entry.compact.startswith(typed.compact):
        return PREFIX, 0
    if _word_prefixes(typed.words, entry.words):
        return WORD_PREFIX, 0
    if typed.text in entry.key or typed.compact in entry.compact:
        return SUBSTRING, 0
    edits = _typo_edits(typed, entry)
    return (TYPO, edits) if edits is not None else None


def _word_prefixes(typed: tuple[str, ...], words: tuple[str, ...]) -> bool:
    """Each typed word starts a word of the name, in order ("s baru" -> Sungai Baru,
    "laut" -> Belo Laut)."""
    for start in range(len(words) - len(typed) + 1):
        if all(words[start + i].startswith(t) for i, t in enumerate(typed)):
            return True
    return False


def _typo_edits(typed: _Typed, entry: _Entry) -> int | None:
    limit = typed.limit
    if limit == 0 or len(entry.compact) < len(typed.compact) - limit:
        return None
    # q-gram filter: each edit spoils at most three of the typed text's bigrams (a
    # transposition touches three), so a name sharing fewer cannot be within the limit.
    needed = len(typed.bigrams) - 3 * limit
    if needed > 0 and sum(1 for g in typed.bigrams if g in entry.bigrams) < needed:
        return None
    edits = _prefix_distance(typed.compact, entry.compact, limit)
    return edits if edits <= limit else None


def _prefix_distance(typed: str, name: str, limit: int) -> int:
    """Smallest OSA Damerau-Levenshtein distance between ``typed`` and the whole name
    or any prefix of it (at least as long as ``typed`` less ``limit``); limit + 1 when
    above the limit. Cells further than ``limit`` from the diagonal are never below it,
    so they are left at 'too far'."""
    far = limit + 1
    n = len(name)
    before: list[int] = []
    previous = list(range(n + 1))
    for i in range(1, len(typed) + 1):
        current = [far] * (n + 1)
        current[0] = i if i <= limit else far
        low, high = max(1, i - limit), min(n, i + limit)
        char = typed[i - 1]
        for j in range(low, high + 1):
            cost = 0 if char == name[j - 1] else 1
            # min() of three is the hot spot of a search; plain comparisons halve it.
            best = previous[j - 1] + cost
            if previous[j] + 1 < best:
                best = previous[j] + 1
            if current[j - 1] + 1 < best:
                best = current[j - 1] + 1
            if cost and i > 1 and j > 1 and char == name[j - 2] and typed[i - 2] == name[j - 1]:
                best = min(best, before[j - 2] + 1)
            current[j] = best if best < far else far
        if min(current) >= far:
            return far
        before, previous = previous, current
    return min(previous[max(0, len(typed) - limit) :], default=far)


def _bigrams(text: str) -> list[str]:
    return [text[i : i + 2] for i in range(len(text) - 1)]


def _scored(entry: _Entry, query: _Query, reason: str, edits: int) -> Match:
    score = _TIER[reason] - _TYPO_PENALTY * edits - query.penalty
    context = None
    if query.context and query.context in (entry.district_key, entry.ulp_key):
        score += _CONTEXT_BONUS
        context = entry.district if query.context == entry.district_key else entry.ulp
    if query.kind == entry.kind:
        score += _KIND_BONUS
    return _match(entry, score, reason, edits, context)


def _match(entry: _Entry, score: int, reason: str, edits: int = 0, context=None) -> Match:
    return Match(
        village_id=entry.village_id,
        name=entry.name,
        kind=entry.kind,
        district=entry.district,
        ulp=entry.ulp,
        lon=entry.lon,
        lat=entry.lat,
        score=score,
        reason=reason,
        edits=edits,
        context=context,
    )
