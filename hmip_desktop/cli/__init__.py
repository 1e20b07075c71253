"""The `hmip` command line: one module per command group, each calling services only."""
