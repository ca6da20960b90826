"""`comcen` subcommands that live in their own module (see cli.COMMAND_MODULES).

A module here defines NAME, add_parser(commands) and run(args) -> exit code. It
imports services inside run(), never Qt: Qt commands are loaded by name from
ui/ or maps/, as cli.py does.
"""
