"""The disclosure register (issue 6): working-day calendar and statutory deadlines,
信息处理费, and — to come — applications, events, 复议/诉讼 and the year's tables."""
