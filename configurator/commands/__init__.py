"""One module per command: ``run(options) -> Result`` (options are a frozen dataclass built by ``cli/``).

Nothing here parses argv or prints; :mod:`configurator.render` renders the :class:`Result`.
"""
