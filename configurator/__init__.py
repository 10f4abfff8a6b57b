"""agent-configurator: set up coding agents for a third-party provider, lint their configs, advise on plans."""

__version__ = "0.1.0"
