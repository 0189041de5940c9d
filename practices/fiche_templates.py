"""Fiche templates (« modèles de fiche »): what a recensement asks the authors to tell, rubric by rubric.

Every fiche has the rubrics of the model fiche (:data:`practices.content.LONG_TEXTS`); a template shapes
them for one recensement: a guidance replacing the field's usual help, and a starter text (the questions
to answer, one per line) that a new fiche for the recensement opens with. A starter left as it was is not
content: the form stores it as empty, so the submission still asks for the rubric and nothing published
carries unanswered questions. Templates ship with the code (a recensement names one, ``Recensement.
template``); a leaf module: it imports nothing of the app.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Rubric:
    guidance: str
    starter: str = ""


@dataclass(frozen=True)
class FicheTemplate:
    key: str
    label: str
    summary: str
    rubrics: dict[str, Rubric] = field(default_factory=dict)

    def guidance(self, name: str) -> str:
        rubric = self.rubrics.get(name)
        return rubric.guidance if rubric else ""

    def starter(self, name: str) -> str:
        rubric = self.rubrics.get(name)
        return rubric.starter if rubric else ""

    def starters(self) -> dict[str, str]:
        return {name: rubric.starter for name, rubric in self.rubrics.items() if rubric.starter}

    def untouched(self, name: str, value: str) -> bool:
        """Whether ``value`` is the rubric's starter as given (spaces and line ends aside)."""
        starter = self.starter(name)
        return bool(starter) and _words(value) == _words(starter)


def _words(text: str) -> list[str]:
    return (text or "").split()


STANDARD = "partenariat_renforce"

TEMPLATES: dict[str, FicheTemplate] = {
    template.key: template
    for template in [
        FicheTemplate(
            key=STANDARD,
            label="Fiche modèle du partenariat renforcé",
            summary="Les rubriques de la fiche modèle, avec leurs aides habituelles.",
        ),
        FicheTemplate(
            key="cotraitance",
            label="Action commune avec Pôle emploi (cotraitance)",
            summary="Ce que chaque partenaire apporte, les outils partagés et les résultats pour les jeunes "
            "suivis en cotraitance.",
            rubrics={
                "context": Rubric(
                    "Le territoire, le constat partagé avec l'agence Pôle emploi et le besoin des jeunes.",
                    "Le territoire :\n\nLe constat partagé avec Pôle emploi :\n\nLe besoin des jeunes :",
                ),
                "description": Rubric(
                    "Les étapes de l'action et ce que fait chaque partenaire (mission locale, Pôle emploi…).",
                    "Les étapes :\n\nLe rôle de la mission locale :\n\nLe rôle de Pôle emploi :\n\n"
                    "Les outils partagés :",
                ),
                "means": Rubric("Les personnes mobilisées de part et d'autre, le budget et ses financeurs."),
                "results": Rubric(
                    "Les jeunes accompagnés en cotraitance et leurs sorties (emploi, formation), "
                    "puis ce que les équipes en retiennent.",
                    "Jeunes accompagnés :\n\nSorties en emploi ou en formation :\n\nCe que les équipes en retiennent :",
                ),
                "transferability": Rubric(
                    "Ce qu'une autre mission locale et son agence Pôle emploi doivent réunir pour la reproduire."
                ),
            },
        ),
        FicheTemplate(
            key="action_recente",
            label="Action récente (premiers résultats)",
            summary="Pour une action lancée depuis moins d'un an : ses indicateurs suivis et ses premiers "
            "résultats plutôt qu'un bilan.",
            rubrics={
                "objectives": Rubric("Ce que l'action doit changer, et les indicateurs qui le diront."),
                "results": Rubric(
                    "Les indicateurs suivis et leurs premières valeurs ; le bilan viendra plus tard.",
                    "Indicateurs suivis :\n\nPremiers chiffres :\n\nProchaine étape :",
                ),
                "difficulties": Rubric("Les difficultés du démarrage et ce qui a été ajusté."),
            },
        ),
    ]
}
TEMPLATE_CHOICES = [(template.key, template.label) for template in TEMPLATES.values()]


def fiche_template(key: str) -> FicheTemplate:
    """The template ``key`` (the standard one for a key no longer shipped)."""
    return TEMPLATES.get(key) or TEMPLATES[STANDARD]
