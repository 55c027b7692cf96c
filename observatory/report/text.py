"""Every word of the report, in English and French, and locale-aware number formatting."""

from __future__ import annotations

LANGUAGES = ("en", "fr")
# d3-format locale names understood by vl-convert and passed to vega-embed.
FORMAT_LOCALE = {"en": "en-US", "fr": "fr-FR"}

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Partnership Survey Observatory — annual report {year}",
        "lead": ("Levers, barriers and types of cooperation schemes reported by organisations "
                 "in {n_countries} countries, survey wave {year}."),
        "language_name": "English",
        "contents": "Contents",
        "s_key": "Key figures", "s_country": "Levers, barriers and scheme types by country",
        "s_scheme": "Levers and barriers by scheme type", "s_trend": "Trends since {first}",
        "s_topics": "SIM roles, themes and collective impact",
        "s_cases": "Case-study highlights", "s_method": "Methodology",
        "s_quality": "Data quality",
        "k_countries": "countries", "k_waves": "survey waves so far",
        "k_respondents": "respondents in {year}", "k_cases": "case studies documented",
        "k_changes": "significant changes since {previous}",
        "country": "Country", "scheme_type": "Scheme type", "item": "Item",
        "respondents": "Respondents {year}", "change": "Change",
        "t_levers": "Levers for cooperation by country, {year}",
        "t_barriers": "Barriers to cooperation by country, {year}",
        "t_schemes": "Types of cooperation scheme by country, {year}",
        "t_barriers_scheme": "Barriers to cooperation by scheme type, {year} (all countries)",
        "t_levers_scheme": "Levers for cooperation by scheme type, {year} (all countries)",
        "t_sim_roles": "Roles taken by SIM participants by country, {year}",
        "t_themes": "Main theme of the cooperation scheme by country, {year}",
        "t_ci_conditions": "Collective-impact conditions in place by country, {year}",
        "t_ci_stages": "Collective-impact stage reached by country, {year}",
        "t_trend_levers": "Levers for cooperation by country, {first}–{year}",
        "t_trend_barriers": "Barriers to cooperation by country, {first}–{year}",
        "t_case_grid": "Case studies by country and scheme type, {first}–{year}",
        "t_case_top": "Levers and barriers observed in the case studies, {first}–{year}",
        "d_share": "{what}; the highest share is {label} ({domain}, {share}).",
        "d_levers": "Share of organisations citing each lever",
        "d_barriers": "Share of organisations citing each barrier",
        "d_schemes": "Share of organisations by type of their main cooperation scheme",
        "d_barriers_scheme": "Share of organisations citing each barrier, by scheme type",
        "d_levers_scheme": "Share of organisations citing each lever, by scheme type",
        "d_sim_roles": "Share of organisations whose SIM participant takes each role",
        "d_themes": "Share of organisations by the main theme of their cooperation scheme",
        "d_ci_conditions": ("Share of organisations reporting each condition of collective "
                            "impact"),
        "d_ci_stages": "Share of organisations by the collective-impact stage reached",
        "d_trend": ("{what}, wave by wave; in {year} the highest is {label} ({domain}, "
                    "{share}). Changes from the previous wave significant at the 5% level, "
                    "ringed: {k}."),
        "d_case_grid": ("{n} case studies documented up to {year}; {domain} contributes the "
                        "most ({k})."),
        "d_case_top": ("Number of case studies in which each lever or barrier was observed; "
                       "the most frequent is {label} ({k} of {n})."),
        "note_share": ("Bars: weighted share; whiskers: 95% confidence interval; n: unweighted "
                       "respondents. †\u00a0unreliable estimate (effective n < {n_eff} or "
                       "fewer than {df} degrees of freedom), drawn lighter."),
        "note_trend": ("Lines: weighted share; bands: 95% confidence interval; black ring: "
                       "significant change from the previous wave (q < 0.05); n: unweighted "
                       "respondents per wave (range), all countries: {counts}. †\u00a0unreliable "
                       "estimate, drawn lighter."),
        "note_cases": "n = {n} case studies.",
        "note_suppressed": "Not shown (fewer than {n} respondents): {cells}.",
        "suppressed": "suppressed", "share": "Share", "ci": "95% CI", "n": "n",
        "cases": "Case studies", "wave": "Wave", "lever": "Levers", "barrier": "Barriers",
        "pdf_link": "Printable version (PDF)", "changes_title": "Significant changes",
        "years": "Years", "top_theme": "Most frequent theme",
        "top_lever": "Lever most often observed", "top_barrier": "Barrier most often observed",
        "highlights_caption": ("Case studies per country; ties go to the first in the "
                               "codebook's order."),
        "waves": "Waves", "change_pts": "Change (points)", "p_value": "p-value",
        "changes_caption": ("Changes from one wave to the next that are significant at the 5% "
                            "level (two-sided z-test, Benjamini–Hochberg q < 0.05), levers "
                            "and barriers by country."),
        "no_changes": "No change from one wave to the next is significant at the 5% level.",
        "show_table": "Data table", "download": "Data (CSV)", "figure": "Figure",
        "noscript": "Interactive charts need JavaScript.",
        "method_text": (
            "Each wave surveys organisations in every country. Estimates are weighted: "
            "weights are post-stratified to the population frame by country × organisation "
            "type. Standard errors use Taylor linearisation with strata = country × "
            "organisation type; a stratum with a single respondent is centred at the overall "
            "mean, as R's survey package does with lonely.psu = \"adjust\". {level} intervals "
            "are Korn–Graubard (Clopper–Pearson on the effective sample size adjusted for "
            "the design's degrees of freedom, R's svyciprop(method = \"beta\")). Shares are "
            "of all respondents (a blank counts as not choosing). Cells with fewer than "
            "{n_min} respondents are suppressed: only their n is shown. Estimates whose "
            "effective sample size (at most n) is below {n_eff} or whose degrees of freedom "
            "(respondents minus strata) are below {df} are flagged unreliable (†), as the "
            "NCHS presentation standards recommend. Shares fixed by the weights "
            "(organisation type within a country) have no sampling error and no interval. "
            "Case studies are documented schemes, counted, not weighted."),
        "method_changes": (
            "A change from one wave to the next is tested with a two-sided z-test: the "
            "difference of the two shares divided by its standard error, the waves being "
            "independent samples. The p-values of all changes between the same two waves "
            "are adjusted for multiple testing (Benjamini–Hochberg false discovery rate): "
            "changes with an adjusted p (q) below 0.05 are called significant and ringed in "
            "the trend charts; a change involving a suppressed cell is never tested."),
        "quality_text": ("Rows read from each country's export(s), wave by wave, loaded into "
                         "the warehouse, and set aside (quarantined) by validation, with the "
                         "reason recorded for each."),
        "validation_text": ("Validation checks (Great Expectations suites), latest result of "
                            "each check. A failed blocking check stops the refresh; a "
                            "non-blocking one is reported here."),
        "suite": "Suite", "target": "Checked table", "checks": "Checks",
        "passed": "Passed", "failed": "Failed", "blocking_failed": "Failed, blocking",
        "unexpected": "Unexpected values",
        "page": "Page {page} of {pages}",
        "files": "Files", "rows_read": "Rows read", "rows_loaded": "Loaded",
        "rows_quarantined": "Quarantined", "balanced": "Read = loaded + quarantined",
        "yes": "yes", "no": "NO", "total": "Total", "colon": ":",
        "footer": "Built from the observatory warehouse, wave {year}.",
    },
    "fr": {
        "title": "Observatoire des partenariats — rapport annuel {year}",
        "lead": ("Leviers, freins et types de schémas de coopération déclarés par les "
                 "organisations de {n_countries} pays, vague d'enquête {year}."),
        "language_name": "Français",
        "contents": "Sommaire",
        "s_key": "Chiffres clés", "s_country": "Leviers, freins et schémas par pays",
        "s_scheme": "Leviers et freins par type de schéma",
        "s_trend": "Évolutions depuis {first}",
        "s_topics": "Rôles SIM, thématiques et impact collectif",
        "s_cases": "Études de cas", "s_method": "Méthodologie",
        "s_quality": "Qualité des données",
        "k_countries": "pays", "k_waves": "vagues d'enquête à ce jour",
        "k_respondents": "répondants en {year}", "k_cases": "études de cas documentées",
        "k_changes": "évolutions significatives depuis {previous}",
        "country": "Pays", "scheme_type": "Type de schéma", "item": "Modalité",
        "respondents": "Répondants {year}", "change": "Évolution",
        "t_levers": "Leviers de la coopération par pays, {year}",
        "t_barriers": "Freins à la coopération par pays, {year}",
        "t_schemes": "Types de schémas de coopération par pays, {year}",
        "t_barriers_scheme": "Freins à la coopération par type de schéma, {year} (tous pays)",
        "t_levers_scheme": "Leviers de la coopération par type de schéma, {year} (tous pays)",
        "t_sim_roles": "Rôles des participant·es SIM par pays, {year}",
        "t_themes": "Thématique principale du schéma de coopération par pays, {year}",
        "t_ci_conditions": "Conditions de l'impact collectif réunies par pays, {year}",
        "t_ci_stages": "Étape de l'impact collectif atteinte par pays, {year}",
        "t_trend_levers": "Leviers de la coopération par pays, {first}–{year}",
        "t_trend_barriers": "Freins à la coopération par pays, {first}–{year}",
        "t_case_grid": "Études de cas par pays et type de schéma, {first}–{year}",
        "t_case_top": "Leviers et freins observés dans les études de cas, {first}–{year}",
        "d_share": "{what} ; la part la plus élevée est {label} ({domain}, {share}).",
        "d_levers": "Part des organisations citant chaque levier",
        "d_barriers": "Part des organisations citant chaque frein",
        "d_schemes": "Part des organisations selon le type de leur principal schéma",
        "d_barriers_scheme": "Part des organisations citant chaque frein, par type de schéma",
        "d_levers_scheme": "Part des organisations citant chaque levier, par type de schéma",
        "d_sim_roles": ("Part des organisations dont la ou le participant·e SIM tient chaque "
                        "rôle"),
        "d_themes": ("Part des organisations selon la thématique principale de leur schéma "
                     "de coopération"),
        "d_ci_conditions": ("Part des organisations déclarant chaque condition de l'impact "
                            "collectif"),
        "d_ci_stages": "Part des organisations selon l'étape de l'impact collectif atteinte",
        "d_trend": ("{what}, vague par vague ; en {year}, la plus élevée est {label} "
                    "({domain}, {share}). Évolutions significatives au seuil de 5\u202f% "
                    "depuis la vague précédente, cerclées : {k}."),
        "d_case_grid": ("{n} études de cas documentées jusqu'en {year} ; le pays qui en "
                        "compte le plus est : {domain} ({k})."),
        "d_case_top": ("Nombre d'études de cas où chaque levier ou frein a été observé ; le "
                       "plus fréquent est {label} ({k} sur {n})."),
        "note_share": ("Barres : part pondérée ; traits : intervalle de confiance à 95 % ; "
                       "n : répondants (non pondéré). †\u00a0estimation peu fiable (effectif "
                       "efficace < {n_eff} ou moins de {df} degrés de liberté), en plus clair."),
        "note_trend": ("Lignes : part pondérée ; bandes : intervalle de confiance à 95 % ; "
                       "cercle noir : évolution significative depuis la vague précédente "
                       "(q < 0,05) ; n : répondants par vague (non pondéré, fourchette), "
                       "tous pays : "
                       "{counts}. †\u00a0estimation peu fiable, en plus clair."),
        "note_cases": "n = {n} études de cas.",
        "note_suppressed": "Non affiché (moins de {n} répondants) : {cells}.",
        "suppressed": "masqué", "share": "Part", "ci": "IC à 95 %", "n": "n",
        "cases": "Études de cas", "wave": "Vague", "lever": "Leviers", "barrier": "Freins",
        "pdf_link": "Version imprimable (PDF)", "changes_title": "Évolutions significatives",
        "years": "Années", "top_theme": "Thématique la plus fréquente",
        "top_lever": "Levier le plus observé", "top_barrier": "Frein le plus observé",
        "highlights_caption": ("Études de cas par pays ; en cas d'égalité, le premier dans "
                               "l'ordre du livre de codes."),
        "waves": "Vagues", "change_pts": "Évolution (points)", "p_value": "Valeur p",
        "changes_caption": ("Évolutions d'une vague à la suivante significatives au seuil de "
                            "5\u202f% (test z bilatéral, Benjamini–Hochberg q < 0,05), "
                            "leviers et freins par pays."),
        "no_changes": ("Aucune évolution d'une vague à la suivante n'est significative au "
                       "seuil de 5\u202f%."),
        "show_table": "Tableau de données", "download": "Données (CSV)", "figure": "Figure",
        "noscript": "Les graphiques interactifs "
        "nécessitent JavaScript.",
        "method_text": (
            "Chaque vague interroge des organisations dans chaque pays. Les estimations sont "
            "pondérées : les poids sont post-stratifiés sur la base de sondage par pays × type "
            "d'organisation. Les erreurs types sont calculées par linéarisation de Taylor "
            "(strates = pays × type d'organisation)"
            "; une strate d'un seul répondant est centrée sur la moyenne d'ensemble, comme "
            "le fait le paquet R survey avec lonely.psu = \"adjust\". Les intervalles à "
            "{level} sont de Korn–Graubard (Clopper–Pearson sur l'effectif efficace corrigé "
            "des degrés de liberté du plan, svyciprop(method = \"beta\") de R). Les parts "
            "portent sur l'ensemble des répondants (une absence de réponse compte comme un "
            "non-choix). Les cellules de moins de {n_min} répondants sont masquées : seul "
            "leur n est publié. Les estimations dont l'effectif efficace (au plus n) est "
            "inférieur à {n_eff} ou dont les degrés de liberté (répondants moins strates) "
            "sont inférieurs à {df} sont signalées peu fiables (†), selon les normes de "
            "présentation du NCHS. Les parts fixées par les poids (type d'organisation dans "
            "un pays) n'ont ni erreur d'échantillonnage ni intervalle. Les études de cas "
            "sont des schémas documentés, comptés et non pondérés."),
        "method_changes": (
            "L'évolution d'une vague à la suivante est testée par un test z bilatéral : la "
            "différence des deux parts divisée par son erreur type, les vagues étant des "
            "échantillons indépendants. Les valeurs p de toutes les évolutions entre les "
            "deux mêmes vagues sont corrigées des comparaisons multiples (taux de fausses "
            "découvertes de Benjamini–Hochberg) : les évolutions dont la valeur p corrigée "
            "(q) est inférieure à 0,05 sont dites significatives et cerclées dans les "
            "graphiques d'évolution ; une évolution impliquant une cellule masquée n'est "
            "jamais testée."),
        "quality_text": ("Lignes lues dans les fichiers de chaque pays, vague par vague, "
                         "chargées dans l'entrepôt, et mises de côté (quarantaine) par la "
                         "validation, avec le motif consigné pour chacune."),
        "validation_text": ("Contrôles de validation (suites Great Expectations), dernier "
                            "résultat de chaque contrôle. Un contrôle bloquant en échec "
                            "arrête la mise à jour ; un contrôle non bloquant est signalé ici."),
        "suite": "Suite", "target": "Table contrôlée", "checks": "Contrôles",
        "passed": "Réussis", "failed": "En échec", "blocking_failed": "En échec, bloquants",
        "unexpected": "Valeurs inattendues",
        "page": "Page {page} sur {pages}",
        "files": "Fichiers", "rows_read": "Lignes lues", "rows_loaded": "Chargées",
        "rows_quarantined": "En quarantaine", "balanced": "Lues = chargées + quarantaine",
        "yes": "oui", "no": "NON", "total": "Total", "colon": "\u00a0:",
        "footer": "Produit à partir de l'entrepôt de l'observatoire, vague {year}.",
    },
}


def t(lang: str, key: str, **values: object) -> str:
    text = STRINGS[lang][key]
    return text.format(**values) if values else text


def quoted(text: str, lang: str) -> str:
    """Quote a label; French uses guillemets unless the label already holds some."""
    if lang == "fr" and "«" not in text:
        return f"«\u00a0{text}\u00a0»"
    return f"“{text}”"


def fmt_int(value: float | int, lang: str) -> str:
    text = f"{int(value):,}"
    return text.replace(",", "\u202f") if lang == "fr" else text


def fmt_pct(value: float, lang: str, digits: int = 0) -> str:
    text = f"{100 * value:.{digits}f}"
    return f"{text.replace('.', ',')}\u202f%" if lang == "fr" else f"{text}%"


def fmt_points(change: float, lang: str) -> str:
    """A change of share in percentage points, signed (typographic minus)."""
    text = f"{100 * change:+.1f}".replace("-", "−")
    return f"{text.replace('.', ',')}\u00a0pts" if lang == "fr" else f"{text} pts"


def fmt_p(p: float, lang: str) -> str:
    text = "< 0.001" if p < 0.001 else f"{p:.3f}"
    return text.replace(".", ",") if lang == "fr" else text


def fmt_ci(low: float, high: float, lang: str) -> str:
    sep = " – " if lang == "fr" else "–"
    return f"{fmt_pct(low, lang)}{sep}{fmt_pct(high, lang)}"
