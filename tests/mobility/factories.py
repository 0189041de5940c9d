"""Factories and builders of the mobility tests.

``make_call()`` gives a published call open today; ``make_application()`` a complete draft
(the four axes filled); ``make_project()`` a selected application turned into a project
by the real service; ``make_report()`` a consistent activity report.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from mobility.models import (
    ActivityReport,
    Application,
    ApplicationAnswer,
    ApplicationFunding,
    ApplicationNeed,
    ApplicationStatus,
    ApplicationStep,
    Call,
    CallSection,
    CallStatus,
    CallTheme,
    Carrier,
    CarrierKind,
    Funder,
    FundingStatus,
    GovernancePartner,
    ReportPeriod,
    ReportStatus,
    SelectionCriterion,
    Service,
    ServiceDelivery,
    TerritoryType,
)
from mobility.services import project_create_from_application


class ServiceFactory(DjangoModelFactory):
    class Meta:
        model = Service
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"service-{n}")
    name = factory.Sequence(lambda n: f"Service n° {n}")
    unit = "trajets"


class FunderFactory(DjangoModelFactory):
    class Meta:
        model = Funder
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Financeur n° {n}")


class CallFactory(DjangoModelFactory):
    """A published call, open today, with two criteria and two formation-action places."""

    class Meta:
        model = Call
        django_get_or_create = ("theme", "year")
        skip_postgeneration_save = True

    theme = CallTheme.MOBILITE
    year = factory.Sequence(lambda n: 2030 + n)
    title = factory.LazyAttribute(lambda call: f"Appel à projets {call.year}")
    text = "Plateformes solidaires d'aide à la mobilité."
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=10))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=20))
    eligibility_criteria = "Missions locales et partenaires."
    formation_action_places = 2
    status = CallStatus.PUBLIE

    @factory.post_generation
    def criteria(self, create, extracted, **kwargs):
        if not create:
            return
        labels = extracted if extracted is not None else ["Besoin social", "Modèle économique"]
        for order, label in enumerate(labels):
            SelectionCriterion.objects.create(call=self, label=label, max_score=5, order=order)


class AlternanceCallFactory(CallFactory):
    """A published alternance call open today: the FPSPP's envelope, three sections (the last optional)."""

    theme = CallTheme.ALTERNANCE
    title = factory.LazyAttribute(lambda call: f"Appel à projets alternance {call.year}")
    formation_action_places = 0
    envelope = Decimal(12_000_000)

    @factory.post_generation
    def sections(self, create, extracted, **kwargs):
        if not create:
            return
        specs = (
            extracted
            if extracted is not None
            else [
                ("Le public", True),
                ("L'accompagnement vers l'alternance", True),
                ("Les résultats attendus", False),
            ]
        )
        for order, (title, required) in enumerate(specs):
            CallSection.objects.create(call=self, title=title, required=required, order=order)

    @factory.post_generation
    def funders(self, create, extracted, **kwargs):
        if create:
            self.funders.set(extracted if extracted is not None else [FunderFactory(name="FPSPP", order=1)])


class CarrierFactory(DjangoModelFactory):
    """An organisation outside the network (a maison de l'emploi) unless ``structure`` is given."""

    class Meta:
        model = Carrier

    name = factory.Sequence(lambda n: f"Maison de l'emploi n° {n}")
    kind = CarrierKind.MAISON_EMPLOI
    region = None
    structure = None


def catalogue() -> dict:
    """Services and funders, by short name."""
    return {
        "location": ServiceFactory(code="location", name="Location de véhicules", unit="journées de location"),
        "garage": ServiceFactory(code="garage-associatif", name="Garage associatif", unit="réparations"),
        "covoiturage": ServiceFactory(code="covoiturage", name="Site de covoiturage", unit="trajets partagés"),
        "etat": FunderFactory(name="État", order=1),
        "region": FunderFactory(name="Conseil régional", order=2),
        "macif": FunderFactory(name="Fondation MACIF", order=0),
    }


def make_application(*, call: Call, user, carrier: Carrier, cat: dict, complete: bool = True, **fields) -> Application:
    """A draft application; ``complete`` fills the four axes so it can be submitted."""
    defaults = {
        "title": f"Plateforme de {carrier.name}",
        "contact_name": "Claire Dupont",
        "contact_email": "contact@porteur.example.fr",
    }
    if complete:
        defaults.update(
            departements="30, 34",
            communes="Nîmes, Alès",
            territory_type=TerritoryType.MIXTE,
            public_needs="Des jeunes sans permis loin des zones d'emploi.",
            staff_description="Un conseiller mobilité.",
            staff_fte=Decimal("1.5"),
            vehicles_description="Trois voitures.",
            vehicle_count=3,
            premises_description="Un garage prêté par la commune.",
            governance_description="Comité de pilotage semestriel.",
        )
    defaults.update(fields)
    application = Application.objects.create(call=call, carrier=carrier, created_by=user, **defaults)
    carrier.members.add(user)
    if complete:
        application.existing_services.set([cat["covoiturage"]])
        application.services_to_develop.set([cat["location"], cat["garage"]])
        ApplicationNeed.objects.create(
            application=application, label="Aller en formation", public="Jeunes de 16 à 25 ans", people_count=80
        )
        ApplicationNeed.objects.create(application=application, label="Passer le permis", public="Demandeurs d'emploi")
        today = timezone.localdate()
        ApplicationStep.objects.create(
            application=application, label="Recruter le conseiller", starts_on=today, due_on=today + timedelta(days=60)
        )
        ApplicationStep.objects.create(
            application=application, label="Ouvrir la plateforme", due_on=today + timedelta(days=120)
        )
        ApplicationFunding.objects.create(
            application=application,
            funder=cat["etat"],
            label="Fonctionnement",
            amount=Decimal("40000"),
            status=FundingStatus.ACQUIS,
        )
        ApplicationFunding.objects.create(
            application=application, funder=cat["region"], label="Véhicules", amount=Decimal("25000.50")
        )
        GovernancePartner.objects.create(application=application, organisation="Pôle emploi", role="Prescripteur")
    return application


def make_alternance_application(
    *, call: Call, user, carrier: Carrier, requested: Decimal = Decimal(180_000), complete: bool = True, **fields
) -> Application:
    """A draft application to an alternance call; ``complete`` answers the required sections and asks
    ``requested`` of the call's first funder, with a co-financing line."""
    defaults = {
        "title": f"Alternance avec {carrier.name}",
        "contact_name": "Claire Dupont",
        "contact_email": "contact@porteur.example.fr",
    }
    defaults.update(fields)
    application = Application.objects.create(call=call, carrier=carrier, created_by=user, **defaults)
    carrier.members.add(user)
    if complete:
        for section in call.sections.filter(required=True):
            ApplicationAnswer.objects.create(application=application, section=section, text=f"Réponse : {section}")
        ApplicationFunding.objects.create(
            application=application,
            funder=call.funders.order_by("pk").first(),
            label="Montant demandé à l'appel",
            amount=requested,
            status=FundingStatus.SOLLICITE,
        )
        ApplicationFunding.objects.create(
            application=application,
            funder=FunderFactory(name="Conseil régional", order=2),
            label="Cofinancement",
            amount=Decimal(40_000),
            status=FundingStatus.ACQUIS,
        )
    return application


def make_project(*, call: Call, user, carrier: Carrier, cat: dict, **fields):
    """A selected application and the project the service builds from it."""
    application = make_application(call=call, user=user, carrier=carrier, cat=cat, **fields)
    application.status = ApplicationStatus.RETENUE
    application.save(update_fields=["status"])
    return project_create_from_application(application=application)


def report_numbers(total_people: int = 20, **overrides) -> dict:
    """Indicator values consistent with each other for ``total_people`` people."""
    ml = total_people // 2
    numbers = {
        "people_mission_locale": ml,
        "people_pole_emploi": total_people - ml - 2,
        "people_conseil_general": 1,
        "people_other": 1,
        "women": total_people // 2,
        "men": total_people - total_people // 2,
        "age_under_18": 2,
        "age_18_25": total_people - 2 - 3 - 1,
        "age_26_44": 3,
        "age_45_plus": 1,
        "mobility_diagnostics": total_people,
        "highway_code_passed": 4,
        "licences_obtained": 3,
        "employment_3_months": 5,
        "training_3_months": 2,
        "employment_6_months": 7,
        "training_6_months": 3,
        "total_cost": Decimal(total_people * 500),
    }
    numbers.update(overrides)
    return numbers


def make_report(
    project,
    *,
    year: int | None = None,
    period: str = ReportPeriod.S1,
    status=ReportStatus.BROUILLON,
    people: int = 20,
    deliveries=None,
    **overrides,
):
    report = ActivityReport.objects.create(
        project=project,
        year=year or timezone.localdate().year,
        period=period,
        status=status,
        **report_numbers(people, **overrides),
    )
    for service, quantity in (deliveries or {}).items():
        ServiceDelivery.objects.create(report=report, service=service, quantity=Decimal(quantity))
    return report


def formset_data(prefix: str, rows: list[dict], *, initial: int = 0) -> dict:
    """POST data of a formset: its management form and its rows."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"{prefix}-{index}-{name}"] = value
    return data


def budget_lines_of(project) -> list:
    """The project's budget lines in the budget page's order."""
    return list(project.budget_lines.order_by("funder__order", "funder__name", "pk"))


def budget_page_post(project, **changes) -> dict:
    """The budget page's formset as posted, each line as it stands but for ``changes`` by label."""
    rows = []
    for line in budget_lines_of(project):
        row = {
            "id": str(line.pk),
            "funder": str(line.funder_id),
            "label": line.label,
            "planned_amount": str(line.planned_amount),
            "actual_amount": str(line.actual_amount),
            "status": line.status,
        }
        row.update(changes.get(line.label, {}))
        rows.append(row)
    return formset_data("budget", rows, initial=len(rows))


def application_post_data(*, cat: dict, structure=None, action: str = "deposer", **overrides) -> dict:
    """A complete application form as a browser posts it, for a carrier structure or an outside organisation."""
    today = timezone.localdate()
    data = {
        "title": "Plateforme mobilité du bassin",
        "contact_name": "Claire Dupont",
        "contact_email": "claire.dupont@porteur.example.fr",
        "contact_phone": "04 66 00 00 00",
        "departements": "30",
        "communes": "Nîmes",
        "territory_type": TerritoryType.URBAIN,
        "public_needs": "Des jeunes sans moyen de transport.",
        "existing_services": [str(cat["covoiturage"].pk)],
        "existing_services_details": "Le département.",
        "services_to_develop": [str(cat["location"].pk), str(cat["garage"].pk)],
        "staff_description": "Un conseiller mobilité.",
        "staff_fte": "1.5",
        "vehicles_description": "Deux scooters.",
        "vehicle_count": "2",
        "premises_description": "Un local en centre-ville.",
        "governance_description": "Un comité de pilotage.",
        action: "1",
    }
    if structure is not None:
        data.update(carrier_choice="reseau", carrier_structure=str(structure.pk))
    else:
        data.update(
            carrier_choice="autre",
            carrier_name="Maison de l'emploi du Bassin",
            carrier_kind=CarrierKind.MAISON_EMPLOI,
            carrier_region="91",
        )
    data.update(formset_data("needs", [{"label": "Aller travailler", "public": "Jeunes", "people_count": "50"}]))
    data.update(
        formset_data(
            "steps",
            [
                {
                    "label": "Acheter les scooters",
                    "starts_on": today.isoformat(),
                    "due_on": (today + timedelta(days=30)).isoformat(),
                }
            ],
        )
    )
    data.update(
        formset_data(
            "fundings",
            [{"funder": str(cat["etat"].pk), "label": "Fonctionnement", "amount": "30000", "status": "acquis"}],
        )
    )
    data.update(formset_data("governance", [{"organisation": "Pôle emploi", "role": "Prescripteur"}]))
    data.update(overrides)
    return data


def text(response) -> str:
    """A response's HTML with entities decoded (Django escapes apostrophes as &#x27;)."""
    import html

    return html.unescape(response.content.decode())


def admin_form_data(response) -> dict:
    """What a browser posts back from an admin change page untouched: every field with its value."""
    from html.parser import HTMLParser

    class Form(HTMLParser):
        def __init__(self):
            super().__init__()
            self.data: dict[str, list[str]] = {}
            self.select: str | None = None
            self.textarea: str | None = None

        def add(self, name: str, value: str) -> None:
            self.data.setdefault(name, []).append(value)

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            name = attrs.get("name")
            if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
                if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                    return
                self.add(name, attrs.get("value", "on" if attrs.get("type") == "checkbox" else ""))
            elif tag == "select" and name:
                self.select = name
            elif tag == "option" and self.select and "selected" in attrs:
                self.add(self.select, attrs.get("value", ""))
            elif tag == "textarea" and name:
                self.textarea = name
                self.add(name, "")

        def handle_endtag(self, tag):
            if tag == "select":
                self.select = None
            elif tag == "textarea":
                self.textarea = None

        def handle_data(self, data):
            if self.textarea:
                self.data[self.textarea][-1] += data

    form = Form()
    form.feed(response.content.decode())
    form.data.pop("csrfmiddlewaretoken", None)
    return {name: values if len(values) > 1 else values[0] for name, values in form.data.items()}
