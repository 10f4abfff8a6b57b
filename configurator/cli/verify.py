from configurator.cli._stub import not_built

verify = not_built("verify")
