"""`python -m desktop_app`: the same entry point as the `ad-analysis` command.

Nothing is imported at module level: spawned children (the transcriber) import this module again."""

if __name__ == "__main__":
    import sys

    from desktop_app.entry import main

    sys.exit(main())
