"""The satisfaction surveys: questionnaires and their compiled versions, campaigns, distribution points,
access codes, responses, results and their publication, staff invitations.

Also installs the survey instruments of docs/surveys.md as data (staff copy and adapt them in the admin;
re-running is harmless, a questionnaire whose code exists is left as it is):
- « SERVQUAL — jeunes » : the PACA headline questions, the 22 statements asked as expectations (E) and
  perceptions (P) on a 1–7 agreement scale, the 100 points shared between the five dimensions, services
  used and a free comment;
- « OQM — jeunes » : the headline questions, perceived quality on a 1–10 scale (« ne s'applique pas »
  allowed) by OQM dimension, overall satisfaction and its consequences;
- « Questions phares PACA » : the questions asked in every youth campaign;
- « Employeurs » : the 2012 employer questionnaire;
- « Professionnels des missions locales » : after the CNML–Psymel survey of 137 professionals (La Lettre
  du CNML), answered anonymously with the personal single-use link each member of staff receives by
  e-mail (``surveys.invitations``).
It schedules the closing of campaigns past their closing date (every hour).

Squashed on 7 December 2026 from 0001_models … 0007_french_spacing (``replaces``): a database migrated
to the last of those takes this one as applied (docs/migrations.md)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from cnml.schedules import every

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
    load(apps, INSTRUMENTS)


def load(apps, instruments):
    Questionnaire = apps.get_model("surveys", "Questionnaire")
    Section = apps.get_model("surveys", "Section")
    Question = apps.get_model("surveys", "Question")
    Choice = apps.get_model("surveys", "Choice")
    for instrument in instruments:
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


def load_professionals(apps, schema_editor):
    load(apps, [PROFESSIONNELS])


class Migration(migrations.Migration):
    initial = True

    replaces = [
        ("surveys", "0001_models"),
        ("surveys", "0002_instruments"),
        ("surveys", "0003_close_due_campaigns_schedule"),
        ("surveys", "0004_results_publication"),
        ("surveys", "0005_staff_invitations"),
        ("surveys", "0006_professionals_instrument"),
        ("surveys", "0007_french_spacing"),
    ]

    dependencies = [
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("cnml", "0001_squashed"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Question",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("order", models.PositiveSmallIntegerField(default=0, verbose_name="ordre")),
                (
                    "code",
                    models.SlugField(
                        help_text="Identifiant stable de la question dans le questionnaire (les réponses y sont rattachées).",
                        max_length=40,
                        verbose_name="code",
                    ),
                ),
                ("text", models.TextField(verbose_name="libellé")),
                ("help_text", models.CharField(blank=True, max_length=300, verbose_name="aide")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("likert5", "Échelle de 1 à 5"),
                            ("likert7", "Échelle de 1 à 7"),
                            ("likert10", "Échelle de 1 à 10"),
                            ("single", "Choix unique"),
                            ("multiple", "Choix multiple"),
                            ("yes_no", "Oui / Non / Je ne sais pas"),
                            ("number", "Nombre"),
                            ("text", "Texte libre"),
                            ("points", "Répartition de points entre dimensions"),
                        ],
                        max_length=10,
                        verbose_name="type",
                    ),
                ),
                ("required", models.BooleanField(default=True, verbose_name="obligatoire")),
                (
                    "dimension",
                    models.CharField(
                        blank=True,
                        help_text="Par exemple «\xa0Fiabilité\xa0» (SERVQUAL) ou «\xa0Délais\xa0» (OQM).",
                        max_length=60,
                        verbose_name="dimension",
                    ),
                ),
                (
                    "servqual_role",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "—"),
                            ("E", "Attente (E)"),
                            ("P", "Perception (P)"),
                            ("W", "Pondération des dimensions (100 points)"),
                        ],
                        default="",
                        max_length=1,
                        verbose_name="rôle SERVQUAL",
                    ),
                ),
                (
                    "servqual_item",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="Numéro de l'énoncé (1 à 22)\xa0: apparie l'attente (E) et la perception (P).",
                        null=True,
                        verbose_name="item SERVQUAL",
                    ),
                ),
                (
                    "analysis_role",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "—"),
                            ("accueil", "Chiffre clé\xa0: satisfaction de l'accueil"),
                            ("delai", "Chiffre clé\xa0: délai de réception"),
                            ("connu", "Chiffre clé\xa0: comment la mission locale a été connue"),
                            ("recommande", "Chiffre clé\xa0: recommandation"),
                            ("satisfaction_globale", "Satisfaction globale"),
                            ("consequence", "Conséquence (hors priorités)"),
                            ("commentaire", "Commentaire libre"),
                        ],
                        default="",
                        max_length=30,
                        verbose_name="rôle dans les résultats",
                    ),
                ),
                ("min_label", models.CharField(blank=True, max_length=80, verbose_name="libellé de l'extrémité basse")),
                ("max_label", models.CharField(blank=True, max_length=80, verbose_name="libellé de l'extrémité haute")),
                (
                    "allow_not_applicable",
                    models.BooleanField(default=False, verbose_name="«\xa0Ne s'applique pas\xa0» proposé"),
                ),
                ("max_length", models.PositiveIntegerField(default=1000, verbose_name="longueur maximale (texte)")),
                ("min_value", models.IntegerField(blank=True, null=True, verbose_name="valeur minimale (nombre)")),
                ("max_value", models.IntegerField(blank=True, null=True, verbose_name="valeur maximale (nombre)")),
                (
                    "points_total",
                    models.PositiveSmallIntegerField(default=100, verbose_name="total à répartir (points)"),
                ),
            ],
            options={
                "verbose_name": "question",
                "ordering": ["section__order", "section", "order", "pk"],
            },
        ),
        migrations.CreateModel(
            name="Campaign",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("title", models.CharField(max_length=200, verbose_name="titre")),
                (
                    "audience",
                    models.CharField(
                        choices=[
                            ("jeunes", "Jeunes"),
                            ("entreprises", "Entreprises"),
                            ("professionnels", "Professionnels des missions locales"),
                        ],
                        default="jeunes",
                        max_length=20,
                        verbose_name="public",
                    ),
                ),
                (
                    "scope",
                    models.CharField(
                        choices=[("region", "Une région"), ("nation", "Tout le réseau")],
                        default="region",
                        max_length=10,
                        verbose_name="périmètre",
                    ),
                ),
                ("opens_on", models.DateField(verbose_name="ouverture")),
                ("closes_on", models.DateField(verbose_name="clôture")),
                (
                    "target",
                    models.PositiveIntegerField(
                        help_text="Pour l'ensemble de la campagne.", verbose_name="objectif de réponses"
                    ),
                ),
                (
                    "access_mode",
                    models.CharField(
                        choices=[
                            ("lien", "Lien ouvert (et codes à usage unique facultatifs)"),
                            ("codes", "Codes à usage unique seulement"),
                        ],
                        default="lien",
                        max_length=10,
                        verbose_name="accès",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("brouillon", "Brouillon"), ("ouverte", "Ouverte"), ("close", "Close")],
                        default="brouillon",
                        max_length=12,
                        verbose_name="état",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="créée le")),
                ("aggregated_at", models.DateTimeField(blank=True, null=True, verbose_name="résultats calculés le")),
                (
                    "aggregated_responses",
                    models.PositiveIntegerField(default=0, verbose_name="réponses prises en compte"),
                ),
                (
                    "results_spec",
                    models.JSONField(blank=True, editable=False, null=True, verbose_name="questionnaire des résultats"),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="créée par",
                    ),
                ),
                (
                    "participants",
                    models.ManyToManyField(
                        blank=True,
                        help_text="Missions locales et antennes qui diffusent l'enquête.",
                        related_name="survey_campaigns",
                        to="cnml.structure",
                        verbose_name="structures participantes",
                    ),
                ),
                (
                    "region",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="campaigns",
                        to="cnml.region",
                        verbose_name="région",
                    ),
                ),
            ],
            options={
                "verbose_name": "campagne",
                "ordering": ["-opens_on", "title"],
            },
        ),
        migrations.CreateModel(
            name="DistributionPoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.CharField(max_length=12, unique=True, verbose_name="code du lien")),
                (
                    "target",
                    models.PositiveIntegerField(
                        blank=True,
                        help_text="Vide\xa0: part égale de l'objectif de la campagne.",
                        null=True,
                        verbose_name="objectif de réponses",
                    ),
                ),
                (
                    "campaign",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="points",
                        to="surveys.campaign",
                        verbose_name="campagne",
                    ),
                ),
                (
                    "structure",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="survey_points",
                        to="cnml.structure",
                        verbose_name="structure",
                    ),
                ),
            ],
            options={
                "verbose_name": "point de diffusion",
                "verbose_name_plural": "points de diffusion",
                "ordering": ["campaign", "structure__code"],
            },
        ),
        migrations.CreateModel(
            name="AccessCode",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.CharField(max_length=12, unique=True, verbose_name="code")),
                ("batch", models.PositiveSmallIntegerField(default=1, verbose_name="lot")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="créé le")),
                ("used_at", models.DateTimeField(blank=True, null=True, verbose_name="utilisé le")),
                (
                    "point",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="access_codes",
                        to="surveys.distributionpoint",
                        verbose_name="point de diffusion",
                    ),
                ),
            ],
            options={
                "verbose_name": "code à usage unique",
                "verbose_name_plural": "codes à usage unique",
                "ordering": ["point", "batch", "code"],
            },
        ),
        migrations.CreateModel(
            name="Choice",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("order", models.PositiveSmallIntegerField(default=0, verbose_name="ordre")),
                ("code", models.SlugField(max_length=40, verbose_name="code")),
                ("label", models.CharField(max_length=200, verbose_name="libellé")),
                (
                    "is_key",
                    models.BooleanField(
                        default=False,
                        help_text="Pour un chiffre clé\xa0: la part des répondants ayant choisi cette réponse («\xa0Très satisfait(e)\xa0»).",
                        verbose_name="réponse mise en avant",
                    ),
                ),
                (
                    "dimension",
                    models.CharField(
                        blank=True,
                        help_text="Pour une répartition de points\xa0: la dimension pondérée.",
                        max_length=60,
                        verbose_name="dimension",
                    ),
                ),
                (
                    "question",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="choices",
                        to="surveys.question",
                        verbose_name="question",
                    ),
                ),
            ],
            options={
                "verbose_name": "modalité",
                "ordering": ["question", "order", "pk"],
            },
        ),
        migrations.CreateModel(
            name="Questionnaire",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.SlugField(max_length=60, unique=True, verbose_name="code")),
                ("title", models.CharField(max_length=200, verbose_name="titre")),
                (
                    "audience",
                    models.CharField(
                        choices=[
                            ("jeunes", "Jeunes"),
                            ("entreprises", "Entreprises"),
                            ("professionnels", "Professionnels des missions locales"),
                        ],
                        default="jeunes",
                        max_length=20,
                        verbose_name="public",
                    ),
                ),
                (
                    "instrument",
                    models.CharField(
                        choices=[
                            ("servqual", "SERVQUAL"),
                            ("oqm", "Outil québécois de mesure (OQM)"),
                            ("phares", "Questions phares"),
                            ("employeurs", "Employeurs"),
                            ("professionnels", "Professionnels"),
                            ("libre", "Questionnaire libre"),
                        ],
                        default="libre",
                        max_length=20,
                        verbose_name="modèle",
                    ),
                ),
                (
                    "description",
                    models.TextField(
                        blank=True,
                        help_text="Texte montré aux répondants avant la première question.",
                        verbose_name="introduction",
                    ),
                ),
                (
                    "revision",
                    models.PositiveIntegerField(
                        default=1, editable=False, help_text="Augmente à chaque modification.", verbose_name="révision"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="créé le")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="modifié le")),
                (
                    "copied_from",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="copies",
                        to="surveys.questionnaire",
                        verbose_name="copie de",
                    ),
                ),
            ],
            options={
                "verbose_name": "questionnaire",
                "ordering": ["title"],
            },
        ),
        migrations.AddField(
            model_name="campaign",
            name="questionnaire",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="campaigns",
                to="surveys.questionnaire",
                verbose_name="questionnaire",
            ),
        ),
        migrations.CreateModel(
            name="QuestionnaireVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("revision", models.PositiveIntegerField(verbose_name="révision")),
                ("digest", models.CharField(max_length=64, verbose_name="empreinte")),
                ("spec", models.JSONField(verbose_name="contenu")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="créée le")),
                (
                    "questionnaire",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="versions",
                        to="surveys.questionnaire",
                        verbose_name="questionnaire",
                    ),
                ),
            ],
            options={
                "verbose_name": "version de questionnaire",
                "verbose_name_plural": "versions de questionnaire",
            },
        ),
        migrations.CreateModel(
            name="Response",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("submitted_on", models.DateField(verbose_name="date de réponse")),
                ("answers", models.JSONField(verbose_name="réponses")),
                (
                    "campaign",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="responses",
                        to="surveys.campaign",
                        verbose_name="campagne",
                    ),
                ),
                (
                    "point",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="responses",
                        to="surveys.distributionpoint",
                        verbose_name="point de diffusion",
                    ),
                ),
                (
                    "version",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="surveys.questionnaireversion",
                        verbose_name="version du questionnaire",
                    ),
                ),
            ],
            options={
                "verbose_name": "réponse",
            },
        ),
        migrations.CreateModel(
            name="ResultNode",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(max_length=40, verbose_name="clé")),
                (
                    "level",
                    models.CharField(
                        choices=[
                            ("nation", "Ensemble du réseau"),
                            ("region", "Région"),
                            ("ml", "Mission locale"),
                            ("antenne", "Antenne"),
                            ("autres", "Regroupement"),
                        ],
                        max_length=10,
                        verbose_name="niveau",
                    ),
                ),
                ("label", models.CharField(max_length=250, verbose_name="libellé")),
                ("position", models.PositiveIntegerField(default=0, verbose_name="ordre")),
                ("suppressed", models.BooleanField(default=False, verbose_name="masqué")),
                ("n", models.PositiveIntegerField(blank=True, null=True, verbose_name="nombre de réponses")),
                ("figures", models.JSONField(default=dict, verbose_name="chiffres")),
                (
                    "campaign",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="nodes",
                        to="surveys.campaign",
                        verbose_name="campagne",
                    ),
                ),
                (
                    "parent",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="children",
                        to="surveys.resultnode",
                    ),
                ),
                (
                    "region",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="cnml.region",
                    ),
                ),
                (
                    "structure",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="cnml.structure",
                    ),
                ),
            ],
            options={
                "verbose_name": "résultat agrégé",
                "verbose_name_plural": "résultats agrégés",
                "ordering": ["campaign", "position"],
            },
        ),
        migrations.CreateModel(
            name="ResultsPublication",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "status",
                    models.CharField(
                        choices=[("non_publies", "Non publiés"), ("publies", "Publiés"), ("retires", "Retirés")],
                        default="non_publies",
                        max_length=12,
                        verbose_name="état",
                    ),
                ),
                ("published_at", models.DateTimeField(blank=True, null=True, verbose_name="publiés le")),
                (
                    "campaign",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="publication",
                        to="surveys.campaign",
                        verbose_name="campagne",
                    ),
                ),
            ],
            options={
                "verbose_name": "publication des résultats",
                "verbose_name_plural": "publications des résultats",
            },
        ),
        migrations.CreateModel(
            name="Section",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("order", models.PositiveSmallIntegerField(default=0, verbose_name="ordre")),
                ("title", models.CharField(max_length=200, verbose_name="titre")),
                ("description", models.TextField(blank=True, verbose_name="consigne")),
                (
                    "questionnaire",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="sections",
                        to="surveys.questionnaire",
                        verbose_name="questionnaire",
                    ),
                ),
            ],
            options={
                "verbose_name": "section",
                "ordering": ["questionnaire", "order", "pk"],
            },
        ),
        migrations.AddField(
            model_name="question",
            name="section",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="questions",
                to="surveys.section",
                verbose_name="section",
            ),
        ),
        migrations.CreateModel(
            name="StaffInvitation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("invited_on", models.DateField(verbose_name="invité le")),
                (
                    "campaign",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="staff_invitations",
                        to="surveys.campaign",
                        verbose_name="campagne",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="professionnel",
                    ),
                ),
            ],
            options={
                "verbose_name": "invitation d'un professionnel",
                "verbose_name_plural": "invitations des professionnels",
            },
        ),
        migrations.AddConstraint(
            model_name="distributionpoint",
            constraint=models.UniqueConstraint(fields=("campaign", "structure"), name="point_unique_per_structure"),
        ),
        migrations.AddConstraint(
            model_name="choice",
            constraint=models.UniqueConstraint(fields=("question", "code"), name="choice_code_unique_in_question"),
        ),
        migrations.AddConstraint(
            model_name="campaign",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("scope", "region"), ("region__isnull", False)),
                    models.Q(("scope", "nation"), ("region__isnull", True)),
                    _connector="OR",
                ),
                name="campaign_region_matches_scope",
            ),
        ),
        migrations.AddConstraint(
            model_name="campaign",
            constraint=models.CheckConstraint(
                condition=models.Q(("closes_on__gte", models.F("opens_on"))), name="campaign_dates_in_order"
            ),
        ),
        migrations.AddConstraint(
            model_name="questionnaireversion",
            constraint=models.UniqueConstraint(fields=("questionnaire", "digest"), name="questionnaire_version_unique"),
        ),
        migrations.AddIndex(
            model_name="response",
            index=models.Index(fields=["campaign", "point"], name="surveys_res_campaig_4f8764_idx"),
        ),
        migrations.AddConstraint(
            model_name="resultnode",
            constraint=models.UniqueConstraint(fields=("campaign", "key"), name="result_node_unique_key"),
        ),
        migrations.AddConstraint(
            model_name="question",
            constraint=models.UniqueConstraint(fields=("section", "code"), name="question_code_unique_in_section"),
        ),
        migrations.AddConstraint(
            model_name="question",
            constraint=models.CheckConstraint(
                condition=models.Q(("servqual_item__isnull", True), ("servqual_role__in", ["E", "P"]), _connector="OR"),
                name="question_servqual_item_with_role",
            ),
        ),
        migrations.AddConstraint(
            model_name="staffinvitation",
            constraint=models.UniqueConstraint(fields=("campaign", "user"), name="staff_invitation_once"),
        ),
        migrations.RunPython(load_instruments, migrations.RunPython.noop),
        migrations.RunPython(load_professionals, migrations.RunPython.noop),
        every(
            1,
            "hours",
            name="Enquêtes : clôturer les campagnes échues et calculer leurs résultats",
            task="surveys.tasks.close_due_campaigns",
        ),
    ]
