"""The regions of France as INSEE coded them in 2011, the year of the first call for projects.

The network's ``Region`` rows only hold the regions of the loaded extract; the map and
the demo need the full list (name by code) to draw every region and to create the rows
a project needs.
"""

from __future__ import annotations

REGIONS_2011: dict[str, str] = {
    "01": "Guadeloupe",
    "02": "Martinique",
    "03": "Guyane",
    "04": "La Réunion",
    "06": "Mayotte",
    "11": "Île-de-France",
    "21": "Champagne-Ardenne",
    "22": "Picardie",
    "23": "Haute-Normandie",
    "24": "Centre",
    "25": "Basse-Normandie",
    "26": "Bourgogne",
    "31": "Nord-Pas-de-Calais",
    "41": "Lorraine",
    "42": "Alsace",
    "43": "Franche-Comté",
    "52": "Pays de la Loire",
    "53": "Bretagne",
    "54": "Poitou-Charentes",
    "72": "Aquitaine",
    "73": "Midi-Pyrénées",
    "74": "Limousin",
    "82": "Rhône-Alpes",
    "83": "Auvergne",
    "91": "Languedoc-Roussillon",
    "93": "Provence-Alpes-Côte d'Azur",
    "94": "Corse",
}

# Département codes accepted in an application's territory (2011: 2A/2B for Corsica, 976 for Mayotte).
DEPARTEMENTS: frozenset[str] = frozenset(
    [f"{number:02d}" for number in range(1, 96) if number != 20] + ["2A", "2B", "971", "972", "973", "974", "976"]
)
