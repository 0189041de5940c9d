"""The extract's data files (contract "P3-2011", docs/extract-format.md) and their checks.

Each check is a SQL condition on one staged row (``s``), run set-based over the
whole staging table: one scan per file counts every check at once, and only
the checks that fail fetch their first offending lines to build the messages.
Conditions are written with ``{column}`` placeholders (the staged column of
that CSV column) and joins to small reference tables: valid dates, valid
months, the structures of structures.csv.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from cnml.models import StructureKind
from dashboard.models import (
    CertificationLevel,
    ContactType,
    ContractType,
    ExitReason,
    Programme,
    Sex,
    SituationType,
    TrainingLevel,
    YoungPerson,
)

ID_MAX_LENGTH = YoungPerson._meta.get_field("id_jeune").max_length

# reason code -> label in the quality report (rejected rows by reason).
REJECT_REASONS = {
    "archive": "Archive illisible",
    "archive_limit": "Archive hors des limites (taille, fichiers, compression, lignes)",
    "missing_file": "Fichier manquant",
    "empty_file": "Fichier vide",
    "encoding": "Encodage illisible (UTF-8 attendu)",
    "delimiter": "Séparateur incorrect",
    "missing_column": "Colonne obligatoire absente",
    "field_count": "Nombre de valeurs incorrect sur la ligne",
    "structures": "Erreur dans structures.csv",
    "missing_value": "Valeur obligatoire manquante",
    "too_long": "Valeur trop longue",
    "invalid_date": "Date invalide",
    "invalid_month": "Mois de naissance invalide",
    "unknown_code": "Code inconnu",
    "unknown_structure": "Structure inconnue",
    "antenne": "Jeune rattaché à une antenne",
    "duplicate_id": "Identifiant de jeune en double",
    "unknown_young_person": "Jeune absent de jeunes.csv",
    "end_before_start": "Fin antérieure au début",
    "contract_required": "Type de contrat manquant pour un emploi",
    "contract_not_allowed": "Type de contrat renseigné hors emploi",
    "exit_reason_required": "Motif de sortie manquant",
    "exit_reason_without_exit": "Motif de sortie sans date de sortie",
}


def _quote(values: Sequence[str]) -> str:
    return ", ".join(f"'{value}'" for value in values)


def _expected(values: Sequence[str]) -> str:
    values = list(values)
    return values[0] if len(values) == 1 else f"{', '.join(values[:-1])} ou {values[-1]}"


@dataclass(frozen=True)
class Check:
    """A row-level rule: rows where ``condition`` holds are rejected."""

    column: str
    reason: str
    condition: str
    # SQL expressions whose values build the message of an offending row.
    values: tuple[str, ...]
    message: Callable[..., str]


@dataclass(frozen=True)
class Suspicion:
    """A row that is valid but worth a look: counted in the quality report.

    ``condition`` is on the staged row (like the checks); ``fact_condition``
    says the same on the row of the fact table (``f``, typed columns), where
    PostgreSQL counts them once the rows are in (see ``ExtractImporter``).
    """

    code: str
    label: str
    condition: str
    fact_condition: str


@dataclass(frozen=True, eq=False)
class FileSpec:
    name: str
    key: str
    columns: tuple[str, ...]
    required: tuple[str, ...]
    date_columns: tuple[str, ...] = ()
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # A file with a header and no row is an error (else a remark in the quality report).
    rows_required: bool = True
    references_young_people: bool = True
    # Columns the file may lack (docs/extract-format.md): absent, they read as empty cells.
    optional: tuple[str, ...] = ()

    def checks(self) -> list[Check]:
        checks = [
            Check(column, "missing_value", f"{{{column}}} IS NULL", (), lambda: "valeur obligatoire manquante")
            for column in self.required
        ]
        for column in self.date_columns:
            checks.append(
                Check(
                    column,
                    "invalid_date",
                    f"{{{column}}} IS NOT NULL AND d_{column}.d IS NULL",
                    (f"{{{column}}}",),
                    lambda value: f"date invalide « {value} » (format attendu AAAA-MM-JJ)",
                )
            )
        for column, choices in self.enums.items():
            checks.append(
                Check(
                    column,
                    "unknown_code",
                    f"{{{column}}} IS NOT NULL AND {{{column}}} NOT IN ({_quote(choices)})",
                    (f"{{{column}}}",),
                    lambda value, choices=choices: f"code inconnu « {value} » (attendu : {_expected(choices)})",
                )
            )
        return checks + self.extra_checks()

    def extra_checks(self) -> list[Check]:
        return []

    def joins(self, tables: dict[str, str]) -> list[str]:
        return [
            f"LEFT JOIN {tables['calendar']} d_{column} ON d_{column}.d = {{{column}}}" for column in self.date_columns
        ]

    def suspicions(self, as_of: str) -> list[Suspicion]:
        return []


class YoungPeopleSpec(FileSpec):
    def extra_checks(self) -> list[Check]:
        return [
            Check(
                "id_jeune",
                "too_long",
                f"LENGTH({{id_jeune}}) > {ID_MAX_LENGTH}",
                ("{id_jeune}",),
                lambda value: f"identifiant trop long « {value} » ({ID_MAX_LENGTH} caractères au plus)",
            ),
            Check(
                "code_structure",
                "unknown_structure",
                "{code_structure} IS NOT NULL AND st.code IS NULL",
                ("{code_structure}",),
                lambda value: f"structure inconnue « {value} » : absente de structures.csv",
            ),
            Check(
                "code_structure",
                "antenne",
                f"st.kind = '{StructureKind.ANTENNE}'",
                ("{code_structure}", "st.parent"),
                lambda value, parent: (
                    f"« {value} » est une antenne : rattachez le jeune à sa mission locale ou PAIO (« {parent} »)"
                ),
            ),
            Check(
                "date_naissance",
                "invalid_month",
                "{date_naissance} IS NOT NULL AND bm.m IS NULL",
                ("{date_naissance}",),
                lambda value: f"mois de naissance invalide « {value} » (format attendu AAAA-MM)",
            ),
        ]

    def joins(self, tables: dict[str, str]) -> list[str]:
        return [
            *super().joins(tables),
            f"LEFT JOIN {tables['structures']} st ON st.code = {{code_structure}}",
            f"LEFT JOIN {tables['months']} bm ON bm.m = {{date_naissance}}",
        ]

    def suspicions(self, as_of: str) -> list[Suspicion]:
        first = "{date_premier_accueil}"
        return [
            Suspicion(
                "first_reception_after_extraction",
                "Jeunes dont le premier accueil est daté après la date d'extraction",
                f"d_date_premier_accueil.d > '{as_of}'",
                f"f.first_reception_on > DATE '{as_of}'",
            ),
            Suspicion(
                "age_under_16",
                "Jeunes de moins de 16 ans à leur premier accueil",
                f"d_date_premier_accueil.d IS NOT NULL AND SUBSTR({first}, 1, 7) < bm.m16",
                # birth_month is the 1st of its month: same comparison of months as above.
                "f.first_reception_on < f.birth_month + INTERVAL '16 years'",
            ),
            Suspicion(
                "age_over_25",
                "Jeunes de 26 ans ou plus à leur premier accueil",
                f"d_date_premier_accueil.d IS NOT NULL AND SUBSTR({first}, 1, 7) >= bm.m26",
                "f.first_reception_on >= f.birth_month + INTERVAL '26 years'",
            ),
        ]


class ContactsSpec(FileSpec):
    def suspicions(self, as_of: str) -> list[Suspicion]:
        return [
            Suspicion(
                "contacts_after_extraction",
                "Contacts datés après la date d'extraction",
                f"d_date_contact.d > '{as_of}'",
                f"f.contact_on > DATE '{as_of}'",
            ),
            Suspicion(
                "contacts_before_2000",
                "Contacts datés d'avant 2000",
                "d_date_contact.d < '2000-01-01'",
                "f.contact_on < DATE '2000-01-01'",
            ),
        ]


class SituationsSpec(FileSpec):
    def extra_checks(self) -> list[Check]:
        return [
            Check(
                "type_contrat",
                "contract_required",
                f"{{type_situation}} = '{SituationType.EMPLOI}' AND {{type_contrat}} IS NULL",
                (),
                lambda: "type de contrat obligatoire pour une situation EMPLOI",
            ),
            Check(
                "type_contrat",
                "contract_not_allowed",
                f"{{type_situation}} IN ({_quote([SituationType.FORMATION, SituationType.IMMERSION])}) "
                "AND {type_contrat} IS NOT NULL",
                ("{type_contrat}", "{type_situation}"),
                lambda value, kind: (
                    f"type de contrat « {value} » pour une situation {kind} : il doit rester vide hors EMPLOI"
                ),
            ),
            Check(
                "date_fin",
                "end_before_start",
                "d_date_debut.d IS NOT NULL AND d_date_fin.d IS NOT NULL AND {date_fin} < {date_debut}",
                ("{date_fin}", "{date_debut}"),
                lambda end, start: f"date de fin « {end} » antérieure à la date de début « {start} »",
            ),
        ]

    def suspicions(self, as_of: str) -> list[Suspicion]:
        return [
            Suspicion(
                "situations_after_extraction",
                "Situations commençant après la date d'extraction",
                f"d_date_debut.d > '{as_of}'",
                f"f.start_on > DATE '{as_of}'",
            )
        ]


class EnrolmentsSpec(FileSpec):
    def extra_checks(self) -> list[Check]:
        return [
            Check(
                "date_sortie",
                "end_before_start",
                "d_date_entree.d IS NOT NULL AND d_date_sortie.d IS NOT NULL AND {date_sortie} < {date_entree}",
                ("{date_sortie}", "{date_entree}"),
                lambda end, start: f"date de sortie « {end} » antérieure à la date d'entrée « {start} »",
            ),
            Check(
                "motif_sortie",
                "exit_reason_required",
                "{date_sortie} IS NOT NULL AND {motif_sortie} IS NULL",
                (),
                lambda: "motif de sortie obligatoire quand la date de sortie est renseignée",
            ),
            Check(
                "motif_sortie",
                "exit_reason_without_exit",
                "{date_sortie} IS NULL AND {motif_sortie} IS NOT NULL",
                ("{motif_sortie}",),
                lambda value: (
                    f"motif de sortie « {value} » sans date de sortie : "
                    "laissez-le vide tant que le jeune n'est pas sorti du dispositif"
                ),
            ),
        ]

    def suspicions(self, as_of: str) -> list[Suspicion]:
        return [
            Suspicion(
                "enrolments_after_extraction",
                "Entrées en dispositif datées après la date d'extraction",
                f"d_date_entree.d > '{as_of}'",
                f"f.entry_on > DATE '{as_of}'",
            ),
            Suspicion(
                "exits_after_extraction",
                "Sorties de dispositif datées après la date d'extraction",
                f"d_date_sortie.d > '{as_of}'",
                f"f.exit_on > DATE '{as_of}'",
            ),
        ]


STRUCTURES = "structures.csv"

YOUNG_PEOPLE = YoungPeopleSpec(
    name="jeunes.csv",
    key="jeunes",
    columns=(
        "id_jeune",
        "code_structure",
        "date_naissance",
        "sexe",
        "niveau_formation",
        "date_premier_accueil",
    ),
    required=("id_jeune", "code_structure", "date_naissance", "sexe", "niveau_formation", "date_premier_accueil"),
    date_columns=("date_premier_accueil",),
    enums={
        "sexe": tuple(Sex.values),
        "niveau_formation": tuple(TrainingLevel.values),
        "niveau_certification": tuple(CertificationLevel.values),
    },
    references_young_people=False,
    optional=("niveau_certification",),
)
CONTACTS = ContactsSpec(
    name="contacts.csv",
    key="contacts",
    columns=("id_jeune", "date_contact", "type_contact"),
    required=("id_jeune", "date_contact", "type_contact"),
    date_columns=("date_contact",),
    enums={"type_contact": tuple(ContactType.values)},
)
SITUATIONS = SituationsSpec(
    name="situations.csv",
    key="situations",
    columns=("id_jeune", "type_situation", "type_contrat", "date_debut", "date_fin"),
    required=("id_jeune", "type_situation", "date_debut"),
    date_columns=("date_debut", "date_fin"),
    enums={"type_situation": tuple(SituationType.values), "type_contrat": tuple(ContractType.values)},
    rows_required=False,
)
ENROLMENTS = EnrolmentsSpec(
    name="dispositifs.csv",
    key="dispositifs",
    columns=("id_jeune", "dispositif", "date_entree", "date_sortie", "motif_sortie"),
    required=("id_jeune", "dispositif", "date_entree"),
    date_columns=("date_entree", "date_sortie"),
    enums={"dispositif": tuple(Programme.values), "motif_sortie": tuple(ExitReason.values)},
    rows_required=False,
)

# In reading order: young people before the files that reference them.
DATA_FILES: tuple[FileSpec, ...] = (YOUNG_PEOPLE, CONTACTS, SITUATIONS, ENROLMENTS)
ALL_FILES = (STRUCTURES, *(spec.name for spec in DATA_FILES))
