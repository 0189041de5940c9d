"""Recensements asking comités de pilotage, and the fiche template a recensement chooses.

A recensement asks regions, committees, or the whole network; a committee's members answer it with the
committee's fiches; its page follows each committee beside each region; silent committees' members are
reminded; the summary says who carries each fiche; the template's guidance and questions shape the form.
Co-authors receive the decisions like the authors.
"""

from __future__ import annotations

import io
import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from cnml.models import Committee, CommitteeLevel, Role
from practices import permissions, recensement_selectors, services
from practices.fiche_templates import TEMPLATES
from practices.models import Fiche, Recensement, Status
from tests.clock import TODAY, frozen
from tests.factories import UserFactory
from tests.pages import page_text
from tests.practices.factories import make_fiche
from tests.practices.helpers import ACTOR_NAMES, fiche_form_data, open_recensement

pytestmark = [pytest.mark.django_db, frozen]

CREATE = "/bonnes-pratiques/mes-fiches/nouvelle/"
COTRAITANCE = TEMPLATES["cotraitance"]


@pytest.fixture
def other_committee(network):
    """A committee of region B with one partner member."""
    committee = Committee.objects.create(name="Comité local Bêta", level=CommitteeLevel.LOCAL, region=network.region_b)
    committee.members.add(UserFactory(email="partenaire-b@test.cnml.fr", role=Role.PARTENAIRE, structure=None))
    return committee


@pytest.fixture
def everyone(actors, partner, other_committee):
    return {**actors, "partenaire": partner, "partenaire_b": other_committee.members.get()}


@pytest.fixture
def recensement(users, committee):
    """Open, asking the committee only, with the cotraitance template."""
    recensement = open_recensement(
        title="Recensement des comités",
        instructions="Vos parcours communs avec Pôle emploi.",
        template=COTRAITANCE.key,
        created_by=users[Role.RELECTEUR_CNML],
    )
    recensement.committees.set([committee])
    return recensement


def url(recensement, suffix="") -> str:
    return f"/bonnes-pratiques/recensements/{recensement.pk}/{suffix}"


def committee_fiche(committee, status, recensement, author, **kwargs):
    return make_fiche(
        status,
        structure=None,
        committee=committee,
        region=committee.region,
        recensement=recensement,
        author=author,
        **kwargs,
    )


def committee_form(committee, recensement=None, **overrides) -> dict:
    data = fiche_form_data(structure=committee, **overrides)
    data.pop("structure")  # a partner's form has no structure field
    data["committee"] = str(committee.pk)
    if recensement is not None:
        data["recensement"] = str(recensement.pk)
    return data


@pytest.mark.parametrize("name", [*ACTOR_NAMES, "partenaire", "partenaire_b"])
def test_a_recensement_asking_a_committee_is_read_by_its_members_and_its_reviewers(
    client_for, everyone, recensement, name
):
    response = client_for(everyone[name] if name != "anonyme" else None).get(url(recensement))
    if name == "anonyme":
        assert response.status_code == 302
        return
    # Members of the committee, the animator of its region, CNML roles; nobody else, not even ML A1's director.
    readers = {"conseiller", "partenaire", "animateur", "relecteur", "administrateur"}
    assert response.status_code == (200 if name in readers else 404), name
    if name in readers:
        page = response.content.decode()
        assert "Comité local Alpha" in page
        assert COTRAITANCE.label in page
        follows = name in {"animateur", "relecteur", "administrateur"}
        assert ("Où en sont les comités de pilotage" in page) == follows, name
        # It asks no region: no region is followed.
        assert "Où en sont les régions" not in page
        assert ("Rédiger une fiche pour ce recensement" in page) == (name in {"conseiller", "partenaire"}), name


@pytest.mark.parametrize("name", [*ACTOR_NAMES, "partenaire", "partenaire_b"])
def test_the_list_shows_a_committee_recensement_to_whom_reads_it(client_for, everyone, recensement, name):
    response = client_for(everyone[name] if name != "anonyme" else None).get("/bonnes-pratiques/recensements/")
    if name == "anonyme":
        assert response.status_code == 302
        return
    readers = {"conseiller", "partenaire", "animateur", "relecteur", "administrateur"}
    assert (recensement.title in response.content.decode()) == (name in readers), name


@pytest.mark.parametrize("name", ["directeur", "outsider", "partenaire_b", "animateur_b"])
def test_the_summary_of_a_committee_recensement_is_404_outside(client_for, everyone, recensement, name):
    client = client_for(everyone[name])
    assert client.get(url(recensement, "synthese.xlsx")).status_code == 404
    assert client.get(url(recensement, "synthese.pdf")).status_code == 404


def test_a_partner_answers_with_the_template_shaping_the_form(client_for, everyone, committee, recensement):
    client = client_for(everyone["partenaire"])
    form = client.get(f"{CREATE}?recensement={recensement.pk}").content.decode()

    assert f'<option value="{recensement.pk}" selected>' in form
    assert COTRAITANCE.label in form and COTRAITANCE.summary in form
    assert COTRAITANCE.guidance("description") in form  # the rubric's guidance under its field
    assert "Le rôle de Pôle emploi\u00a0:" in form  # its question, in the new fiche

    data = committee_form(committee, recensement)
    data["success_factors"] = ""
    # The author answers the context but leaves the results' questions as they came.
    data["results"] = COTRAITANCE.starter("results").replace("\n", "\r\n")
    assert client.post(f"{CREATE}?recensement={recensement.pk}", data).status_code == 302

    fiche = Fiche.objects.get(title=data["title"])
    assert (fiche.recensement, fiche.committee, fiche.structure) == (recensement, committee, None)
    assert fiche.results == ""  # questions left unanswered are no content: the submission asks for them
    assert "results" in fiche.missing_for_submission()


def test_the_standard_template_keeps_the_usual_help_and_opens_empty(client_for, everyone, committee, recensement):
    recensement.template = "partenariat_renforce"
    recensement.save()
    form = client_for(everyone["partenaire"]).get(f"{CREATE}?recensement={recensement.pk}").content.decode()
    assert "Le rôle de Pôle emploi" not in form
    assert "Le déroulement de l'action, ses étapes, ses outils." in form


def test_a_structure_fiche_cannot_answer_a_recensement_asking_a_committee_only(
    client_for, everyone, network, recensement
):
    # The conseiller is a member: the recensement is offered, but for the committee's fiches only.
    client = client_for(everyone["conseiller"])
    data = fiche_form_data(structure=network.ml_a1, recensement=str(recensement.pk))

    response = client.post(CREATE, data)

    assert response.status_code == 400
    assert "ne sollicite pas cette structure" in response.content.decode()
    assert not Fiche.objects.exists()


def test_a_member_of_another_committee_is_not_offered_the_recensement(
    client_for, everyone, other_committee, recensement
):
    client = client_for(everyone["partenaire_b"])
    assert "Recensement des comités" not in client.get(f"{CREATE}?recensement={recensement.pk}").content.decode()
    client.post(CREATE, committee_form(other_committee, recensement))
    assert Fiche.objects.get().recensement is None


def test_accepting_counts_committees_regions_and_the_whole_network(
    network, committee, other_committee, recensement, users
):
    assert list(Recensement.objects.accepting(network.region_a.pk, committee.pk)) == [recensement]
    assert not Recensement.objects.accepting(network.region_a.pk).exists()  # a structure of region A
    assert not Recensement.objects.accepting(network.region_b.pk, other_committee.pk).exists()

    whole = Recensement.objects.create(
        title="Tout le réseau", instructions="-", opens_on=TODAY, closes_on=TODAY, created_by=users[Role.RELECTEUR_CNML]
    )
    region_b = Recensement.objects.create(
        title="Région Bêta", instructions="-", opens_on=TODAY, closes_on=TODAY, created_by=users[Role.RELECTEUR_CNML]
    )
    region_b.regions.set([network.region_b])

    assert set(Recensement.objects.accepting(network.region_b.pk, other_committee.pk)) == {whole, region_b}
    assert set(region_b.asked_committees()) == {other_committee}  # a region asked asks its committees
    assert set(whole.asked_committees()) == {committee, other_committee}
    services.recensement_close(recensement=recensement, actor=users[Role.RELECTEUR_CNML])
    assert list(Recensement.objects.accepting(network.region_a.pk, committee.pk)) == [whole]


def test_the_page_follows_each_committee_and_names_the_silent_ones(client_for, everyone, committee, recensement):
    quiet = Committee.objects.create(name="Comité silencieux", level=CommitteeLevel.LOCAL, region=committee.region)
    quiet.members.add(everyone["directeur"])
    recensement.committees.add(quiet)
    committee_fiche(committee, Status.PUBLIEE, recensement, everyone["partenaire"])
    committee_fiche(committee, Status.BROUILLON, recensement, everyone["partenaire"])

    page = client_for(everyone["animateur"]).get(url(recensement)).content.decode()

    assert "Fiches du recensement par comité de pilotage" in page
    silent = page.split("Comités qui n'ont encore envoyé aucune fiche", 1)[1]
    assert "Comité silencieux" in silent and everyone["directeur"].get_full_name() in silent
    assert "Comité local Alpha" not in silent
    # The animator of region B does not follow committees of region A.
    assert client_for(everyone["animateur_b"]).get(url(recensement)).status_code == 404


def test_members_of_silent_committees_are_reminded(
    everyone, committee, other_committee, recensement, django_capture_on_commit_callbacks
):
    partner = everyone["partenaire"]
    recensement.committees.add(other_committee)
    committee_fiche(other_committee, Status.SOUMISE, recensement, everyone["partenaire_b"])  # it answered
    UserFactory(email="ancien@test.cnml.fr", role=Role.PARTENAIRE, structure=None, is_active=False).committees.add(
        committee
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert services.recensement_remind(recensement=recensement, today=TODAY) == 1

    assert sorted(message.to[0] for message in mail.outbox) == [everyone["conseiller"].email, partner.email]
    message = mail.outbox[0]
    assert "Le comité de pilotage «\u00a0Comité local Alpha\u00a0», dont vous êtes membre" in message.body
    assert f"/bonnes-pratiques/mes-fiches/nouvelle/?recensement={recensement.pk}" in message.body


def test_the_summary_says_whether_a_structure_or_a_committee_carries_each_fiche(
    client_for, everyone, network, committee, recensement
):
    recensement.regions.add(network.region_a)
    committee_fiche(committee, Status.PUBLIEE, recensement, everyone["partenaire"], title="Un parcours commun")
    make_fiche(Status.PUBLIEE, structure=network.ml_a1, recensement=recensement, title="Un atelier")
    client = client_for(everyone["relecteur"])

    sheet = load_workbook(io.BytesIO(client.get(url(recensement, "synthese.xlsx")).content)).active
    rows = list(sheet.iter_rows(values_only=True))

    assert rows[0][:4] == ("Région", "Porteur", "Type de porteur", "Titre")
    assert sorted(row[1:4] for row in rows[1:]) == [
        ("Comité local Alpha", "Comité de pilotage", "Un parcours commun"),
        ("Mission locale Alpha 1", "Mission locale", "Un atelier"),
    ]
    assert client.get(url(recensement, "synthese.pdf")).content.startswith(b"%PDF")


@pytest.mark.parametrize("verb", ["publish", "request_changes", "reject"])
def test_co_authors_receive_the_decisions(
    everyone, committee, recensement, verb, settings, django_capture_on_commit_callbacks
):
    partner = everyone["partenaire"]
    fiche = committee_fiche(committee, Status.EN_RELECTURE, recensement, partner)
    fiche.coauthors.add(everyone["conseiller"])

    with django_capture_on_commit_callbacks(execute=True):
        services.fiche_apply(fiche=fiche, actor=everyone["relecteur"], verb=verb, comment="Une décision motivée.")

    assert sorted(message.to[0] for message in mail.outbox) == [everyone["conseiller"].email, partner.email]
    for message in mail.outbox:
        assert f"{settings.SITE_URL}/bonnes-pratiques/fiche/{fiche.pk}/" in message.body


def test_the_reviewer_is_told_what_changed_when_a_committee_fiche_comes_back(
    everyone, committee, recensement, django_capture_on_commit_callbacks
):
    partner, reviewer = everyone["partenaire"], everyone["relecteur"]
    fiche = committee_fiche(committee, Status.SOUMISE, recensement, partner)
    services.fiche_take_in_review(fiche=fiche, actor=reviewer)
    services.fiche_request_changes(fiche=Fiche.objects.get(pk=fiche.pk), actor=reviewer, comment="Chiffrez.")
    fiche = Fiche.objects.get(pk=fiche.pk)
    fiche.results = "52 jeunes suivis en cotraitance."
    fiche.save()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.fiche_submit(fiche=fiche, actor=partner)

    told = [message for message in mail.outbox if message.to == [reviewer.email]]
    assert told and "52 jeunes suivis en cotraitance." in told[0].body
    assert permissions.followed_fiches(reviewer).filter(pk=fiche.pk).exists()


def test_the_page_makes_as_many_queries_for_ten_committees_as_for_one(client_for, everyone, committee, recensement):
    client = client_for(everyone["relecteur"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url(recensement)).status_code == 200
        return len(captured)

    committee_fiche(committee, Status.PUBLIEE, recensement, everyone["partenaire"])
    queries()  # once before counting: the first page of a process also fills Django's content type cache
    one = queries()
    for n in range(9):
        other = Committee.objects.create(name=f"Comité {n}", level=CommitteeLevel.LOCAL, region=committee.region)
        other.members.add(UserFactory(email=f"membre-{n}@test.cnml.fr", role=Role.PARTENAIRE, structure=None))
        recensement.committees.add(other)
        if n % 2:
            committee_fiche(other, Status.SOUMISE, recensement, None)

    assert queries() == one


def test_the_page_tells_once_who_the_reminder_goes_to(client_for, everyone, network, recensement):
    client = client_for(everyone["animateur"])  # follows the committee, and region A once it is asked

    def reminder() -> list[str]:
        """The page's paragraphs about the reminder."""
        paragraphs = re.findall(r"<p>\s*(.*?)\s*</p>", page_text(client.get(url(recensement)), plain_spaces=True))
        return [paragraph for paragraph in paragraphs if "elance" in paragraph]

    assert reminder() == [
        "Une relance part par courriel 7 jours avant la clôture vers les membres des comités sans réponse."
    ]
    recensement.regions.add(network.region_a)
    assert reminder() == [
        "Une relance part par courriel 7 jours avant la clôture vers les structures sans réponse et les membres "
        "des comités sans réponse."
    ]
    Recensement.objects.filter(pk=recensement.pk).update(reminded_on=TODAY)
    assert len(reminder()) == 1 and reminder()[0].startswith("Relance envoyée par courriel le ")


def test_the_list_and_the_page_name_whom_a_recensement_asks_the_same_way(client_for, everyone, network, recensement):
    client = client_for(everyone["relecteur"])
    recensement.regions.add(network.region_a)
    asked = f"Régions : {network.region_a.name} <br> Comités de pilotage : Comité local Alpha"
    whole = open_recensement(title="Tout le réseau", instructions="-", created_by=everyone["relecteur"])

    listed = page_text(client.get("/bonnes-pratiques/recensements/"), plain_spaces=True)
    assert asked in listed
    assert asked in page_text(client.get(url(recensement)), plain_spaces=True)
    assert "<dd> Tout le réseau </dd>" in page_text(client.get(url(whole)), plain_spaces=True)


def test_the_progress_names_as_members_those_who_write_for_the_committee(everyone, committee, recensement):
    inactive = UserFactory(email="parti@test.cnml.fr", role=Role.PARTENAIRE, structure=None, is_active=False)
    committee.members.add(everyone["animateur"], everyone["animateur_b"], everyone["relecteur"], inactive)

    (row,) = recensement_selectors.committee_progress(recensement, [committee])

    # The animator of region B, a CNML reviewer and a departed partner are members who write nothing for it.
    assert set(row.members) == {everyone["conseiller"], everyone["partenaire"], everyone["animateur"]}
    for user in (*everyone.values(), inactive):
        writes = permissions.author_committees(user).filter(pk=committee.pk).exists()
        assert writes == (user in row.members), user
