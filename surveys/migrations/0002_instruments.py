"""The survey instruments of docs/surveys.md, shipped as data (staff copy and adapt them in the admin).

- « SERVQUAL — jeunes » : the PACA headline questions, the 22 statements asked
  as expectations (E) and perceptions (P) on a 1–7 agreement scale, the 100
  points shared between the five dimensions, services used and a free comment;
- « OQM — jeunes » : the headline questions, perceived quality on a 1–10 scale
  (« ne s'applique pas » allowed) by OQM dimension, overall satisfaction and
  its consequences;
- « Questions phares PACA » : the questions asked in every youth campaign;
- « Employeurs » : the 2012 employer questionnaire.

Re-running is harmless: a questionnaire whose code exists is left as it is.
"""

from django.db import migrations

AGREE_7 = ("Pas du tout d'accord", "Tout à fait d'accord")
SATISFIED_10 = ("Très insatisfait(e)", "Très satisfait(e)")
AGREE_10 = ("Pas du tout d'accord", "Tout à fait d'accord")
SATISFIED_5 = ("Très insatisfait(e)", "Très satisfait(e)")

SERVQUAL_DIMENSIONS = ["Tangibles", "Fiabilité", "Réactivité", "Assurance", "Empathie"]
SERVQUAL_DIMENSION_HINTS = {
    "Tangibles": "Les locaux, les équipements, la présentation du personnel et des documents",
    "Fiabilité": "Tenir ses promesses, faire bien les choses du premier coup",
    "Réactivité": "Recevoir rapidement, être disponible pour aider",
    "Assurance": "La confiance, la courtoisie et les connaissances du personnel",
    "Empathie": "L'attention portée à chacun, des horaires adaptés",
}

SERVQUAL_STATEMENTS = [
    ("Tangibles", "La mission locale dispose d'équipements modernes (ordinateurs, documentation)."),
    ("Tangibles", "Les locaux sont agréables et accueillants."),
    ("Tangibles", "Le personnel a une présentation soignée."),
    ("Tangibles", "Les documents remis (brochures, offres) sont clairs et agréables."),
    ("Fiabilité", "Quand la mission locale promet de faire quelque chose à une date donnée, elle le fait."),
    ("Fiabilité", "Quand j'ai un problème, la mission locale montre un réel intérêt à le résoudre."),
    ("Fiabilité", "La mission locale fait bien les choses du premier coup."),
    ("Fiabilité", "Les rendez-vous et services ont lieu au moment prévu."),
    ("Fiabilité", "Mon dossier est tenu sans erreur."),
    ("Réactivité", "On me dit précisément quand les choses vont se faire."),
    ("Réactivité", "Le personnel me reçoit rapidement."),
    ("Réactivité", "Le personnel est toujours prêt à m'aider."),
    ("Réactivité", "Le personnel n'est jamais trop occupé pour répondre à mes demandes."),
    ("Assurance", "Le comportement du personnel m'inspire confiance."),
    ("Assurance", "Je me sens en sécurité dans mes démarches avec la mission locale."),
    ("Assurance", "Le personnel est toujours courtois avec moi."),
    ("Assurance", "Le personnel a les connaissances pour répondre à mes questions."),
    ("Empathie", "La mission locale m'accorde une attention individuelle."),
    ("Empathie", "Les horaires d'ouverture me conviennent."),
    ("Empathie", "Mon conseiller s'occupe personnellement de moi."),
    ("Empathie", "La mission locale a vraiment à cœur mon intérêt."),
    ("Empathie", "Le personnel comprend mes besoins particuliers."),
]


def choices(*pairs, key=None):
    return [{"code": code, "label": label, "is_key": code == key} for code, label in pairs]


HEADLINE_QUESTIONS = [
    {
        "code": "accueil",
        "text": "Êtes-vous satisfait(e) de l'accueil à la mission locale ?",
        "kind": "single",
        "analysis_role": "accueil",
        "choices": choices(
            ("tres_satisfait", "Très satisfait(e)"),
            ("plutot_satisfait", "Plutôt satisfait(e)"),
            ("plutot_pas_satisfait", "Plutôt pas satisfait(e)"),
            ("pas_du_tout_satisfait", "Pas du tout satisfait(e)"),
            key="tres_satisfait",
        ),
    },
    {
        "code": "delai",
        "text": "À votre arrivée, avez-vous été reçu(e) :",
        "kind": "single",
        "analysis_role": "delai",
        "choices": choices(
            ("immediatement", "immédiatement"),
            ("moins_15_minutes", "après moins de 15 minutes"),
            ("plus_15_minutes", "après plus de 15 minutes"),
            ("autre_jour", "sur rendez-vous un autre jour"),
            key="immediatement",
        ),
    },
    {
        "code": "connu",
        "text": "Comment avez-vous connu la mission locale ?",
        "help_text": "Plusieurs réponses possibles.",
        "kind": "multiple",
        "analysis_role": "connu",
        "choices": choices(
            ("amis", "Amis"),
            ("famille", "Famille"),
            ("pole_emploi", "Pôle emploi"),
            ("etablissement_scolaire", "Établissement scolaire"),
            ("travailleur_social", "Travailleur social"),
            ("internet", "Internet"),
            ("autre", "Autre"),
        ),
    },
    {
        "code": "recommande",
        "text": "Conseilleriez-vous à vos amis de s'y rendre ?",
        "kind": "yes_no",
        "analysis_role": "recommande",
    },
]

SERVICES_AND_COMMENT = [
    {
        "code": "services",
        "text": "Quels services utilisez-vous ?",
        "help_text": "Plusieurs réponses possibles.",
        "kind": "multiple",
        "required": False,
        "choices": choices(
            ("documentation", "Espace documentation"),
            ("internet", "Accès à Internet"),
            ("ateliers", "Ateliers"),
            ("entretiens", "Entretiens avec un conseiller"),
            ("autre", "Autre"),
        ),
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


def servqual_items(role, first, last):
    return [
        {
            "code": f"{role.lower()}{number:02d}",
            "text": statement,
            "kind": "likert7",
            "dimension": dimension,
            "servqual_role": role,
            "servqual_item": number,
            "min_label": AGREE_7[0],
            "max_label": AGREE_7[1],
        }
        for number, (dimension, statement) in enumerate(SERVQUAL_STATEMENTS, start=1)
        if first <= number <= last
    ]


EXPECTATIONS = (
    "Pensez à une mission locale excellente, idéale. Pour chaque phrase, dites si vous êtes d'accord : "
    "1 = pas du tout d'accord, 7 = tout à fait d'accord."
)
PERCEPTIONS = (
    "Pensez maintenant à votre mission locale, telle que vous la connaissez. Pour chaque phrase, dites si "
    "vous êtes d'accord : 1 = pas du tout d'accord, 7 = tout à fait d'accord."
)

SERVQUAL = {
    "code": "servqual-jeunes",
    "title": "SERVQUAL — satisfaction des jeunes",
    "audience": "jeunes",
    "instrument": "servqual",
    "description": (
        "Cette enquête anonyme dure une dizaine de minutes. Vos réponses aident votre mission locale à "
        "améliorer son accueil et ses services. Aucune donnée permettant de vous identifier n'est conservée."
    ),
    "sections": [
        {"title": "Votre accueil", "questions": HEADLINE_QUESTIONS},
        {
            "title": "Ce que vous attendez d'une mission locale (1 sur 2)",
            "description": EXPECTATIONS,
            "questions": servqual_items("E", 1, 9),
        },
        {
            "title": "Ce que vous attendez d'une mission locale (2 sur 2)",
            "description": EXPECTATIONS,
            "questions": servqual_items("E", 10, 22),
        },
        {
            "title": "Ce que vous pensez de votre mission locale (1 sur 2)",
            "description": PERCEPTIONS,
            "questions": servqual_items("P", 1, 9),
        },
        {
            "title": "Ce que vous pensez de votre mission locale (2 sur 2)",
            "description": PERCEPTIONS,
            "questions": servqual_items("P", 10, 22),
        },
        {
            "title": "Ce qui compte le plus pour vous",
            "description": "Répartissez 100 points entre ces cinq aspects selon leur importance pour vous.",
            "questions": [
                {
                    "code": "poids",
                    "text": "Importance de chaque aspect (le total doit faire 100 points)",
                    "kind": "points",
                    "servqual_role": "W",
                    "points_total": 100,
                    "choices": [
                        {
                            "code": dimension.lower().replace("é", "e"),
                            "label": f"{SERVQUAL_DIMENSION_HINTS[dimension]} ({dimension.lower()})",
                            "dimension": dimension,
                        }
                        for dimension in SERVQUAL_DIMENSIONS
                    ],
                }
            ],
        },
        {"title": "Vos services et votre avis", "questions": SERVICES_AND_COMMENT},
    ],
}


def oqm(code, text, dimension, role="", na=True, labels=SATISFIED_10):
    return {
        "code": code,
        "text": text,
        "kind": "likert10",
        "dimension": dimension,
        "analysis_role": role,
        "allow_not_applicable": na,
        "min_label": labels[0],
        "max_label": labels[1],
    }


OQM_INTRO = "Donnez une note de 1 (très insatisfait) à 10 (très satisfait). Si une question ne vous concerne pas, répondez « Ne s'applique pas »."

OQM = {
    "code": "oqm-jeunes",
    "title": "OQM — qualité perçue par les jeunes",
    "audience": "jeunes",
    "instrument": "oqm",
    "description": (
        "Cette enquête anonyme dure moins de dix minutes. Elle s'inspire de l'Outil québécois de mesure. "
        "Aucune donnée permettant de vous identifier n'est conservée."
    ),
    "sections": [
        {"title": "Votre accueil", "questions": HEADLINE_QUESTIONS},
        {
            "title": "Accès et délais",
            "description": OQM_INTRO,
            "questions": [
                oqm("acces_joindre", "La facilité à joindre la mission locale", "Accessibilité"),
                oqm("acces_horaires", "Les horaires d'ouverture", "Accessibilité"),
                oqm("acces_lieu", "La facilité à vous rendre sur place", "Accessibilité"),
                oqm("delai_rdv", "Le délai pour obtenir un premier rendez-vous", "Délais"),
                oqm("delai_attente", "L'attente sur place", "Délais"),
            ],
        },
        {
            "title": "Vos relations avec le personnel",
            "description": OQM_INTRO,
            "questions": [
                oqm("respect", "Le respect avec lequel vous êtes traité(e)", "Respect et courtoisie"),
                oqm("politesse", "La politesse du personnel", "Respect et courtoisie"),
                oqm("discretion", "La discrétion et la confidentialité", "Respect et courtoisie"),
                oqm("ecoute", "L'écoute dont vous bénéficiez", "Écoute et empathie"),
                oqm("comprehension", "La compréhension de votre situation", "Écoute et empathie"),
            ],
        },
        {
            "title": "Compétence et information",
            "description": OQM_INTRO,
            "questions": [
                oqm("competence", "La compétence de votre conseiller", "Compétence et fiabilité"),
                oqm("exactitude", "L'exactitude des informations reçues", "Compétence et fiabilité"),
                oqm("engagements", "Le suivi des engagements pris", "Compétence et fiabilité"),
                oqm("explications", "La clarté des explications", "Clarté de l'information"),
                oqm("documents", "Des documents compréhensibles", "Clarté de l'information"),
                oqm("equite", "Un traitement juste et équitable", "Équité"),
            ],
        },
        {
            "title": "Votre satisfaction",
            "questions": [
                oqm(
                    "satisfaction_globale",
                    "Dans l'ensemble, êtes-vous satisfait(e) des services reçus ?",
                    "Satisfaction globale",
                    role="satisfaction_globale",
                    na=False,
                ),
                oqm(
                    "recommanderais",
                    "Je recommanderais la mission locale à un ami.",
                    "Conséquences",
                    role="consequence",
                    labels=AGREE_10,
                ),
                oqm(
                    "image",
                    "J'ai une bonne image de la mission locale.",
                    "Conséquences",
                    role="consequence",
                    labels=AGREE_10,
                ),
                *SERVICES_AND_COMMENT,
            ],
        },
    ],
}

PHARES = {
    "code": "questions-phares",
    "title": "Questions phares PACA",
    "audience": "jeunes",
    "instrument": "phares",
    "description": "Quelques questions sur votre accueil à la mission locale. Enquête anonyme.",
    "sections": [
        {"title": "Votre accueil", "questions": HEADLINE_QUESTIONS},
        {"title": "Vos services et votre avis", "questions": SERVICES_AND_COMMENT},
    ],
}

EMPLOYEURS = {
    "code": "employeurs",
    "title": "Satisfaction des employeurs",
    "audience": "entreprises",
    "instrument": "employeurs",
    "description": (
        "Votre entreprise travaille avec la mission locale : donnez-nous votre avis sur ses services. "
        "Le questionnaire est anonyme et dure cinq minutes."
    ),
    "sections": [
        {
            "title": "Votre relation avec la mission locale",
            "questions": [
                {
                    "code": "connaissance",
                    "text": "Comment votre entreprise a-t-elle connu la mission locale ?",
                    "help_text": "Plusieurs réponses possibles.",
                    "kind": "multiple",
                    "choices": choices(
                        ("demarchage", "La mission locale nous a contactés"),
                        ("pole_emploi", "Pôle emploi"),
                        ("reseau_entreprises", "Un réseau d'entreprises, une chambre consulaire"),
                        ("candidature", "La candidature d'un jeune"),
                        ("bouche_a_oreille", "Le bouche-à-oreille"),
                        ("autre", "Autre"),
                    ),
                },
                {
                    "code": "contacts",
                    "text": "Combien de fois avez-vous été en contact avec la mission locale cette année ?",
                    "help_text": "Un nombre entier, par exemple 4.",
                    "kind": "number",
                    "min_value": 0,
                    "max_value": 365,
                },
            ],
        },
        {
            "title": "Les candidats et la réactivité",
            "description": "1 = très insatisfait(e), 5 = très satisfait(e).",
            "questions": [
                {
                    "code": "qualite_candidats",
                    "text": "La qualité des candidats proposés",
                    "kind": "likert5",
                    "dimension": "Candidats",
                    "min_label": SATISFIED_5[0],
                    "max_label": SATISFIED_5[1],
                },
                {
                    "code": "reactivite",
                    "text": "La réactivité de la mission locale à vos demandes",
                    "kind": "likert5",
                    "dimension": "Réactivité",
                    "min_label": SATISFIED_5[0],
                    "max_label": SATISFIED_5[1],
                },
            ],
        },
        {
            "title": "Le suivi du jeune dans l'emploi",
            "questions": [
                {
                    "code": "suivi",
                    "text": "La mission locale a-t-elle suivi le jeune après son embauche (visites, contacts) ?",
                    "kind": "yes_no",
                    "dimension": "Suivi dans l'emploi",
                },
                {
                    "code": "qualite_suivi",
                    "text": "La qualité de ce suivi",
                    "kind": "likert5",
                    "required": False,
                    "dimension": "Suivi dans l'emploi",
                    "min_label": SATISFIED_5[0],
                    "max_label": SATISFIED_5[1],
                },
            ],
        },
        {
            "title": "Votre avis",
            "questions": [
                {
                    "code": "satisfaction_globale",
                    "text": "Dans l'ensemble, êtes-vous satisfait(e) des services de la mission locale ?",
                    "kind": "likert5",
                    "analysis_role": "satisfaction_globale",
                    "min_label": SATISFIED_5[0],
                    "max_label": SATISFIED_5[1],
                },
                {
                    "code": "recommande",
                    "text": "Recommanderiez-vous la mission locale à d'autres entreprises ?",
                    "kind": "yes_no",
                    "analysis_role": "recommande",
                },
                {
                    "code": "recruter_a_nouveau",
                    "text": "Avez-vous l'intention de recruter à nouveau par la mission locale ?",
                    "kind": "yes_no",
                },
                {
                    "code": "commentaire",
                    "text": "Commentaire libre",
                    "help_text": "Facultatif. N'écrivez le nom d'aucune personne.",
                    "kind": "text",
                    "required": False,
                    "max_length": 1000,
                    "analysis_role": "commentaire",
                },
            ],
        },
    ],
}

INSTRUMENTS = [SERVQUAL, OQM, PHARES, EMPLOYEURS]

QUESTION_FIELDS = (
    "help_text",
    "required",
    "dimension",
    "servqual_role",
    "servqual_item",
    "analysis_role",
    "min_label",
    "max_label",
    "allow_not_applicable",
    "max_length",
    "min_value",
    "max_value",
    "points_total",
)


def load_instruments(apps, schema_editor):
    Questionnaire = apps.get_model("surveys", "Questionnaire")
    Section = apps.get_model("surveys", "Section")
    Question = apps.get_model("surveys", "Question")
    Choice = apps.get_model("surveys", "Choice")
    for instrument in INSTRUMENTS:
        if Questionnaire.objects.filter(code=instrument["code"]).exists():
            continue
        questionnaire = Questionnaire.objects.create(
            code=instrument["code"],
            title=instrument["title"],
            audience=instrument["audience"],
            instrument=instrument["instrument"],
            description=instrument["description"],
        )
        for section_order, section_data in enumerate(instrument["sections"], start=1):
            section = Section.objects.create(
                questionnaire=questionnaire,
                order=section_order,
                title=section_data["title"],
                description=section_data.get("description", ""),
            )
            for question_order, data in enumerate(section_data["questions"], start=1):
                question = Question.objects.create(
                    section=section,
                    order=question_order,
                    code=data["code"],
                    text=data["text"],
                    kind=data["kind"],
                    **{field: data[field] for field in QUESTION_FIELDS if field in data},
                )
                for choice_order, choice in enumerate(data.get("choices", []), start=1):
                    Choice.objects.create(
                        question=question,
                        order=choice_order,
                        code=choice["code"],
                        label=choice["label"],
                        is_key=choice.get("is_key", False),
                        dimension=choice.get("dimension", ""),
                    )


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_models")]

    operations = [migrations.RunPython(load_instruments, migrations.RunPython.noop)]
