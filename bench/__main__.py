"""Run every benchmark one after another and print one table: ``python -m bench [--quick] [NAME ...]``."""

import argparse
import importlib
import time
import traceback

from bench.common import Result, print_results

BENCHMARKS = ("calendar", "mail", "sweep", "worker_memory", "intake", "queue", "reports")


def main() -> int:
    parser = argparse.ArgumentParser(description="Run Roldesk's benchmarks one after another.")
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"benchmarks to run, from {', '.join(BENCHMARKS)} (default: all)")
    parser.add_argument("--quick", action="store_true",
                        help="run tiny sizes to check the benchmarks work; the ratios mean nothing")
    args = parser.parse_args()
    unknown = [name for name in args.names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; expected names from {', '.join(BENCHMARKS)}")
    results: list[Result] = []
    failed = []
    for name in args.names or BENCHMARKS:
        started = time.monotonic()
        print(f"running bench.{name} ...", flush=True)
        module = importlib.import_module(f"bench.{name}")
        try:
            results.extend(module.run(["--quick"] if args.quick else []))
        except Exception:  # noqa: BLE001 - one broken benchmark must not hide the others' results
            traceback.print_exc()
            failed.append(name)
        print(f"bench.{name} took {time.monotonic() - started:.0f} s", flush=True)
    print_results(results)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
