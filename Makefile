# mr: build, run, test, benchmark. `make help` lists the targets.
SHELL        := /bin/bash
SWIFT        ?= swift
MR           := .build/release/mr
DATAGEN      := .build/release/datagen
LARGE        ?= bench-data
LARGE_FILES  ?= 8
LARGE_BYTES  ?= 62500000

.PHONY: help system-libraries test-tools build run test install uninstall bench-coordinator bench-aggregation man-data test-cluster java-runtime bench-peers bench-formats datasets datasets-small bench bench-gzip scale chaos clean

help:
	@echo "make run             build mr (release) and run: mr wordcount datasets/"
	@echo "make test            check the layers, then build and run every test (swift test)"
	@echo "make install         install mr, its job API module, the shipped jobs, completions and man page under PREFIX (/usr/local; DESTDIR honoured)"
	@echo "make uninstall       remove what make install put there"
	@echo "make test-cluster    the jobs through mrjob's local runner and Spark local[2], in a Python venv it makes"
	@echo "make datasets        generate $(LARGE_FILES) x $(LARGE_BYTES) bytes of text, gzipped, in $(LARGE)/"
	@echo "make datasets-small  regenerate the small files shipped in datasets/"
	@echo "make bench           time wordcount (each mode) and ngrams (threads, processes) with 1 and 2 workers against inflate-only"
	@echo "make man-data        real text for make bench: this machine's man pages, four times over, in $(MAN)/"
	@echo "make bench-peers     wordcount the usual Python ways and Polars, groupby DuckDB and Polars, against mr, outputs checked"
	@echo "make bench-formats   wordcount on $(MAN)/ recompressed as gzip, bzip2, zstd and xz, against each format's decompress-only floor and tool"
	@echo "make bench-aggregation  trigrams on the man pages against wordcount and DuckDB, in the same rounds"
	@echo "make bench-coordinator  10,000 tiny map tasks and 4,096 reducers, work folder in /tmp and on tmpfs: tasks/s, the coordinator's CPU per task"
	@echo "make bench-gzip      wordcount on $(LARGE)/ as ONE gzip member (first run, later runs, one mapper) and as one file of 8 members"
	@echo "make scale           wordcount at 64 MB, 256 MB and 1 GB with 1, 2 and 4 workers: how wall time grows"
	@echo "make chaos           wordcount and indexer, $(CHAOS_ROUNDS) rounds, with injected crashes, stalls and a killer: output must not change"

# zlib, ISA-L, libbz2, libzstd, liblzma and libcrypto headers: installed with apt-get when missing
# and allowed (root), else the command to type is named.
SYSTEM_PACKAGES := zlib1g-dev libisal-dev libbz2-dev libzstd-dev liblzma-dev libssl-dev
SYSTEM_HEADERS := /usr/include/zlib.h /usr/include/isa-l/igzip_lib.h /usr/include/bzlib.h /usr/include/zstd.h /usr/include/lzma.h /usr/include/openssl/evp.h
system-libraries:
	@for header in $(SYSTEM_HEADERS); do [ -f $$header ] || missing=1; done; [ -z "$$missing" ] || { [ "$$(id -u)" = 0 ] && command -v apt-get > /dev/null \
	  && { apt-get install -y -q $(SYSTEM_PACKAGES) || { apt-get update -q && apt-get install -y -q $(SYSTEM_PACKAGES); }; }; } \
	  || { echo "mr needs zlib, ISA-L, libbz2, libzstd, liblzma and libcrypto: apt install $(SYSTEM_PACKAGES) (Fedora: dnf install zlib-devel isa-l-devel bzip2-devel libzstd-devel xz-devel openssl-devel; macOS: brew install isa-l zstd xz openssl)"; exit 1; }

build: system-libraries
	$(SWIFT) build -c release --product mr

run: build
	$(MR) wordcount datasets/

# mr lives in PREFIX/lib/mr with the MapReduce module jobs compile against (Modules/) and the
# shipped jobs (jobs/); PREFIX/bin/mr links to it (mr finds both beside its real path). Shell
# completions and the man page are generated from the command line's own definition.
PREFIX ?= /usr/local
INSTALL_LIB := $(DESTDIR)$(PREFIX)/lib/mr
INSTALLED := $(INSTALL_LIB) $(DESTDIR)$(PREFIX)/bin/mr $(DESTDIR)$(PREFIX)/share/man/man1/mr.1 \
  $(DESTDIR)$(PREFIX)/share/bash-completion/completions/mr $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_mr \
  $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/mr.fish
install: build
	install -d $(INSTALL_LIB)/Modules $(INSTALL_LIB)/jobs $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
	  $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -m 755 $(MR) $(INSTALL_LIB)/mr
	install -m 644 .build/release/Modules/MapReduce.swiftmodule .build/release/Modules/MapReduce.swiftdoc $(INSTALL_LIB)/Modules/
	install -m 644 jobs/*.swift $(INSTALL_LIB)/jobs/
	ln -sfn ../lib/mr/mr $(DESTDIR)$(PREFIX)/bin/mr
	$(MR) --generate-completion-script bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/mr
	$(MR) --generate-completion-script zsh > $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_mr
	$(MR) --generate-completion-script fish > $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/mr.fish
	$(SWIFT) package plugin --allow-writing-to-package-directory generate-manual > /dev/null
	install -m 644 .build/plugins/GenerateManual/outputs/mr/mr.1 $(DESTDIR)$(PREFIX)/share/man/man1/mr.1
	@echo "installed $(DESTDIR)$(PREFIX)/bin/mr"

uninstall:
	rm -rf $(INSTALLED)

# The layer check first (.ci/check-layers.py: the arrows of docs/architecture.md), then every
# test, with an import of a target not declared as a dependency an error, not a warning.
test: system-libraries test-tools
	python3 .ci/check-layers.py
	$(SWIFT) test --explicit-target-dependency-import-check error

# Tools the tests use beside the libraries (rsvg-convert renders the bench chart; bzip2, zstd
# and xz decompress the format samples as references): installed with apt-get when missing and
# allowed; otherwise the tests that need them are skipped and say which.
TEST_TOOLS := rsvg-convert:librsvg2-bin bzip2:bzip2 zstd:zstd xz:xz-utils
test-tools:
	@for pair in $(TEST_TOOLS); do command -v $${pair%%:*} > /dev/null || missing="$$missing $${pair#*:}"; done; \
	  [ -z "$$missing" ] || { [ "$$(id -u)" = 0 ] && command -v apt-get > /dev/null && apt-get install -y -q $$missing > /dev/null; } || true

# mrjob and pyspark (pinned) in a virtual environment under .build/, made on first use; Spark
# needs a Java runtime, installed with apt-get when missing and allowed (root), else named.
CLUSTER_VENV := .build/cluster-venv
# (.installed is written last, so an interrupted install is redone.)
$(CLUSTER_VENV)/.installed:
	python3 -m venv $(CLUSTER_VENV)
	$(CLUSTER_VENV)/bin/pip install --quiet mrjob==0.7.4 pyspark==3.5.3
	touch $@

java-runtime:
	@command -v java > /dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get > /dev/null \
	  && apt-get install -y -q openjdk-17-jre-headless; } || { echo "Spark needs Java: apt install openjdk-17-jre-headless"; exit 1; }

test-cluster: build $(CLUSTER_VENV)/.installed java-runtime
	Tests/cluster/mrjob-local.sh $(MR) $(CLUSTER_VENV)/bin/python
	Tests/cluster/spark-local.sh $(MR) $(CLUSTER_VENV)/bin/python
	Tests/cluster/recipes.sh $(MR) $(CLUSTER_VENV)/bin/python
	Tests/cluster/install.sh $(MR)

$(DATAGEN): system-libraries
	$(SWIFT) build -c release --product datagen

datasets: $(DATAGEN)
	mkdir -p $(LARGE)
	seq 1 $(LARGE_FILES) | xargs -P 2 -I{} sh -c '$(DATAGEN) --seed {} --bytes $(LARGE_BYTES) | gzip -n -6 > $(LARGE)/text-{}.txt.gz'
	@du -sh $(LARGE)

# The shipped files: 4 x 2 MB of text, seeds 101-104, gzip -n so the bytes never change; and
# 300 kB of text in each other format mr reads (datasets/formats/): bzip2, zstd as 8 frames
# (frames of 40,000 bytes, as pzstd or cat make them), xz as blocks of 64 KiB.
datasets-small: $(DATAGEN)
	for seed in 101 102 103 104; do $(DATAGEN) --seed $$seed --bytes 2000000 | gzip -n -9 > datasets/sample-$$seed.txt.gz; done
	mkdir -p datasets/formats
	$(DATAGEN) --seed 105 --bytes 300000 | bzip2 -9 > datasets/formats/sample-105.txt.bz2
	$(DATAGEN) --seed 106 --bytes 300000 | split -b 40000 --filter 'zstd -q -19 -c' > datasets/formats/sample-106.txt.zst
	$(DATAGEN) --seed 107 --bytes 300000 | xz -6 --block-size=65536 -c > datasets/formats/sample-107.txt.xz

# Real text: this machine's man pages, four times over (bench/man-corpus.sh); `make man-data`
# makes it, and `make bench` measures on it too when it is there.
MAN ?= man-data
man-data:
	bench/man-corpus.sh $(MAN)

bench: build
	@test -d $(LARGE) || $(MAKE) datasets
	$(MR) bench wordcount $(LARGE) --workers 1,2 --repeat 5
	$(MR) bench ngrams $(LARGE) --workers 1,2 --modes threads,processes --repeat 5
	@if [ -f $(MAN)/.complete ]; then $(MR) bench wordcount $(MAN)/big --workers 1,2 --repeat 5 --output out/bench/wordcount-man \
	  && $(MAKE) bench-aggregation; \
	  else echo "(make man-data, then make bench again, to measure on real text too)"; fi

# Python's ways and Polars against mr on the same files (PEERS_DATA, e.g. a man-page corpus),
# each peer's counts checked equal to mr's; a Markdown table on stdout, a chart in out/peers.svg.
# Then groupby against DuckDB and Polars on a generated 10 M-row CSV table (out/groupby.csv), and
# trigram counts against DuckDB on PEERS_DATA.
PEERS_VENV  := .build/peers-venv
PEERS_DATA  ?= $(LARGE)
PEERS_ROUNDS ?= 3
$(PEERS_VENV)/.installed:
	python3 -m venv $(PEERS_VENV)
	$(PEERS_VENV)/bin/pip install --quiet polars==2.1.0 duckdb==2.0.1
	touch $@

bench-peers: build $(PEERS_VENV)/.installed
	@test -d $(PEERS_DATA) || $(MAKE) datasets
	@mkdir -p out
	$(PEERS_VENV)/bin/python bench/peers/wordcount_peers.py --mr $(MR) --rounds $(PEERS_ROUNDS) --svg out/peers.svg $(PEERS_DATA)
	$(PEERS_VENV)/bin/python bench/peers/groupby_peers.py --mr $(MR) --rounds $(PEERS_ROUNDS) --table out/groupby.csv
	$(PEERS_VENV)/bin/python bench/peers/ngrams_peers.py --mr $(MR) --rounds $(PEERS_ROUNDS) $(PEERS_DATA)

# Trigrams on the man pages against wordcount on the same files and against DuckDB, in the same
# rounds (the aggregation of many distinct keys; bench/peers/ngrams_peers.py).
bench-aggregation: build $(PEERS_VENV)/.installed
	@test -f $(MAN)/.complete || $(MAKE) man-data
	$(PEERS_VENV)/bin/python bench/peers/ngrams_peers.py --mr $(MR) --rounds $(PEERS_ROUNDS) $(MAN)/big

# The coordinator's own cost per task, and the cores it could keep busy (bench/coordinator.sh).
bench-coordinator: build
	bench/coordinator.sh $(MR) $$([ -d $(MAN)/big ] && echo $(MAN)/big)

# The man-page corpus recompressed in every format mr reads (made once, in out/formats/), then
# wordcount against decompression alone and against each format's own tool.
bench-formats: build
	@test -d $(MAN) || $(MAKE) man-data
	bench/formats.sh $(MR) $(MAN)/big out/formats

# The same text as one 209 MB gzip member, the case engines that give each .gz one mapper cannot
# split: mr's first run (index built while mapping), later runs (split at the index) and one mapper.
ONE_MEMBER := one-member/all.txt.gz
$(ONE_MEMBER):
	@test -d $(LARGE) || $(MAKE) datasets
	mkdir -p $(dir $(ONE_MEMBER))
	cat $(LARGE)/*.gz | gzip -dc | gzip -n -6 > $(ONE_MEMBER)

# The 8 files concatenated: one .gz of 8 members, split at member starts found without inflating.
MANY_MEMBERS := many-members/all.txt.gz
$(MANY_MEMBERS):
	@test -d $(LARGE) || $(MAKE) datasets
	mkdir -p $(dir $(MANY_MEMBERS))
	cat $(LARGE)/*.gz > $(MANY_MEMBERS)

bench-gzip: build $(ONE_MEMBER) $(MANY_MEMBERS)
	$(MR) bench wordcount $(ONE_MEMBER) --workers 1,2 --modes processes --repeat 5 --output out/bench/one-member
	$(MR) bench wordcount $(MANY_MEMBERS) --workers 1,2 --modes processes --repeat 5 --output out/bench/many-members

# Three sizes of generated text (8 gzip files each), wordcount with 1 to 4 workers (twice the
# cores) in each mode, then one line per size: wall time of 2 worker processes and its growth.
SCALE_DATA := scale-data
SCALE_SIZES := 64 256 1024
scale: build $(DATAGEN)
	@for size in $(SCALE_SIZES); do \
	  if [ ! -d $(SCALE_DATA)/$$size ]; then mkdir -p $(SCALE_DATA)/$$size; \
	    seq 1 8 | xargs -P 2 -I{} sh -c "$(DATAGEN) --seed 7{} --bytes $$((size * 1000000 / 8)) | gzip -n -6 > $(SCALE_DATA)/$$size/text-{}.txt.gz"; fi; \
	  $(MR) bench wordcount $(SCALE_DATA)/$$size --workers 1,2,4 --repeat 1 --output out/scale/$$size; \
	done
	@echo; echo "| input MB | processes, 2 workers: wall s | x the 64 MB time | threads, 4 workers: wall s |"; echo "|---|---|---|---|"
	@base=$$(awk -F, '{gsub(/"/, "", $$1)} $$1=="processes" && $$2==2 {print $$3}' out/scale/64/bench.csv); \
	for size in $(SCALE_SIZES); do \
	  awk -F, -v size=$$size -v base=$$base '{gsub(/"/, "", $$1)} $$1=="processes" && $$2==2 {p=$$3} $$1=="threads" && $$2==4 {t=$$3} \
	    END {printf "| %d | %.3f | %.2f | %.3f |\n", size, p, p / base, t}' out/scale/$$size/bench.csv; \
	done

# Each job runs clean, then with MR_FAULTS (30% of attempts crash, 5% stall) plus a loop that
# SIGKILLs a random worker every 200 ms; the part files must be identical. The data is many small
# files (48 x 4 MB of text), one per task, so that a task can finish between two kills, and one
# 40 MB gzip member whose index is removed before each run: its pieces are relayed from task to
# task while workers die.
CHAOS_DATA := chaos-data
CHAOS_ONE  := chaos-one/all.txt.gz
CHAOS_OUT  := out/chaos
CHAOS_ROUNDS ?= 8
$(CHAOS_DATA): $(DATAGEN)
	mkdir -p $(CHAOS_DATA)
	seq 1 48 | xargs -P 2 -I{} sh -c '$(DATAGEN) --seed 1{} --bytes 4000000 | gzip -n -6 > $(CHAOS_DATA)/part-{}.txt.gz'

$(CHAOS_ONE): $(DATAGEN)
	mkdir -p $(dir $(CHAOS_ONE))
	$(DATAGEN) --seed 99 --bytes 40000000 | gzip -n -6 > $(CHAOS_ONE)

chaos: build $(CHAOS_DATA) $(CHAOS_ONE)
	@mkdir -p $(CHAOS_OUT)
	@set -e; for job in $$(for round in $$(seq $(CHAOS_ROUNDS)); do echo wordcount indexer; done); do \
	  rm -f $(CHAOS_ONE).mrindex; \
	  $(MR) $$job $(CHAOS_DATA) $(CHAOS_ONE) --reducers 4 --split-size 4M --output $(CHAOS_OUT)/$$job-clean --quiet; \
	  rm -f $(CHAOS_ONE).mrindex; \
	  MR_FAULTS=crash=0.3,stall=0.05,seed=$$RANDOM $(MR) $$job $(CHAOS_DATA) $(CHAOS_ONE) --reducers 4 --split-size 4M \
	    --task-timeout 5 --max-attempts 30 --output $(CHAOS_OUT)/$$job-chaos 2> $(CHAOS_OUT)/$$job.log & coordinator=$$!; \
	  kills=0; while kill -0 $$coordinator 2>/dev/null; do \
	    sleep 0.2; victim=$$(pgrep -P $$coordinator | shuf -n 1); \
	    if [ -n "$$victim" ] && kill -9 $$victim 2>/dev/null; then kills=$$((kills + 1)); fi; \
	  done; wait $$coordinator || { tail -3 $(CHAOS_OUT)/$$job.log; exit 1; }; \
	  for part in $(CHAOS_OUT)/$$job-clean/part-*; do cmp $$part $(CHAOS_OUT)/$$job-chaos/$$(basename $$part); done; \
	  grep -E "done in|attempts" $(CHAOS_OUT)/$$job.log; echo "chaos $$job: $$kills workers killed from outside; output identical"; \
	done

clean:
	rm -rf .build out $(LARGE) $(CHAOS_DATA) $(dir $(CHAOS_ONE)) $(SCALE_DATA) $(dir $(ONE_MEMBER)) $(dir $(MANY_MEMBERS))
