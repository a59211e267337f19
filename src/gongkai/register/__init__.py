"""The disclosure register (issue 6): working-day calendar and statutory deadlines,
信息处理费, applications and their events, 主动公开 and 复议/诉讼 records, and the year's
tables.  Every value is checked (validate.py) before anything is stored."""
