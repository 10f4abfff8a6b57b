from configurator.cli._stub import not_built

usage = not_built("usage")
