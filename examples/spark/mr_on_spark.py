"""Run an mr job on Spark through its stream steps (RDD.pipe), as Hadoop Streaming would.

    mkdir -p job && mr package wordcount --output wordcount.tar.gz && tar xzf wordcount.tar.gz -C job/
    spark-submit mr_on_spark.py --mr job/mr --job wordcount --output out/ books/
    spark-submit mr_on_spark.py --mr job/mr --job groupby --job-option agg=mean --job-option type=float \
        --output means/ table.tsv
    (on a cluster: --archives wordcount.tar.gz#job and --mr job/mr)

Inputs are files or folders (every file under a folder, but names starting with _ or ., as mr
reads them); a compressed file (gzip, bzip2, zstd, xz, by its first bytes) is handed whole to
`mr stream map`, which decompresses it; plain text is read with textFile. `mr stream steps JOB`
says what each step of the job has; each step reads its input (the files, or the output of the
step before) through `mr stream map JOB --step N`, with each file's name in
mapreduce_map_input_file; a step that reduces partitions its pairs by key, sorts them within
partitions and pipes them through `mr stream reduce`. The last step's lines are saved as text
(part-00000 ...). `--mr` is run as given where an executor finds it (an archive unpacked beside
it), else by the driver's absolute path of it (executors on the driver's machine).
"""
import argparse
import os
import shlex
import subprocess
import zlib

from pyspark import SparkContext


# The first bytes of gzip, bzip2, zstd (a frame, or pzstd's skippable frame) and xz data.
COMPRESSED = (b"\x1f\x8b", b"BZh", b"\x28\xb5\x2f\xfd", b"\x50\x2a\x4d\x18", b"\xfd7zXZ\x00")


def is_compressed(path):
    """Whether the file starts as compressed data, which mr stream map decompresses itself."""
    with open(path, "rb") as f:
        return f.read(6).startswith(COMPRESSED)


def mr_command(given, *arguments):
    """A command line running mr: `--mr` as given when an executor finds it there (an archive
    unpacked beside it, --archives job.tar.gz#job), else the driver's absolute path of it
    (executors on this machine run in folders of their own, where a relative job/mr is not)."""
    fallback = os.path.abspath(given) if os.path.exists(given) else given
    script = f"if [ -x {shlex.quote(given)} ]; then exec {shlex.quote(given)} \"$@\"; else exec {shlex.quote(fallback)} \"$@\"; fi"
    return shlex.join(["sh", "-c", script, "mr", *arguments])


def map_whole_file(command, name):
    """Runs `command` with the file's bytes on stdin (mr stream map reads any compression) and
    returns its output lines."""
    def run(bytes_of_file):
        env = dict(os.environ, mapreduce_map_input_file=name)
        done = subprocess.run(shlex.split(command), input=bytes_of_file, capture_output=True, env=env, check=True)
        return done.stdout.decode("utf-8", "surrogateescape").splitlines()
    return run


def input_files(paths):
    """Every file the inputs name: a file itself, a folder's files (hidden ones skipped)."""
    files = []
    for path in paths:
        if not os.path.isdir(path):
            files.append(path)
            continue
        for folder, subfolders, names in os.walk(path):
            subfolders[:] = sorted(name for name in subfolders if not name.startswith(("_", ".")))
            files += [os.path.join(folder, name) for name in sorted(names) if not name.startswith(("_", "."))]
    return files


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mr", required=True, help="the mr executable (an unpacked `mr package`)")
    parser.add_argument("--job", required=True, help="the job's name")
    parser.add_argument("--output", required=True, help="the output folder (must not exist)")
    parser.add_argument("--reducers", type=int, default=2)
    parser.add_argument("--master", default=None, help="e.g. local[2] or spark://HOST:7077; default: spark-submit's")
    parser.add_argument("--job-option", action="append", default=[],
                        help="one of the job's options as NAME=VALUE (e.g. n=3), repeatable")
    parser.add_argument("inputs", nargs="+", help="files or folders")
    args = parser.parse_args()

    options = [f"--{assignment}" for assignment in args.job_option]
    steps = subprocess.run([args.mr, "stream", "steps", args.job] + options, check=True, capture_output=True,
                           text=True).stdout.split("\n")
    steps = [line.split() for line in steps if line]

    sc = SparkContext(master=args.master, appName=f"mr {args.job}") if args.master else SparkContext(appName=f"mr {args.job}")
    # RDD.pipe splits its command with shlex: options may hold spaces.
    command = lambda part, number: mr_command(args.mr, "stream", part, args.job, "--step", str(number), *options)
    lines = None
    for number, parts in enumerate(steps, start=1):
        if lines is None:
            # Plain text through textFile (split by Spark); compressed files whole, as bytes, since
            # Spark reads gzip and bzip2 but not zstd or xz, and mr stream map reads them all.
            mapped = sc.union([
                sc.binaryFiles(path).values().flatMap(map_whole_file(command("map", number), os.path.basename(path)))
                if is_compressed(path) else
                sc.textFile(path).pipe(command("map", number), env={"mapreduce_map_input_file": os.path.basename(path)})
                for path in input_files(args.inputs)
            ])
        else:
            mapped = lines.pipe(command("map", number))
        if "reduce" not in parts:
            lines = mapped
            continue
        pairs = mapped.map(lambda line: (line.split("\t", 1)[0], line))
        # A hash that is the same in every Python process (str's is seeded per process).
        grouped = pairs.repartitionAndSortWithinPartitions(args.reducers, partitionFunc=lambda key: zlib.crc32(key.encode()))
        lines = grouped.values().pipe(command("reduce", number))
    lines.saveAsTextFile(args.output)
    sc.stop()


if __name__ == "__main__":
    main()
