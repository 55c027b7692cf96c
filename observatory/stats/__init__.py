"""Survey statistics shared by the warehouse marts and by analysts' scripts, with the
definitions of R's survey package (see DESIGN.md §6 and each module's docstring):

- `estimates`: survey_mean, survey_total, survey_proportion (svymean, svytotal,
  svyciprop, each overall or by domain as svyby);
- `design`: the Taylor-linearisation variance of stratified, clustered designs with or
  without finite population correction (svydesign, svyrecvar);
- `intervals`: Korn–Graubard, Wilson and logit intervals of a proportion;
- `weights`: poststratify and rake (postStratify, rake).
"""

from observatory.stats.estimates import survey_mean, survey_proportion, survey_total
from observatory.stats.intervals import effective_n, kg_high, kg_low, korn_graubard
from observatory.stats.weights import poststratify, rake

__all__ = [
    "effective_n",
    "kg_high",
    "kg_low",
    "korn_graubard",
    "poststratify",
    "rake",
    "survey_mean",
    "survey_proportion",
    "survey_total",
]
