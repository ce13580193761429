"""``python -m homeagent`` is the `homeagent` command."""

from homeagent.cli import main

raise SystemExit(main())
