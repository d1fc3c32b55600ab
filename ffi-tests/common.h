/* Shared helpers for the C tests in ffi-tests/ (C99, POSIX). Each test counts its checks
 * and ends with the line "N passed, M failed"; it exits non-zero on any failure. Every wait
 * is bounded, and alarm() is a watchdog: a hang ends the process with SIGALRM. */
#ifndef ESME_FFI_TEST_COMMON_H
#define ESME_FFI_TEST_COMMON_H

#define _POSIX_C_SOURCE 200809L

#include "esme.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

static int g_passed, g_failed;

/* The FIFO smsc.js reads its commands from (tests against node-smpp set it from argv). */
static const char *smsc_fifo;

/* Sends one JSON command line to smsc.js through smsc_fifo; 1 when written. */
static inline int smsc_cmd(const char *json) {
    int fd = open(smsc_fifo, O_WRONLY | O_NONBLOCK);
    size_t n = strlen(json);
    int ok;
    if (fd < 0) {
        perror(smsc_fifo);
        return 0;
    }
    ok = write(fd, json, n) == (ssize_t)n && write(fd, "\n", 1) == 1;
    close(fd);
    return ok;
}

/* Thread-safe counting (gcc/clang builtins: C99 has no atomics). */
static inline void count_result(int ok) {
    if (ok) {
        __sync_fetch_and_add(&g_passed, 1);
    } else {
        __sync_fetch_and_add(&g_failed, 1);
    }
}

/* The thread's last error text (static buffer per call site is not thread-safe, so the
 * caller passes one). */
static inline const char *last_error(char *buf, size_t len) {
    size_t needed = 0;
    if (esme_last_error(buf, len, &needed) != ESME_OK) {
        snprintf(buf, len, "(last error needs %zu octets)", needed);
    }
    return buf;
}

#define CHECK(cond)                                                                         \
    do {                                                                                    \
        int ok_ = (cond) ? 1 : 0;                                                           \
        count_result(ok_);                                                                  \
        if (!ok_) {                                                                         \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                 \
        }                                                                                   \
    } while (0)

/* A call returning esme_result must give `want`; on a mismatch both names and the last
 * error text are printed. */
#define CHECK_RC(call, want)                                                                \
    do {                                                                                    \
        esme_result got_ = (call);                                                          \
        esme_result want_ = (want);                                                         \
        count_result(got_ == want_);                                                        \
        if (got_ != want_) {                                                                \
            char eb_[1024];                                                                 \
            fprintf(stderr, "FAIL %s:%d: %s gave %u (%s), want %u (%s); last error: %s\n",  \
                    __FILE__, __LINE__, #call, (unsigned)got_, esme_result_str(got_),       \
                    (unsigned)want_, esme_result_str(want_), last_error(eb_, sizeof eb_));  \
        }                                                                                   \
    } while (0)

/* A fatal precondition: stop the test (the count says what failed). */
#define REQUIRE(cond)                                                                       \
    do {                                                                                    \
        if (!(cond)) {                                                                      \
            char eb_[1024];                                                                 \
            count_result(0);                                                                \
            fprintf(stderr, "FATAL %s:%d: %s; last error: %s\n", __FILE__, __LINE__, #cond, \
                    last_error(eb_, sizeof eb_));                                           \
            return finish();                                                                \
        }                                                                                   \
    } while (0)

/* REQUIRE in a function returning void. */
#define REQUIRE_VOID(cond)                                                                  \
    do {                                                                                    \
        if (!(cond)) {                                                                      \
            count_result(0);                                                                \
            fprintf(stderr, "FATAL %s:%d: %s\n", __FILE__, __LINE__, #cond);                \
            return;                                                                         \
        }                                                                                   \
    } while (0)

/* Call first: line-buffered stdout (so output interleaves with stderr) and a watchdog. */
static inline void test_start(unsigned seconds) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    alarm(seconds);
}

static inline int finish(void) {
    printf("%d passed, %d failed\n", g_passed, g_failed);
    fflush(stdout);
    return g_failed == 0 && g_passed > 0 ? 0 : 1;
}

static inline double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline void sleep_ms(long ms) {
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}

/* A configuration for the SMSC on 127.0.0.1:port, with short timeouts so that every wait
 * in the tests is bounded, no rate limit and no receipts unless asked for. NULL on failure
 * (the reason is printed). */
static inline esme_config *test_config(const char *port, const char *system_id) {
    static const char *const opts[][2] = {
        {"x-smpp-host", "127.0.0.1"},
        {"password", "secret"},
        {"x-smpp-comms-timeout", "5000"},
        {"x-smpp-response-max-waiting-time", "5000"},
        {"x-smpp-close-timeout", "2000"},
        {"x-smpp-submit-timeout", "10000"},
        {"x-smpp-submit-rate-unlimited", "true"},
        {"x-smpp-submit-window-size", "50"},
        {"x-smpp-delivery-report", "false"},
    };
    esme_config *cfg = NULL;
    size_t i;
    char eb[1024];
    if (esme_config_new(&cfg) != ESME_OK) {
        fprintf(stderr, "esme_config_new: %s\n", last_error(eb, sizeof eb));
        return NULL;
    }
    for (i = 0; i < sizeof opts / sizeof opts[0]; i++) {
        if (esme_config_set(cfg, opts[i][0], opts[i][1]) != ESME_OK) {
            fprintf(stderr, "esme_config_set %s: %s\n", opts[i][0], last_error(eb, sizeof eb));
            esme_config_free(cfg);
            return NULL;
        }
    }
    if (esme_config_set(cfg, "x-smpp-port", port) != ESME_OK ||
        esme_config_set(cfg, "x-smpp-system-id", system_id) != ESME_OK) {
        fprintf(stderr, "esme_config_set: %s\n", last_error(eb, sizeof eb));
        esme_config_free(cfg);
        return NULL;
    }
    return cfg;
}

/* A text message (body borrowed from `text`). */
static inline esme_message text_message(const char *to, const char *text, uint32_t flags) {
    esme_message m;
    m.to = to;
    m.from = "Shop";
    m.body = (const uint8_t *)text;
    m.body_len = strlen(text);
    m.flags = flags;
    return m;
}

/* Polls until an event of `kind` (and, for OUTCOME, the ticket) comes, or `seconds` pass.
 * Other events are freed and counted in *skipped (may be NULL). */
static inline esme_event *poll_for(const esme_client *c, esme_event_kind kind, uint64_t ticket,
                            double seconds, int *skipped) {
    double end = now_s() + seconds;
    while (now_s() < end) {
        esme_event *e = NULL;
        esme_result r = esme_client_poll(c, 100, &e);
        if (r == ESME_EMPTY) {
            continue;
        }
        if (r != ESME_OK) {
            return NULL;
        }
        if (esme_event_get_kind(e) == kind &&
            (kind != ESME_EVENT_OUTCOME || ticket == 0 || esme_event_ticket(e) == ticket)) {
            return e;
        }
        if (skipped != NULL) {
            (*skipped)++;
        }
        esme_event_free(e);
    }
    return NULL;
}

#endif
