"""Review and sign-off of stored reports (issue 12 item 6).

A reviewer corrects a cell (value + reason) or confirms an uncertain one; each change is a
new *version* of the report's data (``report_versions``), never an overwrite: the
``cells`` table stays the parse.  The *effective* data is the parse with each field's
newest version laid over it (``effective_cells``).  The checks rerun at once on it
(``recheck``) and their findings replace the report's rows in ``findings``; each version
keeps its own findings (JSON), and version 0 — written before the first change — keeps
the parse's findings and derived columns.

Where the effective state lives: in the ``reports`` row itself (n_errors, n_warnings,
n_uncertain, value_array, status_codes, the indicators) and in ``findings``.  Every reader
of the corpus — the board, the exports, statistics, the views, the corpus checks, the
表二 priors — reads those, so each sees the reviewed data without knowing about the review;
the parse stays in ``cells`` and in version 0 (``export --as-parsed``).  A dismissed finding
is kept but no longer counted in n_errors / n_warnings.

Findings are 确认 or 驳回 with a comment (``review_finding``), keyed by rule + cells so a
decision stays attached while the same rule still fails on the same cells.  The report's
state (``submit`` → 待审核, ``approve`` → 已通过, ``return_report`` → 已退回) is an
append-only log.  Rights: ``rights``; scope: the user's ``Scope``, checked here, in the
library.  Every change is audited (``audit.record``).

A re-import or re-parse of the document keeps all of it (``carry``): the report is
updated in place (same id), the reviewer's values stand over the new parse — a change of
the parser's reading is noted as a ``reparse`` version —, the checks rerun, and an
已通过 report stays approved only if its effective data is unchanged (otherwise an
automatic, audited entry by 「系统」 returns it to 待审核).  A reviewed report is never
replaced by a re-parse that yields no report (``store.ReviewKept``)."""
from __future__ import annotations

from .cells import Change, EffectiveCell, confirm_cell, correct_cell, effective_cells, history
from .findings_xlsx import findings_rows, findings_xlsx
from .recheck import recheck_rules
from .rights import ACTIONS, may, refusal
from .state import (DECISION_ZH, NOT_FOUND, REVIEW_ZH, approve, current_state, decisions, finding_key,
                    latest_states, return_report, review_finding, rights_of, state_history, submit)
from .values import ReviewError, parse_value

__all__ = ["ACTIONS", "Change", "DECISION_ZH", "EffectiveCell", "NOT_FOUND", "REVIEW_ZH", "ReviewError", "approve",
           "confirm_cell", "correct_cell", "current_state", "decisions", "effective_cells", "finding_key",
           "findings_rows", "findings_xlsx", "history", "latest_states", "may", "parse_value", "recheck_rules", "refusal",
           "return_report", "review_finding", "rights_of", "state_history", "submit"]
