"""Plan advice: one billing-rules engine that the quiz, the simulator and real usage history feed.

Modules (import the one you need; nothing heavy is imported here):

- :mod:`~configurator.billing.catalog` — ``load_catalog(path=None) -> Catalog``: tiers, packs and model
  credit rates with their sources, ``Catalog.credits_for(model, input_tokens=…, …)``.
- :mod:`~configurator.billing.rules` — the nine billing rules (periods, local days, upgrades,
  downgrades, packs, the order demand is served in).
- :mod:`~configurator.billing.simulate` — ``advise(demand, catalog, …) -> Advice``: every strategy
  simulated day by day, and the recommendation with its reasons.
- :mod:`~configurator.billing.usage_csv` — ``--usage FILE.csv`` to a demand trace.
- :mod:`~configurator.billing.quiz` — quiz answers to a deterministic demand trace.
- :mod:`~configurator.billing.chart` — the terminal chart of demand against the allowance.
- :mod:`~configurator.billing.report` — ``run_simulate``/``run_quiz``/``run_upgrade_cost``/``run_catalog``:
  the :class:`~configurator.render.Result` of each ``configurator plan`` command.
- :mod:`~configurator.billing.money` — units: money is ``Decimal`` (half-up to cents), credits are ``float``.
"""
