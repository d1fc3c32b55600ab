/* misuse: every way a C caller can hold the API wrong gets a documented result, never a
 * crash.
 *   misuse PORT           (PORT: an `esme smsc` listening on 127.0.0.1)
 * NULL for every pointer argument of every function, double frees, made-up handles, close
 * twice, submit after close, a buffer too small for the error text, invalid UTF-8, the log
 * callback's levels and removal; a body_len no message can have, an event freed twice, the
 * thread's last error after successes and after ESME_ERR_BUFFER_TOO_SMALL. */
#include "common.h"

#include <stdint.h>

/* Not a handle esme ever returns (esme's handles are multiples of 16). */
#define BOGUS_CLIENT ((esme_client *)(uintptr_t)0xDEADBEEFu)
#define BOGUS_CONFIG ((esme_config *)(uintptr_t)0xDEADBEE1u)

static void null_arguments(esme_config *cfg, esme_client *c) {
    esme_message m = text_message("447700900123", "x", 0);
    esme_outcome o;
    esme_stats st;
    esme_connection_state s;
    esme_event *e = NULL;
    esme_config *cfg_out = NULL;
    esme_client *c_out = NULL;
    esme_receipt r;
    uint64_t t;
    char buf[256];
    size_t needed = 0;
    esme_str str;
    esme_bytes bytes;

    /* Functions without a handle. */
    CHECK(esme_result_str(ESME_ERR_NULL) != NULL);
    CHECK_RC(esme_last_error(NULL, 0, &needed), ESME_ERR_BUFFER_TOO_SMALL); /* size query */
    CHECK(needed >= 1);
    CHECK_RC(esme_last_error(NULL, 0, NULL), ESME_ERR_BUFFER_TOO_SMALL);
    CHECK_RC(esme_last_error(NULL, 100, NULL), ESME_ERR_BUFFER_TOO_SMALL);
    CHECK_RC(esme_last_error(buf, sizeof buf, NULL), ESME_OK);
    CHECK_RC(esme_config_new(NULL), ESME_ERR_NULL);
    CHECK_RC(esme_last_error(buf, sizeof buf, NULL), ESME_OK);
    CHECK(strstr(buf, "out") != NULL); /* names the argument */
    CHECK_RC(esme_config_set(NULL, "x-smpp-host", "h"), ESME_ERR_NULL);
    CHECK_RC(esme_config_set(cfg, NULL, "h"), ESME_ERR_NULL);
    CHECK_RC(esme_config_set(cfg, "x-smpp-host", NULL), ESME_ERR_NULL);
    CHECK_RC(esme_config_load_file(NULL, "/nonexistent"), ESME_ERR_NULL);
    CHECK_RC(esme_config_load_file(cfg, NULL), ESME_ERR_NULL);
    esme_config_free(NULL);
    CHECK_RC(esme_client_connect(NULL, &c_out), ESME_ERR_NULL);
    CHECK(c_out == NULL);
    CHECK_RC(esme_client_connect(cfg, NULL), ESME_ERR_NULL);
    CHECK(esme_receipt_ids_match(NULL, "1") == 0);
    CHECK(esme_receipt_ids_match("1", NULL) == 0);
    CHECK(esme_receipt_ids_match(NULL, NULL) == 0);

    /* Client functions: NULL client, then NULL for each other pointer. */
    CHECK_RC(esme_client_close(NULL), ESME_ERR_NULL);
    CHECK_RC(esme_client_reload(NULL, NULL), ESME_ERR_NULL);
    esme_client_free(NULL);
    CHECK_RC(esme_client_submit(NULL, &m, &o), ESME_ERR_NULL);
    CHECK_RC(esme_client_submit(c, NULL, &o), ESME_ERR_NULL);
    CHECK_RC(esme_client_submit(c, &m, NULL), ESME_ERR_NULL);
    CHECK_RC(esme_client_submit_async(NULL, &m, &t), ESME_ERR_NULL);
    CHECK_RC(esme_client_submit_async(c, NULL, &t), ESME_ERR_NULL);
    CHECK_RC(esme_client_try_submit_async(NULL, &m, &t), ESME_ERR_NULL);
    CHECK_RC(esme_client_try_submit_async(c, NULL, &t), ESME_ERR_NULL);
    CHECK_RC(esme_client_last_error(NULL, buf, sizeof buf, &needed), ESME_ERR_NULL);
    CHECK_RC(esme_client_last_error(c, NULL, 0, &needed), ESME_ERR_BUFFER_TOO_SMALL);
    CHECK_RC(esme_client_last_error(c, NULL, 0, NULL), ESME_ERR_BUFFER_TOO_SMALL);
    CHECK_RC(esme_client_last_error(c, buf, sizeof buf, NULL), ESME_OK);
    CHECK(strstr(buf, "message is NULL") != NULL); /* the last failure on this client */
    CHECK_RC(esme_client_state(NULL, &s), ESME_ERR_NULL);
    CHECK_RC(esme_client_state(c, NULL), ESME_ERR_NULL);
    CHECK_RC(esme_client_stats(NULL, &st), ESME_ERR_NULL);
    CHECK_RC(esme_client_stats(c, NULL), ESME_ERR_NULL);
    CHECK_RC(esme_client_poll(NULL, 0, &e), ESME_ERR_NULL);
    CHECK_RC(esme_client_poll(c, 0, NULL), ESME_ERR_NULL);
    CHECK(e == NULL);

    /* Message fields. */
    m.to = NULL;
    CHECK_RC(esme_client_submit(c, &m, &o), ESME_ERR_NULL);
    CHECK_RC(esme_client_submit_async(c, &m, &t), ESME_ERR_NULL);
    CHECK_RC(esme_last_error(buf, sizeof buf, NULL), ESME_OK);
    CHECK(strstr(buf, "message.to") != NULL);
    m = text_message("447700900123", "x", 0);
    m.body = NULL; /* with body_len 1 */
    CHECK_RC(esme_client_submit(c, &m, &o), ESME_ERR_NULL);
    m.body_len = 0; /* NULL body, length 0: an empty message, which is refused or sent */
    {
        esme_result r0 = esme_client_submit(c, &m, &o);
        CHECK(r0 == ESME_OK || r0 == ESME_ERR_USAGE || r0 == ESME_ERR_TEXT);
    }
    m = text_message("447700900123", "no from is fine", 0);
    m.from = NULL;
    CHECK_RC(esme_client_submit(c, &m, &o), ESME_OK);
    CHECK(o.kind == ESME_ACCEPTED);
    /* A NULL ticket is allowed: the outcome still comes as an event. */
    CHECK_RC(esme_client_submit_async(c, &m, NULL), ESME_OK);
    e = poll_for(c, ESME_EVENT_OUTCOME, 0, 10, NULL);
    CHECK(e != NULL);

    /* Event functions with NULL. */
    esme_event_free(NULL);
    CHECK(esme_event_get_kind(NULL) == ESME_EVENT_NONE);
    CHECK(esme_event_ticket(NULL) == 0);
    CHECK_RC(esme_event_outcome(NULL, &o), ESME_ERR_NULL);
    CHECK_RC(esme_event_outcome(e, NULL), ESME_ERR_NULL);
    str = esme_event_from(NULL);
    CHECK(str.ptr == NULL && str.len == 0);
    str = esme_event_to(NULL);
    CHECK(str.ptr == NULL && str.len == 0);
    str = esme_event_text(NULL);
    CHECK(str.ptr == NULL && str.len == 0);
    bytes = esme_event_body(NULL);
    CHECK(bytes.ptr == NULL && bytes.len == 0);
    CHECK(esme_event_connection(NULL) == ESME_STATE_NONE);
    CHECK_RC(esme_event_receipt(NULL, &r), ESME_ERR_NULL);
    CHECK_RC(esme_event_receipt(e, NULL), ESME_ERR_NULL);
    CHECK_RC(esme_event_receipt(e, &r), ESME_ERR_USAGE); /* wrong kind */
    esme_event_free(e);
    (void)cfg_out;
}

static void made_up_handles(void) {
    esme_message m = text_message("447700900123", "x", 0);
    esme_outcome o;
    esme_stats st;
    esme_connection_state s;
    esme_event *e = NULL;
    esme_client *c = NULL;
    char buf[256];
    uint64_t t;
    CHECK_RC(esme_client_close(BOGUS_CLIENT), ESME_ERR_INVALID_HANDLE);
    CHECK_RC(esme_client_reload(BOGUS_CLIENT, NULL), ESME_ERR_INVALID_HANDLE);
    CHECK_RC(esme_client_submit(BOGUS_CLIENT, &m, &o), ESME_ERR_INVALID_HANDLE);
    CHECK_RC(esme_client_submit_async(BOGUS_CLIENT, &m, &t), ESME_ERR_INVALID_HANDLE);
    CHECK_RC(esme_client_try_submit_async(BOGUS_CLIENT, &m, &t), ESME_ERR_INVALID_HANDLE);
    CHECK_RC(esme_client_state(BOGUS_CLIENT, &s), ESME_ERR_INVALID_HANDLE);
    CHECK_RC(esme_client_stats(BOGUS_CLIENT, &st), ESME_ERR_INVALID_HANDLE);
    CHECK_RC(esme_client_poll(BOGUS_CLIENT, 0, &e), ESME_ERR_INVALID_HANDLE);
    CHECK(e == NULL);
    CHECK_RC(esme_client_last_error(BOGUS_CLIENT, buf, sizeof buf, NULL),
             ESME_ERR_INVALID_HANDLE);
    CHECK_RC(esme_last_error(buf, sizeof buf, NULL), ESME_OK);
    CHECK(strstr(buf, "not a live handle") != NULL);
    esme_client_free(BOGUS_CLIENT);
    CHECK_RC(esme_config_set(BOGUS_CONFIG, "x-smpp-host", "h"), ESME_ERR_INVALID_HANDLE);
    CHECK_RC(esme_config_load_file(BOGUS_CONFIG, "/nonexistent"), ESME_ERR_INVALID_HANDLE);
    CHECK_RC(esme_client_connect(BOGUS_CONFIG, &c), ESME_ERR_INVALID_HANDLE);
    CHECK(c == NULL);
    esme_config_free(BOGUS_CONFIG);
    /* A client handle is never a config handle and the other way round. */
    {
        esme_config *cfg = NULL;
        CHECK_RC(esme_config_new(&cfg), ESME_OK);
        CHECK_RC(esme_client_close((esme_client *)(void *)cfg), ESME_ERR_INVALID_HANDLE);
        esme_client_free((esme_client *)(void *)cfg);
        CHECK_RC(esme_config_set(cfg, "x-smpp-host", "h"), ESME_OK); /* still alive */
        esme_config_free(cfg);
        esme_config_free(cfg); /* double free: nothing */
        CHECK_RC(esme_config_set(cfg, "x-smpp-host", "h"), ESME_ERR_INVALID_HANDLE);
    }
}

static void bad_strings(esme_client *c) {
    esme_config *cfg = NULL;
    esme_message m = text_message("447700900123", "", 0);
    esme_outcome o;
    uint64_t t;
    char buf[256];
    static const uint8_t bad_utf8[] = {'o', 'k', 0xC3, 0x28, 'x'}; /* broken 2-octet seq */
    static const uint8_t octets[] = {0x00, 0xFF, 0xC3, 0x28};
    m.body = bad_utf8;
    m.body_len = sizeof bad_utf8;
    CHECK_RC(esme_client_submit(c, &m, &o), ESME_ERR_UTF8);
    CHECK_RC(esme_last_error(buf, sizeof buf, NULL), ESME_OK);
    CHECK(strstr(buf, "UTF-8") != NULL && strstr(buf, "octet 2") != NULL);
    CHECK(strstr(buf, "ESME_MSG_BINARY") != NULL); /* the hint */
    CHECK_RC(esme_client_submit_async(c, &m, &t), ESME_ERR_UTF8);
    CHECK_RC(esme_client_try_submit_async(c, &m, &t), ESME_ERR_UTF8);
    /* The same octets as binary are fine. */
    m.body = octets;
    m.body_len = sizeof octets;
    m.flags = ESME_MSG_BINARY;
    CHECK_RC(esme_client_submit(c, &m, &o), ESME_OK);
    CHECK(o.kind == ESME_ACCEPTED);
    /* Invalid UTF-8 in addresses and configuration strings. */
    m = text_message("4477\xff", "x", 0);
    CHECK_RC(esme_client_submit(c, &m, &o), ESME_ERR_UTF8);
    CHECK_RC(esme_config_new(&cfg), ESME_OK);
    CHECK_RC(esme_config_set(cfg, "x-smpp-host\xc3", "h"), ESME_ERR_UTF8);
    CHECK_RC(esme_config_set(cfg, "x-smpp-host", "h\xc3"), ESME_ERR_UTF8);
    CHECK_RC(esme_config_load_file(cfg, "/tmp/\xff"), ESME_ERR_UTF8);
    /* A message field breaking an SMPP rule. */
    m = text_message("123456789012345678901234567890", "x", 0); /* 30 > 20 characters */
    CHECK_RC(esme_client_submit(c, &m, &o), ESME_ERR_ENCODE);
    /* A file that is not there. */
    CHECK_RC(esme_config_load_file(cfg, "/nonexistent/esme.cfg"), ESME_ERR_CONFIG);
    CHECK_RC(esme_last_error(buf, sizeof buf, NULL), ESME_OK);
    CHECK(strstr(buf, "/nonexistent/esme.cfg") != NULL);
    esme_config_free(cfg);
}

static void small_buffers(void) {
    esme_config *cfg = NULL;
    char buf[512], tiny[4];
    size_t needed = 0, full;
    CHECK_RC(esme_config_new(&cfg), ESME_OK);
    CHECK_RC(esme_config_set(cfg, "x-smpp-hots", "h"), ESME_ERR_CONFIG);
    CHECK_RC(esme_last_error(buf, sizeof buf, &needed), ESME_OK);
    full = strlen(buf) + 1;
    CHECK(needed == full);
    memset(tiny, 'Z', sizeof tiny);
    needed = 0;
    CHECK_RC(esme_last_error(tiny, sizeof tiny, &needed), ESME_ERR_BUFFER_TOO_SMALL);
    CHECK(needed == full);
    CHECK(tiny[0] == 'Z' && tiny[3] == 'Z'); /* nothing written */
    needed = 0;
    CHECK_RC(esme_last_error(buf, full - 1, &needed), ESME_ERR_BUFFER_TOO_SMALL); /* no NUL room */
    CHECK(needed == full);
    CHECK_RC(esme_last_error(buf, full, &needed), ESME_OK); /* exactly enough */
    CHECK(strlen(buf) + 1 == full);
    /* Asking for the text does not change it. */
    CHECK_RC(esme_last_error(buf, sizeof buf, &needed), ESME_OK);
    CHECK(needed == full && strstr(buf, "x-smpp-hots") != NULL);
    esme_config_free(cfg);
}

/* What used to slip through the boundary (issue 16), each clean under ASan. */
static void boundary_holes(esme_client *c) {
    static const uint8_t hi[] = {'h', 'i'};
    esme_message m = text_message("447700900123", "x", 0);
    esme_outcome o;
    esme_event *e = NULL;
    esme_str str;
    char buf[512], tiny[8];
    size_t needed = 0, lens[3];
    uint64_t t, attempts = 99;
    unsigned i, f;
    long err_size;
    FILE *err = tmpfile();
    int saved = dup(2);
    lens[0] = SIZE_MAX;
    lens[1] = (size_t)PTRDIFF_MAX + 1;
    lens[2] = (1u << 20) + 1;

    /* A body_len no message can have: refused before the body is read (its buffer holds 2
     * octets), as text and as binary, and nothing is printed on stderr. */
    REQUIRE_VOID(err != NULL && saved >= 0);
    fflush(stderr);
    dup2(fileno(err), 2);
    for (i = 0; i < 3; i++) {
        for (f = 0; f < 2; f++) {
            m.body = hi;
            m.body_len = lens[i];
            m.flags = f ? ESME_MSG_BINARY : 0;
            CHECK_RC(esme_client_submit(c, &m, &o), ESME_ERR_INVALID_ARG);
            CHECK_RC(esme_client_submit_async(c, &m, &t), ESME_ERR_INVALID_ARG);
            CHECK_RC(esme_last_error(buf, sizeof buf, NULL), ESME_OK);
            CHECK(strstr(buf, "message.body_len is ") != NULL);
        }
    }
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    fseek(err, 0, SEEK_END);
    err_size = ftell(err);
    CHECK(err_size == 0);
    fclose(err);

    /* The thread's last error follows every call: cleared by a success. */
    m = text_message("447700900123", "after the holes", 0);
    CHECK_RC(esme_client_submit(c, &m, &o), ESME_OK);
    CHECK_RC(esme_last_error(buf, sizeof buf, &needed), ESME_OK);
    CHECK(needed == 1 && buf[0] == 0);
    /* ESME_ERR_BUFFER_TOO_SMALL has its own text; the client's last failure stays. */
    CHECK_RC(esme_client_last_error(c, tiny, sizeof tiny, &needed), ESME_ERR_BUFFER_TOO_SMALL);
    CHECK(needed > sizeof tiny);
    CHECK_RC(esme_last_error(buf, sizeof buf, NULL), ESME_OK);
    CHECK(strstr(buf, "too small") != NULL);
    CHECK_RC(esme_client_last_error(c, buf, sizeof buf, NULL), ESME_OK);
    CHECK(strstr(buf, "body_len") != NULL);

    /* An event freed twice, then used: harmless. */
    CHECK_RC(esme_client_submit_async(c, &m, &t), ESME_OK);
    e = poll_for(c, ESME_EVENT_OUTCOME, t, 10, NULL);
    REQUIRE_VOID(e != NULL);
    CHECK(esme_event_ticket(e) == t);
    esme_event_free(e);
    esme_event_free(e);
    CHECK(esme_event_get_kind(e) == ESME_EVENT_NONE);
    CHECK(esme_event_ticket(e) == 0);
    str = esme_event_text(e);
    CHECK(str.ptr == NULL && str.len == 0);
    CHECK_RC(esme_event_outcome(e, &o), ESME_ERR_INVALID_HANDLE);
    CHECK_RC(esme_last_error(buf, sizeof buf, NULL), ESME_OK);
    CHECK(strstr(buf, "event is not a live handle") != NULL);

    /* Reconnect attempts: none yet. */
    CHECK_RC(esme_client_reconnect_attempts(c, &attempts), ESME_OK);
    CHECK(attempts == 0);
    CHECK_RC(esme_client_reconnect_attempts(c, NULL), ESME_ERR_NULL);
    CHECK_RC(esme_client_reconnect_attempts(BOGUS_CLIENT, &attempts), ESME_ERR_INVALID_HANDLE);
    printf("boundary holes: body_len refused, %ld octets on stderr, double free harmless\n",
           err_size);
}

/* The log callback's installation, levels and removal. This callback reads only the level
 * and the userdata: the record's strings are the subject of log_callback.c. */
static int g_log_records, g_log_by_level[5], g_log_bad;

static void count_levels(void *userdata, const esme_log_record *r) {
    if (userdata != (void *)&g_log_records || r == NULL || r->level < ESME_LOG_ERROR ||
        r->level > ESME_LOG_DEBUG) {
        __sync_fetch_and_add(&g_log_bad, 1);
        return;
    }
    __sync_fetch_and_add(&g_log_records, 1);
    __sync_fetch_and_add(&g_log_by_level[r->level], 1);
}

static void log_levels(esme_config *cfg) {
    esme_client *c = NULL;
    int before;
    /* A level outside ESME_LOG_ERROR … ESME_LOG_DEBUG is refused. */
    CHECK_RC(esme_set_log_callback(count_levels, &g_log_records, (esme_log_level)0), ESME_ERR_USAGE);
    CHECK_RC(esme_set_log_callback(count_levels, &g_log_records, (esme_log_level)99), ESME_ERR_USAGE);
    CHECK_RC(esme_set_log_callback(count_levels, &g_log_records, ESME_LOG_INFO), ESME_OK);
    CHECK_RC(esme_client_connect(cfg, &c), ESME_OK);
    CHECK_RC(esme_client_close(c), ESME_OK);
    esme_client_free(c);
    CHECK(g_log_bad == 0);
    CHECK(g_log_by_level[ESME_LOG_INFO] >= 2); /* bound, closed */
    CHECK(g_log_by_level[ESME_LOG_DEBUG] == 0); /* below min_level */
    CHECK_RC(esme_set_log_callback(NULL, NULL, ESME_LOG_DEBUG), ESME_OK); /* removed */
    before = g_log_records;
    CHECK_RC(esme_client_connect(cfg, &c), ESME_OK);
    esme_client_free(c);
    CHECK(g_log_records == before);
    printf("log callback: %d records at INFO while installed, none after removal\n",
           g_log_by_level[ESME_LOG_INFO]);
}

int main(int argc, char **argv) {
    esme_config *cfg;
    esme_client *c = NULL;
    esme_message m = text_message("447700900123", "after close", 0);
    esme_outcome o;
    uint64_t t;
    esme_connection_state s;

    test_start(120);
    if (argc < 2) {
        fprintf(stderr, "usage: misuse PORT (an esme smsc on 127.0.0.1)\n");
        count_result(0);
        return finish();
    }
    small_buffers();
    made_up_handles();
    cfg = test_config(argv[1], "esme-misuse");
    REQUIRE(cfg != NULL);
    CHECK_RC(esme_client_connect(cfg, &c), ESME_OK);
    REQUIRE(c != NULL);
    null_arguments(cfg, c);
    log_levels(cfg);
    bad_strings(c);
    boundary_holes(c);

    /* Close twice, submit after close. */
    CHECK_RC(esme_client_close(c), ESME_OK);
    CHECK_RC(esme_client_close(c), ESME_OK);
    {
        esme_result r = esme_client_submit(c, &m, &o);
        CHECK(r == ESME_ERR_CLOSED || r == ESME_ERR_INVALID_HANDLE);
        r = esme_client_submit_async(c, &m, &t);
        CHECK(r == ESME_ERR_CLOSED || r == ESME_ERR_INVALID_HANDLE);
        r = esme_client_try_submit_async(c, &m, &t);
        CHECK(r == ESME_ERR_CLOSED || r == ESME_ERR_INVALID_HANDLE);
    }
    CHECK_RC(esme_client_state(c, &s), ESME_OK);
    CHECK(s == ESME_STATE_CLOSED);
    /* Double free of the client; every later call says the handle is gone. */
    esme_client_free(c);
    esme_client_free(c);
    CHECK_RC(esme_client_close(c), ESME_ERR_INVALID_HANDLE);
    CHECK_RC(esme_client_submit(c, &m, &o), ESME_ERR_INVALID_HANDLE);
    CHECK_RC(esme_client_state(c, &s), ESME_ERR_INVALID_HANDLE);
    /* The configuration outlives its clients and can connect again. */
    CHECK_RC(esme_client_connect(cfg, &c), ESME_OK);
    esme_client_free(c);
    esme_config_free(cfg);
    esme_config_free(cfg);
    return finish();
}
