"""Fiches of a comité de pilotage: its members write them and see its drafts, nobody else does."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.http import Http404

from cnml.models import Role
from cnml.permissions import readable_regions, readable_structures
from practices import permissions, recensement_selectors
from practices.models import Fiche, Status
from practices.recensements import Recensement
from tests.factories import UserFactory
from tests.practices.factories import make_fiche
from tests.practices.helpers import ACTOR_NAMES, fiche_form_data
from tests.routes import url_patterns

pytestmark = pytest.mark.django_db


@pytest.fixture
def everyone(actors, partner):
    """The actors of tests/practices/conftest.py, the committee's partner and a partner of no committee."""
    stranger = UserFactory(email="autre-partenaire@test.cnml.fr", role=Role.PARTENAIRE, structure=None)
    return {**actors, "partenaire": partner, "autre_partenaire": stranger}


def committee_draft(committee, author):
    return make_fiche(structure=None, committee=committee, region=committee.region, author=author)


MEMBERS = {"conseiller", "partenaire"}


@pytest.mark.parametrize("name", [*ACTOR_NAMES, "partenaire", "autre_partenaire"])
def test_a_committee_draft_is_seen_and_edited_by_its_members_only(everyone, committee, name):
    draft = committee_draft(committee, everyone["partenaire"])
    user = everyone[name]

    if name in MEMBERS:
        assert permissions.get_fiche_for(user, draft.pk) == draft
        assert permissions.can_edit(user, draft)
        assert draft in permissions.authored_fiches(user)
    else:
        # The director of a member structure is not a member: the committee's drafts are not theirs.
        with pytest.raises(Http404):
            permissions.get_fiche_for(user, draft.pk)
        assert not permissions.can_edit(user, draft)


def test_the_committee_draft_pages_answer_its_members_and_404_to_the_others(client_for, everyone, committee):
    draft = committee_draft(committee, everyone["partenaire"])

    for name in ("partenaire", "conseiller"):
        assert client_for(everyone[name]).get(f"/bonnes-pratiques/fiche/{draft.pk}/").status_code == 200
    for name in ("directeur", "animateur", "relecteur", "autre_partenaire"):
        client = client_for(everyone[name])
        assert client.get(f"/bonnes-pratiques/fiche/{draft.pk}/").status_code == 404
        assert client.get(f"/bonnes-pratiques/fiche/{draft.pk}/modifier/").status_code == 404
    my_fiches = client_for(everyone["partenaire"]).get("/bonnes-pratiques/mes-fiches/").content.decode()
    assert draft.title in my_fiches and "Comité local Alpha" in my_fiches


def test_a_submitted_committee_fiche_goes_to_the_reviewers_of_the_committee_region(everyone, committee):
    fiche = make_fiche(
        Status.SOUMISE, structure=None, committee=committee, region=committee.region, author=everyone["partenaire"]
    )

    assert permissions.get_fiche_for(everyone["animateur"], fiche.pk) == fiche
    assert permissions.get_fiche_for(everyone["relecteur"], fiche.pk) == fiche
    with pytest.raises(Http404):
        permissions.get_fiche_for(everyone["animateur_b"], fiche.pk)
    with pytest.raises(Http404):
        permissions.get_fiche_for(everyone["directeur"], fiche.pk)
    assert not permissions.can_edit(everyone["partenaire"], fiche)  # in the reviewers' hands


def test_a_co_author_edits_and_sees_the_draft(everyone, committee):
    draft = committee_draft(committee, everyone["partenaire"])
    directeur = everyone["directeur"]
    assert not permissions.can_edit(directeur, draft)

    draft.coauthors.add(directeur)
    draft = Fiche.objects.get(pk=draft.pk)  # the rules read the co-authors once per fiche object

    assert permissions.can_edit(directeur, draft)
    assert permissions.get_fiche_for(directeur, draft.pk, among=permissions.authored_fiches) == draft


def test_a_partner_sees_no_structure_draft_and_no_dashboard_scope(everyone, committee, network):
    structure_draft = make_fiche(structure=network.ml_a1, author=everyone["conseiller"])
    partner = everyone["partenaire"]

    with pytest.raises(Http404):
        permissions.get_fiche_for(partner, structure_draft.pk)
    assert not readable_structures(partner).exists()
    assert not readable_regions(partner).exists()
    assert not permissions.is_author(partner)  # no structure to write for
    assert permissions.writes_fiches(partner)


def test_a_partner_gets_the_public_dashboard_only(client_for, everyone, committee, network):
    client = client_for(everyone["partenaire"])

    assert client.get("/tableau-de-bord/").status_code == 200
    assert client.get(f"/tableau-de-bord/structures/{network.ml_a1.code}/").status_code == 404
    assert client.get(f"/tableau-de-bord/regions/{network.region_a.code}/").status_code == 404


def test_an_animator_writes_for_a_committee_of_their_region_only_as_a_member(everyone, committee, network):
    animateur, animateur_b = everyone["animateur"], everyone["animateur_b"]
    assert not permissions.can_create(animateur)

    committee.members.add(animateur, animateur_b)

    assert list(permissions.author_committees(animateur)) == [committee]
    assert permissions.can_create(animateur)
    # A member from another region writes nothing for this committee.
    assert not permissions.author_committees(animateur_b).exists()


def test_a_partner_of_no_committee_may_not_write(client_for, everyone):
    response = client_for(everyone["autre_partenaire"]).get("/bonnes-pratiques/mes-fiches/")

    assert response.status_code == 403


def test_a_partner_writes_a_fiche_for_their_committee(client_for, everyone, committee):
    data = fiche_form_data(structure=committee)
    data.pop("structure")  # the partner's form has no structure field
    data["committee"] = str(committee.pk)

    response = client_for(everyone["partenaire"]).post("/bonnes-pratiques/mes-fiches/nouvelle/", data)

    assert response.status_code == 302, response.content.decode()[:2000]
    fiche = Fiche.objects.get(title=data["title"])
    assert (fiche.committee, fiche.structure, fiche.region) == (committee, None, committee.region)
    assert fiche.carrier_label == "Comité local Alpha"
    assert permissions.get_fiche_for(everyone["conseiller"], fiche.pk) == fiche


def test_a_member_conseiller_chooses_between_their_structure_and_their_committee(client_for, everyone, committee):
    client = client_for(everyone["conseiller"])
    page = client.get("/bonnes-pratiques/mes-fiches/nouvelle/").content.decode()
    assert "Pour un comité de pilotage" in page and "Aucun : pour ma structure" in page

    data = fiche_form_data(structure=everyone["conseiller"].structure)
    data["committee"] = str(committee.pk)
    assert client.post("/bonnes-pratiques/mes-fiches/nouvelle/", data).status_code == 302

    fiche = Fiche.objects.get(title=data["title"])
    assert (fiche.committee, fiche.structure) == (committee, None)


def test_nobody_writes_for_a_committee_they_are_not_a_member_of(client_for, everyone, committee):
    data = fiche_form_data(structure=everyone["directeur"].structure)
    data["committee"] = str(committee.pk)

    response = client_for(everyone["directeur"]).post("/bonnes-pratiques/mes-fiches/nouvelle/", data)

    # The director has no committee: the field is absent, the fiche goes to their structure.
    assert response.status_code == 302
    assert Fiche.objects.get(title=data["title"]).committee is None


def test_co_authors_are_chosen_among_the_people_of_the_committee_only(client_for, everyone, committee):
    draft = committee_draft(committee, everyone["partenaire"])
    client = client_for(everyone["partenaire"])
    data = fiche_form_data(draft, structure=committee)
    data.pop("structure")  # the partner's form has no structure field
    data["committee"] = str(committee.pk)

    data["coauthors"] = [str(everyone["directeur"].pk)]  # not a member of the committee
    response = client.post(f"/bonnes-pratiques/fiche/{draft.pk}/modifier/", data)
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not draft.coauthors.exists()

    data["coauthors"] = [str(everyone["conseiller"].pk)]
    assert client.post(f"/bonnes-pratiques/fiche/{draft.pk}/modifier/", data).status_code == 302
    assert list(draft.coauthors.all()) == [everyone["conseiller"]]


def test_a_co_author_edits_but_does_not_move_the_fiche_to_their_structure(client_for, everyone, committee):
    draft = committee_draft(committee, everyone["partenaire"])
    draft.coauthors.add(everyone["directeur"])
    client = client_for(everyone["directeur"])
    data = fiche_form_data(draft, structure=everyone["directeur"].structure)  # "for my structure"

    assert client.post(f"/bonnes-pratiques/fiche/{draft.pk}/modifier/", data).status_code == 400

    data["committee"] = str(committee.pk)
    data["title"] = "Un titre revu par le co-auteur"
    assert client.post(f"/bonnes-pratiques/fiche/{draft.pk}/modifier/", data).status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.committee, draft.structure) == ("Un titre revu par le co-auteur", committee, None)


def test_a_fiche_is_carried_by_a_structure_or_a_committee_never_both_nor_neither(committee, network):
    fiche = make_fiche(structure=network.ml_a1)

    for structure, chosen in ((network.ml_a1, committee), (None, None)):
        with pytest.raises(IntegrityError), transaction.atomic():
            Fiche.objects.filter(pk=fiche.pk).update(structure=structure, committee=chosen)


def test_the_recensement_progress_counts_committee_fiches_in_the_committee_row(everyone, committee, network):
    recensement = Recensement.objects.create(
        title="Recensement", opens_on="2011-09-01", closes_on="2011-12-31", created_by=everyone["relecteur"]
    )
    make_fiche(
        Status.SOUMISE,
        structure=None,
        committee=committee,
        region=committee.region,
        recensement=recensement,
        author=everyone["partenaire"],
    )

    (row,) = recensement_selectors.progress(recensement, [network.region_a])
    (committee_row,) = recensement_selectors.committee_progress(recensement, [committee])

    assert (row.submitted, committee_row.submitted, committee_row.answered) == (0, 1, True)
    # The committee answers for no structure: ML A1 is still silent.
    assert network.ml_a1 in row.silent


def test_no_user_facing_route_grants_committee_membership(client_for, everyone, committee):
    """Membership is granted by administrators in the admin only: posting a committee anywhere else adds nobody."""
    members = set(committee.members.values_list("pk", flat=True))
    payload = {"committee": committee.pk, "committees": committee.pk, "members": everyone["directeur"].pk}
    # Every address outside the admin that takes no argument.
    routes = [
        "/" + route.lstrip("^").rstrip("$")
        for _, route in url_patterns()
        if "<" not in route and not route.startswith("admin")
    ]
    assert "/bonnes-pratiques/mes-fiches/nouvelle/" in routes

    for name in ("directeur", "autre_partenaire"):
        client = client_for(everyone[name])
        for route in routes:
            client.post(route, payload)

    assert set(committee.members.values_list("pk", flat=True)) == members
    assert not everyone["autre_partenaire"].committees.exists()
