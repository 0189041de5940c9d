"""Questionnaires are data: the shipped instruments, the lock once answered, the copy, the admin."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

from surveys.models import (
    AccessCode,
    Campaign,
    Choice,
    DistributionPoint,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireLocked,
    QuestionnaireVersion,
    Response,
    ResultNode,
    Section,
    ServqualRole,
)
from surveys.services import questionnaire_copy
from surveys.spec import current_version

pytestmark = pytest.mark.django_db


def questions_of(questionnaire):
    return Question.objects.filter(section__questionnaire=questionnaire)


def test_servqual_ships_22_statements_asked_as_expectation_and_perception_plus_the_100_points(instruments):
    servqual = questions_of(instruments["servqual-jeunes"])
    expectations = servqual.filter(servqual_role=ServqualRole.EXPECTATION)
    perceptions = servqual.filter(servqual_role=ServqualRole.PERCEPTION)
    assert expectations.count() == perceptions.count() == 22
    assert set(expectations.values_list("servqual_item", flat=True)) == set(range(1, 23))
    assert set(perceptions.values_list("kind", flat=True)) == {QuestionKind.LIKERT7}
    pairs = {(q.servqual_item, q.dimension, q.text) for q in expectations} == {
        (q.servqual_item, q.dimension, q.text) for q in perceptions
    }
    assert pairs
    dimensions = {q.dimension for q in perceptions}
    assert dimensions == {"Tangibles", "Fiabilité", "Réactivité", "Assurance", "Empathie"}
    first = perceptions.get(servqual_item=1)
    assert (first.min_label, first.max_label) == ("Pas du tout d'accord", "Tout à fait d'accord")
    weights = servqual.get(servqual_role=ServqualRole.WEIGHTS)
    assert weights.kind == QuestionKind.POINTS and weights.points_total == 100
    assert {c.dimension for c in weights.choices.all()} == dimensions


def test_youth_instruments_carry_the_paca_headline_questions(instruments):
    for code in ("servqual-jeunes", "oqm-jeunes", "questions-phares"):
        roles = set(questions_of(instruments[code]).values_list("analysis_role", flat=True))
        assert {"accueil", "delai", "connu", "recommande"} <= roles, code
    accueil = questions_of(instruments["questions-phares"]).get(code="accueil")
    assert [c.label for c in accueil.choices.all()] == [
        "Très satisfait(e)",
        "Plutôt satisfait(e)",
        "Plutôt pas satisfait(e)",
        "Pas du tout satisfait(e)",
    ]
    assert accueil.choices.get(is_key=True).code == "tres_satisfait"
    comment = questions_of(instruments["questions-phares"]).get(code="commentaire")
    assert (comment.kind, comment.required, comment.max_length) == (QuestionKind.TEXT, False, 1000)


def test_oqm_uses_a_1_to_10_scale_with_not_applicable_and_an_overall_satisfaction(instruments):
    oqm = questions_of(instruments["oqm-jeunes"])
    scale = oqm.filter(kind=QuestionKind.LIKERT10)
    assert scale.filter(allow_not_applicable=True).count() >= 16
    assert oqm.get(analysis_role="satisfaction_globale").kind == QuestionKind.LIKERT10
    assert {"Accessibilité", "Délais", "Respect et courtoisie", "Écoute et empathie", "Équité"} <= set(
        scale.values_list("dimension", flat=True)
    )


def test_the_employer_questionnaire_covers_the_2012_themes(instruments):
    employers = instruments["employeurs"]
    assert employers.audience == "entreprises"
    codes = set(questions_of(employers).values_list("code", flat=True))
    assert {"connaissance", "contacts", "qualite_candidats", "reactivite", "suivi", "satisfaction_globale"} <= codes
    assert {"recommande", "recruter_a_nouveau", "commentaire"} <= codes
    kinds = set(questions_of(employers).values_list("kind", flat=True))
    assert {QuestionKind.NUMBER, QuestionKind.MULTIPLE, QuestionKind.YES_NO, QuestionKind.LIKERT5} <= kinds


def test_an_answered_questionnaire_refuses_breaking_changes(make_campaign, answer, network):
    campaign = make_campaign()
    answer(campaign, network.antenne_a1, 1)
    questionnaire = campaign.questionnaire
    assert questionnaire.is_locked
    question = questions_of(questionnaire).get(code="accueil")
    question.code = "accueil2"
    with pytest.raises(QuestionnaireLocked), transaction.atomic():
        question.save()
    question.refresh_from_db()
    with pytest.raises(QuestionnaireLocked), transaction.atomic():
        question.delete()
    choice = question.choices.first()
    choice.code = "autre_chose"
    with pytest.raises(ValidationError):
        choice.full_clean()
    with pytest.raises(QuestionnaireLocked), transaction.atomic():
        Question.objects.create(section=question.section, code="nouvelle", text="Nouvelle ?", kind=QuestionKind.YES_NO)
    with pytest.raises(QuestionnaireLocked), transaction.atomic():
        Section.objects.filter(questionnaire=questionnaire).first().delete()
    assert questions_of(questionnaire).filter(code="accueil").exists()


def test_an_answered_questionnaire_keeps_its_wording_editable(make_campaign, answer, network):
    campaign = make_campaign()
    answer(campaign, network.antenne_a1, 1)
    question = questions_of(campaign.questionnaire).get(code="accueil")
    question.text = "Comment jugez-vous l'accueil ?"
    question.help_text = "Une seule réponse."
    question.full_clean()
    question.save()
    choice = Choice.objects.get(question=question, code="tres_satisfait")
    choice.label = "Très satisfait ou très satisfaite"
    choice.save()
    _, spec = current_version(campaign.questionnaire.__class__.objects.get(pk=campaign.questionnaire.pk))
    texts = {q["code"]: q["text"] for s in spec["sections"] for q in s["questions"]}
    assert texts["accueil"] == "Comment jugez-vous l'accueil ?"


def test_a_copy_is_complete_and_free_to_change(make_campaign, answer, network):
    campaign = make_campaign(questionnaire="servqual-jeunes")
    answer(campaign, network.antenne_a1, 1, e01=5)
    original = campaign.questionnaire
    copy = questionnaire_copy(questionnaire=original)
    assert copy.code == "servqual-jeunes-copie"
    assert copy.copied_from == original
    assert not copy.is_locked
    assert questions_of(copy).count() == questions_of(original).count() == 51
    assert (
        Choice.objects.filter(question__section__questionnaire=copy).count()
        == Choice.objects.filter(question__section__questionnaire=original).count()
    )
    question = questions_of(copy).get(code="e01")
    question.kind = QuestionKind.LIKERT5
    question.save()
    question.delete()
    assert questionnaire_copy(questionnaire=original).code == "servqual-jeunes-copie-2"


def test_the_admin_copy_action_and_read_only_structure_of_a_locked_questionnaire(
    client_for, users, make_campaign, answer, network
):
    campaign = make_campaign()
    answer(campaign, network.antenne_a1, 1)
    admin = client_for(users["administrateur"])
    questionnaire = campaign.questionnaire
    page = admin.get(f"/admin/surveys/questionnaire/{questionnaire.pk}/change/").content.decode()
    assert 'name="code"' not in page  # read only once answered
    section = questionnaire.sections.first()
    page = admin.get(f"/admin/surveys/section/{section.pk}/change/").content.decode()
    assert 'name="questions-0-code"' not in page
    assert 'name="questions-0-text"' in page  # wording still editable
    response = admin.post(
        "/admin/surveys/questionnaire/",
        {"action": "copy", "_selected_action": [questionnaire.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert questionnaire.copies.count() == 1


def test_a_cnml_reviewer_edits_questionnaires_in_the_admin(client_for, users, instruments):
    reviewer = client_for(users["relecteur_cnml"])
    questionnaire = instruments["questions-phares"]
    assert reviewer.get(f"/admin/surveys/questionnaire/{questionnaire.pk}/change/").status_code == 200
    assert client_for(users["animateur_regional"]).get("/admin/surveys/questionnaire/").status_code == 302


@pytest.mark.parametrize(
    "model", [Response, Campaign, DistributionPoint, AccessCode, ResultNode, Questionnaire, QuestionnaireVersion]
)
def test_saving_answers_or_campaigns_wakes_no_questionnaire_receiver(model):
    # Receivers connected without a sender ran on every save and delete of every model of the
    # project, the public form's answers included; the lock concerns the questionnaire's parts only.
    for signal in (pre_save, post_save, pre_delete, post_delete):
        assert not signal.has_listeners(model), (signal, model)
    for part in (Section, Question, Choice):
        assert all(signal.has_listeners(part) for signal in (pre_save, post_save, pre_delete, post_delete))


def test_a_wording_change_made_in_the_admin_moves_the_revision_and_reaches_the_form(
    django_app, users, make_campaign, answer, network
):
    campaign = make_campaign()
    answer(campaign, network.antenne_a1, 1)
    questionnaire = campaign.questionnaire
    revision = Questionnaire.objects.get(pk=questionnaire.pk).revision
    question = questions_of(questionnaire).get(code="accueil")
    django_app.set_user(users["relecteur_cnml"])

    form = django_app.get(f"/admin/surveys/question/{question.pk}/change/").forms["question_form"]
    form["text"] = "Comment avez-vous trouvé l'accueil ?"
    form["choices-0-label"] = "Très satisfait ou très satisfaite"
    assert form.submit("_save").status_code == 302

    questionnaire.refresh_from_db()
    assert questionnaire.revision > revision
    _, spec = current_version(questionnaire)
    [compiled] = [q for s in spec["sections"] for q in s["questions"] if q["code"] == "accueil"]
    assert compiled["text"] == "Comment avez-vous trouvé l'accueil ?"
    assert compiled["choices"][0]["label"] == "Très satisfait ou très satisfaite"


def test_the_admin_deletes_no_part_of_an_answered_questionnaire(django_app, users, make_campaign, answer, network):
    campaign = make_campaign()
    answer(campaign, network.antenne_a1, 1)
    questionnaire = campaign.questionnaire
    question = questions_of(questionnaire).get(code="accueil")
    section = question.section
    django_app.set_user(users["relecteur_cnml"])

    # Every question and section of the answered questionnaire, selected for the bulk delete action.
    for url in (
        "/admin/surveys/question/?q=accueil",
        f"/admin/surveys/section/?questionnaire__id__exact={questionnaire.pk}",
    ):
        changelist = django_app.get(url).forms["changelist-form"]
        changelist["action"] = "delete_selected"
        for index in range(len(changelist.fields["_selected_action"])):
            changelist.get("_selected_action", index=index).checked = True
        assert "Impossible de supprimer" in changelist.submit().text
    assert django_app.get(f"/admin/surveys/question/{question.pk}/delete/", expect_errors=True).status_code == 403

    assert Section.objects.filter(pk=section.pk).exists()
    assert questions_of(questionnaire).filter(code="accueil").exists()
    assert question.choices.count() == 4


def test_copying_an_answered_questionnaire_leaves_it_as_it_was(make_campaign, answer, network):
    campaign = make_campaign()
    answer(campaign, network.antenne_a1, 1)
    original = Questionnaire.objects.get(pk=campaign.questionnaire.pk)
    _, spec_before = current_version(original)

    copy = questionnaire_copy(questionnaire=original)
    Section.objects.create(questionnaire=copy, order=99, title="Ajoutée à la copie")

    assert Questionnaire.objects.get(pk=original.pk).revision == original.revision
    assert current_version(Questionnaire.objects.get(pk=original.pk))[1] == spec_before
    assert copy.sections.filter(title="Ajoutée à la copie").exists()
