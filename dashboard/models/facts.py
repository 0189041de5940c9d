"""Facts of the latest imported extract, import records, and indicator snapshots.

The fact tables hold exactly one extract at a time (an extract is a full
snapshot of the warehouse): a successful import replaces them in one
transaction. Young people reference structures by id; contacts, situations and
enrolments reference young people by the fact table's integer id, so that the
recompute joins on integers.

Indexes are few on purpose: the facts are only read whole, by the recompute's
set-based scans, and every index is rebuilt at each import (millions of rows).
On PostgreSQL the import builds new tables and swaps them in by renaming (see
``dashboard.importer.core``).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from cnml.audit import recorded_by
from cnml.csvfiles import CsvError
from cnml.models import Structure
from cnml.uploads import get_private_storage


class Sex(models.TextChoices):
    F = "F", "Femme"
    H = "H", "Homme"


class TrainingLevel(models.TextChoices):
    VI = "VI", "VI"
    VBIS = "Vbis", "V bis"
    V = "V", "V"
    IV = "IV", "IV"
    III = "III", "III"
    II = "II", "II"
    I = "I", "I"  # noqa: E741 - the level's official name


class CertificationLevel(models.TextChoices):
    """The highest certification (diploma) obtained: optional column ``niveau_certification``."""

    AUCUNE = "AUCUNE", "Aucune certification"
    V = "V", "V"
    IV = "IV", "IV"
    III = "III", "III"
    II = "II", "II"
    I = "I", "I"  # noqa: E741 - the level's official name


class ContactType(models.TextChoices):
    ENTRETIEN_INDIVIDUEL = "ENTRETIEN_INDIVIDUEL", "Entretien individuel"
    ATELIER = "ATELIER", "Atelier"
    INFO_COLLECTIVE = "INFO_COLLECTIVE", "Information collective"
    TELEPHONE = "TELEPHONE", "Téléphone"
    ECRIT = "ECRIT", "Écrit"


class SituationType(models.TextChoices):
    EMPLOI = "EMPLOI", "Emploi"
    FORMATION = "FORMATION", "Formation"
    IMMERSION = "IMMERSION", "Immersion"


class ContractType(models.TextChoices):
    CDI = "CDI", "CDI"
    CDD = "CDD", "CDD"
    INTERIM = "INTERIM", "Intérim"
    CONTRAT_AIDE = "CONTRAT_AIDE", "Contrat aidé"
    APPRENTISSAGE = "APPRENTISSAGE", "Apprentissage"
    PROFESSIONNALISATION = "PROFESSIONNALISATION", "Professionnalisation"


class Programme(models.TextChoices):
    CIVIS = "CIVIS", "CIVIS"
    ANI = "ANI", "ANI"
    CONTRAT_AUTONOMIE = "CONTRAT_AUTONOMIE", "Contrat d'autonomie"


class ExitReason(models.TextChoices):
    EMPLOI_DURABLE = "EMPLOI_DURABLE", "Emploi durable"
    EMPLOI = "EMPLOI", "Emploi"
    ALTERNANCE = "ALTERNANCE", "Alternance"
    FORMATION = "FORMATION", "Formation"
    CREATION_ENTREPRISE = "CREATION_ENTREPRISE", "Création d'entreprise"
    RETOUR_FORMATION_INITIALE = "RETOUR_FORMATION_INITIALE", "Retour en formation initiale"
    ABANDON = "ABANDON", "Abandon"
    DEMENAGEMENT = "DEMENAGEMENT", "Déménagement"
    LIMITE_AGE = "LIMITE_AGE", "Limite d'âge"
    AUTRE = "AUTRE", "Autre"


class YoungPerson(models.Model):
    """jeunes.csv: one row per pseudonymous young person."""

    id_jeune = models.CharField("identifiant", max_length=40)
    structure = models.ForeignKey(Structure, on_delete=models.PROTECT, related_name="+", db_index=False)
    birth_month = models.DateField("mois de naissance", help_text="Premier jour du mois (AAAA-MM).")
    sex = models.CharField("sexe", max_length=1, choices=Sex.choices)
    training_level = models.CharField("niveau de formation", max_length=4, choices=TrainingLevel.choices)
    first_reception_on = models.DateField("date du premier accueil")
    # Empty: unknown, or the extract had no ``niveau_certification`` column (see ExtractImport).
    certification_level = models.CharField(
        "niveau de certification", max_length=6, choices=CertificationLevel.choices, blank=True
    )

    class Meta:
        verbose_name = "jeune"
        # A constraint rather than unique=True: no extra LIKE index on PostgreSQL.
        constraints = [models.UniqueConstraint(fields=["id_jeune"], name="youngperson_unique_id_jeune")]

    def __str__(self) -> str:
        return self.id_jeune


class Contact(models.Model):
    """contacts.csv: every contact (event) with a young person."""

    young_person = models.ForeignKey(YoungPerson, on_delete=models.CASCADE, related_name="+", db_index=False)
    contact_on = models.DateField("date du contact")
    kind = models.CharField("type de contact", max_length=20, choices=ContactType.choices)

    class Meta:
        verbose_name = "contact"

    def __str__(self) -> str:
        return f"{self.kind} {self.contact_on}"


class Situation(models.Model):
    """situations.csv: employment, training and immersion periods."""

    young_person = models.ForeignKey(YoungPerson, on_delete=models.CASCADE, related_name="+", db_index=False)
    kind = models.CharField("type de situation", max_length=10, choices=SituationType.choices)
    contract = models.CharField("type de contrat", max_length=20, choices=ContractType.choices, blank=True)
    start_on = models.DateField("date de début")
    end_on = models.DateField("date de fin", null=True, blank=True)

    class Meta:
        verbose_name = "situation"

    def __str__(self) -> str:
        return f"{self.kind} {self.start_on}"


class Enrolment(models.Model):
    """dispositifs.csv: programme enrolments (CIVIS, ANI, contrat d'autonomie)."""

    young_person = models.ForeignKey(YoungPerson, on_delete=models.CASCADE, related_name="+", db_index=False)
    programme = models.CharField("dispositif", max_length=20, choices=Programme.choices)
    entry_on = models.DateField("date d'entrée")
    exit_on = models.DateField("date de sortie", null=True, blank=True)
    exit_reason = models.CharField("motif de sortie", max_length=30, choices=ExitReason.choices, blank=True)

    class Meta:
        verbose_name = "entrée en dispositif"
        verbose_name_plural = "entrées en dispositif"

    def __str__(self) -> str:
        return f"{self.programme} {self.entry_on}"


class ImportStatus(models.TextChoices):
    PENDING = "en_attente", "En attente"
    RUNNING = "en_cours", "En cours"
    SUCCEEDED = "reussi", "Réussi"
    FAILED = "echoue", "Échoué"


# The warehouse's data start in the 2000s (contacts before 2000 are suspicious, see the quality
# report): an extraction dated earlier is a typing error.
EARLIEST_EXTRACTION_DATE = date(2000, 1, 1)


def extraction_date_error(value: date | None, *, read_from_contacts: bool = False) -> str | None:
    """Why ``value`` cannot be an extraction date (in the future, before 2000), in French; None when it can.

    ``read_from_contacts``: the date was not given but taken from the last contact of the extract.
    """
    if value is None:
        return None
    today = timezone.localdate()
    if read_from_contacts:
        if value > today or value < EARLIEST_EXTRACTION_DATE:
            problem = "est dans le futur" if value > today else f"est antérieure au {EARLIEST_EXTRACTION_DATE:%d/%m/%Y}"
            return (
                f"contacts.csv : la date d'extraction, lue sur le dernier contact ({value:%d/%m/%Y}), {problem} : "
                "indiquez la date d'extraction ou corrigez les contacts."
            )
        return None
    if value > today:
        return (
            f"La date d'extraction ({value:%d/%m/%Y}) est dans le futur : une extraction est datée au plus "
            f"d'aujourd'hui ({today:%d/%m/%Y})."
        )
    if value < EARLIEST_EXTRACTION_DATE:
        return (
            f"La date d'extraction ({value:%d/%m/%Y}) est antérieure au {EARLIEST_EXTRACTION_DATE:%d/%m/%Y} : "
            "vérifiez-la."
        )
    return None


def reason_row(reason: str) -> list:
    """Why an import failed before reading its files, as an error row without file, line nor column."""
    return ["", None, "", "", reason]


def error_sentence(row: list) -> str:
    """A row of ``ExtractImport.error_details`` as the sentence the pages show."""
    file, line, column, value, message = row
    return str(CsvError(file, line, column, message, value=value)) if file else message


class ExtractImport(models.Model):
    """The record of one import attempt: who, when, what, how it went."""

    created_at = models.DateTimeField("créé le", auto_now_add=True)
    created_by = recorded_by("par")
    source_label = models.CharField("source", max_length=200, default="Parcours 3, entrepôt national")
    # Empty until the import reads it from the data when not given (the date of the last contact).
    extracted_on = models.DateField("date d'extraction", null=True, blank=True)
    # Set by a successful import: the recompute's first year, without a scan of the contacts.
    first_contact_on = models.DateField("date du premier contact", null=True, blank=True, editable=False)
    provisional = models.BooleanField("données provisoires", default=False)
    # The demo's invented extract (``manage.py demo``): its figures say so everywhere and are
    # never validated by the CNML. Set by the demo only.
    demo = models.BooleanField("données de démonstration", default=False, editable=False)
    # Set by a successful import: whether jeunes.csv had the optional ``niveau_certification``
    # column (without it, ``ani_eligibles`` is not available). None: imported before the column.
    has_certification = models.BooleanField(
        "colonne niveau_certification présente", null=True, blank=True, editable=False
    )
    # Pseudonymised individual data: stored privately, never served by the web server.
    archive = models.FileField("archive", upload_to="extracts/", storage=get_private_storage, blank=True)
    path = models.CharField("chemin importé", max_length=500, blank=True)
    status = models.CharField("état", max_length=12, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    step = models.CharField("étape en cours", max_length=200, blank=True)
    started_at = models.DateTimeField("commencé le", null=True, blank=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)
    # file name -> rows read so far (progress) and at the end (counts).
    row_counts = models.JSONField("lignes lues par fichier", default=dict, blank=True)
    error_count = models.PositiveIntegerField("nombre d'erreurs", default=0)
    # The first errors (dashboard.importer.MAX_ERRORS) as [file, line, column, value, message]: the rows
    # of the error CSV, read as sentences by ``errors``. An import that failed before reading its files
    # keeps its reason alone, in a row without a file (``reason_row``).
    error_details = models.JSONField("détail des erreurs", default=list, blank=True, editable=False)
    quality_report = models.JSONField("rapport de qualité", default=dict, blank=True)

    class Meta:
        verbose_name = "import d'extraction"
        verbose_name_plural = "imports d'extraction"
        ordering = ["-created_at"]
        constraints = [
            # The floor holds for every write (the future depends on the day: checked by clean()).
            models.CheckConstraint(
                condition=models.Q(extracted_on__isnull=True) | models.Q(extracted_on__gte=EARLIEST_EXTRACTION_DATE),
                name="extractimport_extracted_on_from_2000",
                violation_error_message="La date d'extraction est antérieure au 01/01/2000 : vérifiez-la.",
            )
        ]

    def __str__(self) -> str:
        if self.extracted_on is None:
            return f"Import n° {self.pk} ({self.get_status_display()})"
        return f"Import du {self.extracted_on:%d/%m/%Y} ({self.get_status_display()})"

    def clean(self) -> None:
        super().clean()
        error = extraction_date_error(self.extracted_on)
        if error:
            raise ValidationError({"extracted_on": error}, code="extraction_date")

    @property
    def errors(self) -> list[str]:
        """The errors kept as French sentences naming file, line and column (a reason reads alone)."""
        return [error_sentence(row) for row in self.error_details]

    @property
    def first_error(self) -> str:
        return error_sentence(self.error_details[0]) if self.error_details else ""

    @property
    def errors_in_files(self) -> bool:
        """Errors of the files' contents (else the import did not read them: its reason says why)."""
        return any(row[0] for row in self.error_details)

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None
