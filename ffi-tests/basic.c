/* basic: the C API end to end against `esme smsc`.
 *   basic PORT            (PORT: an `esme smsc` listening on 127.0.0.1)
 * Version macros vs the library, result texts, a configuration error naming the option,
 * connect, blocking and async submits, a long UCS-2 text, a receipt, stats, close, free. */
#include "common.h"

static const uint32_t ALL_RESULTS[] = {
    ESME_OK, ESME_EMPTY, ESME_ERR_USAGE, ESME_ERR_ENCODE, ESME_ERR_TEXT, ESME_ERR_CLOSED,
    ESME_ERR_WINDOW_FULL, ESME_ERR_CONFIG, ESME_ERR_PII, ESME_ERR_NULL, ESME_ERR_INVALID_HANDLE,
    ESME_ERR_UTF8, ESME_ERR_BUFFER_TOO_SMALL, ESME_ERR_PANIC, ESME_ERR_INVALID_ARG, ESME_ERR_CONNECT,
    ESME_ERR_TIMEOUT, ESME_ERR_DISCONNECTED, ESME_ERR_TLS_CA_FILE, ESME_ERR_TLS_NO_TRUST,
    ESME_ERR_PKCS12_FILE, ESME_ERR_PKCS12_FORMAT, ESME_ERR_PKCS12_FILE_PASSWORD,
    ESME_ERR_PKCS12_KEY_PASSWORD, ESME_ERR_PKCS12_UNSUPPORTED, ESME_ERR_PKCS12_NO_KEY,
    ESME_ERR_PKCS12_NO_CERTIFICATE, ESME_ERR_PKCS12_KEY_MISMATCH, ESME_ERR_PKCS12_ALIAS,
    ESME_ERR_PKCS12_OTHER, ESME_ERR_TLS_CLIENT_CERT_DATES, ESME_ERR_TLS_UNKNOWN_ISSUER,
    ESME_ERR_TLS_EXPIRED, ESME_ERR_TLS_NOT_YET_VALID, ESME_ERR_TLS_WRONG_NAME,
    ESME_ERR_TLS_SELF_SIGNED, ESME_ERR_TLS_UNTRUSTED, ESME_ERR_TLS_CLIENT_CERT_REJECTED,
    ESME_ERR_TLS_VERSION, ESME_ERR_TLS_NOT_TLS, ESME_ERR_TLS_PLAIN_TO_TLS,
    ESME_ERR_TLS_HANDSHAKE, ESME_ERR_TLS_SETUP, ESME_ERR_TLS_CLIENT_CERT_REQUIRED,
    ESME_ERR_FRAME, ESME_ERR_DECODE, ESME_ERR_PDU, ESME_ERR_RECEIPT, ESME_ERR_BIND_REFUSED,
};

static void test_version(void) {
    char expected[64];
    const char *v = esme_version();
    CHECK(v != NULL);
    snprintf(expected, sizeof expected, "%d.%d.%d", ESME_VERSION_MAJOR, ESME_VERSION_MINOR,
             ESME_VERSION_PATCH);
    CHECK(v != NULL && strcmp(v, expected) == 0);
    if (v != NULL && strcmp(v, expected) != 0) {
        fprintf(stderr, "header says %s, library says %s\n", expected, v);
    }
    CHECK(esme_version() == v); /* static: the same pointer every time */
}

static void test_result_texts(void) {
    size_t i, j, n = sizeof ALL_RESULTS / sizeof ALL_RESULTS[0];
    uint32_t k;
    int distinct = 1, named = 1, complete = 1;
    for (i = 0; i < n; i++) {
        const char *s = esme_result_str(ALL_RESULTS[i]);
        if (s == NULL || s[0] == '\0' || strcmp(s, "unknown result") == 0) {
            fprintf(stderr, "result %u has no text\n", (unsigned)ALL_RESULTS[i]);
            named = 0;
            continue;
        }
        for (j = 0; j < i; j++) {
            if (strcmp(s, esme_result_str(ALL_RESULTS[j])) == 0) {
                fprintf(stderr, "results %u and %u share the text '%s'\n",
                        (unsigned)ALL_RESULTS[i], (unsigned)ALL_RESULTS[j], s);
                distinct = 0;
            }
        }
    }
    CHECK(named);
    CHECK(distinct);
    /* The list is complete: no other number below 1000 has a text. (The Rust tests check the
     * header's enum against the library's table, src/ffi/result.rs.) */
    for (k = 0; k < 1000; k++) {
        int listed = 0;
        for (i = 0; i < n; i++) {
            listed |= ALL_RESULTS[i] == k;
        }
        if (!listed && strcmp(esme_result_str(k), "unknown result") != 0) {
            fprintf(stderr, "result %u has a text but is not in ALL_RESULTS\n", (unsigned)k);
            complete = 0;
        }
    }
    CHECK(complete);
    CHECK(strcmp(esme_result_str(ESME_OK), "ok") == 0);
    CHECK(strcmp(esme_result_str(ESME_ERR_BIND_REFUSED), "the SMSC refused the bind") == 0);
    /* Numbers between the bands, and far out, are unknown (never NULL). */
    CHECK(strcmp(esme_result_str(2), "unknown result") == 0);
    CHECK(strcmp(esme_result_str(107), "unknown result") == 0);
    CHECK(strcmp(esme_result_str(999), "unknown result") == 0);
    CHECK(strcmp(esme_result_str(0xFFFFFFFFu), "unknown result") == 0);
    /* The bands are part of the ABI. */
    CHECK(ESME_ERR_USAGE == 100 && ESME_ERR_CONNECT == 201 && ESME_ERR_TLS_CA_FILE == 301 &&
          ESME_ERR_FRAME == 401 && ESME_ERR_BIND_REFUSED == 501);
}

static void test_config_error(void) {
    esme_config *cfg = NULL;
    char buf[1024];
    size_t needed = 0;
    CHECK_RC(esme_config_new(&cfg), ESME_OK);
    CHECK_RC(esme_config_set(cfg, "x-smpp-hots", "127.0.0.1"), ESME_ERR_CONFIG);
    CHECK_RC(esme_last_error(buf, sizeof buf, &needed), ESME_OK);
    CHECK(needed == strlen(buf) + 1);
    CHECK(strstr(buf, "x-smpp-hots") != NULL);      /* names the option */
    CHECK(strstr(buf, "'x-smpp-host'") != NULL);    /* and suggests the right one */
    printf("config error: %s\n", buf);
    /* A bad value names the option and what is valid. */
    CHECK_RC(esme_config_set(cfg, "x-smpp-submit-window-size", "0"), ESME_ERR_CONFIG);
    last_error(buf, sizeof buf);
    CHECK(strstr(buf, "x-smpp-submit-window-size") != NULL);
    /* A secret's value never appears. */
    CHECK_RC(esme_config_set(cfg, "password", "far-too-long-password"), ESME_ERR_CONFIG);
    last_error(buf, sizeof buf);
    CHECK(strstr(buf, "far-too-long-password") == NULL);
    /* Missing required options are reported at connect. */
    {
        esme_client *c = NULL;
        CHECK_RC(esme_client_connect(cfg, &c), ESME_ERR_CONFIG);
        CHECK(c == NULL);
        last_error(buf, sizeof buf);
        CHECK(strstr(buf, "x-smpp-host") != NULL || strstr(buf, "x-smpp-system-id") != NULL);
    }
    esme_config_free(cfg);
}

/* 150 Cyrillic letters (2 UTF-8 octets each): UCS-2, 3 parts of at most 67. */
static void long_text(char *buf, size_t len) {
    size_t i;
    for (i = 0; i < 150 && 2 * i + 2 < len; i++) {
        buf[2 * i] = (char)0xD0;
        buf[2 * i + 1] = (char)(0x90 + i % 32); /* А … Я */
    }
    buf[2 * i] = '\0';
}

int main(int argc, char **argv) {
    esme_config *cfg;
    esme_client *c = NULL;
    esme_outcome o;
    esme_message m;
    esme_stats st;
    esme_connection_state state = ESME_STATE_NONE;
    uint64_t ticket = 0;
    char text[400], first_id[1024];
    esme_event *e;

    test_start(120);
    test_version();
    test_result_texts();
    test_config_error();
    if (argc < 2) {
        fprintf(stderr, "usage: basic PORT (an esme smsc on 127.0.0.1)\n");
        count_result(0);
        return finish();
    }

    cfg = test_config(argv[1], "esme01");
    REQUIRE(cfg != NULL);
    CHECK_RC(esme_client_connect(cfg, &c), ESME_OK);
    REQUIRE(c != NULL);
    CHECK_RC(esme_client_state(c, &state), ESME_OK);
    CHECK(state == ESME_STATE_BOUND);
    /* The first event says we are bound, with the SMSC's system_id as text. */
    e = poll_for(c, ESME_EVENT_CONNECTION, 0, 5, NULL);
    CHECK(e != NULL && esme_event_connection(e) == ESME_STATE_BOUND);
    CHECK(e != NULL && esme_event_text(e).ptr != NULL && esme_event_text(e).len > 0);
    esme_event_free(e);

    /* Blocking submit, with a receipt. */
    memset(&o, 0xAB, sizeof o);
    m = text_message("447700900123", "Hello from C", ESME_MSG_RECEIPT);
    CHECK_RC(esme_client_submit(c, &m, &o), ESME_OK);
    CHECK(o.kind == ESME_ACCEPTED);
    CHECK(o.parts == 1 && o.truncated == 0 && o.command_status == 0);
    CHECK(o.message_ids[0] != '\0' && strchr(o.message_ids, ',') == NULL);
    CHECK(o.why[0] == '\0');
    printf("blocking submit: accepted, id %s\n", o.message_ids);
    snprintf(first_id, sizeof first_id, "%s", o.message_ids);

    /* The receipt for it (asked with ESME_MSG_RECEIPT). */
    e = poll_for(c, ESME_EVENT_RECEIPT, 0, 10, NULL);
    CHECK(e != NULL);
    if (e != NULL) {
        esme_receipt r;
        CHECK_RC(esme_event_receipt(e, &r), ESME_OK);
        CHECK(r.id.ptr != NULL && r.id.len == strlen(r.id.ptr));
        CHECK(r.id.ptr != NULL && esme_receipt_ids_match(first_id, r.id.ptr) == 1);
        CHECK(r.state == 2 && r.is_final == 1); /* DELIVERED */
        CHECK(esme_event_text(e).ptr != NULL && strstr(esme_event_text(e).ptr, "stat:") != NULL);
        CHECK(esme_event_from(e).ptr != NULL &&
              strcmp(esme_event_from(e).ptr, "447700900123") == 0);
        printf("receipt: id %s state %u final %u err %lld\n", r.id.ptr ? r.id.ptr : "?",
               r.state, r.is_final, (long long)r.err);
        esme_event_free(e);
    }

    /* Async submit: the outcome arrives as an event with the same ticket. */
    m = text_message("447700900124", "Async hello", 0);
    CHECK_RC(esme_client_submit_async(c, &m, &ticket), ESME_OK);
    CHECK(ticket != 0);
    e = poll_for(c, ESME_EVENT_OUTCOME, ticket, 10, NULL);
    CHECK(e != NULL);
    if (e != NULL) {
        CHECK(esme_event_ticket(e) == ticket);
        memset(&o, 0, sizeof o);
        CHECK_RC(esme_event_outcome(e, &o), ESME_OK);
        CHECK(o.kind == ESME_ACCEPTED && o.parts == 1);
        /* Not a receipt, not a message. */
        {
            esme_receipt r;
            CHECK_RC(esme_event_receipt(e, &r), ESME_ERR_USAGE);
        }
        CHECK(esme_event_from(e).ptr == NULL && esme_event_connection(e) == ESME_STATE_NONE);
        printf("async submit: ticket %llu accepted, id %s\n", (unsigned long long)ticket,
               o.message_ids);
        esme_event_free(e);
    }
    /* try_submit_async with an empty window. */
    m = text_message("447700900125", "Try async", 0);
    ticket = 0;
    CHECK_RC(esme_client_try_submit_async(c, &m, &ticket), ESME_OK);
    e = poll_for(c, ESME_EVENT_OUTCOME, ticket, 10, NULL);
    CHECK(e != NULL);
    esme_event_free(e);

    /* A long UCS-2 text: one submit, one outcome, one id per part. */
    long_text(text, sizeof text);
    m = text_message("447700900126", text, 0);
    CHECK_RC(esme_client_submit(c, &m, &o), ESME_OK);
    CHECK(o.kind == ESME_ACCEPTED);
    CHECK(o.parts > 1);
    CHECK(o.parts == 3);
    {
        unsigned commas = 0;
        const char *p;
        for (p = o.message_ids; *p; p++) {
            commas += *p == ',';
        }
        CHECK(commas + 1 == o.parts);
    }
    printf("long UCS-2 text: %u parts, ids %s\n", o.parts, o.message_ids);

    /* Stats. */
    memset(&st, 0xFF, sizeof st);
    CHECK_RC(esme_client_stats(c, &st), ESME_OK);
    CHECK(st.submitted == 4 && st.accepted == 4);
    CHECK(st.rejected == 0 && st.unknown == 0 && st.not_sent == 0);
    CHECK(st.parts_sent == 6 && st.in_flight == 0);
    CHECK(st.bytes_in > 0 && st.bytes_out > 0);
    CHECK(st.receipts_received >= 1);
    CHECK(st.latency_p50_us > 0 && st.latency_p99_us >= st.latency_p50_us);
    printf("stats: submitted %llu accepted %llu parts %llu p50 %llu us\n",
           (unsigned long long)st.submitted, (unsigned long long)st.accepted,
           (unsigned long long)st.parts_sent, (unsigned long long)st.latency_p50_us);

    /* Reload: a configuration that fails validation changes nothing and says why; a
     * good one (two binds, another window) makes new binds and drains the old one. */
    {
        esme_config *bad = test_config(argv[1], "esme01");
        esme_config *two = test_config(argv[1], "esme01");
        char why[512] = "";
        REQUIRE(bad != NULL && two != NULL);
        CHECK_RC(esme_config_set(bad, "x-smpp-tls-mode", "mutual"), ESME_OK);
        CHECK_RC(esme_client_reload(c, bad), ESME_ERR_CONFIG);
        esme_last_error(why, sizeof why, NULL);
        CHECK(strstr(why, "x-smpp-tls-path-to-certificate") != NULL);
        CHECK_RC(esme_client_reload(c, NULL), ESME_ERR_NULL);
        CHECK_RC(esme_config_set(two, "x-smpp-sessions", "2"), ESME_OK);
        CHECK_RC(esme_config_set(two, "x-smpp-submit-window-size", "5"), ESME_OK);
        CHECK_RC(esme_client_reload(c, two), ESME_OK);
        m = text_message("447700900123", "after the reload", 0);
        CHECK_RC(esme_client_submit(c, &m, &o), ESME_OK);
        CHECK(o.kind == ESME_ACCEPTED);
        CHECK_RC(esme_client_state(c, &state), ESME_OK);
        CHECK(state == ESME_STATE_BOUND);
        printf("reload: %s\n", why);
        esme_config_free(bad);
        esme_config_free(two);
    }

    /* Close: the handle stays valid for state, stats and draining events. */
    CHECK_RC(esme_client_close(c), ESME_OK);
    CHECK_RC(esme_client_state(c, &state), ESME_OK);
    CHECK(state == ESME_STATE_CLOSED);
    CHECK_RC(esme_client_stats(c, &st), ESME_OK);
    CHECK(st.submitted == 5);
    {
        int closed_seen = 0;
        while (esme_client_poll(c, 200, &e) == ESME_OK) {
            if (esme_event_get_kind(e) == ESME_EVENT_CONNECTION &&
                esme_event_connection(e) == ESME_STATE_CLOSED) {
                closed_seen = 1;
            }
            esme_event_free(e);
        }
        CHECK(closed_seen);
    }
    esme_client_free(c);
    CHECK_RC(esme_client_state(c, &state), ESME_ERR_INVALID_HANDLE);
    esme_config_free(cfg);
    return finish();
}
