"""Demo fiches (``python manage.py demo``), idempotent.

The newsletter's example, « Les outils partagés de la cotraitance et du partenariat
renforcé » (Nord-Pas-de-Calais, mission locale ML31001), published; and fiches in every
other state for two structures of Provence-Alpes-Côte d'Azur: ML93001 (the demo
conseiller's) and ML93002. Region 93 has a regional animator (the demo one), so its
fiches are in the regional queue; region 31 has none, so the example went to the CNML.
A fiche already there (same structure, same title) is left as it is. The newsletter's recensement of
the partenariat renforcé's good practices is open around today, answered by the region 93 fiches.
The demo comité de pilotage of region 93 has a draft, written by its Pôle emploi partner.
"""

from __future__ import annotations

import datetime
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from cnml.audit import TransitionLog, transitions_of
from cnml.demo import ensure_shipped_rows
from cnml.models import Committee, Role, Structure, User
from practices.models import (
    LONG_TEXTS,
    REVIEW_DELAY_DAYS,
    REVIEW_STATES,
    Fiche,
    FicheVersion,
    PartnerKind,
    Queue,
    Recensement,
    Scale,
    Status,
    Theme,
)
from practices.services import fiche_refresh_search_text

EXAMPLE_TITLE = "Les outils partagés de la cotraitance et du partenariat renforcé"
RECENSEMENT_TITLE = "Recensement des bonnes pratiques du partenariat renforcé"
RECENSEMENT_INSTRUCTIONS = (
    "À l'initiative du comité de pilotage national de l'accord-cadre, les comités de pilotage régionaux et locaux "
    "– Pôle emploi et missions locales – font remonter leurs bonnes pratiques du partenariat renforcé, sur le "
    "modèle de fiche de bonne pratique : le contexte, les objectifs, le public, l'action, ses moyens, ses résultats "
    "et ce qu'il faut pour la reproduire ailleurs."
)

EXAMPLE = {
    "title": EXAMPLE_TITLE,
    "structure": "ML31001",
    "scale": Scale.REGIONAL,
    "themes": ["cotraitance", "outils-partages", "formation-des-conseillers"],
    "start_date": datetime.date(2011, 1, 1),
    "end_date": datetime.date(2011, 12, 31),
    "context": (
        "L'accord-cadre de partenariat renforcé signé en 2010 entre Pôle emploi, l'État et le CNML prévoit "
        "« la mise en place d'actions conjointes pour le développement de la connaissance et des compétences ».\n\n"
        "Pour que la coopération fonctionne, les professionnels des missions locales et de Pôle emploi doivent "
        "connaître les outils et les systèmes d'information de chaque partenaire. Constat de départ : ces outils "
        "sont encore insuffisamment exploités par les missions locales, alors qu'ils servent aussi bien pour "
        "l'emploi que pour l'orientation ou la formation des jeunes."
    ),
    "objectives": (
        "- Faire maîtriser aux conseillers des missions locales les outils de Pôle emploi utiles aux jeunes "
        "orientés en cotraitance.\n"
        "- Mieux répondre aux demandes quotidiennes des jeunes et des employeurs : quels sont les métiers "
        "porteurs du bassin d'emploi, où trouver un emploi, où trouver des candidats ?\n"
        "- Renforcer la coopération entre les deux réseaux."
    ),
    "public_concerned": (
        "Les conseillers des missions locales de Nord-Pas-de-Calais : une centaine cette année, qui accompagnent "
        "les jeunes orientés par Pôle emploi."
    ),
    "description": (
        "Une offre de formation construite par l'équipe technique de partenariat renforcé (animation régionale, "
        "direction régionale de Pôle emploi, directeurs de mission locale). Les sessions portent sur :\n\n"
        "- E-partenet : consultation des offres d'emploi déposées à Pôle emploi, mise en relation entre le jeune "
        "et un employeur, accès au ROME en ligne et à de la documentation ;\n"
        "- « Mon marché du travail » : des informations statistiques sur le marché du travail local ;\n"
        "- l'enquête Besoins en main-d'œuvre (BMO), réalisée chaque année par Pôle emploi avec le concours du "
        "Crédoc, qui mesure les intentions de recrutement des employeurs.\n\n"
        "Les formations ont lieu au Centre de ressources pour le développement de Pôle emploi, ou de manière "
        "délocalisée si les conditions techniques le permettent."
    ),
    "means": (
        "Les contenus et l'animation des sessions sont assurés par le service partenariat de Pôle emploi ; "
        "l'animation régionale coordonne l'offre et les inscriptions."
    ),
    "results": (
        "10 journées de formation organisées dans l'année pour une centaine de conseillers.\n\n"
        "« Construire cette offre de formation ensemble a des effets très positifs sur notre coopération avec "
        "Pôle emploi » (Dominique Bourgeois, animatrice régionale)."
    ),
    "success_factors": (
        "Une offre construite ensemble par les deux réseaux ; des formateurs de Pôle emploi qui connaissent "
        "leurs outils ; des sessions au plus près des missions locales."
    ),
    "difficulties": "Les conditions techniques des sessions délocalisées (accès aux applications de Pôle emploi).",
    "transferability": (
        "Un exemple de bonne pratique d'échange de compétences entre les deux réseaux, à essayer dans les "
        "autres régions. Suites prévues : des échanges réguliers sur les applications informatiques et des "
        "journées territoriales pour partager l'offre de formation de Pôle emploi."
    ),
    "partners": [
        (
            PartnerKind.POLE_EMPLOI,
            "Direction régionale Pôle emploi Nord-Pas-de-Calais – service partenariats",
            "Conçoit avec l'équipe technique, assure les contenus et l'animation des sessions de formation.",
        ),
        (
            PartnerKind.ANIMATION_REGIONALE,
            "Animation régionale des missions locales de Nord-Pas-de-Calais",
            "Membre de l'équipe technique de partenariat renforcé ; coordonne l'offre de formation.",
        ),
    ],
    "contacts": [
        (
            "Sandrine Nowak",
            "Service partenariats – Direction régionale Pôle emploi Nord-Pas-de-Calais",
            "sandrine.nowak@pole-emploi.fr",
            "",
        ),
        ("Dominique Bourgeois", "Animatrice régionale Nord-Pas-de-Calais", "", "03 20 00 00 00"),
    ],
}

# title, structure, target status, themes, partners, overdue (for the review states)
OTHERS = [
    (
        "Des ateliers CV animés avec les entreprises du bassin",
        "ML93001",
        Status.BROUILLON,
        ["relations-entreprises", "acces-a-l-emploi"],
        [(PartnerKind.ENTREPRISE, "Club des entreprises du bassin", "Met à disposition des recruteurs.")],
        False,
    ),
    (
        "Un covoiturage solidaire pour les jeunes en alternance",
        "ML93001",
        Status.SOUMISE,
        ["mobilite", "alternance"],
        [(PartnerKind.CONSEIL_REGIONAL, "Conseil régional Provence-Alpes-Côte d'Azur", "Finance la plateforme.")],
        True,
    ),
    (
        "Un point santé hebdomadaire à la mission locale",
        "ML93001",
        Status.A_COMPLETER,
        ["sante"],
        [(PartnerKind.ASSOCIATION, "Association des centres d'examens de santé", "Tient une permanence.")],
        False,
    ),
    (
        "Une colocation intergénérationnelle pour les apprentis",
        "ML93001",
        Status.REFUSEE,
        ["logement", "alternance"],
        [(PartnerKind.ASSOCIATION, "Association Toit partagé", "Met en relation jeunes et seniors.")],
        False,
    ),
    (
        "Repérer les décrocheurs avec les lycées du secteur",
        "ML93002",
        Status.SOUMISE,
        ["decrochage"],
        [(PartnerKind.ETAT, "Centre d'information et d'orientation", "Partage les listes de décrocheurs.")],
        False,
    ),
    (
        "Des conseillers formés aux outils de Pôle emploi en Provence",
        "ML93002",
        Status.EN_RELECTURE,
        ["formation-des-conseillers", "cotraitance"],
        [(PartnerKind.POLE_EMPLOI, "Agence Pôle emploi de Marseille", "Anime les sessions.")],
        True,
    ),
    (
        "Un forum de l'alternance avec l'OPCA du commerce",
        "ML93002",
        Status.PUBLIEE,
        ["alternance", "relations-entreprises"],
        [(PartnerKind.OPCA, "OPCA du commerce", "Mobilise les entreprises et finance les contrats.")],
        False,
    ),
    (
        "Une semaine de la mobilité internationale (2010)",
        "ML93002",
        Status.ARCHIVEE,
        ["mobilite"],
        [(PartnerKind.ASSOCIATION, "Association des échanges de jeunes", "Organise les départs.")],
        False,
    ),
]

# The steps (status reached, by "author" or "reviewer", comment) leading to each status.
PATHS = {
    Status.BROUILLON: [],
    Status.SOUMISE: [(Status.SOUMISE, "author", "")],
    Status.EN_RELECTURE: [(Status.SOUMISE, "author", ""), (Status.EN_RELECTURE, "reviewer", "")],
    Status.A_COMPLETER: [
        (Status.SOUMISE, "author", ""),
        (Status.EN_RELECTURE, "reviewer", ""),
        (
            Status.A_COMPLETER,
            "reviewer",
            "Merci de préciser les résultats : combien de jeunes ont été reçus au point santé, "
            "et combien ont ensuite engagé des soins ?",
        ),
    ],
    Status.PUBLIEE: [
        (Status.SOUMISE, "author", ""),
        (Status.EN_RELECTURE, "reviewer", ""),
        (Status.PUBLIEE, "reviewer", "Une pratique claire et transférable, merci."),
    ],
    Status.REFUSEE: [
        (Status.SOUMISE, "author", ""),
        (Status.EN_RELECTURE, "reviewer", ""),
        (
            Status.REFUSEE,
            "reviewer",
            "L'action n'a pas encore démarré : renvoyez la fiche quand vous aurez de premiers résultats.",
        ),
    ],
    Status.ARCHIVEE: [
        (Status.SOUMISE, "author", ""),
        (Status.EN_RELECTURE, "reviewer", ""),
        (Status.PUBLIEE, "reviewer", ""),
        (Status.ARCHIVEE, "reviewer", "L'action s'est arrêtée en 2010."),
    ],
}


def _text(title: str, status: str) -> dict[str, str]:
    """Plausible content for a demo fiche (a draft keeps some parts empty)."""
    texts = {
        "context": f"Le point de départ de l'action « {title} » : un besoin repéré par les conseillers.",
        "objectives": "- Répondre au besoin repéré\n- Mobiliser les partenaires du territoire",
        "public_concerned": "Les jeunes de 16 à 25 ans accompagnés par la mission locale.",
        "description": "L'action se déroule en trois temps : repérage, accompagnement, bilan.",
        "means": "Un conseiller référent à mi-temps ; un budget de 5 000 € par an.",
        "results": "40 jeunes concernés la première année ; des retours positifs des partenaires.",
        "success_factors": "Un partenaire engagé dès le départ.",
        "difficulties": "Trouver des créneaux communs avec les partenaires.",
        "transferability": "Reproductible dans toute mission locale qui dispose d'un partenaire équivalent.",
    }
    if status == Status.BROUILLON:
        texts.update(results="", success_factors="", difficulties="", transferability="")
    return texts


@transaction.atomic
def demo_load_practices(*, stdout: TextIO) -> None:
    ensure_shipped_rows("practices.migrations.0001_squashed", "add_themes")
    structures = {
        structure.code: structure for structure in Structure.objects.filter(code__in=["ML31001", "ML93001", "ML93002"])
    }
    if len(structures) < 3:
        stdout.write("Bonnes pratiques : réseau de démonstration incomplet, fiches non créées.\n")
        return
    author = User.objects.filter(email="conseiller@demo.cnml.fr").first()
    reviewer = User.objects.filter(role=Role.RELECTEUR_CNML, email="relecteur@demo.cnml.fr").first()
    animator = User.objects.filter(role=Role.ANIMATEUR_REGIONAL, email="animateur@demo.cnml.fr").first()

    created = 0
    example = EXAMPLE
    if _create(
        title=example["title"],
        structure=structures[example["structure"]],
        status=Status.PUBLIEE,
        scale=example["scale"],
        theme_slugs=example["themes"],
        texts={name: example[name] for name in LONG_TEXTS},
        partners=example["partners"],
        contacts=example["contacts"],
        dates=(example["start_date"], example["end_date"]),
        author=None,
        reviewer=reviewer,
        when=timezone.make_aware(datetime.datetime(2011, 10, 3, 10, 0)),
        overdue=False,
    ):
        created += 1
    today = timezone.now()
    for index, (title, code, status, theme_slugs, partners, overdue) in enumerate(OTHERS):
        structure = structures[code]
        fiche_author = author if code == "ML93001" else None
        fiche_reviewer = animator or reviewer
        if _create(
            title=title,
            structure=structure,
            status=status,
            scale=Scale.LOCAL,
            theme_slugs=theme_slugs,
            texts=_text(title, status),
            partners=partners,
            contacts=[("Camille Martin", "Conseillère", "conseiller@demo.cnml.fr", "")]
            if status != Status.BROUILLON
            else [],
            dates=(datetime.date(2011, 9, 1), None),
            author=fiche_author,
            reviewer=fiche_reviewer,
            when=today - datetime.timedelta(days=3 if status in REVIEW_STATES and not overdue else 30 - index),
            overdue=overdue,
        ):
            created += 1
    created += _load_committee_draft()
    stdout.write(f"Bonnes pratiques : {created} fiche(s) de démonstration créée(s).\n")
    _load_recensement(reviewer, [title for title, *_ in OTHERS], stdout)


COMMITTEE_DRAFT_TITLE = "Un parcours commun mission locale – Pôle emploi pour les jeunes en cotraitance"


def _load_committee_draft() -> int:
    """The draft of the demo comité de pilotage (cnml.demo), written by its Pôle emploi partner: 1 if created."""
    committee = Committee.objects.filter(region__code="93", members__email="partenaire@demo.cnml.fr").first()
    if committee is None or Fiche.objects.filter(committee=committee, title=COMMITTEE_DRAFT_TITLE).exists():
        return 0
    partner = User.objects.get(email="partenaire@demo.cnml.fr")
    fiche = Fiche.objects.create(
        title=COMMITTEE_DRAFT_TITLE,
        committee=committee,
        region=committee.region,
        scale=Scale.LOCAL,
        created_by=partner,
        context="Les jeunes suivis en cotraitance rencontrent deux conseillers qui ne se parlent pas assez.",
        objectives="- Un rendez-vous commun à l'entrée\n- Un suivi partagé chaque mois",
    )
    fiche.themes.set(Theme.objects.filter(slug="cotraitance"))
    fiche.contributors.add(partner)
    fiche_refresh_search_text(fiche=fiche)
    return 1


def _load_recensement(reviewer: User | None, titles: list[str], stdout: TextIO) -> None:
    """The newsletter's recensement « en cours », open around today, answered by the region 93 fiches."""
    today = timezone.localdate()
    recensement, created = Recensement.objects.get_or_create(
        title=RECENSEMENT_TITLE,
        defaults={
            "instructions": RECENSEMENT_INSTRUCTIONS,
            "opens_on": today - datetime.timedelta(days=30),
            "closes_on": today + datetime.timedelta(days=45),
            "created_by": reviewer,
        },
    )
    if created:
        recensement.themes.set(Theme.objects.filter(slug__in=["cotraitance", "outils-partages"]))
        Fiche.objects.filter(title__in=titles, recensement__isnull=True).update(recensement=recensement)
        stdout.write(
            f"Bonnes pratiques : recensement « {recensement.title} » ouvert jusqu'au {recensement.closes_on:%d/%m/%Y}.\n"
        )


def _create(
    *, title, structure, status, scale, theme_slugs, texts, partners, contacts, dates, author, reviewer, when, overdue
) -> bool:
    if Fiche.objects.filter(structure=structure, title=title).exists():
        return False
    fiche = Fiche.objects.create(
        title=title,
        structure=structure,
        region=structure.region,
        scale=scale,
        start_date=dates[0],
        end_date=dates[1],
        created_by=author,
        **texts,
    )
    fiche.themes.set(Theme.objects.filter(slug__in=theme_slugs))
    for kind, name, role in partners:
        fiche.partners.create(kind=kind, name=name, role=role)
    for name, function, email, phone in contacts:
        fiche.contacts.create(name=name, function=function, email=email, phone=phone)
    if author:
        fiche.contributors.add(author)

    moment = when
    for to_state, who, comment in PATHS[status]:
        actor = author if who == "author" else reviewer
        if to_state == Status.SOUMISE:
            fiche.queue = Queue.REGIONAL if fiche.regional_reviewers().exists() else Queue.CNML
            fiche.submitted_at = moment
            due = timezone.localdate(moment) + datetime.timedelta(days=REVIEW_DELAY_DAYS)
            fiche.review_due_on = due if not overdue else timezone.localdate() - datetime.timedelta(days=3)
        elif to_state == Status.EN_RELECTURE:
            fiche.reviewer = reviewer
        elif to_state == Status.PUBLIEE:
            fiche.published_at = moment
            fiche.review_due_on = None
        elif to_state in (Status.A_COMPLETER, Status.REFUSEE):
            fiche.review_due_on = None
        Fiche.workflow.record_move(fiche, to_state, actor=actor, comment=comment)  # a past history, replayed
        TransitionLog.objects.filter(pk=transitions_of(fiche).last().pk).update(at=moment)
        if to_state == Status.SOUMISE:
            FicheVersion.objects.filter(pk=FicheVersion.snapshot(fiche, actor=author).pk).update(created_at=moment)
        moment += datetime.timedelta(days=2)
    fiche_refresh_search_text(fiche=fiche)
    return True
