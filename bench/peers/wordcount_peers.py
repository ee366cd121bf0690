"""Word count the usual Python ways, against mr, on the same .gz files and in the same rounds.

    python wordcount_peers.py --mr .build/release/mr --rounds 3 --svg out/peers.svg DIR_OR_FILES...

Peers: plain sequential Python, multiprocessing.Pool with 1 and 2 processes, a
ThreadPoolExecutor with 2 threads (the GIL makes threads no faster for this CPU work), and
Polars; beside them mr sequential, threads and processes (2 workers). A word is what mr's
wordcount counts: a maximal run of Unicode letters (categories L*), invalid UTF-8 separating
words. Every peer's counts are checked equal to mr's before its time counts. Prints a Markdown
table (medians of the rounds) and writes an SVG bar chart.
"""
import argparse
import concurrent.futures
import gzip
import multiprocessing
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter

# Letters and the numeric characters Python's \w adds (No, Nl); the latter are split off below.
CANDIDATE = re.compile(r"[^\W\d_]+")


def letter_runs(candidate):
    """The runs of letters (L*) in a candidate word: all of it unless it holds a No or Nl character."""
    if candidate.isascii() or all(unicodedata.category(c)[0] == "L" for c in candidate):
        return [candidate]
    runs, current = [], []
    for c in candidate:
        if unicodedata.category(c)[0] == "L":
            current.append(c)
        elif current:
            runs.append("".join(current))
            current = []
    if current:
        runs.append("".join(current))
    return runs


def count_file(path):
    counts = Counter()
    with gzip.open(path, "rb") as f:
        text = f.read().decode("utf-8", errors="replace")
    for candidate in CANDIDATE.findall(text):
        if candidate.isascii():
            counts[candidate] += 1
        else:
            counts.update(letter_runs(candidate))
    return counts


def merged(counters):
    total = Counter()
    for counts in counters:
        total.update(counts)
    return total


def python_sequential(files):
    return merged(map(count_file, files))


def python_pool(processes):
    def run(files):
        with multiprocessing.Pool(processes) as pool:
            return merged(pool.imap_unordered(count_file, files))
    return run


def python_threads(threads):
    def run(files):
        with concurrent.futures.ThreadPoolExecutor(threads) as executor:
            return merged(executor.map(count_file, files))
    return run


def polars_counts(files):
    import polars as pl
    frames = []
    for path in files:
        with gzip.open(path, "rb") as f:
            lines = f.read().decode("utf-8", errors="replace").split("\n")
        frames.append(pl.DataFrame({"line": lines}).select(pl.col("line").str.extract_all(r"\p{L}+").explode().alias("word")))
    counts = pl.concat(frames).drop_nulls().group_by("word").len()
    return Counter(dict(zip(counts["word"].to_list(), counts["len"].to_list())))


def mr_run(mr, mode, output):
    def run(files):
        subprocess.run([mr, "wordcount", *files, "--mode", mode, "--workers", "2", "--output", output, "--quiet"], check=True)
        counts = Counter()
        for name in os.listdir(output):
            if name.startswith("part-"):
                with open(os.path.join(output, name), "rb") as f:
                    for line in f:
                        word, count = line.rstrip(b"\n").split(b"\t")
                        counts[word.decode("utf-8")] = int(count)
        return counts
    return run


def gz_files(inputs):
    files = []
    for item in inputs:
        if os.path.isdir(item):
            for root, _, names in os.walk(item):
                files += [os.path.join(root, n) for n in sorted(names) if n.endswith(".gz") and not n.startswith(".")]
        else:
            files.append(item)
    return files


def bar_chart(rows, title):
    """An SVG with one bar per run, its wall time and MB/s written beside it."""
    width, bar_height, left = 760, 26, 250
    longest = max(seconds for _, seconds, _ in rows)
    height = 60 + bar_height * len(rows) + 30
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
             '<rect width="100%" height="100%" fill="white"/>',
             f'<text x="{width // 2}" y="22" text-anchor="middle" font-size="14">{title}</text>',
             f'<text x="{width // 2}" y="40" text-anchor="middle" fill="#555">wall seconds, median of the rounds (shorter is faster)</text>']
    for index, (name, seconds, rate) in enumerate(rows):
        y = 56 + index * bar_height
        length = (width - left - 170) * seconds / longest
        color = "#d62728" if name.startswith("mr") else "#1f77b4"
        parts += [f'<text x="{left - 8}" y="{y + 16}" text-anchor="end">{name}</text>',
                  f'<rect x="{left}" y="{y + 4}" width="{length:.1f}" height="{bar_height - 8}" fill="{color}"/>',
                  f'<text x="{left + length + 6:.1f}" y="{y + 16}">{seconds:.2f} s, {rate:.0f} MB/s</text>']
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mr", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--svg", required=True)
    parser.add_argument("inputs", nargs="+")
    args = parser.parse_args()
    files = gz_files(args.inputs)
    text_bytes = sum(len(gzip.open(f, "rb").read()) for f in files)
    scratch = tempfile.mkdtemp(prefix="mr-peers-")
    runs = [
        ("Python, sequential", python_sequential),
        ("Python, Pool(1)", python_pool(1)),
        ("Python, Pool(2)", python_pool(2)),
        ("Python, ThreadPoolExecutor(2)", python_threads(2)),
        ("Polars", polars_counts),
        ("mr, sequential", mr_run(args.mr, "sequential", os.path.join(scratch, "seq"))),
        ("mr, 2 threads", mr_run(args.mr, "threads", os.path.join(scratch, "thr"))),
        ("mr, 2 worker processes", mr_run(args.mr, "processes", os.path.join(scratch, "proc"))),
    ]
    reference = mr_run(args.mr, "processes", os.path.join(scratch, "reference"))(files)
    times = {name: [] for name, _ in runs}
    for round_number in range(args.rounds):
        for name, run in runs:
            started = time.perf_counter()
            counts = run(files)
            elapsed = time.perf_counter() - started
            if counts != reference:
                differing = sorted(set(counts.items()) ^ set(reference.items()))[:5]
                sys.exit(f"{name}: counts differ from mr's, e.g. {differing}")
            times[name].append(elapsed)
            print(f"round {round_number + 1}: {name}: {elapsed:.2f} s, counts equal to mr's", file=sys.stderr)
    medians = {name: statistics.median(values) for name, values in times.items()}
    base, ours = medians["Python, sequential"], medians["mr, 2 worker processes"]
    megabytes = text_bytes / 1e6
    print(f"wordcount over {megabytes:.1f} MB of text in {len(files)} .gz files; {args.rounds} rounds, medians; "
          f"{os.cpu_count()} cores; every peer's counts equal to mr's\n")
    print("| run | wall s | MB/s | speedup vs Python sequential | x mr processes |")
    print("|---|---|---|---|---|")
    rows = []
    for name, _ in runs:
        seconds = medians[name]
        rows.append((name, seconds, megabytes / seconds))
        print(f"| {name} | {seconds:.2f} | {megabytes / seconds:.0f} | {base / seconds:.2f} | {seconds / ours:.1f} |")
    with open(args.svg, "w") as f:
        f.write(bar_chart(rows, f"wordcount, {megabytes:.0f} MB of text, {os.cpu_count()} cores: Python, Polars and mr"))


if __name__ == "__main__":
    main()
