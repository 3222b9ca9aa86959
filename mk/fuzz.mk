# mk/fuzz.mk: long fuzzing runs of every libFuzzer target (docs/fuzzing.md).
#
#   make fuzz-long                  each target of $(FUZZ_TARGETS), one after
#                                   the other, for FUZZ_LONG_RUNS executions
#                                   or its time budget, whichever ends first
#   make fuzz-long FUZZ_LONG_RUNS=1000000     a shorter round
#   make fuzz-long FUZZ_LONG_ONLY=elf_fuzz    one target (names as in build/fuzz/)
#   make fuzz-long FUZZ_LONG_TIME_srat_fuzz=1200   a budget for one target
#
# Like `make fuzz`, each run starts from the committed seeds
# tests/fuzz/corpus/NAME and adds what it finds to $(B)/fuzz/NAME.corpus;
# crashes go to $(B)/fuzz/NAME-crash-*, libFuzzer's output to
# $(B)/fuzz/NAME.long.log, and one summary line per target (executions,
# exec/s, cov, ft, corpus) to $(B)/fuzz/fuzz-long.txt. One fuzzer runs at
# a time, on one core. To keep what a run found as seeds:
#   $(B)/fuzz/NAME -merge=1 tests/fuzz/corpus/NAME $(B)/fuzz/NAME.corpus
#
# Each target also has a time budget, FUZZ_LONG_TIME seconds unless
# FUZZ_LONG_TIME_NAME says otherwise; 0 is none. On the shared 2-core
# machine this was measured on, elf_fuzz and iso9660_fuzz reach 10 million
# executions in 2 to 3 minutes and cmdline_fuzz in 9 to 14 (12000 to 18000
# a second, hence its 900 s); the older targets (800 to 3100 a second) do
# not within 10 minutes, so their budget is what ends their runs
# (docs/fuzzing.md has the rates).
FUZZ_LONG_RUNS ?= 10000000
FUZZ_LONG_TIME ?= 600
FUZZ_LONG_TIME_cmdline_fuzz ?= 900
FUZZ_LONG_ONLY ?=

# Recursive, and used in the recipe only: the fragments after this one add
# to FUZZ_TARGETS too.
FUZZ_LONG_LIST = $(if $(FUZZ_LONG_ONLY),$(addprefix $(B)/fuzz/,$(FUZZ_LONG_ONLY)),$(FUZZ_TARGETS))

.PHONY: fuzz-long
fuzz-long:
	@$(MAKE) --no-print-directory $(FUZZ_LONG_LIST)
	@: > $(B)/fuzz/fuzz-long.txt
	@$(foreach f,$(FUZZ_LONG_LIST),$(call fuzz_long_one,$(f),$(notdir $(f))))
	@cat $(B)/fuzz/fuzz-long.txt

fuzz_long_time = $(or $(FUZZ_LONG_TIME_$(1)),$(FUZZ_LONG_TIME))

# $(call fuzz_long_one,PROGRAM,NAME): one long run, then its summary line.
define fuzz_long_one
	mkdir -p $(1).corpus; \
	echo "fuzz-long: $(2): $(FUZZ_LONG_RUNS) runs$(if $(filter-out 0,$(call fuzz_long_time,$(2))), or $(call fuzz_long_time,$(2)) s) from $$(ls tests/fuzz/corpus/$(2) | wc -l) seeds"; \
	$(1) -runs=$(FUZZ_LONG_RUNS) -max_total_time=$(call fuzz_long_time,$(2)) \
		-print_final_stats=1 -artifact_prefix=$(1)- \
		$(1).corpus tests/fuzz/corpus/$(2) > $(1).long.log 2>&1 \
		|| { tail -60 $(1).long.log; echo "fuzz-long: $(2) failed; the input is in $(1)-crash-*"; exit 1; }; \
	awk -v name=$(2) -v corpus=$$(ls $(1).corpus | wc -l) \
		'/(DONE|INITED) +cov:/{ for (i = 1; i < NF; i++) { if ($$i == "cov:") cov = $$(i+1); if ($$i == "ft:") ft = $$(i+1) } } \
		 /^stat::number_of_executed_units/{ runs = $$2 } \
		 /^stat::average_exec_per_sec/{ eps = $$2 } \
		 END { printf "%-16s %10d runs %7d exec/s  cov %5d  ft %6d  corpus %d files\n", name, runs, eps, cov, ft, corpus }' \
		$(1).long.log | tee -a $(B)/fuzz/fuzz-long.txt;
endef
