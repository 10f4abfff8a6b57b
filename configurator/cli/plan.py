from configurator.cli._stub import not_built

plan = not_built("plan")
