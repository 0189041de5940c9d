"""Hand-built extracts for the ANI « décrocheurs » tests (contract P3-2011 with ``niveau_certification``).

Reused by ``test_ani_import.py``, ``test_ani_indicators.py`` and ``test_ani_pages.py``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from dashboard.models import IndicatorValue, ScopeKind, Snapshot
from dashboard.recompute import snapshot_recompute
from tests.dashboard.conftest import HEADERS, contact, run_import, write_csv, write_extract, young

CERTIFICATION_HEADER = [*HEADERS["jeunes.csv"], "niveau_certification"]
# Periods 2010-T1 .. 2011-T4: the anchor's contact opens 2010.
EXTRACTED_ON = date(2011, 12, 31)
ANCHOR = "ANCRE"


def ani_young(
    id_jeune: str,
    *,
    born: str = "1992-05",
    level: str = "V",
    certification: str = "AUCUNE",
    first: str = "2011-02-01",
    structure: str = "ML93001",
) -> dict:
    """A young person who, by default, is eligible to the ANI when first welcomed on ``first``."""
    row = young(id_jeune, structure, date_naissance=born, niveau_formation=level, date_premier_accueil=first)
    row["niveau_certification"] = certification
    return row


def write_ani_extract(
    directory: Path,
    jeunes: list[dict],
    *,
    dispositifs: list[dict] = (),
    with_certification: bool = True,
) -> Path:
    """An extract of ``jeunes`` (and an anchor welcomed in 2008, with the 2010 contact that opens the periods)."""
    anchor = ani_young(ANCHOR, first="2008-06-01", level="III", certification="III")
    rows = [anchor, *jeunes]
    write_extract(directory, jeunes=rows, contacts=[contact(ANCHOR, "2010-01-05")], dispositifs=list(dispositifs))
    if with_certification:
        write_csv(directory / "jeunes.csv", rows, header=CERTIFICATION_HEADER)
    return directory


def import_and_recompute(directory: Path, *, extracted_on: date = EXTRACTED_ON) -> Snapshot:
    extract_import = run_import(directory, extracted_on=extracted_on)
    assert extract_import.status == "reussi", extract_import.errors
    return snapshot_recompute(extract_import_id=extract_import.pk)


def national(snapshot: Snapshot, code: str) -> dict[str, float | None]:
    """period code -> the nation's value of ``code`` in ``snapshot`` (periods without a value absent)."""
    rows = IndicatorValue.objects.filter(snapshot=snapshot, scope_kind=ScopeKind.NATIONAL, indicator=code)
    return dict(rows.values_list("period", "value"))


def quarters(snapshot: Snapshot, code: str, year: int = 2011) -> list[float | None]:
    """The nation's cumulative values of ``code`` for T1..T4 of ``year``."""
    values = national(snapshot, code)
    return [values.get(f"{year}-T{quarter}") for quarter in (1, 2, 3, 4)]
