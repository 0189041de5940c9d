"""The report of bench/dashboard.py: its figures against the targets, as the "Tableau de bord"
section of docs/performance.md (a Markdown table and its notes)."""

from __future__ import annotations

SECTION = "## Tableau de bord"
# Targets (issue "Tableau de bord", Performance).
TARGET_RATIO = 4.0
TARGET_P95_MS = 50.0
TARGET_QUERIES = 10
TARGET_MEMORY_MB = 300.0


def fr(value: float, decimals: int = 0) -> str:
    """French number: 1 400 000 ; 4,7."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",")


def verdict(ok: bool) -> str:
    return "atteint" if ok else "**manqué**"


def report(results: dict) -> str:
    m = results["machine"]
    counts = results["rows"]
    lines = [
        SECTION,
        "",
        f"Mesuré le {results['date']} avec `python bench/dashboard.py --young {results['young']} "
        f"--regions {results['regions']}` (`make bench`), sur PostgreSQL {m['postgresql']}.",
        "",
        f"Machine : {m['cpus']} cœurs ({m['cpu']}), {fr(m['memory_gb'], 1)} Go de mémoire, Python {m['python']} ; "
        f"charge moyenne au départ {fr(m['load'], 1)} (machine partagée : les temps varient d'une mesure à l'autre).",
        "",
        f"Extraction : {fr(counts['jeunes'])} jeunes, {fr(counts['contacts'])} contacts, "
        f"{fr(counts['situations'])} situations, {fr(counts['dispositifs'])} entrées en dispositif, "
        f"{fr(counts['structures'])} structures ({results['regions']} régions).",
        "",
        "| Mesure | Valeur | Objectif | |",
        "|---|---|---|---|",
        *_import_rows(results),
        *_page_rows(results["pages"]),
    ]
    lines += [
        "",
        f"Pages : {results['requests']} requêtes chacune après 3 d'échauffement, client de test de Django dans le "
        "processus (temps serveur, réseau exclu), réglages de production (DEBUG désactivé), calcul validé. "
        "Les graphiques d'un périmètre sont rendus une fois par calcul puis servis depuis le cache "
        "(un calcul ne change plus une fois terminé) : la ligne « pas encore en cache » donne le premier affichage. "
        "Import et recalcul : `import_extract` dans un processus enfant, qui recalcule après l'import "
        "(sans Redis, la tâche de recalcul s'exécute dans le même processus une fois l'import validé) ; "
        "mémoire = taille résidente maximale (`os.wait4`).",
    ]
    lines += ["", _breakdown(results)]
    if results.get("import_phases"):
        lines += ["", f"Phases de l'import (journal de l'importeur) : {results['import_phases']}."]
    if results.get("recompute_phases"):
        lines += ["", f"Phases du recalcul (journal) : {results['recompute_phases']}."]
    return "\n".join(lines) + "\n"


def _import_rows(results: dict) -> list[str]:
    """The table's rows of the floor, the import and the recompute, against their targets."""
    copy, imp, rec = results["raw_copy_s"], results["import"], results["recompute"]
    total = results["import_and_recompute_s"]
    ratio = total / copy if copy else float("inf")
    alone = results["recompute_alone"]
    return [
        f"| `COPY` brut des 5 fichiers (plancher, médiane de "
        f"{' ; '.join(fr(t, 1) for t in results.get('raw_copy_runs_s', [copy]))} s) | {fr(copy, 1)} s | | |",
        f"| `import_extract` complet, import puis recalcul (processus entier) | {fr(total, 1)} s | | |",
        f"| dont l'import (journal de l'import) | {fr(imp['seconds'], 1)} s | | |",
        f"| dont le recalcul (journal du recalcul) | {fr(rec['seconds'], 1)} s | | |",
        f"| import + recalcul / `COPY` brut | {fr(ratio, 2)} × | ≤ {fr(TARGET_RATIO)} × | "
        f"{verdict(ratio <= TARGET_RATIO)} |",
        f"| mémoire maximale de l'import (et du recalcul qui le suit) | {fr(imp['peak_mb'])} Mo | "
        f"≤ {fr(TARGET_MEMORY_MB)} Mo | {verdict(imp['peak_mb'] <= TARGET_MEMORY_MB)} |",
        f"| recalcul relancé seul (`recompute_indicators --sync`, processus entier) | {fr(alone['seconds'], 1)} s, "
        f"{fr(alone['peak_mb'])} Mo au plus | | |",
    ]


def _page_rows(pages: list[dict]) -> list[str]:
    """The table's rows of the pages: warm (p50 / p95, queries, against the targets), then cold."""
    lines = []
    for page in pages:
        ok = page["p95_ms"] <= TARGET_P95_MS and page["queries"] <= TARGET_QUERIES
        lines.append(
            f"| page {page['label'].lower()} ({page['reader']}, `{page['path']}`) : p50 / p95, requêtes SQL | "
            f"{fr(page['p50_ms'], 1)} / {fr(page['p95_ms'], 1)} ms, {page['queries']} requêtes | "
            f"p95 ≤ {fr(TARGET_P95_MS)} ms, ≤ {TARGET_QUERIES} requêtes | {verdict(ok)} |"
        )
    for page in pages:
        lines.append(
            f"| page {page['label'].lower()}, graphiques pas encore en cache (médiane de 5) | "
            f"{fr(page['cold_ms'], 1)} ms, {page['cold_queries']} requêtes | | |"
        )
    return lines


def _breakdown(results: dict) -> str:
    """The import's and the recompute's shares, in multiples of the floor."""
    copy, imp, rec = results["raw_copy_s"], results["import"], results["recompute"]
    total = results["import_and_recompute_s"]
    return (
        f"Import seul : {fr(imp['seconds'] / copy, 1)} × le `COPY` brut ; recalcul seul : "
        f"{fr(rec['seconds'] / copy, 1)} × ; démarrage du processus et reste : "
        f"{fr((total - imp['seconds'] - rec['seconds']) / copy, 1)} ×."
    )
