"""Trigram counts, mr ngrams against DuckDB, on the same .gz files in the same rounds: the
CPU-heavy aggregation of many distinct keys.

    python ngrams_peers.py --mr .build/release/mr --rounds 3 DIR

A trigram is three adjacent words within a line, a word a run of Unicode letters (\\p{L}+, as
mr's ngrams reads them), joined by spaces. DuckDB (2 threads) reads the .gz files with
read_csv, one line a row, and counts with regexp_extract_all, list_transform and GROUP BY; its
counts are checked equal to mr's before its time counts. In the same rounds, mr ngrams and mr
wordcount (2 workers) write to a folder, untimed by Python's parsing: the time trigrams take
against word counting on the same files. Prints a Markdown table of medians, then the ratios
(medians of ratios within rounds).
"""
import argparse
import glob
import statistics
import subprocess
import sys
import tempfile
import time

import duckdb


def mr_counts(mr, workers, directory):
    out = subprocess.run([mr, "ngrams", directory, "--n", "3", "--workers", str(workers), "-o", "-", "--quiet"],
                         capture_output=True, check=True).stdout
    return dict((key, int(value)) for key, value in (line.rsplit("\t", 1) for line in out.decode().splitlines()))


def mr_to_folder(mr, job, workers, directory, output):
    subprocess.run([mr, *job, directory, "--workers", str(workers), "-o", output, "--quiet"], check=True)


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
    scratch = tempfile.mkdtemp()
    folder = lambda name: f"{scratch}/{name}-{time.monotonic_ns()}"
    runs = [("mr ngrams --n 3, 1 worker", lambda: mr_counts(args.mr, 1, args.directory)),
            ("mr ngrams --n 3, 2 workers", lambda: mr_counts(args.mr, 2, args.directory)),
            (f"DuckDB {duckdb.__version__}, 2 threads", lambda: duckdb_counts(files))]
    # The same runs writing to a folder, nothing parsed: trigrams against word counting.
    to_folder = [("mr ngrams --n 3, 1 worker, to a folder", lambda: mr_to_folder(args.mr, ["ngrams", "--n", "3"], 1, args.directory, folder("n1"))),
                 ("mr ngrams --n 3, 2 workers, to a folder", lambda: mr_to_folder(args.mr, ["ngrams", "--n", "3"], 2, args.directory, folder("n2"))),
                 ("mr wordcount, 2 workers, to a folder", lambda: mr_to_folder(args.mr, ["wordcount"], 2, args.directory, folder("w2")))]
    reference = runs[1][1]()
    times = {name: [] for name, _ in runs + to_folder}
    for round_number in range(args.rounds):
        for name, run in runs + to_folder:
            started = time.perf_counter()
            counts = run()
            times[name].append(time.perf_counter() - started)
            if counts is not None and counts != reference:
                sys.exit(f"{name}: counts differ from mr's on {len(set(counts.items()) ^ set(reference.items()))} trigrams")
            print(f"round {round_number + 1}: {name}: {times[name][-1]:.2f} s", file=sys.stderr)
    subprocess.run(["rm", "-rf", scratch], check=True)
    ours = statistics.median(times[runs[1][0]])
    print(f"trigrams of {args.directory} ({len(files)} .gz files, {len(reference)} distinct trigrams); "
          f"{args.rounds} rounds, medians; every count equal to mr's\n")
    print("| run | wall s | x mr 2 workers |")
    print("|---|---|---|")
    for name, _ in runs + to_folder:
        seconds = statistics.median(times[name])
        print(f"| {name} | {seconds:.2f} | {seconds / ours:.2f} |")

    def ratio(numerator, denominator):
        return statistics.median(a / b for a, b in zip(times[numerator], times[denominator]))
    print(f"\ntrigrams over wordcount, 2 workers each: {ratio(to_folder[1][0], to_folder[2][0]):.2f}x; "
          f"trigrams 1 -> 2 workers: {ratio(to_folder[0][0], to_folder[1][0]):.2f}x (medians of ratios within rounds)")


if __name__ == "__main__":
    main()
