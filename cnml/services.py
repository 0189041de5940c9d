"""Writes with side effects on the network (``<entity>_<action>(*, ...)``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from cnml.csvfiles import CsvError, CsvFileError, CsvSource, as_source, read_rows
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


def structures_validate_rows(path: Path | CsvSource) -> tuple[list[dict[str, str]], list[CsvError]]:
    """Read and check structures.csv (a path or any CSV source); return the rows and every error found."""
    source = as_source(path)
    name = source.name
    rows: list[dict[str, str]] = []
    errors: list[CsvError] = []
    try:
        for line, row in read_rows(source, STRUCTURE_COLUMNS):
            row["_line"] = str(line)
            for column in ("code_structure", "nom", "type", "code_region", "nom_region"):
                if not row[column]:
                    errors.append(CsvError(name, line, column, "valeur obligatoire manquante"))
            if row["type"] and row["type"] not in EXTRACT_STRUCTURE_KINDS:
                errors.append(
                    CsvError(name, line, "type", f"type inconnu « {row['type']} » (attendu : ML, PAIO ou ANTENNE)")
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
        errors.append(CsvError(name, None, None, "fichier vide : aucune structure"))

    by_code: dict[str, dict[str, str]] = {}
    for row in rows:
        code = row["code_structure"]
        if code in by_code:
            errors.append(
                CsvError(
                    name,
                    int(row["_line"]),
                    "code_structure",
                    f"code « {code} » en double (déjà ligne {by_code[code]['_line']})",
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
                    CsvError(name, int(row["_line"]), "code_parent", f"structure de rattachement inconnue « {parent} »")
                )
            elif parent_row is not None and parent_row["type"] not in (StructureKind.ML, StructureKind.PAIO):
                errors.append(
                    CsvError(
                        name, int(row["_line"]), "code_parent", f"« {parent} » n'est ni une mission locale ni une PAIO"
                    )
                )
    return rows, errors


@transaction.atomic
def structures_load_csv(*, path: Path | CsvSource) -> StructureLoadResult:
    """Upsert regions and structures from a structures.csv: all or nothing.

    Re-running with the same file changes nothing; a changed name, region or
    parent updates the structure in place (codes are stable identifiers).
    """
    rows, errors = structures_validate_rows(path)
    if errors:
        return StructureLoadResult(errors=errors)
    return structures_upsert_rows(rows=rows)


def structures_upsert_rows(*, rows: list[dict[str, str]]) -> StructureLoadResult:
    """Upsert regions and structures from rows checked by :func:`structures_validate_rows`.

    Set-based (a handful of queries whatever the number of structures), so the
    extract importer can call it inside its swap transaction. Call it in a
    transaction: antennes are written after the structures they belong to.
    """
    result = StructureLoadResult()
    regions = {region.code: region for region in Region.objects.all()}
    new_regions, changed_regions = [], []
    for row in rows:
        code, name = row["code_region"], row["nom_region"]
        region = regions.get(code)
        if region is None:
            region = regions[code] = Region(code=code, name=name)
            new_regions.append(region)
        elif region.name != name and region not in changed_regions:
            region.name = name
            changed_regions.append(region)
    Region.objects.bulk_create(new_regions)
    Region.objects.bulk_update(changed_regions, ["name"])
    for region in new_regions:
        if region.pk is None:  # backends that do not return ids from bulk_create
            region.pk = Region.objects.get(code=region.code).pk

    existing = {structure.code: structure for structure in Structure.objects.all()}
    fields = ["name", "kind", "region", "parent", "active"]
    # Parents first, so that antennes can point at them.
    for antennes in (False, True):
        created, changed = [], []
        for row in rows:
            if (row["type"] == StructureKind.ANTENNE) != antennes:
                continue
            values = {
                "name": row["nom"],
                "kind": row["type"],
                "region": regions[row["code_region"]],
                "parent": existing[row["code_parent"]] if row["code_parent"] else None,
                "active": True,
            }
            structure = existing.get(row["code_structure"])
            if structure is None:
                structure = existing[row["code_structure"]] = Structure(code=row["code_structure"], **values)
                created.append(structure)
                continue
            result.updated += 1
            parent = values["parent"]
            current = (structure.name, structure.kind, structure.region_id, structure.parent_id, structure.active)
            wanted = (values["name"], values["kind"], values["region"].pk, parent.pk if parent else None, True)
            if current != wanted:
                for field, value in values.items():
                    setattr(structure, field, value)
                changed.append(structure)
        Structure.objects.bulk_create(created)
        Structure.objects.bulk_update(changed, fields)
        for structure in created:
            if structure.pk is None:
                structure.pk = Structure.objects.get(code=structure.code).pk
        result.created += len(created)
    return result
