"""The benchmarks still run (their figures are read by people, not asserted here)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_ledger_scale_benchmark_runs_on_a_small_ledger():
    result = subprocess.run(
        [sys.executable, "benchmarks/ledger_scale.py", "--transactions", "300"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "filled 300 transactions" in result.stdout
    assert "invariant check over every transaction" in result.stdout


def test_the_import_benchmark_runs_on_a_small_file():
    result = subprocess.run(
        [sys.executable, "benchmarks/import_csv.py", "--rows", "200"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "import: " in result.stdout and "rows/s" in result.stdout


def test_the_concurrent_reads_benchmark_runs_on_a_small_ledger():
    result = subprocess.run(
        [sys.executable, "benchmarks/concurrent_reads.py", "--rows", "200", "--seconds", "0.5"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "8 readers, 1 importing" in result.stdout and "not 200: none" in result.stdout
