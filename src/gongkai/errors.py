"""One error hierarchy for "cannot go on".  Findings about a report are data
(:class:`gongkai.model.Finding`), never exceptions."""


class GongkaiError(Exception):
    """Base class.  ``str(err)`` is a one-line Chinese message for users."""


class InputError(GongkaiError):
    """A file cannot be read as a report (missing, empty, binary, undecodable,
    unsupported type, over a limit).  Carries the path for the message."""

    def __init__(self, path, problem):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class UnsupportedFormat(InputError):
    """The file is of a type this version cannot read (e.g. PDF before the PDF reader)."""


class NoTables(InputError):
    """The document was read, but none of the report's tables was found."""


class RegisterError(GongkaiError):
    """The disclosure register refuses an operation (an event that cannot apply to the
    application in its state, a record that contradicts the records)."""


class ValidationError(RegisterError):
    """A value refused before anything is stored: ``field`` is its Chinese name, the
    message names the field and the rule broken."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


class LimitExceeded(InputError):
    """A per-document limit (time, pixels, memory) was reached; the document is skipped."""


class DamagedFile(InputError):
    """The file is of a known type but damaged (a reader's own exception, mapped)."""


class NotNationalFormat(NoTables):
    """Labels of the tables are named here and there, but not in the national format
    (表二、表三、表四 as tables): a report from before 2019, a page that only links to a
    report, a 工作要点 or a notice.  Nothing is read from it."""

    MESSAGE = "未找到国家格式的表二、表三、表四：可能是 2019 年以前的报告或不是年度报告"

    def __init__(self, path, problem=None):
        super().__init__(path, problem or self.MESSAGE)
