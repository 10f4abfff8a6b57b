"""A thin layer over questionary so every interactive flow can be driven by prompt_toolkit pipe input in
tests (``Prompter(input=pipe, output=DummyOutput())``). Ctrl-C or end of input becomes :class:`Interrupted`
(the entry point prints :data:`configurator.errors.CANCELLED` and exits 130)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from configurator.errors import Interrupted


def _answer_keys(question: Any, keys: Mapping[str, Any]) -> None:
    """Bind each key of ``keys`` to answering the select ``question`` with its value, as Enter on that choice does
    (the answer shown is that choice)."""
    from questionary.prompts.common import InquirerControl

    app = question.application
    control = next(c for c in app.layout.find_all_controls() if isinstance(c, InquirerControl))
    for key, value in keys.items():
        index = next(i for i, c in enumerate(control.choices) if getattr(c, "value", None) == value)

        def answer(event: Any, index: int = index, value: Any = value) -> None:
            control.pointed_at = index
            control.is_answered = True
            event.app.exit(result=value)

        app.key_bindings.add(key, eager=True)(answer)


class Prompter:
    """Every question of every interactive flow (setup's wizard, the plan quiz)."""

    def __init__(self, input: Any = None, output: Any = None) -> None:
        self._kw: dict[str, Any] = {}
        if input is not None:
            self._kw["input"] = input
        if output is not None:
            self._kw["output"] = output

    def _ask(self, question: Any) -> Any:
        try:
            answer = question.unsafe_ask()
            if answer is None:  # questionary's way of saying the prompt was cancelled
                raise KeyboardInterrupt
        except (KeyboardInterrupt, EOFError):
            raise Interrupted() from None
        return answer

    def select(self, message: str, choices: Sequence[tuple[str, Any]], default: Any = None,
               keys: Mapping[str, Any] | None = None) -> Any:
        """One of ``choices`` (title, value). ``keys``: a key that answers at once with that value (``y``/``n``)."""
        import questionary

        qs = [questionary.Choice(title, value=value) for title, value in choices]
        dflt = next((c for c in qs if c.value == default), None)
        question = questionary.select(message, choices=qs, default=dflt, **self._kw)
        if keys:
            _answer_keys(question, keys)
        return self._ask(question)

    def checkbox(self, message: str, choices: Sequence[tuple[str, Any, bool]],
                 validate: Callable[[list[Any]], bool | str] | None = None, instruction: str | None = None) -> list[Any]:
        import questionary

        qs = [questionary.Choice(title, value=value, checked=checked) for title, value, checked in choices]
        kwargs = dict(self._kw)
        if validate is not None:
            kwargs["validate"] = validate
        if instruction is not None:
            kwargs["instruction"] = instruction
        return list(self._ask(questionary.checkbox(message, choices=qs, **kwargs)))

    def text(self, message: str, default: str = "", validate: Callable[[str], bool | str] | None = None) -> str:
        import questionary

        return str(self._ask(questionary.text(message, default=default, validate=validate, **self._kw))).strip()

    def password(self, message: str, validate: Callable[[str], bool | str] | None = None) -> str:
        import questionary

        return str(self._ask(questionary.password(message, validate=validate, **self._kw))).strip()

    def confirm(self, message: str, default: bool = True) -> bool:
        import questionary

        return bool(self._ask(questionary.confirm(message, default=default, **self._kw)))

    def say(self, text: str) -> None:
        import click

        from configurator.secrets import redact

        click.echo(redact(text))
