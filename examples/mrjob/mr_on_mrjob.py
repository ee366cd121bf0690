"""Run an mr job under mrjob (Hadoop Streaming on Hadoop, EMR, Dataproc, or locally).

    mkdir -p job && mr package groupby --output groupby.tar.gz && tar xzf groupby.tar.gz -C job/
    python mr_on_mrjob.py -r local --mr job/mr --job groupby --job-option agg=mean \
        --job-option type=float table.tsv --output-dir out/
    python mr_on_mrjob.py -r hadoop --mr job/mr ...   (or -r emr, -r dataproc)

`mr stream steps JOB` says what each of the job's steps has (a job may have several, as
mrjob's own steps()); each becomes an MRStep of `mr stream map|combine|reduce JOB --step N`
commands. mrjob splits the input, sorts between the parts and reads the `reporter:counter:`
lines they write to stderr.
"""
import os
import shlex
import subprocess

from mrjob.job import MRJob
from mrjob.step import MRStep


class MROnMrjob(MRJob):
    def configure_args(self):
        super().configure_args()
        self.add_passthru_arg("--mr", default="mr", help="the mr executable (an unpacked `mr package`)")
        self.add_passthru_arg("--job", default="wordcount", help="the job's name")
        self.add_passthru_arg("--job-option", action="append", default=[],
                              help="one of the job's options as NAME=VALUE (e.g. n=3), repeatable")

    def mr_command(self, *arguments):
        """A command line running mr: `--mr` as given when a task finds it there (an archive
        unpacked beside the task), else the driver's absolute path of it (tasks on this machine
        run in folders of their own, where a relative `job/mr` is not)."""
        given = self.options.mr
        fallback = os.path.abspath(given) if os.path.exists(given) else given
        script = f"if [ -x {shlex.quote(given)} ]; then exec {shlex.quote(given)} \"$@\"; else exec {shlex.quote(fallback)} \"$@\"; fi"
        return shlex.join(["sh", "-c", script, "mr", *arguments])

    def steps(self):
        options = [f"--{assignment}" for assignment in self.options.job_option]
        described = subprocess.run([self.options.mr, "stream", "steps", self.options.job] + options,
                                   check=True, capture_output=True, text=True).stdout.split("\n")
        steps = []
        for number, parts in enumerate(line.split() for line in described if line):
            def command(part):
                return self.mr_command("stream", part, self.options.job, "--step", str(number + 1), *options)
            kinds = {"map": "mapper_cmd", "combine": "combiner_cmd", "reduce": "reducer_cmd"}
            steps.append(MRStep(**{kinds[part]: command(part) for part in parts}))
        return steps


if __name__ == "__main__":
    MROnMrjob.run()
