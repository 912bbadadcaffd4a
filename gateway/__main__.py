"""`python -m gateway ...` is the same as `fixgw ...`."""

from gateway.cli import main

raise SystemExit(main())
