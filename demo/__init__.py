"""`jixiao demo`: a realistic three-project group with six months of history, loaded through
the real commands (see `demo.load`)."""
