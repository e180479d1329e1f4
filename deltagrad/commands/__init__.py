"""The subcommands of ``deltagrad``, one module each.

Each module has ``register(subparsers)``, which adds the subcommand's parser
and sets its ``run(args) -> exit status`` as the parser's default ``run``;
:mod:`deltagrad.cli` only dispatches.
"""
