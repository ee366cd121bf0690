"""Trigram counts, mr ngrams against DuckDB, on the same .gz files in the same rounds: the
CPU-heavy aggregation of many distinct keys.

    python ngrams_peers.py --mr .build/release/mr --rounds 3 DIR

A trigram is three adjacent words within a line, a word a run of Unicode letters (\\p{L}+, as
mr's ngrams reads them), joined by spaces. DuckDB (2 threads) reads the .gz files with
read_csv, one line a row, and counts with regexp_extract_all, list_transform and GROUP BY; its
counts are checked equal to mr's before its time counts. Prints a Markdown table of medians.
"""
import argparse
import glob
import statistics
import subprocess
import sys
import time

import duckdb


def mr_counts(mr, workers, directory):
    out = subprocess.run([mr, "ngrams", directory, "--n", "3", "--workers", str(workers), "-o", "-", "--quiet"],
                         capture_output=True, check=True).stdout
    return dict((key, int(value)) for key, value in (line.rsplit("\t", 1) for line in out.decode().splitlines()))


def duckdb_counts(files):
    connection = duckdb.connect()
    connection.execute("SET threads = 2")
    rows = connection.execute(f"""
        WITH lines AS (SELECT regexp_extract_all(line, '\\p{{L}}+') AS w
                       FROM read_csv({files!r}, columns = {{'line': 'VARCHAR'}}, delim = E'\\x01', quote = '', escape = '',
                                     header = false, auto_detect = false)),
             grams AS (SELECT unnest(list_transform(range(1, len(w) - 1),
                                                    lambda i: w[i] || ' ' || w[i + 1] || ' ' || w[i + 2])) AS g
                       FROM lines WHERE len(w) >= 3)
        SELECT g, count(*) FROM grams GROUP BY g""").fetchall()
    return dict(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mr", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("directory")
    args = parser.parse_args()
    files = sorted(glob.glob(args.directory + "/*.gz"))
    runs = [("mr ngrams --n 3, 1 worker", lambda: mr_counts(args.mr, 1, args.directory)),
            ("mr ngrams --n 3, 2 workers", lambda: mr_counts(args.mr, 2, args.directory)),
            (f"DuckDB {duckdb.__version__}, 2 threads", lambda: duckdb_counts(files))]
    reference = runs[1][1]()
    times = {name: [] for name, _ in runs}
    for round_number in range(args.rounds):
        for name, run in runs:
            started = time.perf_counter()
            counts = run()
            times[name].append(time.perf_counter() - started)
            if counts != reference:
                sys.exit(f"{name}: counts differ from mr's on {len(set(counts.items()) ^ set(reference.items()))} trigrams")
            print(f"round {round_number + 1}: {name}: {times[name][-1]:.2f} s, counts equal to mr's", file=sys.stderr)
    ours = statistics.median(times[runs[1][0]])
    print(f"trigrams of {args.directory} ({len(files)} .gz files, {len(reference)} distinct trigrams); "
          f"{args.rounds} rounds, medians; every count equal to mr's\n")
    print("| run | wall s | x mr 2 workers |")
    print("|---|---|---|")
    for name, _ in runs:
        seconds = statistics.median(times[name])
        print(f"| {name} | {seconds:.2f} | {seconds / ours:.2f} |")


if __name__ == "__main__":
    main()
