"""The questionnaire of surveys of professionals, shipped as data (staff copy and adapt it in the admin).

« Professionnels des missions locales »: after the CNML–Psymel survey of 137 professionals (La Lettre du
CNML: job title, time of presence, functions held, diploma), their role and experience, their practices
(what they do, referrals to care partners), their satisfaction with tools, training and exchanges
between professionals, and a free comment. Answered anonymously with the personal single-use link each
member of staff receives by e-mail (``surveys.invitations``).

Re-running is harmless: a questionnaire whose code exists is left as it is.
"""

from django.db import migrations

SATISFIED_5 = ("Très insatisfait(e)", "Très satisfait(e)")


def choices(*pairs):
    return [{"code": code, "label": label} for code, label in pairs]


def satisfaction(code, text, **extra):
    return {
        "code": code,
        "text": text,
        "kind": "likert5",
        "dimension": "Outils et formation",
        "min_label": SATISFIED_5[0],
        "max_label": SATISFIED_5[1],
        **extra,
    }


ROLE = [
    {
        "code": "fonction",
        "text": "Quelle est votre fonction ?",
        "kind": "single",
        "choices": choices(
            ("conseiller", "Conseiller(ère) en insertion"),
            ("accueil", "Chargé(e) d'accueil"),
            ("psychologue", "Psychologue"),
            ("entreprises", "Chargé(e) de relations avec les entreprises"),
            ("encadrement", "Direction ou encadrement"),
            ("autre", "Autre"),
        ),
    },
    {
        "code": "temps_presence",
        "text": "Quel est votre temps de présence à la mission locale ?",
        "kind": "single",
        "choices": choices(
            ("plein", "Temps plein"),
            ("partiel_plus", "Temps partiel, plus d'un mi-temps"),
            ("partiel_moins", "Mi-temps ou moins"),
            ("vacations", "Vacations ponctuelles"),
        ),
    },
    {
        "code": "anciennete",
        "text": "Depuis combien de temps exercez-vous en mission locale ?",
        "kind": "single",
        "choices": choices(
            ("moins_2", "Moins de 2 ans"),
            ("2_5", "De 2 à 5 ans"),
            ("6_10", "De 6 à 10 ans"),
            ("plus_10", "Plus de 10 ans"),
        ),
    },
]

PRACTICES = [
    {
        "code": "missions",
        "text": "Quelles fonctions occupez-vous auprès des jeunes et des équipes ?",
        "help_text": "Plusieurs réponses possibles.",
        "kind": "multiple",
        "choices": choices(
            ("accueil", "Accueil et premier entretien"),
            ("accompagnement", "Accompagnement vers l'emploi ou la formation"),
            ("ecoute", "Écoute et soutien des jeunes"),
            ("soutien_equipes", "Soutien aux équipes"),
            ("orientation_soins", "Orientation vers des structures de soins partenaires"),
            ("entreprises", "Relations avec les entreprises"),
            ("ateliers", "Animation d'ateliers collectifs"),
            ("autre", "Autre"),
        ),
    },
    {
        "code": "souffrance_psychique",
        "text": "À quelle fréquence recevez-vous des jeunes en souffrance psychique ?",
        "kind": "single",
        "choices": choices(
            ("jamais", "Jamais"),
            ("rarement", "Rarement"),
            ("souvent", "Souvent"),
            ("tres_souvent", "Très souvent"),
        ),
    },
    {
        "code": "partenaires_soins",
        "text": "Pouvez-vous orienter ces jeunes vers des professionnels de santé partenaires ?",
        "kind": "yes_no",
    },
]

TOOLS = [
    satisfaction("outils", "Les outils à votre disposition (système d'information, documentation, tableau de bord)"),
    satisfaction("formation", "Les formations proposées par le réseau"),
    satisfaction("echanges", "Les échanges entre professionnels (réseau régional, séminaires)"),
    {
        "code": "besoins_formation",
        "text": "Sur quels sujets souhaiteriez-vous être formé(e) ?",
        "help_text": "Facultatif. Plusieurs réponses possibles.",
        "kind": "multiple",
        "required": False,
        "choices": choices(
            ("sante_mentale", "Santé mentale des jeunes"),
            ("entreprises", "Relation avec les entreprises"),
            ("mobilite", "Mobilité"),
            ("numerique", "Outils numériques"),
            ("autre", "Autre"),
        ),
    },
]

OPINION = [
    {
        "code": "satisfaction_globale",
        "text": "Dans l'ensemble, êtes-vous satisfait(e) des conditions d'exercice de votre métier ?",
        "kind": "likert5",
        "analysis_role": "satisfaction_globale",
        "min_label": SATISFIED_5[0],
        "max_label": SATISFIED_5[1],
    },
    {
        "code": "commentaire",
        "text": "Commentaire libre",
        "help_text": "Facultatif. N'écrivez ni votre nom ni celui d'une autre personne.",
        "kind": "text",
        "required": False,
        "max_length": 1000,
        "analysis_role": "commentaire",
    },
]

PROFESSIONNELS = {
    "code": "professionnels",
    "title": "Professionnels des missions locales",
    "audience": "professionnels",
    "instrument": "professionnels",
    "description": (
        "Cette enquête anonyme s'adresse aux professionnels des missions locales et dure environ cinq "
        "minutes. Votre lien est personnel et ne sert qu'une fois ; rien ne relie vos réponses à votre nom, "
        "et les résultats ne sont montrés que par groupes d'au moins 11 réponses."
    ),
    "sections": [
        {"title": "Votre fonction", "questions": ROLE},
        {"title": "Vos pratiques", "questions": PRACTICES},
        {
            "title": "Vos outils et votre formation",
            "description": "Êtes-vous satisfait(e) de :",
            "questions": TOOLS,
        },
        {"title": "Votre avis", "questions": OPINION},
    ],
}

QUESTION_FIELDS = ("help_text", "required", "dimension", "analysis_role", "min_label", "max_label", "max_length")


def load_professionals(apps, schema_editor):
    Questionnaire = apps.get_model("surveys", "Questionnaire")
    Section = apps.get_model("surveys", "Section")
    Question = apps.get_model("surveys", "Question")
    Choice = apps.get_model("surveys", "Choice")
    data = PROFESSIONNELS
    if Questionnaire.objects.filter(code=data["code"]).exists():
        return
    questionnaire = Questionnaire.objects.create(
        **{field: data[field] for field in ("code", "title", "audience", "instrument", "description")}
    )
    for section_order, section_data in enumerate(data["sections"], start=1):
        section = Section.objects.create(
            questionnaire=questionnaire,
            order=section_order,
            title=section_data["title"],
            description=section_data.get("description", ""),
        )
        for question_order, question_data in enumerate(section_data["questions"], start=1):
            question = Question.objects.create(
                section=section,
                order=question_order,
                code=question_data["code"],
                text=question_data["text"],
                kind=question_data["kind"],
                **{field: question_data[field] for field in QUESTION_FIELDS if field in question_data},
            )
            Choice.objects.bulk_create(
                Choice(question=question, order=order, code=choice["code"], label=choice["label"])
                for order, choice in enumerate(question_data.get("choices", []), start=1)
            )


class Migration(migrations.Migration):
    dependencies = [("surveys", "0005_staff_invitations")]

    operations = [migrations.RunPython(load_professionals, migrations.RunPython.noop)]
