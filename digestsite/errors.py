"""The one user-facing error type, and how it prints.

A ``SourceError`` names the file and, where known, the line. Lines are stored
0-based, like everything else in the pipeline, and printed 1-based, as
compilers and editors expect (``content/topics.toml:4: ...``).
"""

from __future__ import annotations

from pathlib import PurePath


class SourceError(Exception):
    """Bad input a maintainer can fix: a file, an optional 0-based line, what is wrong."""

    def __init__(self, path: PurePath | str, line: int | None, message: str, hint: str = ""):
        self.path = str(path)
        self.line = line
        self.message = message
        self.hint = hint
        super().__init__(self.__str__())

    def location(self) -> str:
        return self.path if self.line is None else f"{self.path}:{self.line + 1}"

    def __str__(self) -> str:
        text = f"{self.location()}: {self.message}"
        return f"{text}\n  hint: {self.hint}" if self.hint else text


class BuildError(Exception):
    """A build that cannot go on for a reason that is not one input file (e.g. unsafe --out)."""


def toml_error(exc: Exception, display: str, text: str, first_line: int = 0,
               what: str = "malformed TOML") -> SourceError:
    """A tomllib.TOMLDecodeError as a SourceError at the right 0-based line of the file.

    ``first_line`` is where the TOML starts in the file (front matter starts
    after its fence); an error "at end of document" points at the last line.
    """
    import re

    found = re.search(r"\s*\(at line (\d+), column \d+\)", str(exc))
    if found:
        line = first_line + int(found.group(1)) - 1
    else:
        line = first_line + max(0, len(text.splitlines()) - 1) + (1 if first_line else 0)
    message = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(exc))
    return SourceError(display, line, f"{what}: {message}")
