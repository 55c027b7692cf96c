# Reference estimates from R's survey package for tests/test_stats_r.py.
#
#   Rscript survey_oracle.R designs DIR   reads DIR/sample.csv and DIR/pop_{ps,r1,r2}.csv
#   Rscript survey_oracle.R shares DIR    reads DIR/waves.csv (every wave of the warehouse)
#
# and writes DIR/r_estimates.csv: design, stat, domain, level, estimate, se, ci_low,
# ci_high (one row per estimate; stat "weight" rows hold calibrated weights by row).
suppressPackageStartupMessages(library(survey))

args <- commandArgs(trailingOnly = TRUE)
mode <- args[1]
dir <- args[2]
read <- function(name) read.csv(file.path(dir, name), stringsAsFactors = FALSE)
out <- list()
emit <- function(design, stat, domain, level, estimate, se, ci) {
  ci <- matrix(ci, ncol = 2)
  out[[length(out) + 1]] <<- data.frame(
    design = design, stat = stat, domain = domain, level = level,
    estimate = as.numeric(estimate), se = as.numeric(se), ci_low = ci[, 1], ci_high = ci[, 2])
}

# Wilson score interval on the effective n adjusted as svyciprop(method = "beta").
wilson <- function(formula, design, level = 0.95) {
  m <- svymean(formula, design)
  p <- coef(m)[[1]]
  v <- vcov(m)[1, 1]
  alpha <- 1 - level
  n <- p * (1 - p) / v * (qt(alpha / 2, nrow(design) - 1) / qt(alpha / 2, degf(design)))^2
  z <- qnorm(1 - alpha / 2)
  centre <- (p + z^2 / (2 * n)) / (1 + z^2 / n)
  half <- z / (1 + z^2 / n) * sqrt(p * (1 - p) / n + z^2 / (4 * n^2))
  list(p = p, se = sqrt(v), ci = c(centre - half, centre + half))
}

estimate_all <- function(name, des) {
  for (stat in c("mean", "total")) {
    fun <- get(paste0("svy", stat))
    m <- fun(~y, des)
    emit(name, stat, "", "", coef(m), SE(m), confint(m))
    b <- svyby(~y, ~dom, des, fun)
    emit(name, stat, b$dom, "", coef(b), SE(b), confint(b))
  }
  for (lev in sort(unique(des$variables$g))) {
    indicator <- as.formula(sprintf('~I(g == "%s")', lev))
    for (method in c("beta", "logit")) {
      m <- svyciprop(indicator, des, method = method)
      emit(name, method, "", lev, coef(m), SE(m), confint(m))
      b <- svyby(indicator, ~dom, des, svyciprop, method = method, vartype = c("se", "ci"))
      emit(name, method, b$dom, lev, coef(b), SE(b), cbind(b$ci_l, b$ci_u))
    }
    numeric <- as.formula(sprintf('~as.numeric(g == "%s")', lev))
    w <- wilson(numeric, des)
    emit(name, "wilson", "", lev, w$p, w$se, w$ci)
    for (d in sort(unique(des$variables$dom))) {
      w <- wilson(numeric, des[des$variables$dom == d, ])
      emit(name, "wilson", d, lev, w$p, w$se, w$ci)
    }
  }
}

emit_weights <- function(name, des) {
  w <- weights(des)
  emit(name, "weight", "", as.character(seq_along(w)), w, NA, c(NA, NA))
}

if (mode == "designs") {
  d <- read("sample.csv")
  d$cluster <- paste(d$h, d$psu)
  stratified <- svydesign(ids = ~1, strata = ~h, weights = ~w, data = d)
  designs <- list(
    stratified = stratified,
    stratified_fpc = svydesign(ids = ~1, strata = ~h, weights = ~w, fpc = ~N_h, data = d),
    clustered = svydesign(ids = ~psu, strata = ~h, weights = ~w, nest = TRUE, data = d),
    clustered_fpc = svydesign(ids = ~psu, strata = ~h, weights = ~w, fpc = ~M_h,
                              nest = TRUE, data = d),
    clustered_unstratified = svydesign(ids = ~cluster, weights = ~w, data = d),
    poststratified = postStratify(stratified, ~ps, read("pop_ps.csv")),
    raked = rake(stratified, list(~r1, ~r2), list(read("pop_r1.csv"), read("pop_r2.csv")),
                 control = list(maxit = 100, epsilon = 1e-12))
  )
  for (name in names(designs)) estimate_all(name, designs[[name]])
  # stratum s1 reduced to one PSU (clustered) or to one unit (stratified), under each of
  # R's lonely.psu options
  lonely_cluster <- d[d$h != "s1" | d$psu == 1, ]
  lonely_unit <- d[d$h != "s1" | seq_len(nrow(d)) == which(d$h == "s1")[1], ]
  for (option in c("certainty", "remove", "adjust", "average")) {
    options(survey.lonely.psu = option)
    estimate_all(paste0("clustered_lonely_", option),
                 svydesign(ids = ~psu, strata = ~h, weights = ~w, nest = TRUE,
                           data = lonely_cluster))
    estimate_all(paste0("stratified_lonely_", option),
                 svydesign(ids = ~1, strata = ~h, weights = ~w, data = lonely_unit))
  }
  options(survey.lonely.psu = "fail")
  emit_weights("poststratified", designs$poststratified)
  emit_weights("raked", designs$raked)
  emit_weights("raked_default",
               rake(stratified, list(~r1, ~r2), list(read("pop_r1.csv"), read("pop_r2.csv"))))
} else if (mode == "shares") {
  d <- read("waves.csv")
  d$stratum <- paste(d$country, d$org_type)
  options(survey.lonely.psu = "adjust")  # the warehouse's rule for one-respondent strata
  for (wave in sort(unique(d$wave))) {
    des <- svydesign(ids = ~1, strata = ~stratum, weights = ~weight, data = d[d$wave == wave, ])
    for (y in grep("^y_", names(d), value = TRUE)) {
      for (domain_type in c("country", "scheme_type")) {
        b <- svyby(as.formula(sprintf("~I(%s == 1)", y)), as.formula(paste0("~", domain_type)),
                   des, svyciprop, method = "beta", vartype = c("se", "ci"))
        emit(as.character(wave), domain_type, b[[domain_type]], sub("^y_", "", y), coef(b),
             SE(b), cbind(b$ci_l, b$ci_u))
      }
    }
  }
} else {
  stop("usage: survey_oracle.R designs|shares DIR")
}
write.csv(do.call(rbind, out), file.path(dir, "r_estimates.csv"), row.names = FALSE)
