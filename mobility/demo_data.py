"""The figures of the mobility demo (:mod:`mobility.demo`): the 2011 call's texts and criteria, the
missions locales it adds to the network, the ten projects with their stage and reports, and the illustrative content of each application.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from cnml.models import StructureKind
from mobility.models import CarrierKind, FundingStatus, ReportPeriod, ReportStatus, Stage, TerritoryType

CRITERIA = [
    (
        "Réponse à un besoin social évident",
        "Les besoins de mobilité des publics en situation de précarité sont établis.",
    ),
    ("Modèle économique viable et juste", "Un plan de financement réaliste et des tarifs solidaires."),
    ("Respect de l'environnement", "Des services qui privilégient les déplacements partagés et sobres."),
    ("Ancrage territorial et partenariat", "Les missions locales et les acteurs du territoire sont associés."),
]

CALL_TEXT = (
    "Parce que la mobilité est un facteur clé pour les jeunes dans leur recherche de formation ou d'emploi, "
    "mais aussi dans l'accès au logement ou à la santé, le CNML s'est investi depuis 2009 avec ses partenaires "
    "dans un travail de modélisation et d'essai de plateformes d'aide à la mobilité.\n\n"
    "Le CNML appelle les territoires à présenter un projet de « plateforme solidaire d'aide à la mobilité en "
    "faveur des publics en situation de précarité », sur le concept construit avec la Fédération des "
    "Associations de la Route pour l'Éducation (FARE). Les projets retenus bénéficient d'une formation-action "
    "d'un expert de la fédération, grâce au soutien de la Fondation MACIF, pour dégager les grands axes du projet "
    "local : territoire pertinent et besoins des publics, services existants et à développer, projet de "
    "fonctionnement, financement et gouvernance."
)
ELIGIBILITY = (
    "Missions locales, associations régionales des missions locales et organismes partenaires du territoire "
    "(maisons de l'emploi, conseils généraux, associations) portant un projet de plateforme d'aide à la mobilité "
    "ouverte aux jeunes accompagnés par les missions locales."
)

# Network structures the newsletter names: code, name, kind, region code. Their codes start
# with "MOB-" so they stand apart from the structures of the warehouse extract.
STRUCTURES = [
    ("MOB-ML-LURE", "Mission locale de Lure, Luxeuil-les-Bains et Champagny", StructureKind.ML, "43"),
    ("MOB-ML-VESOUL", "Mission locale du bassin d'emploi de Vesoul", StructureKind.ML, "43"),
    ("MOB-ML-SAUMUROIS", "Mission locale du Saumurois", StructureKind.ML, "52"),
    ("MOB-ML-MOULINS", "Mission locale de Moulins", StructureKind.ML, "83"),
    ("MOB-ARML-REUNION", "Association régionale des missions locales de la Réunion", StructureKind.ARML, "04"),
]

# The ten projects: carrier (structure code or name, kind, region), partners, territory,
# services to develop, stage, and figures for the demo.
PROJECTS = [
    {
        "carrier": ("Maison de l'emploi Nîmes Métropole", CarrierKind.MAISON_EMPLOI, "91"),
        "departements": "30",
        "communes": "Nîmes Métropole",
        "territory": TerritoryType.MIXTE,
        "services": ["location", "covoiturage", "conseil-mobilite"],
        "existing": ["transport-a-la-demande"],
        "stage": Stage.EN_FONCTIONNEMENT,
        "budget": 150_000,
        "reports": [(2012, ReportPeriod.S1, ReportStatus.APPROUVE), (2012, ReportPeriod.S2, ReportStatus.APPROUVE)],
    },
    {
        "carrier": "MOB-ML-LURE",
        "partners": ["MOB-ML-VESOUL"],
        "departements": "70",
        "communes": "Pays de Lure et de Luxeuil-les-Bains",
        "territory": TerritoryType.RURAL,
        "services": ["location", "garage-associatif", "conseil-mobilite"],
        "existing": [],
        "stage": Stage.EN_FONCTIONNEMENT,
        "budget": 120_000,
        "reports": [(2012, ReportPeriod.ANNEE, ReportStatus.APPROUVE), (2013, ReportPeriod.S1, ReportStatus.SOUMIS)],
    },
    {
        "carrier": "MOB-ML-VESOUL",
        "partners": ["MOB-ML-LURE"],
        "departements": "70",
        "communes": "Bassin d'emploi de Vesoul",
        "territory": TerritoryType.MIXTE,
        "services": ["location", "covoiturage", "conseil-mobilite"],
        "existing": ["transport-a-la-demande"],
        "stage": Stage.LANCEMENT,
        "budget": 100_000,
        "reports": [],
    },
    {
        "carrier": ("Maison de l'emploi de Corbeil-Essonnes Evry", CarrierKind.MAISON_EMPLOI, "11"),
        "departements": "91",
        "communes": "Corbeil-Essonnes, Évry",
        "territory": TerritoryType.URBAIN,
        "services": ["auto-ecole-associative", "conseil-mobilite"],
        "existing": ["covoiturage"],
        "stage": Stage.LANCEMENT,
        "budget": 140_000,
        "reports": [(2012, ReportPeriod.S2, ReportStatus.BROUILLON)],
    },
    {
        "carrier": ("Conseil général de Charente-Maritime", CarrierKind.CONSEIL_GENERAL, "54"),
        "departements": "17",
        "communes": "",
        "territory": TerritoryType.MIXTE,
        "services": ["observatoire", "transport-a-la-demande", "location"],
        "existing": [],
        "stage": Stage.MONTAGE,
        "budget": 200_000,
        "reports": [],
    },
    {
        "carrier": "MOB-ARML-REUNION",
        "departements": "974",
        "communes": "",
        "territory": TerritoryType.MIXTE,
        "services": ["auto-ecole-associative", "location", "conseil-mobilite"],
        "existing": [],
        "stage": Stage.LANCEMENT,
        "budget": 180_000,
        "reports": [(2012, ReportPeriod.ANNEE, ReportStatus.SOUMIS)],
    },
    {
        "carrier": ("Maison de l'emploi Saumur Loire Vallées d'Anjou", CarrierKind.MAISON_EMPLOI, "52"),
        "partners": ["MOB-ML-SAUMUROIS"],
        "departements": "49",
        "communes": "Saumur Loire Vallées d'Anjou",
        "territory": TerritoryType.RURAL,
        "services": ["location", "autopartage", "atelier-maintenance"],
        "existing": ["covoiturage"],
        "stage": Stage.EN_FONCTIONNEMENT,
        "budget": 110_000,
        "reports": [(2012, ReportPeriod.ANNEE, ReportStatus.APPROUVE)],
    },
    {
        "carrier": ("Maison de l'emploi de Redon", CarrierKind.MAISON_EMPLOI, "53"),
        "departements": "35, 44, 56",
        "communes": "Pays de Redon",
        "territory": TerritoryType.RURAL,
        "services": ["covoiturage", "location", "garage-associatif"],
        "existing": [],
        "stage": Stage.FORMATION_ACTION,
        "budget": 95_000,
        "reports": [],
    },
    {
        "carrier": ("Maison de l'emploi et de la formation du Pays Thur Doller", CarrierKind.MAISON_EMPLOI, "42"),
        "departements": "68",
        "communes": "Pays Thur Doller",
        "territory": TerritoryType.RURAL,
        "services": ["location", "conseil-mobilite"],
        "existing": ["transport-a-la-demande"],
        "stage": Stage.MONTAGE,
        "budget": 85_000,
        "reports": [],
    },
    {
        "carrier": "MOB-ML-MOULINS",
        "departements": "03",
        "communes": "Moulins Communauté",
        "territory": TerritoryType.MIXTE,
        "services": ["location", "auto-ecole-associative"],
        "existing": [],
        "stage": Stage.RETENU,
        "budget": 90_000,
        "reports": [],
        # The one project of the ten without a FARE formation-action.
        "formation_action": False,
    },
]

STAGES_REACHED = {
    Stage.RETENU: 0,
    Stage.FORMATION_ACTION: 1,
    Stage.MONTAGE: 2,
    Stage.LANCEMENT: 3,
    Stage.EN_FONCTIONNEMENT: 4,
}

# The content of each application, illustrative (the 2011 files were on paper).
APPLICATION_TEXTS = {
    "contact_name": "Direction du porteur",
    "public_needs": (
        "Des jeunes et des adultes en insertion sans permis ni véhicule, des offres d'emploi et de formation "
        "hors de portée des transports en commun, des horaires décalés."
    ),
    "existing_services_details": "Réseau de transport public, associations locales.",
    "staff_description": "Un conseiller mobilité et un animateur technique.",
    "staff_fte": Decimal("2.0"),
    "vehicles_description": "Voitures et scooters d'occasion.",
    "vehicle_count": 6,
    "premises_description": "Un local d'accueil et un garage partagés avec un partenaire.",
    "governance_description": "Un comité de pilotage réunit les financeurs et les prescripteurs deux fois par an.",
    "decision_comment": "Projet retenu pour une formation-action de la FARE.",
}
# label, public, people
NEEDS = [
    ("Accéder aux lieux d'emploi et de formation", "Jeunes de 16 à 25 ans", 120),
    ("Obtenir le permis de conduire", "Demandeurs d'emploi", 40),
]
# label, starts on, due on
STEPS = [
    ("Formation-action avec la FARE", date(2011, 9, 1), date(2011, 12, 15)),
    ("Recrutement du conseiller mobilité", None, date(2012, 2, 28)),
    ("Ouverture de la plateforme", None, date(2012, 4, 30)),
]
# The financing plan: funder, share of the budget, status.
SHARES = [
    ("État", Decimal("0.35"), FundingStatus.ACQUIS),
    ("Conseil général", Decimal("0.30"), FundingStatus.ACQUIS),
    ("Fonds social européen", Decimal("0.20"), FundingStatus.SOLLICITE),
    ("Recettes de la plateforme", Decimal("0.15"), FundingStatus.SOLLICITE),
]
GOVERNANCE = [
    ("Fédération des Associations de la Route pour l'Éducation (FARE)", "Expertise et formation-action"),
    ("Pôle emploi", "Prescripteur"),
]
# The sessions of a formation-action.
SESSIONS = [
    (date(2011, 9, 20), "Territoire pertinent et besoins des publics"),
    (date(2011, 10, 18), "Services existants et à développer"),
    (date(2011, 11, 22), "Projet de fonctionnement, financement et gouvernance"),
]
# What a semester of each service delivers (a year: twice as much); the personal advice counts people.
SERVICE_QUANTITIES = {
    "location": 260,
    "covoiturage": 140,
    "garage-associatif": 35,
    "auto-ecole-associative": 420,
    "autopartage": 300,
    "atelier-maintenance": 45,
    "transport-a-la-demande": 180,
    "observatoire": 1,
}


# The alternance call the newsletter announces: « un appel à projets national financé à hauteur de
# 12 M€ par le FPSPP », 2011–2012, for young people of 16 to 25 followed by the missions locales into
# alternance. The envelope and the funder are the newsletter's; the texts, dates, sections, criteria,
# the application of the demo's mission locale ML93001 (selected, then followed) and its figures are
# illustrative.
ALTERNANCE_CALL = {
    "year": 2011,
    "title": "Appel à projets 2011-2012 : l'alternance pour les jeunes suivis par les missions locales",
    "text": (
        "Le Fonds paritaire de sécurisation des parcours professionnels (FPSPP) finance à hauteur de "
        "12 millions d'euros un appel à projets national pour développer l'alternance des jeunes de 16 à "
        "25 ans suivis par les missions locales, en 2011 et 2012.\n\n"
        "Les missions locales et leurs partenaires présentent un projet qui prépare les jeunes au contrat "
        "d'apprentissage ou de professionnalisation, les met en relation avec les entreprises et les "
        "accompagne pendant le contrat pour en prévenir les ruptures."
    ),
    "eligibility": (
        "Missions locales, PAIO, associations régionales des missions locales et leurs partenaires "
        "(maisons de l'emploi, associations, collectivités) pour des jeunes de 16 à 25 ans suivis par une "
        "mission locale."
    ),
    "opens_on": date(2011, 9, 1),
    "closes_on": date(2011, 10, 31),
    "envelope": Decimal(12_000_000),
}
ALTERNANCE_CRITERIA = [
    ("Jeunes concernés", "Le nombre de jeunes accompagnés vers l'alternance et leur situation."),
    ("Partenariat avec les entreprises", "Les entreprises, les branches et les CFA associés."),
    ("Prévention des ruptures", "L'accompagnement pendant le contrat."),
]
# title, guidance, required
ALTERNANCE_SECTIONS = [
    (
        "Le public et le territoire",
        "Les jeunes de 16 à 25 ans visés, leur nombre, le territoire.",
        True,
    ),
    (
        "L'accompagnement vers l'alternance",
        "La préparation, la mise en relation avec les employeurs, le suivi pendant le contrat.",
        True,
    ),
    ("Les partenaires", "Entreprises, branches professionnelles, CFA, OPCA.", True),
    ("Les résultats attendus", "Contrats signés, ruptures évitées, à six mois et à un an.", False),
]
ALTERNANCE_APPLICATION = {
    "carrier": "ML93001",
    "title": "Passerelles vers l'alternance",
    "answers": [
        "Trois cents jeunes de 16 à 25 ans suivis par la mission locale, sans qualification pour la moitié.",
        "Ateliers de préparation, job dating avec les employeurs, un référent alternance pendant le contrat.",
        "Douze entreprises du territoire, deux CFA et la chambre de métiers.",
        "Cent vingt contrats signés, moins d'une rupture sur cinq.",
    ],
    # funder, object, amount, status
    "fundings": [
        ("FPSPP", "Montant demandé à l'appel", Decimal(180_000), FundingStatus.ACQUIS),
        ("Conseil régional", "Cofinancement", Decimal(40_000), FundingStatus.ACQUIS),
    ],
    "spent_share": Decimal("0.5"),
}
