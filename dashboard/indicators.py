"""The registry of the tableau de bord's indicators (``shared/docs/extract-format.md``).

Each indicator is declared once, below, in the contract's order (counts, then
rates): code, French label, section, parent line (sub-lines indented as in the
newsletter), how it is computed, unit and whether a rise is good news.

How an indicator is computed is one of three declarations, which
:mod:`dashboard.recompute` turns into set-based SQL:

- :class:`EventCount`: distinct young people having at least one row of a fact
  table, matching some column values, whose date column falls in the period;
- :class:`OverlapCount`: distinct young people having a row whose
  [start, end] interval overlaps the period (end empty = still running);
- :class:`Ratio`: numerator / denominator of two counts, in %;
- :class:`Eligibility`: young people first welcomed in the period who meet a
  programme's entry conditions then (age, levels) and are in no excluding
  programme during the period (the ANI « décrocheurs »).

An indicator may need an optional column of the extract (``Indicator.needs``):
without it, the snapshot records it as not available (« non disponible », never 0).

Adding an indicator is adding one :class:`Indicator` to :data:`INDICATORS`
(and, for a new kind of event, nothing else: the recompute groups events by
table and date column and computes them in the same scans).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from dashboard.models.facts import (
    CertificationLevel,
    Contact,
    ContractType,
    Enrolment,
    ExitReason,
    Programme,
    Situation,
    SituationType,
    TrainingLevel,
)
from dashboard.models.facts import YoungPerson as YoungPersonModel


class Section(StrEnum):
    ACCUEIL = "Accueil des jeunes"
    VIE_PROFESSIONNELLE = "Accès à la vie professionnelle"
    CIVIS = "Jeunes en contrat d'insertion dans la vie sociale - CIVIS"
    ANI = "Accompagnement ANI des jeunes « décrocheurs »"


SECTIONS: tuple[Section, ...] = tuple(Section)


class Unit(StrEnum):
    COUNT = "count"
    PERCENT = "percent"


@dataclass(frozen=True)
class EventCount:
    """Young people with at least one ``model`` row matching ``where`` dated in the period.

    ``where`` maps a field name to the accepted values. ``person_field`` is the
    field holding the young person (``"id"`` on the young people's table itself).
    """

    model: type
    date_field: str
    where: dict[str, tuple[str, ...]] = field(default_factory=dict)
    person_field: str = "young_person"


@dataclass(frozen=True)
class OverlapCount:
    """Young people with a ``model`` row overlapping the period.

    Entered on or before the period's end, and not left before its start (an
    empty end means still running).
    """

    model: type
    start_field: str
    end_field: str
    where: dict[str, tuple[str, ...]] = field(default_factory=dict)
    person_field: str = "young_person"


@dataclass(frozen=True)
class Ratio:
    """``numerator / denominator × 100``, both codes of count indicators."""

    numerator: str
    denominator: str


@dataclass(frozen=True)
class Eligibility:
    """Young people whose first welcome is dated in the period and who were eligible on that day.

    Eligible: under ``max_age`` on the day of the first welcome (born in month AAAA-MM: under
    ``max_age`` until the day before the 1st of month (AAAA + max_age)-MM), a training level in
    ``training_levels``, a certification level in ``certification_levels`` (an empty one is not),
    and no enrolment in ``excluded_programmes`` overlapping the period (as :class:`OverlapCount`).
    """

    max_age: int
    training_levels: tuple[str, ...]
    certification_levels: tuple[str, ...]
    excluded_programmes: tuple[str, ...]


Computation = EventCount | OverlapCount | Ratio | Eligibility

# Optional columns of the extract an indicator may need (ExtractImport records their presence).
CERTIFICATION_COLUMN = "niveau_certification"


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    section: Section
    computation: Computation
    # Line this one is a detail of (indented under it), or None.
    parent: str | None = None
    # True: a rise is good news; False: bad news; None: neither.
    up_is_good: bool | None = True
    definition: str = ""
    # The optional column of the extract it needs (None: always available).
    needs: str | None = None
    # Position in the contract; set by the registry from the declaration order.
    order: int = 0

    @property
    def unit(self) -> Unit:
        return Unit.PERCENT if isinstance(self.computation, Ratio) else Unit.COUNT

    @property
    def is_rate(self) -> bool:
        return self.unit is Unit.PERCENT

    @property
    def level(self) -> int:
        """Indentation level in the tables (0 for a main line)."""
        return 0 if self.parent is None else 1 + get(self.parent).level


_CIVIS = {"programme": (Programme.CIVIS.value,)}
_EMPLOI = (ExitReason.EMPLOI_DURABLE.value, ExitReason.EMPLOI.value, ExitReason.ALTERNANCE.value)
_EMPLOI_OU_FORMATION = (*_EMPLOI, ExitReason.FORMATION.value)


_ANI = {"programme": (Programme.ANI.value,)}
# A positive exit of the ANI: not a mere job (EMPLOI), but a lasting one, alternance, training,
# a business of one's own or a return to initial education.
_ANI_POSITIVE = (
    ExitReason.EMPLOI_DURABLE.value,
    ExitReason.ALTERNANCE.value,
    ExitReason.FORMATION.value,
    ExitReason.CREATION_ENTREPRISE.value,
    ExitReason.RETOUR_FORMATION_INITIALE.value,
)
_ANI_ELIGIBILITY = Eligibility(
    max_age=21,
    training_levels=(TrainingLevel.VI.value, TrainingLevel.VBIS.value, TrainingLevel.V.value, TrainingLevel.IV.value),
    certification_levels=(CertificationLevel.AUCUNE.value,),
    excluded_programmes=(Programme.CIVIS.value, Programme.CONTRAT_AUTONOMIE.value),
)


def _exit(programme: dict, *reasons: str) -> EventCount:
    """Exits from the programme dated in the period, for one of these reasons (for any reason without)."""
    where = dict(programme)
    if reasons:
        where["exit_reason"] = tuple(reasons)
    return EventCount(Enrolment, "exit_on", where)


def _civis_exit_to(code: str, label: str, reason: ExitReason, destination: str) -> Indicator:
    """A detail line of the CIVIS exits into employment or training: the exits towards one destination."""
    return Indicator(
        code,
        label,
        Section.CIVIS,
        _exit(_CIVIS, reason.value),
        parent="civis_sorties_emploi_ou_formation",
        definition=f"Une sortie du CIVIS dans la période vers {destination}.",
    )


_DECLARED = [
    Indicator(
        "jeunes_accueillis",
        "Jeunes accueillis",
        Section.ACCUEIL,
        EventCount(Contact, "contact_on"),
        definition="Au moins un contact daté dans la période.",
    ),
    Indicator(
        "premiers_accueils",
        "Jeunes accueillis pour la 1re fois",
        Section.ACCUEIL,
        EventCount(YoungPersonModel, "first_reception_on", person_field="id"),
        definition="Premier accueil dans le réseau daté dans la période.",
    ),
    Indicator(
        "emploi_ou_formation",
        "Jeunes en emploi ou formation",
        Section.VIE_PROFESSIONNELLE,
        EventCount(Situation, "start_on", {"kind": (SituationType.EMPLOI.value, SituationType.FORMATION.value)}),
        definition="Une situation d'emploi ou de formation commençant dans la période.",
    ),
    Indicator(
        "emploi",
        "en emploi",
        Section.VIE_PROFESSIONNELLE,
        EventCount(Situation, "start_on", {"kind": (SituationType.EMPLOI.value,)}),
        parent="emploi_ou_formation",
        definition="Une situation d'emploi (tout contrat) commençant dans la période.",
    ),
    Indicator(
        "alternance",
        "en alternance",
        Section.VIE_PROFESSIONNELLE,
        EventCount(
            Situation,
            "start_on",
            {
                "kind": (SituationType.EMPLOI.value,),
                "contract": (ContractType.APPRENTISSAGE.value, ContractType.PROFESSIONNALISATION.value),
            },
        ),
        parent="emploi_ou_formation",
        definition="Un contrat d'apprentissage ou de professionnalisation commençant dans la période.",
    ),
    Indicator(
        "formation",
        "en formation",
        Section.VIE_PROFESSIONNELLE,
        EventCount(Situation, "start_on", {"kind": (SituationType.FORMATION.value,)}),
        parent="emploi_ou_formation",
        definition="Une situation de formation commençant dans la période.",
    ),
    Indicator(
        "civis_entrees",
        "Jeunes entrés en CIVIS",
        Section.CIVIS,
        EventCount(Enrolment, "entry_on", _CIVIS),
        definition="Une entrée en CIVIS datée dans la période.",
    ),
    Indicator(
        "civis_accompagnes",
        "Jeunes accompagnés en CIVIS",
        Section.CIVIS,
        OverlapCount(Enrolment, "entry_on", "exit_on", _CIVIS),
        definition="Un CIVIS en cours pendant la période (entré avant sa fin, pas sorti avant son début).",
    ),
    Indicator(
        "civis_sorties",
        "Jeunes sortis du CIVIS",
        Section.CIVIS,
        _exit(_CIVIS),
        up_is_good=None,
        definition="Une sortie du CIVIS datée dans la période.",
    ),
    Indicator(
        "civis_sorties_emploi_ou_formation",
        "Jeunes sortis en emploi ou formation",
        Section.CIVIS,
        _exit(_CIVIS, *_EMPLOI_OU_FORMATION),
        definition="Une sortie du CIVIS dans la période vers l'emploi (durable ou non), l'alternance ou la formation.",
    ),
    Indicator(
        "civis_sorties_emploi",
        "sortis en emploi",
        Section.CIVIS,
        _exit(_CIVIS, *_EMPLOI),
        parent="civis_sorties_emploi_ou_formation",
        definition="Une sortie du CIVIS dans la période vers l'emploi (durable ou non) ou l'alternance.",
    ),
    _civis_exit_to(
        "civis_sorties_emploi_durable", "sortis en emploi durable", ExitReason.EMPLOI_DURABLE, "l'emploi durable"
    ),
    _civis_exit_to("civis_sorties_alternance", "sortis en alternance", ExitReason.ALTERNANCE, "l'alternance"),
    _civis_exit_to("civis_sorties_formation", "sortis en formation", ExitReason.FORMATION, "la formation"),
    Indicator(
        "ani_eligibles",
        "Jeunes éligibles à l'accompagnement ANI",
        Section.ANI,
        _ANI_ELIGIBILITY,
        up_is_good=None,
        needs=CERTIFICATION_COLUMN,
        definition=(
            "Premier accueil daté dans la période, à moins de 21 ans, niveau de formation VI, V bis, V ou IV, "
            "sans aucune certification, et sans CIVIS ni contrat d'autonomie en cours pendant la période."
        ),
    ),
    Indicator(
        "ani_entrees",
        "Jeunes entrés dans l'accompagnement ANI",
        Section.ANI,
        EventCount(Enrolment, "entry_on", _ANI),
        definition="Une entrée dans l'accompagnement ANI datée dans la période.",
    ),
    Indicator(
        "ani_accompagnes",
        "Jeunes accompagnés (ANI)",
        Section.ANI,
        OverlapCount(Enrolment, "entry_on", "exit_on", _ANI),
        definition="Un accompagnement ANI en cours pendant la période (entré avant sa fin, pas sorti avant son début).",
    ),
    Indicator(
        "ani_sorties",
        "Jeunes sortis de l'accompagnement ANI",
        Section.ANI,
        _exit(_ANI),
        up_is_good=None,
        definition="Une sortie de l'accompagnement ANI datée dans la période.",
    ),
    Indicator(
        "ani_sorties_positives",
        "sortis positivement",
        Section.ANI,
        _exit(_ANI, *_ANI_POSITIVE),
        parent="ani_sorties",
        definition=(
            "Une sortie de l'accompagnement ANI dans la période vers l'emploi durable, l'alternance, "
            "la formation, la création d'entreprise ou le retour en formation initiale."
        ),
    ),
    Indicator(
        "taux_premiers_accueils",
        "Part des jeunes accueillis pour la 1re fois",
        Section.ACCUEIL,
        Ratio("premiers_accueils", "jeunes_accueillis"),
        definition="Jeunes accueillis pour la 1re fois / jeunes accueillis.",
    ),
    Indicator(
        "taux_emploi_ou_formation",
        "Part des jeunes accueillis en emploi ou formation",
        Section.VIE_PROFESSIONNELLE,
        Ratio("emploi_ou_formation", "jeunes_accueillis"),
        definition="Jeunes en emploi ou formation / jeunes accueillis.",
    ),
    Indicator(
        "taux_civis_sorties_positives",
        "Taux de sorties positives du CIVIS",
        Section.CIVIS,
        Ratio("civis_sorties_emploi_ou_formation", "civis_sorties"),
        definition="Jeunes sortis en emploi ou formation / jeunes sortis du CIVIS.",
    ),
    Indicator(
        "taux_civis_emploi_durable",
        "Taux de sorties en emploi durable du CIVIS",
        Section.CIVIS,
        Ratio("civis_sorties_emploi_durable", "civis_sorties"),
        definition="Jeunes sortis en emploi durable / jeunes sortis du CIVIS.",
    ),
    Indicator(
        "taux_ani_sorties_positives",
        "Taux de sorties positives de l'accompagnement ANI",
        Section.ANI,
        Ratio("ani_sorties_positives", "ani_sorties"),
        definition="Jeunes sortis positivement / jeunes sortis de l'accompagnement ANI.",
    ),
]

# code -> indicator, in the contract's order (counts, then rates).
REGISTRY: dict[str, Indicator] = {}
for _position, _indicator in enumerate(_DECLARED, start=1):
    REGISTRY[_indicator.code] = replace(_indicator, order=_position)
INDICATORS: tuple[Indicator, ...] = tuple(REGISTRY.values())


def get(code: str) -> Indicator:
    return REGISTRY[code]


def counts() -> list[Indicator]:
    return [indicator for indicator in INDICATORS if not indicator.is_rate]


def rates() -> list[Indicator]:
    return [indicator for indicator in INDICATORS if indicator.is_rate]


def in_display_order() -> list[Indicator]:
    """By section as the newsletter prints them; in a section, counts then rates."""
    return sorted(INDICATORS, key=lambda indicator: (SECTIONS.index(indicator.section), indicator.order))


def needed_columns(indicator: Indicator) -> set[str]:
    """The optional columns of the extract ``indicator`` needs (a rate: those of its counts)."""
    if isinstance(indicator.computation, Ratio):
        codes = (indicator.computation.numerator, indicator.computation.denominator)
        return {column for code in codes for column in needed_columns(get(code))}
    return {indicator.needs} if indicator.needs else set()


def unavailable_codes(missing_columns: set[str]) -> list[str]:
    """The codes not available from an extract lacking ``missing_columns``, in the contract's order."""
    return [indicator.code for indicator in INDICATORS if needed_columns(indicator) & missing_columns]


def _check_registry() -> None:
    for indicator in INDICATORS:
        if indicator.parent is not None:
            parent = REGISTRY[indicator.parent]
            assert parent.section == indicator.section, f"{indicator.code}: parent in another section"
        if isinstance(indicator.computation, Ratio):
            for code in (indicator.computation.numerator, indicator.computation.denominator):
                assert not REGISTRY[code].is_rate, f"{indicator.code}: a rate is made of counts"


_check_registry()


# --- Evolution -----------------------------------------------------------------------------

ONE_DECIMAL = Decimal("0.1")


def rate(numerator: int | None, denominator: int | None) -> float | None:
    """numerator / denominator in %, or None when the denominator is 0 or unknown."""
    if numerator is None or not denominator:
        return None
    return 100.0 * numerator / denominator


def evolution(value: float | int | None, previous: float | int | None, unit: Unit | str) -> Decimal | None:
    """Change from ``previous`` to ``value``, rounded half away from zero to one decimal.

    A count changes in % of the previous value; a rate in points. None when a
    value is missing or a count's previous value is 0.
    """
    if value is None or previous is None:
        return None
    if Unit(unit) is Unit.PERCENT:
        change = Decimal(str(value)) - Decimal(str(previous))
    else:
        if previous == 0:
            return None
        change = (Decimal(str(value)) - Decimal(str(previous))) * 100 / Decimal(str(previous))
    return change.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP) + 0  # + 0 turns -0.0 into 0.0


def round_rate(value: float | None) -> Decimal | None:
    """A rate as published: one decimal."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)
