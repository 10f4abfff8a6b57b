"""Real usage from local agent logs: Claude Code, Codex, OpenClaw and opencode histories, read fast.

- ``report.build`` — daily rows per tool and model with credits (what ``configurator usage`` shows),
  ``report.render_text`` — its table
- ``trace.demand_trace`` — daily credits and a one-line history note, for ``plan simulate --from-logs``;
  ``trace.repeat_weeks`` / ``trace.repeat_weeks_note`` — repeat the observed weeks over a horizon

Modules: ``discovery`` (where the files are), ``reader`` (streaming blocks), ``claude`` / ``codex`` /
``openclaw`` / ``opencode`` (readers, with the sources of every field in their docstrings), ``scanner`` (the
split into tasks and the merge), ``pool`` (the worker processes), ``cache``, ``report`` (credits,
notes, the text table), ``trace``.
"""
