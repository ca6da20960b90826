"""Finding the posko, regu or ULP an import names ("nama_posko"), however it is written.

"POSKO YANTEK MENTOK", "Posko Mentok" and "mentok" are one posko. A crew code
("MENTOK-1") or name gives that crew. A posko gives its ULP only: which of its regu
went is not in the file, and a guess would put another crew's name on the job.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from comcen_desktop.storage.models import Crew, Posko, UlpArea
from services.report_import.values import header_key

_PREFIXES = ("posko_yantek_", "posko_", "yantek_", "regu_", "ulp_", "up3_")


def short_key(name: str) -> str:
    key = header_key(name)
    for prefix in _PREFIXES:
        key = key.removeprefix(prefix)
    return key.replace("_", "")


class OrgLookup:
    def __init__(self, session: Session):
        self._crews: dict[str, tuple[int, int | None]] = {}
        self._places: dict[str, int | None] = {}
        for crew_id, code, name, ulp_id in session.execute(
            select(Crew.id, Crew.code, Crew.name, Posko.ulp_id).join(Posko).order_by(Crew.id)
        ):
            self._crews.setdefault(short_key(code), (crew_id, ulp_id))
            self._crews.setdefault(short_key(name), (crew_id, ulp_id))
        for name, ulp_id in session.execute(select(UlpArea.name, UlpArea.id)):
            self._places.setdefault(short_key(name), ulp_id)
        for name, ulp_id in session.execute(select(Posko.name, Posko.ulp_id)):
            self._places[short_key(name)] = ulp_id  # a posko is more precise than a ULP
        self._cache: dict[str, tuple[int | None, int | None]] = {}

    def find(self, text: str) -> tuple[int | None, int | None]:
        """(crew id or None, ULP id or None) for the text; (None, None) if unknown."""
        if text not in self._cache:
            key = short_key(text)
            if key in self._crews:
                self._cache[text] = self._crews[key]
            else:
                self._cache[text] = (None, self._places.get(key))
        return self._cache[text]
