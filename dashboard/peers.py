"""What a structure page says about its structures of similar size (computed by :mod:`dashboard.recompute.peers`).

The group it is compared with, every band of the year with its bounds, the method in words,
and the group's structures by name (one query), for the page and its PDF.
"""

from __future__ import annotations

from cnml.formatting import format_count, format_number
from cnml.models import Structure
from dashboard.selectors import PEER_MIN_GROUP, PeerGroup


def peer_band_text(band: dict, size_year: int) -> str:
    """« groupe 2 : de 46 à 90 jeunes accompagnés en 2010 (18 structures) »."""
    count = len(band["members"])
    return (
        f"groupe {band['number']} : de {format_number(band['low'])} à {format_number(band['high'])} "
        f"jeunes accompagnés en {size_year} ({format_count(count, 'structure', feminine=True)})"
    )


def peer_group_text(group: PeerGroup) -> str:
    """What the structures of similar size are, in one sentence."""
    return (
        f"Les {format_number(len(group.members))} structures qui ont accompagné de {format_number(group.low)} "
        f"à {format_number(group.high)} jeunes en {group.size_year} (groupe {group.number} sur {len(group.bands)})"
    )


def peers_context(group: PeerGroup | None) -> dict | None:
    """The peer group as a structure page shows it: what it is, every band, its structures by name. One query."""
    if group is None:
        return None
    names = Structure.objects.filter(code__in=group.members).order_by("name", "code").values_list("name", flat=True)
    return {
        "group": group,
        "text": peer_group_text(group),
        "bands": [peer_band_text(band, group.size_year) for band in group.bands],
        "method": PEERS_METHOD,
        "names": list(names),
    }


PEERS_METHOD = (
    "Taille d'une structure : les jeunes qu'elle a accompagnés (au moins un contact) l'année précédente. "
    "Les structures sont réparties en cinq groupes de taille (quintiles) ; un groupe de moins de "
    f"{PEER_MIN_GROUP} structures est réuni au groupe suivant. Référence du groupe : pour un nombre, la médiane "
    "de ses structures ; pour un taux, le taux de l'ensemble de leurs jeunes."
)
