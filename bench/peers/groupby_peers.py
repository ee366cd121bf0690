"""A group-by aggregation, mr groupby against DuckDB and Polars, on the same CSV table in the
same rounds.

    python groupby_peers.py --mr .build/release/mr --rounds 3 --rows 10000000 --table out/groupby.csv

The table (made once, then reused): `id,key,amount,price`, 100,000 distinct keys drawn with a
long tail, an integer amount and a float price. Queries: `sum(amount)` (integers, exact
everywhere) and `avg(price)` (floats) grouped by key. Every peer's result is checked against
mr's: sums must be equal; for means, how many keys' means differ from mr's is reported (mr's sum
is exact, rounded once; the peers add in an order that depends on their threads). Prints a
Markdown table of medians.
"""
import argparse
import os
import random
import statistics
import subprocess
import sys
import time

import duckdb
import polars as pl


def make_table(path, rows):
    generator = random.Random(7)
    with open(path + ".tmp", "w") as out:
        out.write("id,key,amount,price\n")
        for number in range(rows):
            key = int(100_000 ** generator.random())  # rank r about 1/r as often as rank 1
            out.write(f"{number},k{key},{generator.randrange(-1000, 1000)},{generator.uniform(0, 500):.2f}\n")
    os.rename(path + ".tmp", path)


def mr_query(mr, column, aggregate, workers):
    extra = ["--type", "float"] if aggregate == "mean" else []
    def run(table):
        out = subprocess.run([mr, "groupby", table, "--format", "csv", "--key", "2", "--value", column, "--agg", aggregate,
                              "--workers", str(workers), "-o", "-", "--quiet"] + extra, check=True, capture_output=True).stdout
        pairs = (line.split(b"\t") for line in out.splitlines())
        parse = float if aggregate == "mean" else int
        # The header line is a row to mr: its value does not parse, so it was skipped, not grouped.
        return {key.decode(): parse(value) for key, value in pairs}
    return run


def duckdb_query(column, aggregate):
    function = "avg" if aggregate == "mean" else "sum"
    def run(table):
        connection = duckdb.connect()
        connection.execute("SET threads = 2")
        rows = connection.execute(f"SELECT key, {function}({column}) FROM read_csv('{table}', header = true) GROUP BY key").fetchall()
        return {key: (float(value) if aggregate == "mean" else int(value)) for key, value in rows}
    return run


def polars_query(column, aggregate):
    def run(table):
        expression = pl.col(column).mean() if aggregate == "mean" else pl.col(column).sum()
        frame = pl.scan_csv(table).group_by("key").agg(expression).collect()
        return dict(zip(frame["key"].to_list(), frame[column].to_list()))
    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mr", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--table", required=True)
    args = parser.parse_args()
    if not os.path.exists(args.table):
        make_table(args.table, args.rows)
    megabytes = os.path.getsize(args.table) / 1e6
    print(f"group-by over {args.table}: {megabytes:.0f} MB of CSV; {args.rounds} rounds, medians; {os.cpu_count()} cores; "
          f"DuckDB {duckdb.__version__} (2 threads), Polars {pl.__version__}\n")
    print("| query | run | wall s | x mr 2 workers | keys differing from mr's |")
    print("|---|---|---|---|---|")
    for label, column, mr_column, aggregate in [("sum(amount)", "amount", "3", "sum"), ("avg(price)", "price", "4", "mean")]:
        runs = [("mr groupby, 1 worker", mr_query(args.mr, mr_column, aggregate, 1)),
                ("mr groupby, 2 workers", mr_query(args.mr, mr_column, aggregate, 2)),
                ("DuckDB", duckdb_query(column, aggregate)),
                ("Polars", polars_query(column, aggregate))]
        reference = runs[1][1](args.table)
        times = {name: [] for name, _ in runs}
        differing = {}
        for round_number in range(args.rounds):
            for name, run in runs:
                started = time.perf_counter()
                result = run(args.table)
                times[name].append(time.perf_counter() - started)
                if result.keys() != reference.keys():
                    sys.exit(f"{label}, {name}: other keys than mr's")
                differing[name] = sum(1 for key, value in result.items() if value != reference[key])
                if aggregate == "sum" and differing[name]:
                    sys.exit(f"{label}, {name}: {differing[name]} sums differ from mr's")
                print(f"round {round_number + 1}: {label}, {name}: {times[name][-1]:.2f} s", file=sys.stderr)
        ours = statistics.median(times["mr groupby, 2 workers"])
        for name, _ in runs:
            seconds = statistics.median(times[name])
            print(f"| {label} | {name} | {seconds:.2f} | {seconds / ours:.2f} | {differing[name]} of {len(reference)} |")


if __name__ == "__main__":
    main()
