"""The ``ocop`` console script: Django's management commands with the project settings chosen."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ocop.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["ocop", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
