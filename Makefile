# The two commands in README.md: `make demo` and `make test`.
.PHONY: demo test bench lint format

demo:
	scripts/demo.sh

test:
	scripts/test.sh

# Every benchmark, one table (README, "Benchmarks"): make bench ARGS="--quick --record"
bench:
	scripts/bench.sh $(ARGS)

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format:
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .
