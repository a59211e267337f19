"""Findings the parser reports while reading the tables (documented here)."""
from . import rule


@rule("parse.missing_cell", "warning", "行内数值少于列数", stage="parse")
def _missing_cell():
    """A row prints fewer values than it has columns.  The missing cell is inferred when
    the table's arithmetic fixes it, otherwise it is uncertain."""


@rule("parse.split_digits", "info", "数字粘连已拆分", stage="parse")
def _split_digits():
    """Cell separators were lost and a row's numbers ran together (``713000074``);
    the digits were split by the row total and the column totals."""


@rule("parse.uncertain", "warning", "读数存疑", stage="parse")
def _uncertain():
    """Several readings of a cell fit the table's arithmetic (or there is no arithmetic
    to check it, as in 表二): the cell is flagged and listed in ``uncertain``."""


@rule("label.typo", "info", "标签文字有误", stage="parse")
def _label_typo():
    """A row label or section heading is printed with a dropped, extra or changed
    character (e.g. 三类内容事务信息, 行政法复议).  The row is still read."""


@rule("meta.inferred", "info", "机关名称或年度取自正文开头或文件名", stage="parse")
def _meta_inferred():
    """No title names the agency or the year, so it was taken from the opening sentences
    (「本报告由某某局根据…编制」) or from the file name.  ``meta.agency_source`` and
    ``meta.year_source`` say where each value came from (title, header, html_title,
    period, opening, filename)."""
