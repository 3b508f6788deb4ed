# minired -- build, test, run, bench, install.
#
#   make                         build src/minired-server
#   make test                    unit (Check) then integration (hiredis) tests;
#                                ends with one line: "N passed, N failed"
#   make V=1 ...                 show full compiler command lines
#   make SANITIZE=address,undefined test
#   make AE_BACKEND=select|poll|epoll|kqueue
#   make run ARGS="--port 7000"  start a server (ARGS: its command line)
#   make bench                   redis-benchmark against minired and redis-server
#   make bench-persist           SAVE/load/BGSAVE/AOF figures against redis-server
#   make bench-scripts           EVALSHA throughput and the BUSY bar against redis-server
#   make bench-types             stream/HLL/geo/SORT throughput and memory bars against redis-server
#   make bench-clock             MINIRED CLOCK ADVANCE over 1M keys: worst PING while they expire
#   make bench-acl               CPU per request of a ~cache:* +@read user against the default user
#   make bench-failover          Sentinel failover time (kill -9 to a writable primary) against redis-server
#   make bench-instr BASELINE=/path/to/old-minired-server
#                                instructions per request (callgrind) against another build,
#                                and of a restricted ACL user against the default one
#   make bench-repl              primary CPU per SET with two replicas, lag, digests, against redis-server
#   make install PREFIX=/usr/local [DESTDIR=/staging]
#                                server, check-tool links, commented config,
#                                systemd unit; then utils/install-server.sh
#
# Objects go to build/<variant>/ so sanitizer or backend builds never mix with
# the default one; the default variant's binary is also src/minired-server.

UNAME_S := $(shell uname -s)
ifeq ($(UNAME_S),Linux)
  AE_BACKEND ?= epoll
else ifneq (,$(filter Darwin FreeBSD OpenBSD NetBSD DragonFly,$(UNAME_S)))
  AE_BACKEND ?= kqueue
else
  AE_BACKEND ?= poll
endif

CC ?= cc
OPT ?= -O2
PREFIX ?= /usr/local
# /usr installs configs under /etc, as distributions do; others under PREFIX.
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
LOCALSTATEDIR ?= /var
INSTALL ?= install
# The server links Lua 5.1 (scripting) from the system's packages, found
# with pkg-config, with Debian's lua-cjson and lua-bitop for the script
# libraries cjson and bit (their behaviour was checked equal to Redis
# 7.0's; cmsgpack and struct are ours, src/lua_*.c);
# deps/ensure-build-deps.sh installs them when missing (apt on
# Debian/Ubuntu) before anything is compiled.
LUA_PKGS := lua5.1 lua5.1-cjson lua5.1-bitop
ifeq ($(filter clean,$(MAKECMDGOALS)),)
  ifneq ($(shell pkg-config --exists $(LUA_PKGS) 2>/dev/null && echo yes),yes)
    $(info $(shell sh deps/ensure-build-deps.sh >&2))
  endif
endif
LUA_CFLAGS := $(shell pkg-config --cflags $(LUA_PKGS) 2>/dev/null)
LUA_LIBS := $(shell pkg-config --libs $(LUA_PKGS) 2>/dev/null || echo -llua5.1-cjson -llua5.1-bitop -llua5.1)
CFLAGS_BASE := -std=gnu11 -Wall -Wextra -g $(OPT) -D_GNU_SOURCE -MMD -MP $(LUA_CFLAGS)
LDLIBS_BASE := $(LUA_LIBS) -lm

comma := ,
VARIANT := $(AE_BACKEND)
ifneq ($(SANITIZE),)
  # The slab allocator would hide small blocks from ASan: use malloc only.
  SANFLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all -DZMALLOC_NO_SLAB
  VARIANT := $(AE_BACKEND)-san-$(subst $(comma),_,$(SANITIZE))
endif

B := build/$(VARIANT)

# Build lines are short ("  CC     src/x.c") so test results and warnings
# stand out; V=1 shows the full commands. Errors and warnings always show.
ifeq ($(V),1)
  quiet =
else
  quiet = @printf '  %-6s %s\n' '$(1)' '$(2)';
endif
CFLAGS_ALL := $(CFLAGS_BASE) $(SANFLAGS) $(CFLAGS)
LDFLAGS_ALL := $(SANFLAGS) $(LDFLAGS)

# L0-L2: libraries that know nothing of the server (unit-tested alone),
# archived in libminibase. `make check-layers` (run by `make test`) fails
# if one of them includes a server header.
LIB_SRCS := zmalloc.c sds.c dict.c siphash.c util.c monotonic.c \
            ae.c ae_$(AE_BACKEND).c anet.c resp.c \
            listpack.c intset.c quicklist.c skiplist.c \
            lathist.c lcs.c bitfield.c zset_util.c \
            crc64.c lzf.c rio.c ziplist.c zipmap.c
# SHA-1 for DEBUG DIGEST (values must equal Redis's own digests).
LIB_SRCS += sha1.c
# SHA-256 for ACL passwords (stored and shown as hex digests, as Redis does).
LIB_SRCS += sha256.c
# The script state's Lua C libraries (cmsgpack, struct; lua_libs.h).
LIB_SRCS += lua_cmsgpack.c lua_struct.c lua_libs.c
# Streams (radix tree of listpack nodes), HyperLogLog registers, geohash.
LIB_SRCS += rax.c stream.c hll.c geohash.c
# The replication backlog ring.
LIB_SRCS += repl_backlog.c
# Redis 7.0 cluster bus messages: encode and decode (cluster_msg.h).
LIB_SRCS += cluster_msg.c
# Cluster: key -> hash slot (CRC16), the nodes.conf format.
LIB_SRCS += cluster_slot.c cluster_conf.c
# Cluster: the keys of each hash slot (links in the keyspace's entries).
LIB_SRCS += slot_index.c
# Every event backend is library code, whichever one this build uses.
LAYER_CHECK_SRCS := $(sort $(LIB_SRCS) $(notdir $(wildcard src/ae_*.c)))
# L3-L4: the server.
SERVER_SRCS := $(filter-out $(LIB_SRCS) $(notdir $(wildcard src/ae_*.c)),$(notdir $(wildcard src/*.c)))

LIB_OBJS := $(addprefix $(B)/,$(LIB_SRCS:.c=.o))
SERVER_OBJS := $(addprefix $(B)/,$(SERVER_SRCS:.c=.o))
SERVER_BIN := $(B)/minired-server
LIBBASE := $(B)/libminibase.a

.PHONY: all command-docs test unit-test integration-test test-deps run bench bench-persist bench-scripts clean install \
        bench-types bench-clock bench-acl bench-instr bench-repl bench-failover fuzz check-ae-backends check-layers \
        diffcheck test-long test-cluster bench-cluster

all: $(SERVER_BIN)
ifeq ($(SANITIZE),)
	@ln -sf ../$(SERVER_BIN) src/minired-server
	@ln -sf ../$(B)/minired-check-aof src/minired-check-aof
	@ln -sf ../$(B)/minired-check-rdb src/minired-check-rdb
endif

$(B)/%.o: src/%.c | $(B)
	$(call quiet,CC,$<)$(CC) $(CFLAGS_ALL) -c $< -o $@

$(B):
	@mkdir -p $(B) $(B)/tests

# Rebuilt when the Makefile changes too: moving a file into LIB_SRCS must
# put it in the archive even if its object is older than the archive.
$(LIBBASE): $(LIB_OBJS) Makefile
	@rm -f $@
	$(call quiet,AR,$@)ar rcs $@ $(LIB_OBJS)

# -rdynamic: a crash report's stack trace names the server's functions.
$(SERVER_BIN): $(SERVER_OBJS) $(LIBBASE)
	$(call quiet,LINK,$@)$(CC) $(LDFLAGS_ALL) -rdynamic -o $@ $(SERVER_OBJS) $(LIBBASE) $(LDLIBS_BASE)
	@ln -sf minired-server $(B)/minired-check-aof
	@ln -sf minired-server $(B)/minired-check-rdb

# ------------------------------------------------------------------ tests
TEST_CFLAGS = $(CFLAGS_ALL) -Isrc -Itests/helpers $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS = $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lrt -lpthread -lm)
HIREDIS_LIBS = $(shell pkg-config --libs hiredis 2>/dev/null || echo -lhiredis)

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
# Unit tests that need server-layer objects list them in tests/unit/<name>.deps
UNIT_BINS := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRCS))
INTEG_SRCS := $(wildcard tests/integration/test_*.c)
INTEG_HELPERS := $(wildcard tests/helpers/*.c)
INTEG_BINS := $(patsubst tests/integration/%.c,$(B)/tests/%,$(INTEG_SRCS))

.SECONDEXPANSION:
# A unit test links libminibase plus the server objects its .deps file lists.
$(B)/tests/test_%: tests/unit/test_%.c $(LIBBASE) $$(addprefix $(B)/,$$(shell cat tests/unit/test_$$*.deps 2>/dev/null)) | $(B)
	$(call quiet,CC,$<)$(CC) $(TEST_CFLAGS) -o $@ $< $(addprefix $(B)/,$(shell cat tests/unit/test_$*.deps 2>/dev/null)) \
	    $(LIBBASE) $(LDFLAGS_ALL) $(CHECK_LIBS) $(LDLIBS_BASE)

# Fixtures a unit test includes (test binaries keep no header dependencies).
$(B)/tests/test_cluster_msg: tests/unit/fixtures/cluster_msg_fixture_redis7.h

# test_cmd_call drives the real dispatcher in-process: it links every
# server object but main.o (so it keeps linking as modules are added).
# test_rdb_legacy loads values and reads them back through commands the same way.
CMD_CALL_OBJS = $(filter-out $(B)/main.o,$(SERVER_OBJS))
# test_rdb does the same to build values with real commands.
$(B)/tests/test_cmd_call $(B)/tests/test_rdb $(B)/tests/test_rdb_legacy: $(B)/tests/%: tests/unit/%.c $(CMD_CALL_OBJS) $(LIBBASE) | $(B)
	$(call quiet,CC,$<)$(CC) $(TEST_CFLAGS) -o $@ $< $(CMD_CALL_OBJS) $(LIBBASE) $(LDFLAGS_ALL) $(CHECK_LIBS) $(LDLIBS_BASE)

$(B)/tests/itest_%: tests/integration/test_%.c $(INTEG_HELPERS) $(LIBBASE) | $(B)
	$(call quiet,CC,$<)$(CC) $(TEST_CFLAGS) -o $@ $< $(INTEG_HELPERS) $(LIBBASE) $(LDFLAGS_ALL) $(HIREDIS_LIBS) $(CHECK_LIBS) $(LDLIBS_BASE)

INTEG_BINS := $(patsubst tests/integration/test_%.c,$(B)/tests/itest_%,$(INTEG_SRCS))
# SKIP_ITESTS="a b": leave out integration tests test_a.c, test_b.c (.ci/run
# does for the sanitizer pass the multi-process setups the plain pass ran).
INTEG_BINS := $(filter-out $(patsubst %,$(B)/tests/itest_%,$(SKIP_ITESTS)),$(INTEG_BINS))

test-deps:
	@sh deps/ensure-test-deps.sh

unit-test: test-deps
	@$(MAKE) -s --no-print-directory $(UNIT_BINS)
	@sh tests/run-unit.sh $(B)/tests $(UNIT_BINS)

# Workloads (tests/workloads/test_*.py) are real client libraries run by
# Debian's python3, counted by tally.sh like the Check binaries.
# TEST_JOBS integration binaries run at a time (each starts its servers on
# free ports of its own; most of their time is spent waiting on them).
TEST_JOBS ?= 2
WORKLOAD_TESTS := $(wildcard tests/workloads/test_*.py)
integration-test: test-deps all
	@$(MAKE) -s --no-print-directory $(INTEG_BINS)
	@MINIRED_SERVER=$(abspath $(SERVER_BIN)) MINIRED_TEST_JOBS=$(TEST_JOBS) \
	    sh tests/run-integration.sh $(INTEG_BINS) $(WORKLOAD_TESTS)

# Every step runs even after a failure, so the closing "N passed, N
# failed" line (tests/tally.sh, summing Check's per-suite counts) covers
# the whole run; the exit status is non-zero if anything failed.
TEST_TALLY := $(abspath $(B))/test-tally
test: test-deps
	@$(MAKE) -s --no-print-directory check-layers || { sh tests/tally.sh summary 1; exit 1; }
	@$(MAKE) -s --no-print-directory all || { sh tests/tally.sh summary 1; exit 1; }
	@rm -f $(TEST_TALLY); status=0; export MINIRED_TEST_TALLY=$(TEST_TALLY); \
	$(MAKE) -s --no-print-directory unit-test || status=1; \
	$(MAKE) -s --no-print-directory check-ae-backends || status=1; \
	$(MAKE) -s --no-print-directory integration-test || status=1; \
	sh tests/tally.sh summary $$status

# No library file (L0-L2) may include a server header; the self-test
# proves the check catches one (on a temporary copy of src/).
check-layers:
	@sh tests/check_layers.sh src $(LAYER_CHECK_SRCS)
	@sh tests/check_layers_selftest.sh src $(LAYER_CHECK_SRCS)

# The ae suite runs once per backend that builds on this system.
# On Linux the kqueue backend is proven through a small kqueue-on-poll shim.
# A select server must also start and serve on default settings (its
# maxclients lowered to what select holds): it is linked from this
# variant's server objects, which do not depend on the backend, and the
# select library the ae suite just built, so it costs one link.
SELECT_B := build/select$(if $(SANITIZE),-san-$(subst $(comma),_,$(SANITIZE)))
check-ae-backends:
ifeq ($(UNAME_S),Linux)
	@for be in poll select; do \
	  $(MAKE) -s --no-print-directory AE_BACKEND=$$be SANITIZE=$(SANITIZE) build/ae-only-$$be || exit 1; \
	done
	@echo "== test_ae (kqueue via shim)"
	@SANITIZE=$(SANITIZE) CC=$(CC) sh tests/unit/run_kqueue_shim.sh
	@$(MAKE) -s --no-print-directory $(B)/minired-server-select $(B)/tests/itest_backend_start
	@MINIRED_SERVER=$(abspath $(B)/minired-server-select) sh tests/run-integration.sh $(B)/tests/itest_backend_start
endif

$(B)/minired-server-select: $(SERVER_OBJS) $(SELECT_B)/libminibase.a
	$(call quiet,LINK,$@)$(CC) $(LDFLAGS_ALL) -o $@ $(SERVER_OBJS) $(SELECT_B)/libminibase.a $(LDLIBS_BASE)

build/ae-only-%: test-deps
	@$(MAKE) -s --no-print-directory AE_BACKEND=$* SANITIZE=$(SANITIZE) build/$*$(if $(SANITIZE),-san-$(subst $(comma),_,$(SANITIZE)))/tests/test_ae
	@sh tests/run-unit.sh x build/$*$(if $(SANITIZE),-san-$(subst $(comma),_,$(SANITIZE)))/tests/test_ae

run: all
	./$(SERVER_BIN) $(ARGS)

# The randomized replication run (tests/long/repl_long.c) links like an
# integration test but is not one: `make test` never runs it.
$(B)/tests/long_repl: tests/long/repl_long.c $(INTEG_HELPERS) $(LIBBASE) | $(B)
	$(call quiet,CC,$<)$(CC) $(TEST_CFLAGS) -o $@ $< $(INTEG_HELPERS) $(LIBBASE) $(LDFLAGS_ALL) $(HIREDIS_LIBS) $(CHECK_LIBS) $(LDLIBS_BASE)

# Long runs kept out of `make test`: a million keys expiring at once while
# a client PINGs (fails if any PING waits over 25 ms); kill -9 under
# appendfsync always; random writes, link cuts and restarts with replicas
# attached (REPL_LONG_SECONDS, default 180).
test-long: all $(B)/tests/itest_aof $(B)/tests/long_repl
	@sh tests/long/expire_latency.sh $(abspath $(SERVER_BIN))
	@sh tests/long/aof_crash.sh $(abspath $(SERVER_BIN)) $(abspath $(B)/tests/itest_aof)
	@echo "== replication: random writes, link cuts, restarts"
	@MINIRED_SERVER=$(abspath $(SERVER_BIN)) MINIRED_REPL_LONG_SECONDS=$(or $(REPL_LONG_SECONDS),180) \
	    $(abspath $(B)/tests/long_repl)
	@echo "== cluster: every end-to-end check (resharding, failovers, mixed clusters)"
	@$(MAKE) --no-print-directory test-cluster

# Redis Cluster end to end (tests/workloads/test_cluster_{create,client,
# reshard,failover}.py): every check,
# not only those each file's IN_MAKE_TEST gives `make test`; one file at a
# time (failovers are timing-sensitive). CLUSTER_SERVER=redis-server runs
# them on Redis 7.0 nodes only (validates the tests themselves).
CLUSTER_TESTS := $(addprefix tests/workloads/test_cluster_,create.py client.py reshard.py failover.py)
test-cluster: all test-deps
	@MINIRED_SERVER=$(if $(CLUSTER_SERVER),$(CLUSTER_SERVER),$(abspath $(SERVER_BIN))) MINIRED_CLUSTER_ALL=1 \
	    MINIRED_TEST_JOBS=1 sh tests/run-integration.sh $(CLUSTER_TESTS)

bench: all
	@sh utils/bench.sh $(abspath $(SERVER_BIN))

# SAVE / load / file size of 1M keys, PING during BGSAVE, SET with AOF
# everysec: minired beside redis-server 7.0 (PERSIST_BENCH_ARGS to shrink,
# e.g. "--keys 200000 --rounds 1").
bench-persist: all
	@python3 utils/persist_bench.py --minired-server $(abspath $(SERVER_BIN)) $(PERSIST_BENCH_ARGS)

# EVALSHA (a GET script and a 10-command one; 50 clients; P1 and P16) and
# the BUSY / SCRIPT KILL bar, minired beside redis-server 7.0
# (SCRIPT_BENCH_ARGS to shrink, e.g. "--rounds 1 --requests 20000").
bench-scripts: all
	@python3 utils/script_bench.py --server $(abspath $(SERVER_BIN)) $(SCRIPT_BENCH_ARGS)

# XADD, XRANGE, XREADGROUP+XACK, PFADD, PFCOUNT, GEOADD, GEOSEARCH and SORT
# throughput (50 clients, P1 and P16) and the RSS of 1M stream entries / a
# 1M-member geo set, minired beside redis-server 7.0 (TYPES_BENCH_ARGS to
# shrink, e.g. "--quick --memory-entries 200000").
bench-types: all
	@python3 utils/types_bench.py --server $(abspath $(SERVER_BIN)) $(TYPES_BENCH_ARGS)

# MINIRED CLOCK ADVANCE 3600000 over 1M keys with TTLs within the hour:
# the worst PING meanwhile (bar: 5 ms) and how long until DBSIZE is 0
# (CLOCK_BENCH_ARGS to shrink, e.g. "--keys 200000").
bench-clock: all
	@python3 utils/clock_bench.py --server $(abspath $(SERVER_BIN)) $(CLOCK_BENCH_ARGS)

# The ACL bar in CPU time (noisy on a shared VM: see bench-instr).
bench-acl: all
	@python3 utils/acl_bench.py --server $(abspath $(SERVER_BIN))

# Issue 13's bars: the primary's CPU per SET with two replicas (minired vs
# Redis 7.0), replica lag meanwhile, DEBUG DIGEST after a 50-client write
# load for minired->minired, minired->Redis and Redis->minired
# (REPL_BENCH_ARGS to shrink, e.g. "--rounds 3 --requests 200000"; --instr
# counts instructions under callgrind instead of CPU time).
bench-repl: all
	@python3 utils/repl_bench.py --server $(abspath $(SERVER_BIN)) $(REPL_BENCH_ARGS)

# Sentinel failover of a primary with two replicas (utils/ha_setup.sh, three
# redis-sentinels): median time from kill -9 to a promoted replica that
# accepts a write over 5 runs, minired beside redis-server 7.0, and the
# write acknowledged by WAIT 2 kept (FAILOVER_BENCH_ARGS, e.g. "--runs 3").
bench-failover: all test-deps
	@python3 utils/sentinel_failover_bench.py --server $(abspath $(SERVER_BIN)) $(FAILOVER_BENCH_ARGS)

# Issue 14's cluster bars (utils/cluster_bench.py all): create + check of 6
# minired and 3 minired + 3 Redis nodes; reshard of 1000 slots under 50
# clients (errors, keys lost); failover time after kill -9 (5 runs each,
# medians, vs Redis); one cluster node's GET/SET throughput vs Redis
# (CLUSTER_BENCH_ARGS, e.g. "--runs 3 --rounds 3"; CLUSTER_BENCH=failover
# for one bar). About 10 minutes.
bench-cluster: all test-deps
	@/usr/bin/python3 utils/cluster_bench.py $(or $(CLUSTER_BENCH),all) --server $(abspath $(SERVER_BIN)) $(CLUSTER_BENCH_ARGS)

# Instructions per request under callgrind: steady where CPU time is not.
bench-instr: all
	@python3 utils/instr_bench.py --server $(abspath $(SERVER_BIN)) --acl-user $(if $(BASELINE),--baseline $(BASELINE))

# Regenerates src/command_docs_a_k.c and src/command_docs_l_z.c from a redis-server 7.0's COMMAND DOCS for
# the commands the built server has (run after adding commands; commit it).
command-docs: all
	@python3 utils/gen_command_docs.py --server $(abspath $(SERVER_BIN))

diffcheck: all
	@python3 utils/diffcheck.py --server $(abspath $(SERVER_BIN))
	@python3 utils/diff_random.py --server $(abspath $(SERVER_BIN)) --streams 20
	@python3 utils/diff_geo.py --server $(abspath $(SERVER_BIN)) --streams 12
	@python3 utils/diff_acl_rules.py --server $(abspath $(SERVER_BIN)) --streams 10
	@python3 utils/diff_notify.py --server $(abspath $(SERVER_BIN))
	@python3 utils/diff_dirty.py --server $(abspath $(SERVER_BIN))
	@python3 utils/diff_effects.py --server $(abspath $(SERVER_BIN))
	@python3 utils/hll_random.py --server $(abspath $(SERVER_BIN)) --rounds 20

install: all
	$(INSTALL) -d $(DESTDIR)$(PREFIX)/bin
	$(INSTALL) -m 755 $(SERVER_BIN) $(DESTDIR)$(PREFIX)/bin/minired-server
	ln -sf minired-server $(DESTDIR)$(PREFIX)/bin/minired-check-aof
	ln -sf minired-server $(DESTDIR)$(PREFIX)/bin/minired-check-rdb
	$(INSTALL) -d $(DESTDIR)$(PREFIX)/share/minired $(DESTDIR)$(PREFIX)/share/doc/minired \
	    $(DESTDIR)$(PREFIX)/lib/systemd/system $(DESTDIR)$(PREFIX)/sbin
	$(INSTALL) -m 644 redis.conf.example $(DESTDIR)$(PREFIX)/share/minired/redis.conf.example
	$(INSTALL) -m 644 README.md $(DESTDIR)$(PREFIX)/share/doc/minired/README.md
	$(INSTALL) -m 755 utils/install-server.sh $(DESTDIR)$(PREFIX)/sbin/minired-install-server
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' -e 's|@LOCALSTATEDIR@|$(LOCALSTATEDIR)|g' \
	    utils/systemd/minired.service > $(DESTDIR)$(PREFIX)/lib/systemd/system/minired.service
	@# $(SYSCONFDIR)/minired/minired.conf (from the example, with this
	@# host's port and dirs) is utils/install-server.sh's, as are the user and
	@# data dirs: make install never replaces an operator's config.

clean:
	rm -rf build src/minired-server src/minired-check-aof src/minired-check-rdb

-include $(wildcard $(B)/*.d)

# ------------------------------------------------------------------ fuzzing
# libFuzzer targets (need clang; installed if missing on Debian): the
# RESP parser, the cluster bus codec, RDB loading and RESTORE payloads. Each runs for
# FUZZ_SECONDS and keeps its corpus in build/fuzz.
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FUZZ_LIBS := sds util zmalloc

fuzz:
	@command -v $(FUZZ_CC) >/dev/null 2>&1 || { command -v apt-get >/dev/null 2>&1 && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang >/dev/null; }
	@mkdir -p build/fuzz/corpus
	@for f in $(FUZZ_LIBS); do \
	    $(FUZZ_CC) -g -O1 -fsanitize=address,undefined -std=gnu11 -D_GNU_SOURCE -Isrc -c src/$$f.c -o build/fuzz/$$f.o || exit 1; \
	done
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -std=gnu11 -D_GNU_SOURCE -Isrc \
	    tests/fuzz/fuzz_resp.c src/resp.c $(addprefix build/fuzz/,$(addsuffix .o,$(FUZZ_LIBS))) -lm -o build/fuzz/fuzz_resp
	build/fuzz/fuzz_resp -max_total_time=$(FUZZ_SECONDS) -max_len=4096 build/fuzz/corpus
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -std=gnu11 -D_GNU_SOURCE -Isrc \
	    tests/fuzz/fuzz_cluster_msg.c src/cluster_msg.c $(addprefix build/fuzz/,$(addsuffix .o,$(FUZZ_LIBS))) -lm \
	    -o build/fuzz/fuzz_cluster_msg
	@mkdir -p build/fuzz/corpus_cluster_msg
	build/fuzz/fuzz_cluster_msg -max_total_time=$(FUZZ_SECONDS) -max_len=8192 build/fuzz/corpus_cluster_msg
	@$(MAKE) -s --no-print-directory -j2 $(addprefix build/fuzz/,$(FUZZ_SERVER_TARGETS))
	@for t in $(FUZZ_SERVER_TARGETS); do \
	    mkdir -p build/fuzz/corpus_$$t; \
	    echo "== $$t ($(FUZZ_SECONDS) s)"; \
	    build/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 build/fuzz/corpus_$$t \
	        tests/fuzz/seeds/$$(echo $$t | sed 's/^fuzz_//; s/_load$$//') || exit 1; \
	done

# The targets that need the server's objects (RDB loading, RESTORE
# payloads) link all of them but main.o, built with clang's coverage and
# sanitizers into build/fuzz/srv (malloc only, so ASan sees every block).
# Seeds: tests/fuzz/seeds/<rdb|restore>, written by Redis 7.0.
FUZZ_SERVER_TARGETS := fuzz_rdb_load fuzz_restore
FUZZ_SRV_CFLAGS := -g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
                   -std=gnu11 -D_GNU_SOURCE -DZMALLOC_NO_SLAB -Isrc $(LUA_CFLAGS)
FUZZ_SRV_OBJS := $(addprefix build/fuzz/srv/,$(patsubst %.c,%.o,$(filter-out main.c,$(LIB_SRCS) $(SERVER_SRCS))))

build/fuzz/srv/%.o: src/%.c
	@mkdir -p build/fuzz/srv
	$(call quiet,CC,$<)$(FUZZ_CC) $(FUZZ_SRV_CFLAGS) -c $< -o $@

build/fuzz/fuzz_rdb_load build/fuzz/fuzz_restore: build/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz_common.h $(FUZZ_SRV_OBJS)
	$(call quiet,LINK,$@)$(FUZZ_CC) $(FUZZ_SRV_CFLAGS) -fsanitize=fuzzer -Itests/fuzz $< $(FUZZ_SRV_OBJS) $(LUA_LIBS) -lm -o $@
