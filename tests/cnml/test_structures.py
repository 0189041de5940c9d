"""Loading the network from an extract's structures.csv, and its admin import-export."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from cnml.models import Region, Role, Structure, StructureKind
from cnml.resources import StructureResource
from tests.factories import MissionLocaleFactory, RegionFactory

pytestmark = pytest.mark.django_db

HEADER = "code_structure;nom;type;code_region;nom_region;code_parent"


@pytest.fixture
def sample_csv() -> Path:
    path = settings.DEMO_DATA_DIR / "extract-sample" / "structures.csv"
    assert path.exists(), path
    return path


def load(path: Path) -> str:
    out = io.StringIO()
    call_command("load_structures", str(path), stdout=out)
    return out.getvalue()


def write_csv(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "structures.csv"
    path.write_bytes(text.encode(encoding))
    return path


def snapshot() -> tuple[list, list]:
    return (
        list(Structure.objects.order_by("code").values_list("code", "name", "kind", "region__code", "parent__code")),
        list(Region.objects.order_by("code").values_list("code", "name")),
    )


def test_loading_the_sample_creates_15_structures_in_3_regions(sample_csv):
    output = load(sample_csv)

    assert Structure.objects.count() == 15
    assert Region.objects.count() == 3
    assert "15 créée(s), 0 mise(s) à jour" in output
    assert set(Region.objects.values_list("code", "name")) == {
        ("93", "Provence-Alpes-Côte d'Azur"),
        ("31", "Nord-Pas-de-Calais"),
        ("11", "Île-de-France"),
    }
    assert Structure.objects.filter(kind=StructureKind.ML).count() == 6
    antenne = Structure.objects.get(code="ML93002A2")
    assert antenne.kind == StructureKind.ANTENNE
    assert antenne.parent.code == "ML93002"
    assert antenne.region.code == "93"
    assert set(Structure.objects.get(code="ML31002").antennes.values_list("code", flat=True)) == {
        "ML31002A1",
        "ML31002A2",
    }


def test_loading_a_directory_reads_its_structures_csv(sample_csv):
    load(sample_csv.parent)

    assert Structure.objects.count() == 15


def test_reloading_the_sample_creates_nothing_and_keeps_ids(sample_csv):
    load(sample_csv)
    before = dict(Structure.objects.values_list("code", "pk"))
    regions_before = dict(Region.objects.values_list("code", "pk"))

    output = load(sample_csv)

    assert "0 créée(s), 15 mise(s) à jour" in output
    assert dict(Structure.objects.values_list("code", "pk")) == before
    assert dict(Region.objects.values_list("code", "pk")) == regions_before


def test_a_changed_name_is_updated_in_place_never_duplicated(sample_csv, tmp_path):
    load(sample_csv)
    pk = Structure.objects.get(code="ML93001").pk
    changed = sample_csv.read_text(encoding="utf-8").replace(
        "ML93001;Mission locale Provence-Alpes-Côte d'Azur 1;", "ML93001;Mission locale de Marseille;"
    )
    assert "Mission locale de Marseille" in changed

    load(write_csv(tmp_path, changed))

    assert Structure.objects.count() == 15
    structure = Structure.objects.get(code="ML93001")
    assert structure.pk == pk
    assert structure.name == "Mission locale de Marseille"
    assert Structure.objects.filter(name__startswith="Mission locale Provence-Alpes-Côte d'Azur 1").count() == 0


def test_reloading_reactivates_and_keeps_structures_outside_the_file(sample_csv, tmp_path):
    load(sample_csv)
    Structure.objects.filter(code="ML11001").update(active=False)
    extra = MissionLocaleFactory(code="MLHORS", region=RegionFactory(code="944"))

    load(sample_csv)

    assert Structure.objects.get(code="ML11001").active
    assert Structure.objects.filter(pk=extra.pk).exists()


def test_antenne_may_point_at_a_parent_already_in_the_database(sample_csv, tmp_path):
    load(sample_csv)
    path = write_csv(
        tmp_path, f"{HEADER}\nML93001A9;Antenne 9 de ML93001;ANTENNE;93;Provence-Alpes-Côte d'Azur;ML93001\n"
    )

    load(path)

    assert Structure.objects.get(code="ML93001A9").parent.code == "ML93001"


def test_utf8_with_bom_and_reordered_columns_are_accepted(tmp_path):
    text = "\ufeffnom;code_structure;code_parent;type;code_region;nom_region;commentaire\nMission locale d'Évry;ML11009;;ML;11;Île-de-France;x\n"

    load(write_csv(tmp_path, text))

    structure = Structure.objects.get(code="ML11009")
    assert structure.name == "Mission locale d'Évry"
    assert structure.region.name == "Île-de-France"


VALID_ROWS = [
    "ML93001;Mission locale renommée;ML;93;Provence-Alpes-Côte d'Azur;",
    "ML93001A1;Antenne 1 de ML93001;ANTENNE;93;Provence-Alpes-Côte d'Azur;ML93001",
    "ML99001;Mission locale nouvelle;ML;99;Région nouvelle;",
]


def csv_with(*bad_rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *VALID_ROWS, *bad_rows]) + "\n"


# name -> (file content, encoding, fragments the error must name)
INVALID_FILES = {
    "colonne manquante": (
        csv_with(header="code_structure;nom;type;code_region;nom_region").replace(";ML93001\n", "\n"),
        "utf-8",
        ["structures.csv", "ligne 1", "colonne code_parent", "colonne obligatoire absente"],
    ),
    "séparateur virgule": (
        csv_with().replace(";", ","),
        "utf-8",
        ["structures.csv", "ligne 1", "séparateur incorrect", "« ; »"],
    ),
    "encodage Latin-1": (
        csv_with("ML11005;Mission locale d'Évry;ML;11;Île-de-France;"),
        "latin-1",
        # The first non-ASCII letter is the "é" (0xE9 in Latin-1) of "renommée", line 2.
        ["structures.csv", "ligne 2", "encodage illisible", "0xE9", "UTF-8"],
    ),
    "type inconnu": (
        csv_with("ML11005;Maison de l'emploi;MDE;11;Île-de-France;"),
        "utf-8",
        ["structures.csv", "ligne 5", "colonne type", "type inconnu « MDE »"],
    ),
    "antenne sans rattachement": (
        csv_with("ML11005A1;Antenne orpheline;ANTENNE;11;Île-de-France;"),
        "utf-8",
        ["structures.csv", "ligne 5", "colonne code_parent", "une antenne doit avoir une structure de rattachement"],
    ),
    "rattachement inconnu": (
        csv_with("ML11005A1;Antenne perdue;ANTENNE;11;Île-de-France;ML11999"),
        "utf-8",
        ["structures.csv", "ligne 5", "colonne code_parent", "structure de rattachement inconnue « ML11999 »"],
    ),
    "code en double": (
        csv_with("ML99001;Mission locale en double;ML;99;Région nouvelle;"),
        "utf-8",
        ["structures.csv", "ligne 5", "colonne code_structure", "code « ML99001 » en double", "déjà ligne 4"],
    ),
    "fichier vide": ("", "utf-8", ["structures.csv", "ligne 1", "fichier vide"]),
    "en-tête seul": (HEADER + "\n", "utf-8", ["structures.csv", "fichier vide : aucune structure"]),
}


@pytest.mark.parametrize("case", INVALID_FILES)
def test_invalid_file_is_refused_with_a_french_message_and_changes_nothing(sample_csv, tmp_path, case):
    text, encoding, fragments = INVALID_FILES[case]
    load(sample_csv)
    before = snapshot()
    path = write_csv(tmp_path, text, encoding)

    with pytest.raises(CommandError) as excinfo:
        load(path)

    message = str(excinfo.value)
    assert "rien n'a été modifié" in message
    for fragment in fragments:
        assert fragment in message, f"« {fragment} » absent de : {message}"
    # All or nothing: the valid rows of the file were not applied either.
    assert snapshot() == before
    assert not Structure.objects.filter(code="ML99001").exists()
    assert Structure.objects.get(code="ML93001").name == "Mission locale Provence-Alpes-Côte d'Azur 1"


def test_encoding_error_names_the_right_line_in_a_large_file(tmp_path):
    # Beyond the decoder's read buffer: the line must be counted in the file, not in the buffer.
    rows = [f"ML9{n:04d};Mission locale {n};ML;93;Provence;" for n in range(1000)]
    text = "\n".join([HEADER, *rows, "ML99999;Mission locale d'Évry;ML;11;Île-de-France;"]) + "\n"
    path = write_csv(tmp_path, text, "latin-1")
    assert path.stat().st_size > 30_000

    with pytest.raises(CommandError) as excinfo:
        load(path)

    assert "structures.csv, ligne 1002" in str(excinfo.value)
    assert not Structure.objects.exists()


def test_invalid_file_on_an_empty_database_creates_nothing(tmp_path):
    path = write_csv(tmp_path, csv_with("ML11005;Maison de l'emploi;MDE;11;Île-de-France;"))

    with pytest.raises(CommandError):
        load(path)

    assert not Structure.objects.exists()
    assert not Region.objects.exists()


def test_every_error_of_the_file_is_reported(tmp_path):
    path = write_csv(
        tmp_path,
        csv_with(
            "ML11005;Maison de l'emploi;MDE;11;Île-de-France;",
            "ML11005A1;Antenne orpheline;ANTENNE;11;Île-de-France;",
            ";Sans code;ML;11;Île-de-France;",
        ),
    )

    with pytest.raises(CommandError) as excinfo:
        load(path)

    message = str(excinfo.value)
    assert message.startswith("3 erreur(s)")
    assert "ligne 5, colonne type" in message
    assert "ligne 6, colonne code_parent" in message
    assert "ligne 7, colonne code_structure : valeur obligatoire manquante" in message


def test_missing_file_is_refused_in_french(tmp_path):
    with pytest.raises(CommandError) as excinfo:
        load(tmp_path / "structures.csv")

    assert "structures.csv : fichier manquant" in str(excinfo.value)


def test_antenne_of_an_antenne_is_refused(tmp_path):
    path = write_csv(
        tmp_path,
        csv_with("ML93001A2;Antenne de l'antenne;ANTENNE;93;Provence-Alpes-Côte d'Azur;ML93001A1"),
    )

    with pytest.raises(CommandError) as excinfo:
        load(path)

    assert "ligne 5, colonne code_parent : « ML93001A1 » n'est ni une mission locale ni une PAIO" in str(excinfo.value)
    assert not Structure.objects.exists()


# --- Admin import-export -------------------------------------------------------------------


def test_admin_structure_import_page_opens_for_administrateur(users, client_for):
    response = client_for(users[Role.ADMINISTRATEUR]).get("/admin/cnml/structure/import/")

    assert response.status_code == 200
    content = response.content.decode()
    assert "Importer" in content
    assert "code_structure" in content


def test_admin_structure_import_page_is_closed_to_relecteur(users, client_for):
    response = client_for(users[Role.RELECTEUR_CNML]).get("/admin/cnml/structure/import/")

    assert response.status_code == 403


def test_structure_resource_exports_codes_as_csv(sample_csv):
    load(sample_csv)

    exported = StructureResource().export().csv
    lines = exported.splitlines()

    assert lines[0] == "code_structure,nom,type,code_region,code_parent,active"
    assert len(lines) == 16
    assert "ML93002A2,Antenne 2 de ML93002,ANTENNE,93,ML93002,True" in lines
    for code in Structure.objects.values_list("code", flat=True):
        assert any(line.startswith(f"{code},") for line in lines[1:]), code


def test_admin_exports_structures_as_csv(users, network, client_for):
    client = client_for(users[Role.ADMINISTRATEUR])
    page = client.get("/admin/cnml/structure/export/").content.decode()
    csv_format = re.search(r'<option value="(\d+)">\s*csv\s*</option>', page, re.IGNORECASE)
    assert csv_format, "format CSV absent du formulaire d'export"
    fields = {f"structureresource_{name}": "on" for name in StructureResource._meta.fields}

    response = client.post("/admin/cnml/structure/export/", {"format": csv_format.group(1), "resource": "0", **fields})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())  # a BOM: accents read as UTF-8
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "code_structure;nom;type;code_region;code_parent;active"
    assert {line.split(";")[0] for line in lines[1:]} == {s.code for s in network.all_structures}
    assert "ANTA1;Antenne Alpha 1;ANTENNE;901;MLA1;True" in lines


def test_relecteur_may_export_but_not_import_structures(users, client_for):
    client = client_for(users[Role.RELECTEUR_CNML])
    changelist = client.get("/admin/cnml/structure/").content.decode()

    assert client.get("/admin/cnml/structure/export/").status_code == 200
    assert "/admin/cnml/structure/export/" in changelist
    assert "/admin/cnml/structure/import/" not in changelist
