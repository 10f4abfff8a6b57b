from configurator.cli._stub import not_built

lint = not_built("lint")
