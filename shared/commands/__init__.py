"""Commands that more than one service carries out (the write side and the scoring worker's
month-end schedule both close months), so that neither imports the other."""
