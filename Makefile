.PHONY: install test lint run bench bench-smoke
install:
	bash scripts/install.sh
test:
	bash scripts/test.sh
lint:
	.venv/bin/ruff check shared services tests
	.venv/bin/mypy
run:
	bash scripts/run.sh
bench:
	.venv/bin/python -m bench.run
bench-smoke:
	.venv/bin/python -m bench.run --smoke
