"""Every invalid input is refused with French errors naming file, line and column — and changes nothing.

Each case imports the sample extract first, then the bad one, and checks that
regions, structures and facts are exactly as the sample left them.
"""

from __future__ import annotations

import zipfile

import pytest

from dashboard.models import ExtractImport, ImportStatus
from tests.dashboard.conftest import (
    HEADERS,
    contact,
    enrolment,
    run_import,
    situation,
    structure,
    write_csv,
    write_extract,
    young,
    zip_extract,
)

pytestmark = pytest.mark.django_db


def valid_extract(directory, **overrides):
    """J1 and J2 in ML93001, each with a contact, a situation and an enrolment; overrides replace a file."""
    files = {
        "jeunes": [young("J1"), young("J2")],
        "contacts": [contact("J1"), contact("J2")],
        "situations": [situation("J1"), situation("J2", "FORMATION")],
        "dispositifs": [enrolment("J1"), enrolment("J2", "ANI")],
    }
    files.update(overrides)
    return write_extract(directory, **files)


def rewrite(name, **kwargs):
    def change(directory):
        write_csv(directory / name, **kwargs)

    return change


def header_without(name, column):
    return [c for c in HEADERS[name] if c != column]


# id -> (change of the valid extract, or a whole extract; expected errors, exactly, in order)
CASES = {
    "missing file": (
        lambda d: (d / "contacts.csv").unlink(),
        ["contacts.csv : fichier manquant dans l'extraction"],
    ),
    "file name in capitals": (
        lambda d: (d / "jeunes.csv").rename(d / "Jeunes.CSV"),
        [
            "jeunes.csv : fichier manquant dans l'extraction (un fichier « Jeunes.CSV » est présent : "
            "renommez-le « jeunes.csv », en minuscules)"
        ],
    ),
    "missing column": (
        rewrite(
            "jeunes.csv",
            header=header_without("jeunes.csv", "sexe"),
            rows=[young("J1"), young("J2")],
        ),
        ["jeunes.csv, ligne 1, colonne sexe : colonne obligatoire absente"],
    ),
    "column name in capitals": (
        rewrite(
            "contacts.csv",
            header=["ID_JEUNE", "date_contact", "type_contact"],
            rows=[["J1", "2011-02-01", "ATELIER"]],
        ),
        [
            "contacts.csv, ligne 1, colonne id_jeune : colonne obligatoire absente (une colonne « ID_JEUNE » existe : "
            "les noms de colonnes sont en minuscules)"
        ],
    ),
    "file not in UTF-8": (
        rewrite("jeunes.csv", rows=[young("J1"), young("JÉRÔME")], encoding="latin-1"),
        ["jeunes.csv, ligne 3 : encodage illisible (octet 0xC9) : le fichier doit être enregistré en UTF-8"],
    ),
    "structures not in UTF-8": (
        rewrite("structures.csv", rows=[structure("ML93001")], encoding="cp1252"),
        ["structures.csv, ligne 2 : encodage illisible (octet 0xF4) : le fichier doit être enregistré en UTF-8"],
    ),
    "wrong delimiter": (
        rewrite("contacts.csv", rows=[contact("J1")], delimiter=","),
        ["contacts.csv, ligne 1 : séparateur incorrect : les colonnes doivent être séparées par « ; »"],
    ),
    "bad date": (
        rewrite("situations.csv", rows=[situation("J1", date_debut="2011-13-01"), situation("J2")]),
        ["situations.csv, ligne 2, colonne date_debut : date invalide « 2011-13-01 » (format attendu AAAA-MM-JJ)"],
    ),
    "day that does not exist": (
        rewrite("contacts.csv", rows=[contact("J1"), contact("J2", "2011-02-30")]),
        ["contacts.csv, ligne 3, colonne date_contact : date invalide « 2011-02-30 » (format attendu AAAA-MM-JJ)"],
    ),
    "French date format": (
        rewrite("dispositifs.csv", rows=[enrolment("J1", date_entree="01/02/2011")]),
        ["dispositifs.csv, ligne 2, colonne date_entree : date invalide « 01/02/2011 » (format attendu AAAA-MM-JJ)"],
    ),
    "bad birth month": (
        rewrite("jeunes.csv", rows=[young("J1", date_naissance="1992-13"), young("J2", date_naissance="1992-05-01")]),
        [
            "jeunes.csv, ligne 2, colonne date_naissance : mois de naissance invalide « 1992-13 » (format attendu AAAA-MM)",
            "jeunes.csv, ligne 3, colonne date_naissance : mois de naissance invalide « 1992-05-01 » "
            "(format attendu AAAA-MM)",
        ],
    ),
    "unknown code": (
        rewrite("contacts.csv", rows=[contact("J1", type_contact="VISITE"), contact("J2")]),
        [
            "contacts.csv, ligne 2, colonne type_contact : code inconnu « VISITE » "
            "(attendu : ENTRETIEN_INDIVIDUEL, ATELIER, INFO_COLLECTIVE, TELEPHONE ou ECRIT)"
        ],
    ),
    "codes are case-sensitive": (
        rewrite("jeunes.csv", rows=[young("J1", sexe="f"), young("J2", niveau_formation="VBIS")]),
        [
            "jeunes.csv, ligne 2, colonne sexe : code inconnu « f » (attendu : F ou H)",
            "jeunes.csv, ligne 3, colonne niveau_formation : code inconnu « VBIS » "
            "(attendu : VI, Vbis, V, IV, III, II ou I)",
        ],
    ),
    "unknown structure": (
        rewrite("jeunes.csv", rows=[young("J1"), young("J2", "ML99999")]),
        ["jeunes.csv, ligne 3, colonne code_structure : structure inconnue « ML99999 » : absente de structures.csv"],
    ),
    "young person attached to an antenne": (
        rewrite("jeunes.csv", rows=[young("J1", "ML93001A1"), young("J2")]),
        [
            "jeunes.csv, ligne 2, colonne code_structure : « ML93001A1 » est une antenne : "
            "rattachez le jeune à sa mission locale ou PAIO (« ML93001 »)"
        ],
    ),
    "unknown structure type": (
        rewrite("structures.csv", rows=[structure("ML93001"), structure("ML93002", "MAISON")]),
        ["structures.csv, ligne 3, colonne type : type inconnu « MAISON » (attendu : ML, PAIO ou ANTENNE)"],
    ),
    "duplicate id_jeune": (
        rewrite("jeunes.csv", rows=[young("J1"), young("J2"), young("J1", "ML93002")]),
        ["jeunes.csv, ligne 4, colonne id_jeune : identifiant « J1 » en double (déjà ligne 2)"],
    ),
    "contact for an unknown young person": (
        rewrite("contacts.csv", rows=[contact("J1"), contact("J9")]),
        ["contacts.csv, ligne 3, colonne id_jeune : jeune inconnu « J9 » : absent de jeunes.csv"],
    ),
    "situation for an unknown young person": (
        rewrite("situations.csv", rows=[situation("J3")]),
        ["situations.csv, ligne 2, colonne id_jeune : jeune inconnu « J3 » : absent de jeunes.csv"],
    ),
    "enrolment for an unknown young person": (
        rewrite("dispositifs.csv", rows=[enrolment("J1"), enrolment("j1")]),
        ["dispositifs.csv, ligne 3, colonne id_jeune : jeune inconnu « j1 » : absent de jeunes.csv"],
    ),
    "situation ending before it starts": (
        rewrite("situations.csv", rows=[situation("J1", date_debut="2011-05-02", date_fin="2011-05-01")]),
        [
            "situations.csv, ligne 2, colonne date_fin : date de fin « 2011-05-01 » antérieure à la date de début "
            "« 2011-05-02 »"
        ],
    ),
    "enrolment ending before it starts": (
        rewrite(
            "dispositifs.csv",
            rows=[enrolment("J1", date_entree="2011-05-02", date_sortie="2010-12-31", motif_sortie="ABANDON")],
        ),
        [
            "dispositifs.csv, ligne 2, colonne date_sortie : date de sortie « 2010-12-31 » antérieure à la date "
            "d'entrée « 2011-05-02 »"
        ],
    ),
    "employment without a contract": (
        rewrite("situations.csv", rows=[situation("J1", "EMPLOI", "")]),
        ["situations.csv, ligne 2, colonne type_contrat : type de contrat obligatoire pour une situation EMPLOI"],
    ),
    "training with a contract": (
        rewrite("situations.csv", rows=[situation("J1"), situation("J2", "FORMATION", "CDD")]),
        [
            "situations.csv, ligne 3, colonne type_contrat : type de contrat « CDD » pour une situation FORMATION : "
            "il doit rester vide hors EMPLOI"
        ],
    ),
    "exit without a motif": (
        rewrite("dispositifs.csv", rows=[enrolment("J1", date_sortie="2011-06-30")]),
        [
            "dispositifs.csv, ligne 2, colonne motif_sortie : motif de sortie obligatoire quand la date de sortie "
            "est renseignée"
        ],
    ),
    "motif without an exit": (
        rewrite("dispositifs.csv", rows=[enrolment("J1", motif_sortie="EMPLOI")]),
        [
            "dispositifs.csv, ligne 2, colonne motif_sortie : motif de sortie « EMPLOI » sans date de sortie : "
            "laissez-le vide tant que le jeune n'est pas sorti du dispositif"
        ],
    ),
    "missing value": (
        rewrite("contacts.csv", rows=[contact("J1", date_contact="")]),
        ["contacts.csv, ligne 2, colonne date_contact : valeur obligatoire manquante"],
    ),
    "identifier too long": (
        rewrite("jeunes.csv", rows=[young("J1"), young("J2"), young("J" * 41)]),
        [f"jeunes.csv, ligne 4, colonne id_jeune : identifiant trop long « {'J' * 41} » (40 caractères au plus)"],
    ),
    "row with a value short": (
        rewrite("contacts.csv", lines=["id_jeune;date_contact;type_contact", "J1;2011-02-01;ATELIER", "J2;2011-02-01"]),
        ["contacts.csv, ligne 3 : 2 valeur(s) au lieu de 3 : vérifiez le séparateur « ; » et les guillemets"],
    ),
    "empty file": (
        lambda d: (d / "jeunes.csv").write_bytes(b""),
        ["jeunes.csv, ligne 1 : fichier vide : la ligne d'en-tête est absente"],
    ),
    "file with a header only": (
        rewrite("contacts.csv", rows=[]),
        ["contacts.csv : fichier vide : aucune ligne de données"],
    ),
}


@pytest.fixture
def sample_imported(sample_extract, facts_state):
    extract_import = run_import(sample_extract)
    assert extract_import.status == ImportStatus.SUCCEEDED, extract_import.errors
    return facts_state()


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_a_bad_extract_is_refused_with_errors_naming_file_line_and_column_and_changes_nothing(
    case, tmp_path, sample_imported, facts_state
):
    change, expected = CASES[case]
    directory = valid_extract(tmp_path / "bad")
    change(directory)

    extract_import = run_import(directory)

    assert extract_import.status == ImportStatus.FAILED
    assert extract_import.errors == expected
    assert extract_import.error_count == len(expected)
    assert facts_state() == sample_imported
    rejected = extract_import.quality_report["rejected"]
    assert rejected["total"] == len(expected) and sum(r["count"] for r in rejected["by_reason"]) == len(expected)


def test_a_bad_zip_is_refused_and_changes_nothing(tmp_path, sample_imported, facts_state):
    not_a_zip = tmp_path / "extraction.zip"
    not_a_zip.write_bytes(b"PK\x03\x04 ceci n'est pas une archive")

    extract_import = run_import(not_a_zip)

    assert extract_import.status == ImportStatus.FAILED
    assert extract_import.errors == ["extraction.zip : archive illisible : ce n'est pas un fichier zip valide"]
    assert facts_state() == sample_imported


def test_a_zip_missing_a_file_or_holding_two_of_the_same_name_is_refused(tmp_path, sample_imported, facts_state):
    directory = valid_extract(tmp_path / "bad")
    (directory / "dispositifs.csv").unlink()
    archive = zip_extract(directory)
    with zipfile.ZipFile(archive, "a") as zipped:
        zipped.write(directory / "contacts.csv", "copie/contacts.csv")

    extract_import = run_import(archive)

    assert extract_import.errors == [
        "contacts.csv : plusieurs fichiers de ce nom dans l'archive : gardez-en un seul",
        "dispositifs.csv : fichier manquant dans l'extraction",
    ]
    assert facts_state() == sample_imported


def test_every_error_is_counted_and_the_first_ones_are_kept_in_file_and_line_order(tmp_path, sample_imported):
    directory = valid_extract(
        tmp_path / "bad",
        jeunes=[young(f"J{n}", sexe="X", date_premier_accueil="2011-02-30") for n in range(1, 41)],
        contacts=[contact("J1", type_contact="VISITE")] + [contact(f"K{n}") for n in range(1, 31)],
    )

    extract_import = run_import(directory, max_errors=50)

    # 40 bad sexes + 40 bad dates, 1 bad contact type + 30 unknown young people.
    assert extract_import.error_count == 111
    assert len(extract_import.errors) == 50
    assert extract_import.errors[:2] == [
        "jeunes.csv, ligne 2, colonne date_premier_accueil : date invalide « 2011-02-30 » (format attendu AAAA-MM-JJ)",
        "jeunes.csv, ligne 2, colonne sexe : code inconnu « X » (attendu : F ou H)",
    ]
    assert extract_import.errors[-1].startswith("jeunes.csv, ligne 26, ")
    report = extract_import.quality_report["rejected"]
    assert {reason["code"]: reason["count"] for reason in report["by_reason"]} == {
        "unknown_code": 41,
        "invalid_date": 40,
        "unknown_young_person": 30,
    }
    assert report["by_file"] == {"jeunes.csv": 80, "contacts.csv": 31}


def test_errors_of_several_files_are_all_reported(tmp_path, sample_imported, facts_state):
    directory = valid_extract(
        tmp_path / "bad",
        contacts=[contact("J1", "2011-02-30")],
        situations=[situation("J1", "EMPLOI", "")],
        dispositifs=[enrolment("J1", date_sortie="2011-06-30")],
    )
    (directory / "structures.csv").write_bytes(b"code_structure,nom,type\n")

    extract_import = run_import(directory)

    assert extract_import.errors == [
        "structures.csv, ligne 1 : séparateur incorrect : les colonnes doivent être séparées par « ; »",
        "contacts.csv, ligne 2, colonne date_contact : date invalide « 2011-02-30 » (format attendu AAAA-MM-JJ)",
        "situations.csv, ligne 2, colonne type_contrat : type de contrat obligatoire pour une situation EMPLOI",
        "dispositifs.csv, ligne 2, colonne motif_sortie : motif de sortie obligatoire quand la date de sortie "
        "est renseignée",
    ]
    assert facts_state() == sample_imported


def test_a_failed_import_after_a_successful_one_keeps_the_first_as_the_facts_record(tmp_path, sample_imported):
    run_import(valid_extract(tmp_path / "bad", contacts=[contact("J9")]))

    statuses = list(ExtractImport.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == [ImportStatus.SUCCEEDED, ImportStatus.FAILED]
