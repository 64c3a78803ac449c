"""The composition root and the command line: what builds and runs the services."""
