"""User-facing errors: one clear sentence, a named exit code, never a traceback."""

from __future__ import annotations

from configurator import exitcodes


class ConfiguratorError(Exception):
    """An error the user can fix. ``str(err)`` is the one line we print."""

    exit_code: int = exitcodes.USAGE

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class ParseError(ConfiguratorError):
    """A file (or text) that does not parse. Carries a 1-based line and column."""

    def __init__(self, path: str, fmt: str, line: int, column: int, detail: str) -> None:
        self.path = str(path)
        self.fmt = fmt
        self.line = max(1, int(line))
        self.column = max(1, int(column))
        self.detail = detail.strip().rstrip(".")
        super().__init__(
            f"{self.path}:{self.line}:{self.column}: cannot parse this {fmt.upper()} file: {self.detail}. "
            "Fix it by hand (nothing was written)."
        )


CANCELLED = "Cancelled; nothing was written."


class Aborted(ConfiguratorError):
    """The user stopped an interactive flow. Not an error: the entry point prints :data:`CANCELLED` (no
    ``error:`` prefix) and exits 0 when the user answered "No", 130 on Ctrl-C or end of input."""

    def __init__(self, message: str = CANCELLED, *, exit_code: int = exitcodes.OK) -> None:
        super().__init__(message, exit_code=exit_code)


class Interrupted(Aborted):
    """Ctrl-C (or end of input) in a prompt: exit 130, as a shell reports SIGINT."""

    def __init__(self, message: str = CANCELLED) -> None:
        super().__init__(message, exit_code=exitcodes.INTERRUPTED)


class ConcurrentChange(ConfiguratorError):
    def __init__(self, path: str) -> None:
        super().__init__(
            f"{path} changed on disk while configurator was working on it; nothing was written. Run the command again."
        )
