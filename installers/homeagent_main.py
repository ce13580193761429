"""The frozen bundle's entry script (installers/homeagent.spec): the ``homeagent`` command."""

from homeagent.cli import main

raise SystemExit(main())
