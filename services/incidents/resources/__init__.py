"""One blueprint per resource; views decode, call a command, encode."""
