"""Importing a valid extract: counts, full replacement, zip and folder, quality report, task, command."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from cnml.models import Structure, StructureKind
from dashboard import tasks
from dashboard.importer import ExtractImporter
from dashboard.importer import sources as extract_sources
from dashboard.models import Contact, Enrolment, ExtractImport, ImportStatus, Situation, YoungPerson
from dashboard.services import extract_import_add_quality_section, extract_import_create
from tests.clock import frozen
from tests.dashboard.conftest import (
    SAMPLE_COUNTS,
    SUSPICIOUS_COUNTS,
    contact,
    enrolment,
    run_import,
    situation,
    structure,
    suspicious_extract,
    write_csv,
    write_extract,
    young,
    zip_extract,
)
from tests.factories import make_administrateur

pytestmark = pytest.mark.django_db


def fact_counts() -> dict[str, int]:
    return {
        "jeunes.csv": YoungPerson.objects.count(),
        "contacts.csv": Contact.objects.count(),
        "situations.csv": Situation.objects.count(),
        "dispositifs.csv": Enrolment.objects.count(),
    }


def small_extract(directory, **overrides):
    files = {
        "jeunes": [young("J1"), young("J2", "PAIO93003", sexe="H", niveau_formation="Vbis")],
        "contacts": [contact("J1", "2011-01-03"), contact("J1", "2011-03-31", "ATELIER"), contact("J2", "2011-05-02")],
        "situations": [
            situation("J1", "EMPLOI", "APPRENTISSAGE", date_debut="2011-04-01", date_fin="2012-03-31"),
            situation("J2", "FORMATION", date_debut="2011-06-01"),
        ],
        "dispositifs": [
            enrolment("J1", date_entree="2011-02-01", date_sortie="2011-09-30", motif_sortie="ALTERNANCE"),
            enrolment("J2", "ANI", date_entree="2011-05-02"),
        ],
    }
    files.update(overrides)
    return write_extract(directory, **files)


def test_the_sample_extract_imports_from_its_folder_with_every_row(sample_extract):
    extract_import = run_import(sample_extract)

    assert extract_import.status == ImportStatus.SUCCEEDED, extract_import.errors
    assert extract_import.row_counts == SAMPLE_COUNTS
    assert fact_counts() == {name: SAMPLE_COUNTS[name] for name in fact_counts()}
    assert Structure.objects.filter(code__startswith="ML").count() == SAMPLE_COUNTS["structures.csv"]
    assert extract_import.error_count == 0 and extract_import.errors == []
    # Without --as-of, the extraction date is the last contact's.
    assert extract_import.extracted_on == date(2011, 12, 31)
    assert extract_import.started_at <= extract_import.finished_at
    assert extract_import.duration is not None


def test_the_sample_extract_imports_from_a_zip_with_files_at_the_root_or_in_a_folder(sample_extract, tmp_path):
    at_root = run_import(zip_extract(sample_extract, tmp_path / "racine.zip"))
    assert at_root.status == ImportStatus.SUCCEEDED, at_root.errors
    assert at_root.row_counts == SAMPLE_COUNTS

    in_folder = run_import(zip_extract(sample_extract, tmp_path / "dossier.zip", folder="extraction-2011-12"))
    assert in_folder.status == ImportStatus.SUCCEEDED, in_folder.errors
    assert fact_counts()["contacts.csv"] == SAMPLE_COUNTS["contacts.csv"]


def test_values_land_in_the_fact_tables_with_their_types(tmp_path):
    extract_import = run_import(small_extract(tmp_path / "x"), extracted_on=date(2011, 10, 31), provisional=True)

    assert extract_import.status == ImportStatus.SUCCEEDED, extract_import.errors
    assert extract_import.extracted_on == date(2011, 10, 31) and extract_import.provisional
    j1 = YoungPerson.objects.select_related("structure").get(id_jeune="J1")
    assert j1.structure.code == "ML93001"
    assert (j1.birth_month, j1.sex, j1.training_level, j1.first_reception_on) == (
        date(1992, 5, 1),
        "F",
        "V",
        date(2011, 1, 3),
    )
    assert YoungPerson.objects.get(id_jeune="J2").training_level == "Vbis"
    assert sorted(Contact.objects.filter(young_person=j1).values_list("contact_on", "kind")) == [
        (date(2011, 1, 3), "ENTRETIEN_INDIVIDUEL"),
        (date(2011, 3, 31), "ATELIER"),
    ]
    apprenticeship = Situation.objects.get(young_person=j1)
    assert (apprenticeship.kind, apprenticeship.contract, apprenticeship.end_on) == (
        "EMPLOI",
        "APPRENTISSAGE",
        date(2012, 3, 31),
    )
    training = Situation.objects.get(young_person__id_jeune="J2")
    assert (training.contract, training.end_on) == ("", None)
    civis = Enrolment.objects.get(young_person=j1)
    assert (civis.programme, civis.exit_on, civis.exit_reason) == ("CIVIS", date(2011, 9, 30), "ALTERNANCE")
    ani = Enrolment.objects.get(young_person__id_jeune="J2")
    assert (ani.exit_on, ani.exit_reason) == (None, "")
    antenne = Structure.objects.get(code="ML93001A1")
    assert antenne.kind == StructureKind.ANTENNE and antenne.parent.code == "ML93001"
    assert antenne.region.code == "93"


def test_importing_the_same_extract_twice_leaves_one_copy_of_the_facts(sample_extract):
    run_import(sample_extract)
    again = run_import(sample_extract)

    assert again.status == ImportStatus.SUCCEEDED
    assert fact_counts() == {name: SAMPLE_COUNTS[name] for name in fact_counts()}
    assert YoungPerson.objects.values("id_jeune").distinct().count() == SAMPLE_COUNTS["jeunes.csv"]


def test_a_new_extract_replaces_the_facts_and_upserts_the_structures(sample_extract, tmp_path):
    run_import(sample_extract)
    renamed = [structure("ML93001", nom="Mission locale de Marseille"), structure("PAIO93003", "PAIO")]
    extract_import = run_import(small_extract(tmp_path / "x", structures=renamed))

    assert extract_import.status == ImportStatus.SUCCEEDED, extract_import.errors
    assert sorted(YoungPerson.objects.values_list("id_jeune", flat=True)) == ["J1", "J2"]
    assert fact_counts() == {"jeunes.csv": 2, "contacts.csv": 3, "situations.csv": 2, "dispositifs.csv": 2}
    assert Structure.objects.get(code="ML93001").name == "Mission locale de Marseille"
    assert Structure.objects.filter(code="PAIO93003", kind=StructureKind.PAIO).exists()
    # Structures absent from the new extract are kept (upsert), without facts.
    assert Structure.objects.filter(code="ML93002").exists()


def test_the_contract_s_tolerances_are_accepted(tmp_path):
    """BOM, CRLF, column order, extra columns, quoted values, blank lines, padding spaces."""
    directory = write_extract(tmp_path / "x", jeunes=[young("J1"), young("J2")])
    write_csv(
        directory / "contacts.csv",
        lines=[
            "type_contact;commentaire;date_contact;id_jeune",
            'ENTRETIEN_INDIVIDUEL;"premier; accueil";2011-01-03;J1',
            "",
            " ATELIER ;;2011-02-01; J2",
            '"TELEPHONE";"";"2011-03-01";"J2"',
        ],
        bom=True,
        newline="\r\n",
    )

    extract_import = run_import(directory)

    assert extract_import.status == ImportStatus.SUCCEEDED, extract_import.errors
    assert sorted(Contact.objects.values_list("young_person__id_jeune", "kind", "contact_on")) == [
        ("J1", "ENTRETIEN_INDIVIDUEL", date(2011, 1, 3)),
        ("J2", "ATELIER", date(2011, 2, 1)),
        ("J2", "TELEPHONE", date(2011, 3, 1)),
    ]


def test_files_read_in_many_blocks_keep_exact_line_numbers(tmp_path, monkeypatch):
    """Blocks of a few bytes: plain blocks, blank lines and malformed rows mixed."""
    monkeypatch.setattr(extract_sources, "CHUNK_BYTES", 64)
    people = [young(f"J{n}") for n in range(1, 40)]
    directory = write_extract(tmp_path / "x", jeunes=people)
    contact_lines = ["id_jeune;date_contact;type_contact"]
    contact_lines += [f"J{n};2011-02-01;ATELIER" for n in range(1, 30)]  # lines 2-30
    contact_lines += ["", "J1;2011-02-01"]  # line 31 blank, line 32 a value short
    contact_lines += [f"J{n};2011-03-01;ECRIT" for n in range(1, 30)]  # lines 33-61
    contact_lines += ["J2;2011-13-01;ECRIT"]  # line 62
    write_csv(directory / "contacts.csv", lines=contact_lines)

    extract_import = run_import(directory)

    assert extract_import.status == ImportStatus.FAILED
    assert extract_import.errors == [
        "contacts.csv, ligne 32 : 2 valeur(s) au lieu de 3 : vérifiez le séparateur « ; » et les guillemets",
        "contacts.csv, ligne 62, colonne date_contact : date invalide « 2011-13-01 » (format attendu AAAA-MM-JJ)",
    ]
    assert extract_import.row_counts["contacts.csv"] == 60  # every row read, the short one included


def test_progress_is_reported_as_rows_are_read(tmp_path, monkeypatch):
    monkeypatch.setattr(extract_sources, "CHUNK_BYTES", 64)
    directory = write_extract(
        tmp_path / "x", jeunes=[young(f"J{n}") for n in range(1, 31)], contacts=[contact(f"J{n}") for n in range(1, 31)]
    )
    extract_import = extract_import_create(path=directory, extracted_on=None)
    reports = []
    importer = ExtractImporter(
        import_id=extract_import.pk,
        source=directory,
        progress=lambda counts, step: reports.append((dict(counts), step)),
        progress_every=10,
    )

    outcome = importer.run()

    assert outcome.succeeded, outcome.error_details
    young_counts = [counts["jeunes.csv"] for counts, step in reports if step == "Lecture de jeunes.csv"]
    assert young_counts[-1] >= 20 and young_counts == sorted(young_counts) and len(young_counts) >= 3
    assert ("Remplacement des données" in {step for _, step in reports}) is True


def test_the_quality_report_counts_suspicious_rows_and_structures_without_young_people(tmp_path):
    extract_import = run_import(suspicious_extract(tmp_path / "x"), extracted_on=date(2011, 10, 31))

    assert extract_import.status == ImportStatus.SUCCEEDED, extract_import.errors
    report = extract_import.quality_report
    assert {item["code"]: item["count"] for item in report["suspicious"]} == SUSPICIOUS_COUNTS
    assert [s["code"] for s in report["structures_without_data"]] == ["ML93002", "PAIO93003"]
    assert report["rejected"] == {"total": 0, "by_reason": [], "by_file": {}}
    assert extract_import.first_contact_on == date(2011, 1, 3)  # the recompute's first year, kept


def test_the_recompute_adds_its_checks_to_the_quality_report_through_the_hook(tmp_path):
    extract_import = run_import(small_extract(tmp_path / "x"))
    rows = [{"Structure": "ML93001", "Période": "2011-T2", "Indicateur": "en emploi", "Valeur": 3}]

    extract_import_add_quality_section(
        extract_import_id=extract_import.pk, key="sub_lines_larger_than_parent", label="Sous-lignes", rows=rows
    )

    extract_import.refresh_from_db()
    assert extract_import.quality_report["snapshot_checks"]["sub_lines_larger_than_parent"]["rows"] == rows
    assert "suspicious" in extract_import.quality_report  # the import's own sections are kept


def test_the_task_runs_the_import_and_enqueues_the_recompute_after_a_success(tmp_path, monkeypatch):
    enqueued = []
    monkeypatch.setattr(
        tasks,
        "recompute_after_import",
        lambda extract_import_id: enqueued.append({"extract_import_id": extract_import_id}),
    )
    good = extract_import_create(path=small_extract(tmp_path / "good"), extracted_on=None)
    bad = extract_import_create(path=tmp_path / "absent", extracted_on=None)

    assert tasks.run_extract_import.delay(good.pk).get() == ImportStatus.SUCCEEDED
    assert tasks.run_extract_import.delay(bad.pk).get() == ImportStatus.FAILED

    assert enqueued == [{"extract_import_id": good.pk}]
    assert YoungPerson.objects.count() == 2


def test_a_task_delivered_twice_does_not_import_a_succeeded_extract_again(tmp_path, monkeypatch):
    monkeypatch.setattr(tasks, "recompute_after_import", lambda extract_import_id: None)
    extract_import = run_import(small_extract(tmp_path / "x"))
    finished_at = extract_import.finished_at

    tasks.run_extract_import.delay(extract_import.pk)

    extract_import.refresh_from_db()
    assert extract_import.finished_at == finished_at


def test_the_recompute_task_calls_the_recompute_with_the_import(monkeypatch):
    from dashboard import recompute

    calls = []

    class FakeSnapshot:
        pk = 42

    monkeypatch.setattr(recompute, "snapshot_recompute", lambda **kwargs: calls.append(kwargs) or FakeSnapshot())

    assert tasks.recompute_indicators.delay(extract_import_id=7).get() == 42
    assert calls == [{"extract_import_id": 7}]


# --- the command -----------------------------------------------------------------------------


def command(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_extract", *[str(arg) for arg in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_imports_and_prints_the_outcome_in_french(sample_extract):
    user = make_administrateur()
    out, _ = command(
        sample_extract, "--as-of", "2011-10-31", "--provisional", "--source", "Entrepôt test", "--user", user.email
    )

    extract_import = ExtractImport.objects.get()
    assert extract_import.status == ImportStatus.SUCCEEDED
    assert (extract_import.extracted_on, extract_import.provisional) == (date(2011, 10, 31), True)
    assert (extract_import.source_label, extract_import.created_by) == ("Entrepôt test", user)
    assert f"Import n° {extract_import.pk} réussi" in out
    assert "contacts.csv : 1\u202f978\u00a0lignes" in out
    assert "Date d'extraction : 31/10/2011 ; données provisoires." in out
    assert "Contacts datés après la date d'extraction : " in out


def test_the_command_enqueues_the_recompute_unless_told_not_to(tmp_path, monkeypatch):
    from dashboard import recompute

    enqueued = []  # without a broker, the command recomputes here
    monkeypatch.setattr(
        recompute,
        "snapshot_recompute",
        lambda extract_import_id: enqueued.append({"extract_import_id": extract_import_id}),
    )
    directory = small_extract(tmp_path / "x")

    command(directory, "--no-recompute")
    assert enqueued == []
    out, _ = command(directory)
    assert enqueued == [{"extract_import_id": ExtractImport.objects.latest("pk").pk}]
    assert "Indicateurs recalculés." in out


def seven_bad_codes_and_a_bad_date(directory):
    return small_extract(
        directory,
        jeunes=[young(f"J{n}", sexe="X") for n in range(1, 8)],
        contacts=[contact("J1", "2011-02-30")],
    )


def test_the_command_fails_with_the_first_errors_and_the_total(tmp_path):
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command(
            "import_extract", str(seven_bad_codes_and_a_bad_date(tmp_path / "x")), "--max-errors", "3", stderr=err
        )

    assert str(raised.value) == "Import refusé : 8\u00a0erreurs. Les données en place n'ont pas changé."
    extract_import = ExtractImport.objects.get()
    assert (extract_import.status, extract_import.error_count, len(extract_import.errors)) == (
        ImportStatus.FAILED,
        8,
        3,
    )
    assert "Les 3 premières erreurs :" in err.getvalue()
    assert "… et 5\u00a0erreurs de plus (8 au total)." in err.getvalue()


def test_the_command_writes_errors_on_stderr_and_exits_non_zero(tmp_path):
    import subprocess
    import sys

    from django.conf import settings

    from tests.concurrency import copy_migrated

    directory = seven_bad_codes_and_a_bad_date(tmp_path / "x")
    database = tmp_path / "cli.sqlite3"
    env = {"DATABASE_URL": f"sqlite:///{database}", "PATH": "/usr/bin:/bin", "DEBUG": "true", "LOG_LEVEL": "ERROR"}
    manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
    if not copy_migrated(database):  # the session's migrated copy, on SQLite
        subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=settings.BASE_DIR)

    result = subprocess.run(
        [*manage, "import_extract", str(directory), "--max-errors", "3"],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )

    assert result.returncode == 1
    assert "refusé : 8\u00a0erreurs. Rien n'a été modifié." in result.stderr
    assert "Les 3 premières erreurs :" in result.stderr
    assert "jeunes.csv, ligne 2, colonne sexe : code inconnu « X » (attendu : F ou H)" in result.stderr
    assert "… et 5\u00a0erreurs de plus (8 au total)." in result.stderr
    assert "Code inconnu : 7" in result.stderr
    assert "Date invalide : 1" in result.stderr
    assert "CommandError: Import refusé : 8\u00a0erreurs." in result.stderr


def test_the_command_refuses_an_invalid_as_of_date(tmp_path):
    with pytest.raises(CommandError, match="date invalide « 2011-13-01 » : format attendu AAAA-MM-JJ"):
        command(tmp_path, "--as-of", "2011-13-01")
    assert not ExtractImport.objects.exists()


@frozen
def test_an_import_whose_process_was_killed_is_marked_failed_and_its_staging_tables_dropped(tmp_path):
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from dashboard.services import ABANDONED

    killed = extract_import_create(path=tmp_path, extracted_on=None)
    ExtractImport.objects.filter(pk=killed.pk).update(
        status=ImportStatus.RUNNING, started_at=timezone.now() - timedelta(hours=3)
    )
    leftover = f"dashboard_stg_{killed.pk}_contacts"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE UNLOGGED TABLE {leftover} (line bigint)")

    run_import(small_extract(tmp_path / "x"))

    killed.refresh_from_db()
    assert (killed.status, killed.errors) == (ImportStatus.FAILED, [ABANDONED])
    if connection.vendor == "postgresql":
        assert leftover not in connection.introspection.table_names()
