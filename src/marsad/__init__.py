"""marsad (مرصد): an Arabic-first monitor of armed conflict and terrorism in the news."""

__version__ = "0.1.0"
