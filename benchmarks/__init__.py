"""`make bench`: every benchmark prints a table of ours against a baseline measured in the same
run, as ratios. Modules named ``bench_*.py`` here expose ``run(quick: bool) -> list[Table]``."""
