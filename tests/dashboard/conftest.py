"""Helpers to write small extracts (format "P3-2011") into a folder, and to import them.

Reusable by any dashboard test::

    from tests.dashboard.conftest import contact, enrolment, run_import, situation, write_extract, young

    def test_something(tmp_path, db):
        path = write_extract(
            tmp_path,
            jeunes=[young("J1", date_premier_accueil="2011-01-03")],
            contacts=[contact("J1", "2011-03-31")],
            situations=[situation("J1", "FORMATION", date_debut="2011-04-01")],
            dispositifs=[enrolment("J1", date_entree="2011-02-01", date_sortie="2011-06-30", motif_sortie="EMPLOI")],
        )
        extract_import = run_import(path, extracted_on=date(2011, 12, 31))   # runs synchronously
        assert extract_import.status == "reussi", extract_import.errors

``write_extract`` writes the default network (region 93: two missions locales,
one with an antenne, and a PAIO) unless ``structures=`` is given. Rows are dicts
(missing columns empty) built by :func:`young`, :func:`contact`, :func:`situation`,
:func:`enrolment`, :func:`structure`; :func:`write_csv` writes any content
(another delimiter, encoding, raw lines) for the bad-input cases.

Fixtures: ``sample_extract`` (a copy of ``cnml/demo_data/extract-sample`` in
``tmp_path``), ``facts_state`` (a function returning everything an import may
change, to assert that a failed import changed nothing).
"""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings

from cnml.models import Region, Structure
from dashboard.models import Contact, Enrolment, ExtractImport, Situation, YoungPerson
from dashboard.services import extract_import_create, extract_import_run

SAMPLE_EXTRACT = settings.DEMO_DATA_DIR / "extract-sample"
# Rows of each file of the sample (its line count minus the header).
SAMPLE_COUNTS = {
    "structures.csv": 15,
    "jeunes.csv": 400,
    "contacts.csv": 1978,
    "situations.csv": 292,
    "dispositifs.csv": 112,
}

HEADERS = {
    "structures.csv": ["code_structure", "nom", "type", "code_region", "nom_region", "code_parent"],
    "jeunes.csv": [
        "id_jeune",
        "code_structure",
        "date_naissance",
        "sexe",
        "niveau_formation",
        "date_premier_accueil",
    ],
    "contacts.csv": ["id_jeune", "date_contact", "type_contact"],
    "situations.csv": ["id_jeune", "type_situation", "type_contrat", "date_debut", "date_fin"],
    "dispositifs.csv": ["id_jeune", "dispositif", "date_entree", "date_sortie", "motif_sortie"],
}
PACA = ("93", "Provence-Alpes-Côte d'Azur")


def structure(code: str, type: str = "ML", *, nom: str | None = None, region=PACA, code_parent: str = "") -> dict:
    kinds = {"ML": "Mission locale", "PAIO": "PAIO", "ANTENNE": "Antenne"}
    return {
        "code_structure": code,
        "nom": nom or f"{kinds.get(type, type)} {code}",
        "type": type,
        "code_region": region[0],
        "nom_region": region[1],
        "code_parent": code_parent,
    }


DEFAULT_STRUCTURES = [
    structure("ML93001"),
    structure("ML93001A1", "ANTENNE", code_parent="ML93001"),
    structure("ML93002"),
    structure("PAIO93003", "PAIO"),
]


def young(
    id_jeune: str,
    code_structure: str = "ML93001",
    *,
    date_naissance: str = "1992-05",
    sexe: str = "F",
    niveau_formation: str = "V",
    date_premier_accueil: str = "2011-01-03",
) -> dict:
    return {
        "id_jeune": id_jeune,
        "code_structure": code_structure,
        "date_naissance": date_naissance,
        "sexe": sexe,
        "niveau_formation": niveau_formation,
        "date_premier_accueil": date_premier_accueil,
    }


def contact(id_jeune: str, date_contact: str = "2011-02-01", type_contact: str = "ENTRETIEN_INDIVIDUEL") -> dict:
    return {"id_jeune": id_jeune, "date_contact": date_contact, "type_contact": type_contact}


def situation(
    id_jeune: str,
    type_situation: str = "EMPLOI",
    type_contrat: str | None = None,
    *,
    date_debut: str = "2011-02-01",
    date_fin: str = "",
) -> dict:
    if type_contrat is None:
        type_contrat = "CDD" if type_situation == "EMPLOI" else ""
    return {
        "id_jeune": id_jeune,
        "type_situation": type_situation,
        "type_contrat": type_contrat,
        "date_debut": date_debut,
        "date_fin": date_fin,
    }


def enrolment(
    id_jeune: str,
    dispositif: str = "CIVIS",
    *,
    date_entree: str = "2011-02-01",
    date_sortie: str = "",
    motif_sortie: str = "",
) -> dict:
    return {
        "id_jeune": id_jeune,
        "dispositif": dispositif,
        "date_entree": date_entree,
        "date_sortie": date_sortie,
        "motif_sortie": motif_sortie,
    }


def write_csv(
    path: Path,
    rows: Iterable[Mapping[str, str] | Sequence[str]] = (),
    *,
    header: Sequence[str] | None = None,
    lines: Iterable[str] | None = None,
    delimiter: str = ";",
    encoding: str = "utf-8",
    bom: bool = False,
    newline: str = "\n",
) -> Path:
    """Write a CSV file: ``header`` (default: the contract's, from the file name) then ``rows``.

    ``lines`` replaces everything with raw lines (no header added), for malformed files.
    """
    if lines is None:
        header = list(header or HEADERS[path.name])
        lines = [delimiter.join(header)]
        for row in rows:
            values = [row.get(column, "") for column in header] if isinstance(row, Mapping) else list(row)
            lines.append(delimiter.join(values))
    text = "".join(f"{line}{newline}" for line in lines)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\ufeff" if bom else "").encode(encoding) + text.encode(encoding))
    return path


def write_extract(
    directory: Path,
    *,
    structures: Iterable[Mapping[str, str]] | None = None,
    jeunes: Iterable[Mapping[str, str]] = (),
    contacts: Iterable[Mapping[str, str]] = (),
    situations: Iterable[Mapping[str, str]] = (),
    dispositifs: Iterable[Mapping[str, str]] = (),
    skip: Sequence[str] = (),
) -> Path:
    """Write the five files of an extract into ``directory`` (created); ``skip`` names files not to write."""
    files = {
        "structures.csv": DEFAULT_STRUCTURES if structures is None else structures,
        "jeunes.csv": jeunes,
        "contacts.csv": contacts,
        "situations.csv": situations,
        "dispositifs.csv": dispositifs,
    }
    directory.mkdir(parents=True, exist_ok=True)
    for name, rows in files.items():
        if name not in skip:
            write_csv(directory / name, rows)
    return directory


# The quality report's counts of suspicious rows for suspicious_extract() imported as of 2011-10-31.
SUSPICIOUS_COUNTS = {
    "contacts_after_extraction": 2,
    "contacts_before_2000": 0,
    "first_reception_after_extraction": 1,
    "age_under_16": 1,
    "age_over_25": 1,
    "situations_after_extraction": 1,
    "enrolments_after_extraction": 0,
    "exits_after_extraction": 1,
    "young_people_without_contact": 1,  # J3
}


def suspicious_extract(directory: Path) -> Path:
    """A valid extract with one suspicious row of most kinds (see SUSPICIOUS_COUNTS)."""
    return write_extract(
        directory,
        jeunes=[
            young("J1", date_naissance="1997-01", date_premier_accueil="2011-01-03"),  # 14 years old
            young("J2", date_naissance="1980-01", date_premier_accueil="2011-01-03"),  # 31 years old
            young("J3", date_premier_accueil="2011-11-15"),  # after the extraction date
        ],
        contacts=[contact("J1", "2011-01-03"), contact("J2", "2011-11-02"), contact("J2", "2011-12-01")],
        situations=[situation("J1", date_debut="2011-11-20")],
        dispositifs=[enrolment("J1", date_entree="2011-03-01", date_sortie="2012-01-31", motif_sortie="EMPLOI")],
    )


def copy_sample_extract(directory: Path) -> Path:
    """A copy of the sample extract in ``directory`` (created), to alter freely."""
    shutil.copytree(SAMPLE_EXTRACT, directory)
    return directory


def zip_extract(directory: Path, zip_path: Path | None = None, *, folder: str = "") -> Path:
    """Zip the CSV files of ``directory`` (at the archive's root, or under ``folder``)."""
    zip_path = zip_path or directory.with_suffix(".zip")
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(directory.iterdir()):
            archive.write(file, f"{folder}/{file.name}" if folder else file.name)
    return zip_path


def run_import(
    path: Path,
    *,
    extracted_on: date | None = None,
    provisional: bool = False,
    source_label: str = "Parcours 3, entrepôt national",
    user=None,
    max_errors: int | None = None,
) -> ExtractImport:
    """Record and run an import synchronously (as the Celery task would); return the record."""
    extract_import = extract_import_create(
        path=path, extracted_on=extracted_on, provisional=provisional, source_label=source_label, created_by=user
    )
    return extract_import_run(extract_import_id=extract_import.pk, max_errors=max_errors)


def current_facts_state() -> dict:
    """Everything an import may change: regions, structures, and the four fact tables."""
    return {
        "regions": sorted(Region.objects.values_list("code", "name")),
        "structures": sorted(
            Structure.objects.values_list("code", "name", "kind", "region__code", "parent__code", "active")
        ),
        "young_people": sorted(
            YoungPerson.objects.values_list(
                "id_jeune", "structure__code", "birth_month", "sex", "training_level", "first_reception_on"
            )
        ),
        "contacts": sorted(Contact.objects.values_list("young_person__id_jeune", "contact_on", "kind")),
        "situations": sorted(
            Situation.objects.values_list("young_person__id_jeune", "kind", "contract", "start_on", "end_on"),
            key=str,
        ),
        "enrolments": sorted(
            Enrolment.objects.values_list("young_person__id_jeune", "programme", "entry_on", "exit_on", "exit_reason"),
            key=str,
        ),
    }


@pytest.fixture
def pdf_html(monkeypatch) -> dict:
    """``pdf_html["html"]``: the HTML of the latest PDF export, the PDF itself still rendered for real."""
    from django.template.loader import render_to_string

    from dashboard import exports

    rendered = {}
    real_render = exports.render_pdf

    def capture(template, context, *, request=None):
        rendered["html"] = render_to_string(template, context, request=request)
        return real_render(template, context, request=request)

    monkeypatch.setattr(exports, "render_pdf", capture)
    return rendered


@pytest.fixture
def sample_extract(tmp_path) -> Path:
    return copy_sample_extract(tmp_path / "extract-sample")


@pytest.fixture
def facts_state():
    return current_facts_state
