"""The benchmarks still run (their figures are read by people, not asserted here)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_benchmark(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run one of `benchmarks/` with `args`, as a person would from the project's root."""
    return subprocess.run(
        [sys.executable, script, *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_the_ledger_scale_benchmark_runs_on_a_small_ledger():
    result = run_benchmark("benchmarks/ledger_scale.py", "--transactions", "300")
    assert result.returncode == 0, result.stderr
    assert "filled 300 transactions" in result.stdout
    assert "invariant check over every transaction" in result.stdout


def test_the_import_benchmark_runs_on_a_small_file():
    result = run_benchmark("benchmarks/import_csv.py", "--rows", "200")
    assert result.returncode == 0, result.stderr
    assert "import: " in result.stdout and "rows/s" in result.stdout


def test_the_concurrent_reads_benchmark_runs_on_a_small_ledger():
    result = run_benchmark("benchmarks/concurrent_reads.py", "--rows", "200", "--seconds", "0.5")
    assert result.returncode == 0, result.stderr
    assert "8 readers, 1 importing" in result.stdout and "not 200: none" in result.stdout


def test_the_write_load_benchmark_reconciles_a_small_burst():
    result = run_benchmark("benchmarks/load_writes.py", "--clients", "3", "--writes", "6")
    assert result.returncode == 0, result.stderr
    assert "(5xx, no answer): 0" in result.stdout
    assert "reconciled: every write as the clients were told" in result.stdout
    assert "The ledger is balanced" in result.stdout


def test_the_upload_benchmark_previews_and_imports_a_small_file():
    result = run_benchmark("benchmarks/upload_responsiveness.py", "--rows", "300")
    assert result.returncode == 0, result.stderr
    assert "POST /imports/preview: 200" in result.stdout
    assert "POST /imports: 201" in result.stdout


def test_the_hostile_files_benchmark_reads_or_refuses_each_file():
    result = run_benchmark("benchmarks/hostile_files.py")
    assert result.returncode == 0, result.stderr
    assert "3000 lines read" in result.stdout
    assert result.stdout.count("refused: ") == 3
