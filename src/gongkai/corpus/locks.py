"""PostgreSQL advisory lock keys of the corpus (one place, so that no two uses collide)."""
MIGRATION_LOCK = 0x67_6F6E_6B61   # "gonka": schema migrations (session lock)
CHECKS_LOCK = MIGRATION_LOCK + 1  # rewriting the corpus findings (corpus.crosscheck)
PRIORS_LOCK = MIGRATION_LOCK + 2  # re-ranking 表二 guesses from corpus priors (corpus.t2prior)
