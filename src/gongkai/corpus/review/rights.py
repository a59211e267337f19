"""Who may do what to a report under review, and in which state (a pure table; the scope
of the report is checked separately, with the user's ``Scope``).

=================  ======================  ==========================================
action             roles                   refused when the report's review state is
=================  ======================  ==========================================
correct, confirm   admin reviewer staff    approved (a correction needs a 退回 first)
finding            admin reviewer          approved
submit             admin reviewer staff    pending, approved
approve            admin reviewer          approved
return             admin reviewer          returned
=================  ======================  ==========================================

Guests (and the public visitor) may do nothing; staff only within their one agency."""
from __future__ import annotations

ACTIONS = ("correct", "confirm", "finding", "submit", "approve", "return")
ACTION_ZH = {"correct": "更正单元格", "confirm": "确认单元格", "finding": "审核校验发现", "submit": "提交审核",
             "approve": "审核通过", "return": "退回"}
ROLE_ACTIONS = {"admin": set(ACTIONS), "reviewer": set(ACTIONS), "staff": {"correct", "confirm", "submit"},
                "guest": set()}
REFUSED_IN = {"correct": {"approved"}, "confirm": {"approved"}, "finding": {"approved"},
              "submit": {"pending", "approved"}, "approve": {"approved"}, "return": {"returned"}}
STATE_WHY = {"approved": "报告已通过审核，不能再{what}；如需更正请先退回",
             "pending": "报告已提交，正在等待审核",
             "returned": "报告已退回，等待填报人修改后重新提交"}


def refusal(user, action: str, state: str | None) -> str | None:
    """Why ``user`` may not do ``action`` to a report in review state ``state`` (None: no
    review yet) — None when allowed."""
    if action not in ACTIONS:
        raise ValueError(action)
    if user is None or not getattr(user, "active", False) or not getattr(user, "id", 0):
        return "请先登录"
    if user.role == "guest":
        return "访客只能查看，不能修改"
    if action not in ROLE_ACTIONS.get(user.role, set()):
        return f"{user.role_zh}不能{ACTION_ZH[action]}：请由审核人处理"
    if state in REFUSED_IN[action]:
        if state == "approved" and action in ("submit", "approve"):
            return "报告已通过审核"
        return STATE_WHY[state].format(what=ACTION_ZH[action])
    return None


def may(user, state: str | None) -> dict[str, bool]:
    """Every action → whether ``user`` may do it now (what a page offers)."""
    return {a: refusal(user, a, state) is None for a in ACTIONS}
