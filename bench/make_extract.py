#!/usr/bin/env python3
"""Write a random, valid synthetic extract in the P3-2011 format
(see ../docs/extract-format.md), for development, tests and benchmarks.

  python make_extract.py OUT_DIR [--young 1000] [--regions 3] [--seed 1] [--zip] [--no-certification]

The national network of 2011 had about 450 missions locales in 26 regions and
met about 1.3 million young people a year: `--young 1400000 --regions 26` is
that scale. Same arguments, same files. The optional column
niveau_certification and the exit reasons CREATION_ENTREPRISE and
RETOUR_FORMATION_INITIALE come from a second random stream, so the other
values are those that earlier versions of this script wrote.
"""

import argparse
import os
import random
import zipfile
from datetime import date, timedelta

REGIONS = [
    ("93", "Provence-Alpes-Côte d'Azur"),
    ("31", "Nord-Pas-de-Calais"),
    ("11", "Île-de-France"),
    ("82", "Rhône-Alpes"),
    ("53", "Bretagne"),
    ("72", "Aquitaine"),
    ("73", "Midi-Pyrénées"),
    ("52", "Pays de la Loire"),
    ("24", "Centre"),
    ("41", "Lorraine"),
    ("91", "Languedoc-Roussillon"),
    ("22", "Picardie"),
    ("26", "Bourgogne"),
    ("54", "Poitou-Charentes"),
    ("21", "Champagne-Ardenne"),
    ("23", "Haute-Normandie"),
    ("25", "Basse-Normandie"),
    ("42", "Alsace"),
    ("43", "Franche-Comté"),
    ("83", "Auvergne"),
    ("74", "Limousin"),
    ("94", "Corse"),
    ("01", "Guadeloupe"),
    ("02", "Martinique"),
    ("03", "Guyane"),
    ("04", "La Réunion"),
]
CONTACTS = ["ENTRETIEN_INDIVIDUEL", "ATELIER", "INFO_COLLECTIVE", "TELEPHONE", "ECRIT"]
CONTRACTS = ["CDI", "CDD", "INTERIM", "CONTRAT_AIDE", "APPRENTISSAGE", "PROFESSIONNALISATION"]
MOTIFS = ["EMPLOI_DURABLE", "EMPLOI", "ALTERNANCE", "FORMATION", "ABANDON", "DEMENAGEMENT", "LIMITE_AGE", "AUTRE"]
LEVELS = ["VI", "Vbis", "V", "IV", "III", "II", "I"]
CERTIFICATIONS = ["AUCUNE", "AUCUNE", "V", "IV", "III", "II", "I", ""]
NEW_MOTIFS = ["CREATION_ENTREPRISE", "RETOUR_FORMATION_INITIALE"]
START, END = date(2009, 1, 1), date(2011, 12, 31)


def day(rng, lo=START, hi=END):
    return lo + timedelta(days=rng.randrange((hi - lo).days + 1))


HEADERS = {
    "structures": "code_structure;nom;type;code_region;nom_region;code_parent",
    "jeunes": "id_jeune;code_structure;date_naissance;sexe;niveau_formation;date_premier_accueil",
    "contacts": "id_jeune;date_contact;type_contact",
    "situations": "id_jeune;type_situation;type_contrat;date_debut;date_fin",
    "dispositifs": "id_jeune;dispositif;date_entree;date_sortie;motif_sortie",
}


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--young", type=int, default=1000)
    ap.add_argument("--regions", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--zip", action="store_true", help="also write OUT.zip")
    ap.add_argument(
        "--no-certification", action="store_true", help="leave out the optional niveau_certification column"
    )
    return ap.parse_args()


def write_structures(out, a) -> list[str]:
    """The missions locales (a PAIO every ninth) and their antennes; returns the missions locales' codes."""
    mls = []
    per_region = max(1, round(a.young / 3000 / a.regions)) if a.young > 3000 else 2
    for code_r, name_r in REGIONS[: a.regions]:
        for i in range(1, per_region + 1):
            code = f"ML{code_r}{i:03d}"
            out.write(f"{code};Mission locale {name_r} {i};{'PAIO' if i % 9 == 0 else 'ML'};{code_r};{name_r};\n")
            mls.append(code)
            for j in range(1, 1 + i % 3):
                out.write(f"{code}A{j};Antenne {j} de {code};ANTENNE;{code_r};{name_r};{code}\n")
    return mls


def write_situations(out, rng, jid, first) -> None:
    for _ in range(rng.choice((0, 0, 1, 1, 2))):
        kind = rng.choice(("EMPLOI", "EMPLOI", "FORMATION", "IMMERSION"))
        start = day(rng, first)
        contract = rng.choice(CONTRACTS) if kind == "EMPLOI" else ""
        end = (
            "" if contract == "CDI" or rng.random() < 0.2 else (start + timedelta(days=rng.randint(7, 500))).isoformat()
        )
        out.write(f"{jid};{kind};{contract};{start.isoformat()};{end}\n")


def write_dispositif(out, rng, rng2, jid, first) -> None:
    if rng.random() >= 0.25:
        return
    kind = rng.choice(("CIVIS", "CIVIS", "CIVIS", "ANI", "CONTRAT_AUTONOMIE"))
    start = day(rng, first)
    if rng.random() < 0.3:
        out.write(f"{jid};{kind};{start.isoformat()};;\n")
        return
    motif = rng.choice(MOTIFS)
    if rng2.random() < 0.1:
        motif = rng2.choice(NEW_MOTIFS)
    out.write(
        f"{jid};{kind};{start.isoformat()};{(start + timedelta(days=rng.randint(30, 540))).isoformat()};{motif}\n"
    )


def write_young(files, rng, rng2, a, mls) -> None:
    """Each young person's row, contacts, situations and dispositif, drawn in one order (the seed's output
    stays the same from one version of this script to the next)."""
    weights = [1 / (1 + i % 7) for i in range(len(mls))]
    for n in range(a.young):
        jid = f"J{n:08d}"
        first = day(rng)
        files["jeunes"].write(
            f"{jid};{rng.choices(mls, weights)[0]};{rng.randint(1985, 1995)}-{rng.randint(1, 12):02d};"
            f"{rng.choice('FH')};{rng.choice(LEVELS)};{first.isoformat()}"
            + ("\n" if a.no_certification else f";{rng2.choice(CERTIFICATIONS)}\n")
        )
        files["contacts"].write(f"{jid};{first.isoformat()};ENTRETIEN_INDIVIDUEL\n")
        for _ in range(rng.randint(0, 8)):
            files["contacts"].write(f"{jid};{day(rng, first).isoformat()};{rng.choice(CONTACTS)}\n")
        write_situations(files["situations"], rng, jid, first)
        write_dispositif(files["dispositifs"], rng, rng2, jid, first)


def main():
    a = parse_args()
    rng = random.Random(a.seed)
    rng2 = random.Random(f"{a.seed}-2")
    os.makedirs(a.out, exist_ok=True)
    files = {
        name: open(os.path.join(a.out, name + ".csv"), "w", encoding="utf-8")  # noqa: SIM115 - closed below
        for name in HEADERS
    }
    for name, header in HEADERS.items():
        optional = "" if name != "jeunes" or a.no_certification else ";niveau_certification"
        files[name].write(header + optional + "\n")
    mls = write_structures(files["structures"], a)
    write_young(files, rng, rng2, a, mls)
    for f in files.values():
        f.close()
    if a.zip:
        with zipfile.ZipFile(a.out.rstrip("/") + ".zip", "w", zipfile.ZIP_DEFLATED) as z:
            for name in files:
                z.write(os.path.join(a.out, name + ".csv"), name + ".csv")
    print(f"wrote {a.out}: {a.young} young people, {len(mls)} missions locales")


if __name__ == "__main__":
    main()
