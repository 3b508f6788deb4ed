/* fuzz_resp.c -- libFuzzer target for the RESP request parser (resp.c).
 *
 * Feeds arbitrary bytes to resp_parse twice: whole, then in chunks whose
 * sizes come from the input, and aborts unless both give the same commands
 * and the same final state (error text, or what is pending). Never trusts
 * the input to be small: byte runs can expand to exceed the 64 KB line cap.
 * Sanitizers (address, undefined) catch the memory errors; the comparison
 * catches state that depends on where reads happened to end. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resp.h"
#include "sds.h"
#include "zmalloc.h"

/* Input layout: FUZZ_HEADER_BYTES of settings, then the stream. */
#define FUZZ_HEADER_BYTES 5
#define FUZZ_FLAG_UNAUTH 0x01    /* apply the unauthenticated caps */
#define FUZZ_FLAG_SMALL_BULK 0x02 /* proto-max-bulk-len of FUZZ_SMALL_MAX_BULK */
#define FUZZ_FLAG_RUNS 0x04      /* expand FUZZ_RUN_MARKER sequences */
#define FUZZ_SMALL_MAX_BULK 100
#define FUZZ_DEFAULT_MAX_BULK (512LL * 1024 * 1024)
/* With FUZZ_FLAG_RUNS, MARKER hi lo c expands to ((hi << 8 | lo) * 2) c's,
 * enough to cross RESP_INLINE_MAX_BYTES with one or two runs. */
#define FUZZ_RUN_MARKER 0xFF
#define FUZZ_RUN_SCALE 2
#define FUZZ_MAX_STREAM_BYTES (256 * 1024)
/* Tiny chunks over a 64 KB line would rescan it each time (as Redis does);
 * keep the fuzzer fast by never cutting into more than this many chunks. */
#define FUZZ_MAX_CHUNKS 64

static uint32_t rng_state;

static uint32_t rng_next(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* Returns new sds: the stream, with runs expanded if asked. */
static sds build_stream(const uint8_t *d, size_t n, int runs) {
    sds s = sds_empty();
    for (size_t i = 0; i < n && sds_len(s) < FUZZ_MAX_STREAM_BYTES; i++) {
        if (runs && d[i] == FUZZ_RUN_MARKER && i + 3 < n) {
            size_t count = (((size_t)d[i + 1] << 8) | d[i + 2]) * FUZZ_RUN_SCALE;
            size_t at = sds_len(s);
            s = sds_grow_zero(s, at + count);
            memset(s + at, d[i + 3], count);
            i += 3;
        } else {
            s = sds_cat_len(s, &d[i], 1);
        }
    }
    return s;
}

/* Next chunk size: mostly small, sometimes large, never zero. */
static size_t next_chunk(size_t left, size_t min_chunk) {
    uint32_t r = rng_next();
    size_t size;
    switch (r & 3) {
    case 0: size = 1 + (r >> 2) % 4; break;
    case 1: size = 1 + (r >> 2) % 64; break;
    case 2: size = 1 + (r >> 2) % 4096; break;
    default: size = 1 + (r >> 2) % (2 * RESP_INLINE_MAX_BYTES); break;
    }
    if (size < min_chunk) size = min_chunk;
    return size < left ? size : left;
}

/* Runs the parser over s as a server would, with chunk boundaries from the
 * rng (or one chunk when chunked is 0). Returns new sds recording every
 * command (argc, then each argument's length and bytes) and the outcome. */
static sds run(const sds s, const resp_limits *lim, int chunked) {
    resp_parser p;
    resp_parser_init(&p);
    sds out = sds_empty(), pending = sds_empty();
    size_t fed = 0, len = sds_len(s);
    size_t min_chunk = len / FUZZ_MAX_CHUNKS + 1;
    size_t off = 0; /* bytes of pending already consumed */
    do {
        size_t n = chunked ? next_chunk(len - fed, min_chunk) : len - fed;
        /* Drop consumed bytes once per chunk, not per command, so a long
         * pipeline does not make this harness quadratic. */
        if (off == sds_len(pending)) sds_clear(pending);
        else if (off > 0) sds_range(pending, (ssize_t)off, -1);
        off = 0;
        pending = sds_cat_len(pending, s + fed, n);
        fed += n;
        for (;;) {
            size_t consumed = (size_t)-1, avail = sds_len(pending) - off;
            resp_parse_result r = resp_parse(&p, pending + off, avail, lim, &consumed);
            if (consumed > avail) abort();
            off += consumed;
            if (r == RESP_PARSE_NEED_MORE) break;
            if (r == RESP_PARSE_ERROR) {
                if (p.error == NULL || strncmp(p.error, "Protocol error: ", 16) != 0) abort();
                out = sds_cat_printf(out, "ERR:%s", p.error);
                goto done;
            }
            if (p.argc <= 0) abort();
            out = sds_cat_printf(out, "%d:", p.argc);
            for (int j = 0; j < p.argc; j++) {
                out = sds_cat_printf(out, "%zu:", sds_len(p.argv[j]));
                out = sds_cat_len(out, p.argv[j], sds_len(p.argv[j]));
            }
            /* Exercise the ownership hand-off on some arguments. */
            if (p.argc > 1 && (sds_len(p.argv[1]) & 1)) {
                sds taken = p.argv[1];
                p.argv[1] = NULL;
                sds_free(taken);
            }
            resp_parser_reset(&p);
        }
    } while (fed < len);
    out = sds_cat_printf(out, "MORE:%d/%ld/%lld/%zu", p.argc, p.multibulk_len, p.bulk_len,
                         sds_len(pending) - off);
done:
    sds_free(pending);
    resp_parser_free(&p);
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < FUZZ_HEADER_BYTES) return 0;
    uint8_t flags = data[0];
    resp_limits lim = {
        .max_bulk_len = (flags & FUZZ_FLAG_SMALL_BULK) ? FUZZ_SMALL_MAX_BULK : FUZZ_DEFAULT_MAX_BULK,
        .authenticated = !(flags & FUZZ_FLAG_UNAUTH),
    };
    uint32_t seed;
    memcpy(&seed, data + 1, sizeof(seed));
    sds stream = build_stream(data + FUZZ_HEADER_BYTES, size - FUZZ_HEADER_BYTES,
                              flags & FUZZ_FLAG_RUNS);

    sds ref = run(stream, &lim, 0);
    for (int round = 0; round < 2; round++) {
        rng_state = seed * 2654435761u + (uint32_t)round + 1;
        if (rng_state == 0) rng_state = 1;
        sds got = run(stream, &lim, 1);
        if (sds_len(got) != sds_len(ref) || memcmp(got, ref, sds_len(ref)) != 0) {
            fprintf(stderr, "chunked parse differs\nwhole:   %.300s\nchunked: %.300s\n", ref, got);
            abort();
        }
        sds_free(got);
    }
    sds_free(ref);
    sds_free(stream);
    return 0;
}
