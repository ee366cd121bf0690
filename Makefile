# mr: build, run, test, benchmark. `make help` lists the targets.
SWIFT        ?= swift
MR           := .build/release/mr
DATAGEN      := .build/release/datagen
LARGE        ?= bench-data
LARGE_FILES  ?= 8
LARGE_BYTES  ?= 62500000

.PHONY: help build run test datasets datasets-small bench clean

help:
	@echo "make run             build mr (release) and run: mr wordcount datasets/"
	@echo "make test            build and run every test (swift test)"
	@echo "make datasets        generate $(LARGE_FILES) x $(LARGE_BYTES) bytes of text, gzipped, in $(LARGE)/"
	@echo "make datasets-small  regenerate the small files shipped in datasets/"
	@echo "make bench           time wordcount in each mode with 1 and 2 workers against inflate-only"

build:
	$(SWIFT) build -c release --product mr

run: build
	$(MR) wordcount datasets/

test:
	$(SWIFT) test

$(DATAGEN):
	$(SWIFT) build -c release --product datagen

datasets: $(DATAGEN)
	mkdir -p $(LARGE)
	seq 1 $(LARGE_FILES) | xargs -P 2 -I{} sh -c '$(DATAGEN) --seed {} --bytes $(LARGE_BYTES) | gzip -n -6 > $(LARGE)/text-{}.txt.gz'
	@du -sh $(LARGE)

# The shipped files: 4 x 2 MB of text, seeds 101-104, gzip -n so the bytes never change.
datasets-small: $(DATAGEN)
	for seed in 101 102 103 104; do $(DATAGEN) --seed $$seed --bytes 2000000 | gzip -n -9 > datasets/sample-$$seed.txt.gz; done

bench: build
	@test -d $(LARGE) || $(MAKE) datasets
	$(MR) bench wordcount $(LARGE) --workers 1,2 --repeat 3

clean:
	rm -rf .build out
