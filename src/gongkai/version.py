"""The package version and the parser version (bump PARSER_VERSION when extraction changes,
so that stored reports can be re-parsed: ``gongkai corpus reparse``)."""
__version__ = "0.1.0"
PARSER_VERSION = 2
