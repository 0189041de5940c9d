"""Applications to a call and their rows, frozen once submitted: for the mobility platforms the
four axes of the formation-action (needs, steps, financing plan, governance partners); for the
other themes the answers to the call's sections and the financing plan."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from cnml.models import Structure
from cnml.workflows import Workflow
from mobility.models.calls import Call, CallSection
from mobility.models.carriers import Carrier, MembershipStatus
from mobility.models.catalogues import Funder, Service
from mobility.models.common import ROLE_REFUSAL, not_negative, validate_departements

__all__ = [
    "Application",
    "ApplicationAnswer",
    "ApplicationFunding",
    "ApplicationNeed",
    "ApplicationPart",
    "ApplicationStatus",
    "ApplicationStep",
    "FROZEN_APPLICATION",
    "FundingStatus",
    "GovernancePartner",
    "TerritoryType",
]


class ApplicationStatus(models.TextChoices):
    BROUILLON = "brouillon", "Brouillon"
    DEPOSEE = "deposee", "Déposée"
    RETENUE = "retenue", "Retenue"
    REFUSEE = "refusee", "Non retenue"


class TerritoryType(models.TextChoices):
    RURAL = "rural", "Rural"
    URBAIN = "urbain", "Urbain"
    MIXTE = "mixte", "Rural et urbain"


class FundingStatus(models.TextChoices):
    ACQUIS = "acquis", "Acquis"
    SOLLICITE = "sollicite", "Sollicité"


class Application(models.Model):
    """An application to a call, following the four axes of the formation-action."""

    call = models.ForeignKey(Call, verbose_name="appel", on_delete=models.PROTECT, related_name="applications")
    carrier = models.ForeignKey(Carrier, verbose_name="porteur", on_delete=models.PROTECT, related_name="applications")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="déposée par", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        "statut", max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.BROUILLON
    )
    title = models.CharField("intitulé du projet", max_length=200)
    contact_name = models.CharField("personne à contacter", max_length=150, blank=True)
    contact_email = models.EmailField("adresse e-mail de contact", blank=True)
    contact_phone = models.CharField("téléphone de contact", max_length=30, blank=True)
    partners = models.ManyToManyField(
        Structure,
        verbose_name="missions locales partenaires",
        blank=True,
        related_name="mobility_partner_applications",
    )
    # Axis 1: territory and needs of the public.
    departements = models.CharField("départements", max_length=200, blank=True, validators=[validate_departements])
    communes = models.TextField("communes ou intercommunalités", blank=True)
    territory_type = models.CharField("type de territoire", max_length=10, choices=TerritoryType.choices, blank=True)
    public_needs = models.TextField("besoins de mobilité du public", blank=True)
    # Axis 2: services.
    existing_services = models.ManyToManyField(
        Service, verbose_name="services existants sur le territoire", blank=True, related_name="+"
    )
    existing_services_details = models.TextField("qui les propose", blank=True)
    services_to_develop = models.ManyToManyField(
        Service, verbose_name="services à développer", blank=True, related_name="+"
    )
    # Axis 3: operating plan (its timetable is the ApplicationStep rows).
    staff_description = models.TextField("personnel", blank=True)
    staff_fte = models.DecimalField(
        "personnel en équivalents temps plein",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[not_negative],
    )
    vehicles_description = models.TextField("véhicules", blank=True)
    vehicle_count = models.PositiveSmallIntegerField("nombre de véhicules", null=True, blank=True)
    premises_description = models.TextField("locaux", blank=True)
    # Axis 4: financing (ApplicationFunding rows) and governance.
    governance_description = models.TextField("gouvernance", blank=True)

    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)
    submitted_at = models.DateTimeField("déposée le", null=True, blank=True)
    decided_at = models.DateTimeField("décision le", null=True, blank=True)
    decision_comment = models.TextField("motif de la décision", blank=True)

    class Meta:
        verbose_name = "candidature"
        ordering = ["-created_at"]
        constraints = [
            # The rule the submit button once skipped, held by the database for every path.
            models.CheckConstraint(
                name="mobility_submitted_application_has_contact",
                condition=Q(status="brouillon") | (~Q(contact_name="") & ~Q(contact_email="")),
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} — {self.carrier}"

    def save(self, *args, **kwargs) -> None:
        # The last line of defence, for code that skips clean(): its own fields, without a query.
        if not self.is_draft:
            missing = self.missing_fields()
            if missing:
                raise ValidationError(missing)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("mobility:application_detail", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.status == ApplicationStatus.BROUILLON

    @property
    def funding_total(self) -> Decimal:
        return sum((line.amount for line in self.fundings.all()), Decimal(0))

    def missing_contact(self) -> list[str]:
        missing = []
        if not self.contact_name.strip():
            missing.append("Contact : indiquez la personne à contacter.")
        if not self.contact_email.strip():
            missing.append("Contact : indiquez l'adresse e-mail de contact.")
        return missing

    @property
    def is_mobility(self) -> bool:
        return self.call.is_mobility

    def missing_fields(self) -> list[str]:
        """What the application's own fields lack (no query): checked at every save once submitted.

        The four axes are the mobility platforms'; another theme's questions are its call's
        sections, answered in rows (:meth:`missing_for_submission`).
        """
        missing = self.missing_contact()
        if not self.is_mobility:
            return missing
        if not self.departements:
            missing.append("Territoire : indiquez au moins un département.")
        if not self.territory_type:
            missing.append("Territoire : précisez s'il est rural, urbain ou les deux.")
        if not self.public_needs.strip():
            missing.append("Besoins : décrivez les besoins de mobilité du public.")
        if not self.staff_description.strip():
            missing.append("Fonctionnement : décrivez le personnel de la plateforme.")
        if not self.premises_description.strip():
            missing.append("Fonctionnement : décrivez les locaux.")
        return missing

    def missing_for_submission(self) -> list[str]:
        """What the application still lacks before it can be submitted, in French.

        The one list of the submission rules: the submit guard, the application page, the
        model's ``clean`` and ``save`` (once submitted) all read it, so no path skips one.
        """
        missing = self.missing_fields()
        if not self.is_mobility:
            return missing + self._missing_for_theme()
        if not self.needs.exists():
            missing.append("Besoins : ajoutez au moins un besoin du public (il deviendra un objectif du projet).")
        if not self.services_to_develop.exists():
            missing.append("Services : choisissez au moins un service à développer.")
        if not self.steps.exists():
            missing.append("Fonctionnement : ajoutez au moins une étape au calendrier.")
        if not self.fundings.exists():
            missing.append("Financement : ajoutez au moins une ligne au plan de financement.")
        if not self.governance_partners.exists() and not self.governance_description.strip():
            missing.append("Gouvernance : citez les partenaires et leur rôle.")
        return missing

    def _missing_for_theme(self) -> list[str]:
        """A call of another theme than mobility: its required sections answered, and a financing
        plan that asks the call's funders for an amount."""
        missing = []
        answered = {answer.section_id for answer in self.answers.all() if answer.text.strip()}
        for section in self.call.sections.all():
            if section.required and section.pk not in answered:
                missing.append(f"{section.title} : répondez à cette rubrique.")
        if not any(line.amount > 0 for line in self.fundings_from_call()):
            names = ", ".join(str(funder) for funder in self.call.funders.all()) or "les financeurs de l'appel"
            missing.append(f"Financement : indiquez au plan de financement le montant demandé à l'appel ({names}).")
        return missing

    def fundings_from_call(self) -> list[ApplicationFunding]:
        """The financing plan's lines from the call's funders: what the application asks of the call.

        Read through ``fundings.all()`` and ``call.funders.all()``, so that their prefetches serve it.
        """
        call_funders = {funder.pk for funder in self.call.funders.all()}
        return [line for line in self.fundings.all() if line.funder_id in call_funders]

    @property
    def requested_amount(self) -> Decimal:
        """What the application asks of the call's funders."""
        return sum((line.amount for line in self.fundings_from_call()), Decimal(0))

    def clean(self) -> None:
        # A submitted application stays complete, whichever form edits it.
        if self.pk and not self.is_draft:
            missing = self.missing_for_submission()
            if missing:
                raise ValidationError(missing)

    # Workflow (who may move it: mobility.permissions) ---------------------

    def _wrong_state_for_decision(self) -> str:
        if self.status in (ApplicationStatus.RETENUE, ApplicationStatus.REFUSEE):
            return f"Cette candidature a déjà fait l'objet d'une décision : {self.get_status_display().lower()}."
        return "Seule une candidature déposée peut être retenue ou non retenue."

    workflow = Workflow(field="status", states=ApplicationStatus, refused_by_role=ROLE_REFUSAL)

    def _submission_refusals(self, user) -> list[str]:
        """What keeps the user from submitting now: their carrier, the call's dates, the missing parts."""
        reasons = self._carrier_refusals(user)
        if not self.call.is_open():
            reasons.append(
                f"L'appel {self.call.year} n'accepte pas de candidature aujourd'hui "
                f"(ouvert du {self.call.opens_on:%d/%m/%Y} au {self.call.closes_on:%d/%m/%Y})."
            )
        return reasons + self.missing_for_submission()

    def _carrier_refusals(self, user) -> list[str]:
        """An outside organisation's application is submitted by its members only.

        Whoever typed the name of an existing organisation waits for a member or the CNML
        to approve their membership request; a network structure's users act by structure.
        """
        carrier = self.carrier
        if carrier.in_network or carrier.members.filter(pk=user.pk).exists():
            return []
        last = carrier.membership_requests.filter(user=user).order_by("-requested_at", "-pk").first()
        if last is not None and last.status == MembershipStatus.REFUSEE:
            return [
                f"Votre demande de rattachement à « {carrier.name} » a été refusée : "
                "choisissez un autre porteur, ou adressez-vous au CNML."
            ]
        return [
            f"Votre rattachement à « {carrier.name} » attend l'accord d'un de ses membres ou du CNML : "
            "vous pourrez déposer la candidature ensuite."
        ]

    def _decision_refusals(self, user) -> list[str]:
        if not self.reviews.exists():
            return ["Évaluez d'abord la candidature au regard des critères de l'appel."]
        return self.missing_fields()

    @workflow.transition(
        source=[ApplicationStatus.BROUILLON],
        target=ApplicationStatus.DEPOSEE,
        permission="mobility.permissions.acts_for_application",
        guard=_submission_refusals,
        wrong_state="Cette candidature a déjà été déposée.",
        label="Déposer la candidature",
    )
    def submit(self, user, **_) -> None:
        """brouillon → deposee: frozen from now on, under review after the call closes."""
        self.submitted_at = timezone.now()

    @workflow.transition(
        source=[ApplicationStatus.DEPOSEE],
        target=ApplicationStatus.RETENUE,
        permission="mobility.permissions.cnml_decides",
        guard=_decision_refusals,
        wrong_state=_wrong_state_for_decision,
        label="Retenir la candidature",
    )
    def select(self, user, *, comment: str) -> None:
        """deposee → retenue (:func:`mobility.services.application_select` then builds the project)."""
        self.decided_at = timezone.now()
        self.decision_comment = comment

    @workflow.transition(
        source=[ApplicationStatus.DEPOSEE],
        target=ApplicationStatus.REFUSEE,
        permission="mobility.permissions.cnml_decides",
        guard=_decision_refusals,
        wrong_state=_wrong_state_for_decision,
        comment_required="Indiquez au porteur le motif de la décision.",
        label="Ne pas retenir la candidature",
    )
    def decline(self, user, *, comment: str) -> None:
        """deposee → refusee, with the reason told to the carrier."""
        self.decided_at = timezone.now()
        self.decision_comment = comment


FROZEN_APPLICATION = "La candidature est déposée : son contenu ne se modifie plus."


class ApplicationPart(models.Model):
    """A row of an application's axes (need, step, funding, governance partner): frozen once submitted.

    Its financing plan becomes the project's approved budget: after submission nobody rewrites it,
    neither in the pages nor in the admin nor in code (``save`` and ``delete`` refuse).
    """

    application: Application

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        self._check_draft()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._check_draft()
        return super().delete(*args, **kwargs)

    def _check_draft(self) -> None:
        if (
            self.application_id
            and not Application.objects.filter(pk=self.application_id, status=ApplicationStatus.BROUILLON).exists()
        ):
            raise ValidationError(FROZEN_APPLICATION, code="frozen")


class ApplicationNeed(ApplicationPart):
    """A need of the public; it becomes a target of the project."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="needs")
    label = models.CharField("besoin", max_length=200)
    public = models.CharField("public concerné", max_length=200, blank=True)
    people_count = models.PositiveIntegerField("personnes concernées (estimation)", null=True, blank=True)

    class Meta:
        verbose_name = "besoin du public"
        verbose_name_plural = "besoins du public"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.label


class ApplicationStep(ApplicationPart):
    """A step of the operating plan's timetable; it becomes a milestone of the project."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="steps")
    label = models.CharField("étape", max_length=200)
    starts_on = models.DateField("début", null=True, blank=True)
    due_on = models.DateField("échéance")

    class Meta:
        verbose_name = "étape du calendrier"
        verbose_name_plural = "étapes du calendrier"
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        if self.starts_on and self.due_on and self.due_on < self.starts_on:
            raise ValidationError({"due_on": "L'échéance ne peut pas précéder le début de l'étape."})


class ApplicationFunding(ApplicationPart):
    """A line of the financing plan; it becomes a budget line of the project."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="fundings")
    funder = models.ForeignKey(Funder, verbose_name="financeur", on_delete=models.PROTECT, related_name="+")
    label = models.CharField("objet", max_length=200, blank=True)
    amount = models.DecimalField("montant (€)", max_digits=12, decimal_places=2, validators=[not_negative])
    status = models.CharField("statut", max_length=10, choices=FundingStatus.choices, default=FundingStatus.SOLLICITE)

    class Meta:
        verbose_name = "ligne du plan de financement"
        verbose_name_plural = "plan de financement"
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.funder} : {self.amount} €"


class GovernancePartner(ApplicationPart):
    """A partner of the platform's governance and its role."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="governance_partners")
    organisation = models.CharField("partenaire", max_length=200)
    role = models.CharField("rôle", max_length=300)

    class Meta:
        verbose_name = "partenaire de la gouvernance"
        verbose_name_plural = "partenaires de la gouvernance"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.organisation


class ApplicationAnswer(ApplicationPart):
    """The application's answer to a section of its call (themes other than mobility)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="answers")
    section = models.ForeignKey(CallSection, verbose_name="rubrique", on_delete=models.PROTECT, related_name="answers")
    text = models.TextField("réponse", blank=True)

    class Meta:
        verbose_name = "réponse à une rubrique"
        verbose_name_plural = "réponses aux rubriques"
        ordering = ["section__order", "section__pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "section"], name="mobility_one_answer_per_section")
        ]

    def __str__(self) -> str:
        return str(self.section)

    def clean(self) -> None:
        if self.application_id and self.section_id and self.section.call_id != self.application.call_id:
            raise ValidationError({"section": "Cette rubrique n'est pas celle de l'appel de la candidature."})
