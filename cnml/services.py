"""Writes with side effects on the network (``<entity>_<action>(*, ...)``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from cnml.csvfiles import CsvError, CsvFileError, read_rows
from cnml.models import Region, Structure, StructureKind

STRUCTURE_COLUMNS = ("code_structure", "nom", "type", "code_region", "nom_region", "code_parent")
EXTRACT_STRUCTURE_KINDS = {StructureKind.ML, StructureKind.PAIO, StructureKind.ANTENNE}


@dataclass
class StructureLoadResult:
    created: int = 0
    updated: int = 0
    errors: list[CsvError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def structures_validate_rows(path: Path) -> tuple[list[dict[str, str]], list[CsvError]]:
    """Read and check structures.csv; return the rows and every error found."""
    name = path.name
    rows: list[dict[str, str]] = []
    errors: list[CsvError] = []
    try:
        for line, row in read_rows(path, STRUCTURE_COLUMNS):
            row["_line"] = str(line)
            for column in ("code_structure", "nom", "type", "code_region", "nom_region"):
                if not row[column]:
                    errors.append(CsvError(name, line, column, "valeur obligatoire manquante"))
            if row["type"] and row["type"] not in EXTRACT_STRUCTURE_KINDS:
                errors.append(
                    CsvError(name, line, "type", f"type inconnu « {row['type']} » (attendu : ML, PAIO ou ANTENNE)")
                )
            if row["type"] == StructureKind.ANTENNE and not row["code_parent"]:
                errors.append(
                    CsvError(name, line, "code_parent", "une antenne doit avoir une structure de rattachement")
                )
            if row["type"] in (StructureKind.ML, StructureKind.PAIO) and row["code_parent"]:
                errors.append(CsvError(name, line, "code_parent", "seule une antenne a une structure de rattachement"))
            rows.append(row)
    except CsvFileError as exc:
        return [], [exc.error]
    if not rows and not errors:
        errors.append(CsvError(name, None, None, "fichier vide : aucune structure"))

    by_code: dict[str, dict[str, str]] = {}
    for row in rows:
        code = row["code_structure"]
        if code in by_code:
            errors.append(
                CsvError(
                    name,
                    int(row["_line"]),
                    "code_structure",
                    f"code « {code} » en double (déjà ligne {by_code[code]['_line']})",
                )
            )
        else:
            by_code[code] = row
    existing_parents = set(
        Structure.objects.filter(kind__in=[StructureKind.ML, StructureKind.PAIO]).values_list("code", flat=True)
    )
    for row in rows:
        parent = row["code_parent"]
        if row["type"] == StructureKind.ANTENNE and parent:
            parent_row = by_code.get(parent)
            if parent_row is None and parent not in existing_parents:
                errors.append(
                    CsvError(name, int(row["_line"]), "code_parent", f"structure de rattachement inconnue « {parent} »")
                )
            elif parent_row is not None and parent_row["type"] not in (StructureKind.ML, StructureKind.PAIO):
                errors.append(
                    CsvError(
                        name, int(row["_line"]), "code_parent", f"« {parent} » n'est ni une mission locale ni une PAIO"
                    )
                )
    return rows, errors


@transaction.atomic
def structures_load_csv(*, path: Path) -> StructureLoadResult:
    """Upsert regions and structures from a structures.csv: all or nothing.

    Re-running with the same file changes nothing; a changed name, region or
    parent updates the structure in place (codes are stable identifiers).
    """
    rows, errors = structures_validate_rows(path)
    result = StructureLoadResult(errors=errors)
    if errors:
        return result
    regions = {}
    for row in rows:
        region, _ = Region.objects.update_or_create(code=row["code_region"], defaults={"name": row["nom_region"]})
        regions[region.code] = region
    # Parents first, so that antennes can point at them.
    ordered = sorted(rows, key=lambda row: row["type"] == StructureKind.ANTENNE)
    structures: dict[str, Structure] = {}
    for row in ordered:
        parent = None
        if row["code_parent"]:
            parent = structures.get(row["code_parent"]) or Structure.objects.get(code=row["code_parent"])
        structure, created = Structure.objects.update_or_create(
            code=row["code_structure"],
            defaults={
                "name": row["nom"],
                "kind": row["type"],
                "region": regions[row["code_region"]],
                "parent": parent,
                "active": True,
            },
        )
        structures[structure.code] = structure
        if created:
            result.created += 1
        else:
            result.updated += 1
    return result
