"""Named exit codes. Every command returns one of these."""

OK = 0
#: lint findings at or above --fail-on, a failed verification, a failed check
FINDINGS = 1
#: bad flags, bad input file, a file we cannot parse, user aborted
USAGE = 2
#: a bug in configurator; the traceback is in the error log
INTERNAL = 3
#: Ctrl-C or end of input in a prompt (128 + SIGINT, as shells report it)
INTERRUPTED = 130
