"""Partners of the CNML for alternance (branches, companies, OPCA, federations) and the agreements
signed with them: the charte of 28 September 2011, the national partnership conventions and their
regional declinations, with the commitments each one makes and what they produced year after year.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import ExpressionWrapper, Q
from django.urls import reverse
from django.utils import timezone

from cnml.formatting import format_size
from cnml.models import Region, Structure
from cnml.uploads import DOCUMENT_KINDS, UploadRecord, UploadValidator, get_private_storage, random_name
from cnml.workflows import Workflow


class PartnerKind(models.TextChoices):
    BRANCHE = "branche", "Branche professionnelle"
    ENTREPRISE = "entreprise", "Entreprise"
    OPCA = "opca", "OPCA"
    FEDERATION = "federation", "Fédération"


class Partner(models.Model):
    """A signatory the CNML works with: a branch, a company, an OPCA or a federation."""

    name = models.CharField("nom", max_length=200, unique=True)
    kind = models.CharField("type", max_length=12, choices=PartnerKind.choices)
    sector = models.CharField("secteur", max_length=200, blank=True)

    class Meta:
        verbose_name = "partenaire"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AgreementKind(models.TextChoices):
    CHARTE = "charte", "Charte"
    CONVENTION_NATIONALE = "convention_nationale", "Convention nationale de partenariat"
    DECLINAISON_REGIONALE = "declinaison_regionale", "Déclinaison régionale"


class AgreementStatus(models.TextChoices):
    EN_DISCUSSION = "en_discussion", "En discussion"
    SIGNEE = "signee", "Signée"
    RENOUVELEE = "renouvelee", "Renouvelée"
    TERMINEE = "terminee", "Terminée"


# States read by everyone on the public page.
PUBLIC_STATUSES = (AgreementStatus.SIGNEE, AgreementStatus.RENOUVELEE)
# Years a result may be recorded for: from the charte (2011) on.
FIRST_YEAR = 2011
LAST_YEAR = 2100
MANAGER = "alternance.permissions.is_manager_of"


class Agreement(models.Model):
    """A charte or a convention: who signs it, when, what they commit to."""

    title = models.CharField("intitulé", max_length=255, unique=True)
    kind = models.CharField("nature", max_length=25, choices=AgreementKind.choices)
    status = models.CharField(
        "état", max_length=15, choices=AgreementStatus.choices, default=AgreementStatus.EN_DISCUSSION, editable=False
    )
    summary = models.TextField("objet", blank=True)
    signatories = models.ManyToManyField(Partner, verbose_name="signataires", related_name="agreements", blank=True)
    discussion_started_on = models.DateField("discussions ouvertes le", null=True, blank=True)
    signed_on = models.DateField("signée le", null=True, blank=True)
    renewed_on = models.DateField("renouvelée le", null=True, blank=True)
    ends_on = models.DateField("échéance", null=True, blank=True)
    ended_on = models.DateField("terminée le", null=True, blank=True)

    workflow = Workflow(field="status", states=AgreementStatus)

    class Meta:
        verbose_name = "accord"
        ordering = ["-signed_on", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("alternance:agreement", kwargs={"pk": self.pk})

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    @workflow.transition(
        source=[AgreementStatus.EN_DISCUSSION], target=AgreementStatus.SIGNEE, permission=MANAGER, label="Signer"
    )
    def sign(self, user, *, comment: str) -> None:
        self.signed_on = self.signed_on or timezone.localdate()

    @workflow.transition(
        source=[AgreementStatus.SIGNEE, AgreementStatus.RENOUVELEE],
        target=AgreementStatus.RENOUVELEE,
        permission=MANAGER,
        label="Renouveler",
    )
    def renew(self, user, *, comment: str) -> None:
        self.renewed_on = timezone.localdate()

    @workflow.transition(
        source=[AgreementStatus.EN_DISCUSSION, AgreementStatus.SIGNEE, AgreementStatus.RENOUVELEE],
        target=AgreementStatus.TERMINEE,
        permission=MANAGER,
        label="Terminer",
        comment_required="Dites pourquoi l'accord se termine.",
    )
    def end(self, user, *, comment: str) -> None:
        self.ended_on = timezone.localdate()


class CommitmentKind(models.TextChoices):
    OFFRES_EMPLOI = "offres_emploi", "Offres d'emploi en alternance"
    ATELIERS_METIERS = "ateliers_metiers", "Ateliers d'information sur les métiers"
    JEUNES_ACCOMPAGNES = "jeunes_accompagnes", "Jeunes accompagnés vers l'alternance"
    CONTRATS_SIGNES = "contrats_signes", "Contrats en alternance signés"
    AUTRE = "autre", "Autre engagement"


class Commitment(models.Model):
    """What the signatories of an agreement commit to, with a number to reach when there is one."""

    agreement = models.ForeignKey(
        Agreement, verbose_name="accord", on_delete=models.CASCADE, related_name="commitments"
    )
    kind = models.CharField("nature", max_length=20, choices=CommitmentKind.choices)
    description = models.CharField("description", max_length=255, blank=True)
    target = models.PositiveIntegerField("objectif", null=True, blank=True)

    class Meta:
        verbose_name = "engagement"
        ordering = ["agreement", "pk"]

    def __str__(self) -> str:
        return self.description or self.get_kind_display()


class LocalDeclination(models.Model):
    """An agreement taken up in a region, by its animation régionale or one of its missions locales."""

    agreement = models.ForeignKey(
        Agreement, verbose_name="accord", on_delete=models.CASCADE, related_name="declinations"
    )
    region = models.ForeignKey(Region, verbose_name="région", on_delete=models.PROTECT, related_name="+")
    structure = models.ForeignKey(
        Structure,
        verbose_name="structure",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text="La mission locale qui décline l'accord ; vide pour toute la région.",
    )
    declined_on = models.DateField("déclinée le")
    note = models.TextField("note", blank=True)

    class Meta:
        verbose_name = "déclinaison locale"
        verbose_name_plural = "déclinaisons locales"
        ordering = ["region__code", "declined_on"]

    def __str__(self) -> str:
        where = self.structure.name if self.structure_id else self.region.name
        return f"{self.agreement} — {where}"

    def clean(self) -> None:
        if self.structure_id and self.region_id and self.structure.region_id != self.region_id:
            raise ValidationError({"structure": "Cette structure n'appartient pas à la région choisie."})


class CommitmentResult(models.Model):
    """What a commitment produced in a year, in one declination."""

    declination = models.ForeignKey(
        LocalDeclination, verbose_name="déclinaison", on_delete=models.CASCADE, related_name="results"
    )
    commitment = models.ForeignKey(
        Commitment, verbose_name="engagement", on_delete=models.CASCADE, related_name="results"
    )
    year = models.PositiveSmallIntegerField(
        "année", validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]
    )
    achieved = models.PositiveIntegerField("réalisé")

    class Meta:
        verbose_name = "résultat annuel"
        verbose_name_plural = "résultats annuels"
        ordering = ["declination", "-year", "commitment"]
        constraints = [
            models.UniqueConstraint(
                fields=["declination", "commitment", "year"],
                name="alternance_one_result_per_year",
                violation_error_message="Un résultat existe déjà pour cet engagement, cette déclinaison et cette année.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commitment} — {self.year}"

    def clean(self) -> None:
        both = self.declination_id and self.commitment_id
        if both and self.commitment.agreement_id != self.declination.agreement_id:
            raise ValidationError({"commitment": "Cet engagement n'appartient pas à l'accord décliné."})


class DocumentKind(models.TextChoices):
    TEXTE_SIGNE = "texte_signe", "Texte signé"
    ANNEXE = "annexe", "Annexe"
    DOCUMENT_DE_TRAVAIL = "travail", "Document de travail"


# The signed text and its annexes are the agreement itself: public once it is signed or renewed.
# Working documents (drafts, minutes of the discussions) stay with those who follow the agreement.
PUBLIC_DOCUMENT_KINDS = (DocumentKind.TEXTE_SIGNE, DocumentKind.ANNEXE)
# The one statement of which documents everyone reads, for the download's scope, the public page and the
# follow-up's mark alike (AgreementDocumentQuerySet).
PUBLIC_DOCUMENT = Q(kind__in=PUBLIC_DOCUMENT_KINDS, agreement__status__in=PUBLIC_STATUSES)


def document_path(document: AgreementDocument, filename: str) -> str:
    """In the agreement's folder (a module-level function: the migrations name it)."""
    return random_name(f"alternance/{document.agreement_id}", filename)


class AgreementDocumentQuerySet(models.QuerySet):
    def public(self) -> AgreementDocumentQuerySet:
        """Read by everyone: the signed text and annexes of a signed or renewed agreement."""
        return self.filter(PUBLIC_DOCUMENT)

    def with_public_flag(self) -> AgreementDocumentQuerySet:
        """Each document with ``is_public``, read in the same query."""
        return self.annotate(is_public=ExpressionWrapper(PUBLIC_DOCUMENT, output_field=models.BooleanField()))


class AgreementDocument(UploadRecord):
    """A file of an agreement (its signed text, an annex, a working document), stored privately and
    served through a view that checks who may read it."""

    agreement = models.ForeignKey(Agreement, verbose_name="accord", on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField("nature", max_length=12, choices=DocumentKind.choices)
    title = models.CharField("titre", max_length=200)
    file = models.FileField(
        "fichier",
        upload_to=document_path,
        storage=get_private_storage,
        max_length=255,
        validators=[UploadValidator(kinds=DOCUMENT_KINDS)],
    )
    name = models.CharField("nom du fichier", max_length=255)
    size = models.PositiveIntegerField("taille (octets)", default=0)

    objects = AgreementDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = "document"
        ordering = ["agreement", "kind", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("alternance:document", kwargs={"pk": self.agreement_id, "document_pk": self.pk})

    @property
    def size_label(self) -> str:
        return format_size(self.size)
