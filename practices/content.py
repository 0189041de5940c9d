"""The parts of the model fiche (« fiche modèle »): their names, labels and order.

Read by the model (its fields' labels), by the versions (what a submitted version
keeps, in this order) and by the search (the long texts it indexes). A leaf: it
imports nothing of the app, so that none of them imports another for it.
"""

# The long texts of the model fiche, in its order: field name -> label.
LONG_TEXTS = {
    "context": "Contexte et point de départ",
    "objectives": "Objectifs",
    "public_concerned": "Public concerné",
    "description": "Description de l'action",
    "means": "Moyens humains et financiers",
    "results": "Résultats et évaluation",
    "success_factors": "Facteurs de réussite",
    "difficulties": "Difficultés rencontrées",
    "transferability": "Conditions de transférabilité",
}

# What a version keeps, key -> label, in the order of the model fiche.
CONTENT_LABELS = {
    "title": "Titre",
    "structure": "Structure porteuse",
    "other_structures": "Autres structures impliquées",
    "region": "Région",
    "scale": "Échelle",
    "themes": "Thèmes",
    "partners": "Partenaires et leur rôle",
    **LONG_TEXTS,
    "dates": "Dates",
    "contacts": "Contacts",
    "attachments": "Pièces jointes",
}

# Shown above the long texts of the form: what the light formatting (practices.richtext) understands.
LIGHT_FORMATTING_HELP = (
    "Mise en forme possible : une ligne vide sépare les paragraphes, une ligne commençant par « - » "
    "fait une liste à puces, « 1. » une liste numérotée ; les adresses web deviennent des liens, "
    "et [texte](https://adresse) donne un lien sur un texte."
)
