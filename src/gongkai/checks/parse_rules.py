"""Findings the parser reports while reading the tables (documented here)."""
from .registry import rule


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


@rule("parse.leftover_numbers", "warning", "表内有数字未归入单元格", stage="parse")
def _leftover_numbers():
    """Conservation of numbers: every number printed inside a table's span must be a
    cell's value or be explained (row numbering, a header year).  When numbers are left
    over, the rows were not all found where they were printed (values detached from
    their labels, a table printed column by column), so no cell of the table may be
    blank or inferred by absence: those cells are ``uncertain`` with the leftover
    numbers as candidates."""


@rule("parse.nothing_printed", "warning", "表格位置未印出任何数值", stage="parse")
def _nothing_printed():
    """表二, 表三 or 表四 is found by its labels, but its span shows nothing at all: no number,
    no blank mark, no empty cell (text extractors print nothing for an empty cell, and
    also lose numbers).  "No number found" is not "blank": the table's sums hold for
    any reading, so every cell is ``uncertain``, not blank."""


@rule("parse.joined_digits", "info", "跨行折断的数字已拼接", stage="parse")
def _joined_digits():
    """A number too wide for its cell was wrapped over two lines (``1172`` / ``2``) and
    came out as two numbers; the pieces were joined where the row total and the
    column totals admit exactly that reading."""


@rule("parse.column_order", "info", "表三按印出顺序重建", stage="parse")
def _column_order():
    """表三's numbers came out detached from their row labels (PDF text extracted
    without the page layout: all labels first, then the numbers row by row, or column
    by column with page breaks cutting the table into pieces).  Every number and blank
    mark between 表三's heading and 表四's heading was taken in order and placed by
    the orders that fit all of 表三's sums (row totals, column totals, 新收 + 上年结转 =
    总计 + 结转下年度); cells are inferred when those orders agree, uncertain where they
    differ."""


@rule("read.encoding", "warning", "文本编码不一致，已容错解码", stage="parse")
def _read_encoding():
    """A text or HTML file is not valid in one encoding: some bytes are invalid (replaced
    by U+FFFD) or a passage is in another encoding (a GBK passage in a UTF-8 file, a
    UTF-8 passage in a GBK file).  Those spans were decoded on their own; the finding
    names the lines (``data``: main encoding, lines per kind)."""


@rule("meta.inferred", "info", "机关名称或年度取自正文开头或文件名", stage="parse")
def _meta_inferred():
    """No title names the agency or the year, so it was taken from the opening sentences
    (「本报告由某某局根据…编制」) or from the file name.  ``meta.agency_source`` and
    ``meta.year_source`` say where each value came from (title, header, html_title,
    period, opening, filename)."""
