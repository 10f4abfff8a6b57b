from configurator.cli._stub import not_built

setup = not_built("setup")
