/* correlate: per-message user data back with each outcome and receipt, waited for on the
 * client's event descriptor, against node-smpp's SMSC (tests/interop/smsc.js), which
 * sends a receipt for every submit that asks for one.
 *   correlate PORT FIFO
 * 1. 4 threads submit 2500 messages each (submit_async_with, user data = a malloc'd job);
 *    the main thread waits on esme_client_event_fd with poll(2) and drains the events:
 *    every outcome and every receipt must carry its job, receipts must match the outcome's
 *    message id, and each job is freed at the one event that releases it (LeakSanitizer
 *    fails the test if one is never released, ASan if one is used after).
 *    Events that arrive before submit_async_with returned are counted and printed.
 * 2. Level semantics of the descriptor: readable while events wait, not once drained.
 * 3. A receipt after a reconnect still matches; one for an unknown id arrives unmatched.
 * 4. No receipt within the correlation window: ESME_EVENT_RELEASED with the user data;
 *    close releases what is left, before ESME_STATE_CLOSED.
 * 5. Close with 40 messages unanswered: every outcome is still pollable, with user data.
 * The event switch casts to `enum esme_event_kind` and handles every kind without a
 * default, so -Wswitch (in -Wall, with -Werror) fails the build when a kind is added. */
#include "common.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>

#define THREADS 4
#define PER_THREAD 2500
#define TOTAL (THREADS * PER_THREAD)

static esme_client *g_client;

struct job {
    unsigned idx;
    char id[128];     /* the outcome's message id */
    int outcome_seen;
};

static volatile int g_returned[TOTAL];  /* submit_async_with returned for job idx */
static uint64_t g_ticket[TOTAL];


static esme_submit_options opts_for(void *p) {
    esme_submit_options o;
    memset(&o, 0, sizeof o);
    o.size = sizeof o;
    o.user_data = (uint64_t)(uintptr_t)p;
    return o;
}

static void *submitter(void *arg) {
    unsigned t = (unsigned)(uintptr_t)arg, i;
    char to[32];
    for (i = 0; i < PER_THREAD; i++) {
        unsigned idx = t * PER_THREAD + i;
        struct job *j = calloc(1, sizeof *j);
        esme_message m;
        esme_submit_options o;
        uint64_t ticket = 0;
        esme_result r;
        if (j == NULL) {
            count_result(0);
            return NULL;
        }
        j->idx = idx;
        snprintf(to, sizeof to, "4477009%05u", idx);
        m = text_message(to, "correlated", ESME_MSG_RECEIPT);
        o = opts_for(j);
        r = esme_client_submit_async_with(g_client, &m, &o, &ticket);
        /* From here the job may already be freed by the poller: only the arrays. */
        if (r != ESME_OK) {
            char eb[512];
            fprintf(stderr, "submit %u: %s\n", idx, last_error(eb, sizeof eb));
            count_result(0);
            continue;
        }
        g_ticket[idx] = ticket;
        __sync_synchronize();
        g_returned[idx] = 1;
    }
    return NULL;
}

struct tally {
    int outcomes, accepted, receipts, unmatched, released, freed, other;
    int early_outcomes, early_receipts, bad;
};

/* Handles one event of the load phase. */
static void handle(esme_event *e, struct tally *t) {
    struct job *j = (struct job *)(uintptr_t)esme_event_user_data(e);
    int early = j != NULL && !g_returned[j->idx];
    switch ((enum esme_event_kind)esme_event_get_kind(e)) {
    case ESME_EVENT_OUTCOME: {
        esme_str id = esme_event_message_id(e, 0);
        t->outcomes++;
        if (j == NULL) {
            t->bad++;
            break;
        }
        t->early_outcomes += early;
        if (!early && esme_event_ticket(e) != g_ticket[j->idx]) {
            t->bad++;
        }
        if (esme_event_outcome_kind(e) == ESME_ACCEPTED && id.ptr != NULL &&
            esme_event_message_id_count(e) == 1) {
            t->accepted++;
            snprintf(j->id, sizeof j->id, "%s", id.ptr);
        }
        j->outcome_seen = 1;
        break;
    }
    case ESME_EVENT_RECEIPT: {
        esme_receipt r;
        if (!esme_event_receipt_matched(e) || j == NULL) {
            t->unmatched++;
            break;
        }
        t->receipts++;
        t->early_receipts += early;
        memset(&r, 0, sizeof r);
        /* One part: its outcome came first, and the ids match. */
        if (!j->outcome_seen || esme_event_receipt(e, &r) != ESME_OK || r.id.ptr == NULL ||
            esme_receipt_ids_match(j->id, r.id.ptr) != 1 || r.is_final != 1) {
            t->bad++;
        }
        break;
    }
    case ESME_EVENT_RELEASED:
        t->released++;
        break;
    case ESME_EVENT_NONE:
    case ESME_EVENT_MESSAGE:
    case ESME_EVENT_INCOMPLETE:
    case ESME_EVENT_ALERT:
    case ESME_EVENT_CONNECTION:
    case ESME_EVENT_WARNING:
        t->other++;
        break;
    }
    if (j != NULL && esme_event_releases_user_data(e)) {
        t->freed++;
        free(j);
    }
}

/* Whether fd is readable now. */
static int readable(int fd) {
    struct pollfd p;
    p.fd = fd;
    p.events = POLLIN;
    p.revents = 0;
    return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

static void load(int fd) {
    pthread_t th[THREADS];
    struct tally t;
    unsigned i;
    double start = now_s(), end = start + 120;
    memset(&t, 0, sizeof t);
    for (i = 0; i < THREADS; i++) {
        REQUIRE_VOID(pthread_create(&th[i], NULL, submitter, (void *)(uintptr_t)i) == 0);
    }
    /* The event loop: sleep in poll(2) on the descriptor, drain when it is readable. */
    while (t.freed < TOTAL && now_s() < end) {
        struct pollfd p;
        esme_event *e = NULL;
        p.fd = fd;
        p.events = POLLIN;
        p.revents = 0;
        if (poll(&p, 1, 1000) != 1) {
            continue;
        }
        while (esme_client_poll(g_client, 0, &e) == ESME_OK) {
            handle(e, &t);
            esme_event_free(e);
        }
        /* Drained: not readable until the next event (it may come at once). */
    }
    for (i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
    }
    printf("%d messages from %d threads in %.2f s: %d outcomes (%d accepted), %d receipts "
           "matched, %d unmatched, %d released, %d jobs freed; %d outcomes and %d receipts "
           "polled before submit_async_with returned\n",
           TOTAL, THREADS, now_s() - start, t.outcomes, t.accepted, t.receipts, t.unmatched,
           t.released, t.freed, t.early_outcomes, t.early_receipts);
    CHECK(t.outcomes == TOTAL);
    CHECK(t.accepted == TOTAL);
    CHECK(t.receipts == TOTAL);
    CHECK(t.unmatched == 0);
    CHECK(t.released == 0);
    CHECK(t.freed == TOTAL);
    CHECK(t.bad == 0);
}

/* Polls for the next event of `kind`, waiting on the descriptor; others are freed. */
static esme_event *next_of(esme_client *c, int fd, esme_event_kind kind, double seconds) {
    double end = now_s() + seconds;
    while (now_s() < end) {
        esme_event *e = NULL;
        struct pollfd p;
        p.fd = fd;
        p.events = POLLIN;
        p.revents = 0;
        if (esme_client_poll(c, 0, &e) == ESME_OK) {
            if (esme_event_get_kind(e) == kind) {
                return e;
            }
            esme_event_free(e);
            continue;
        }
        poll(&p, 1, 100);
    }
    return NULL;
}

static void receipt_after_reconnect(int fd) {
    static int tag;
    esme_message m = text_message("447700900555", "reconnect", ESME_MSG_RECEIPT);
    esme_submit_options o = opts_for(&tag);
    esme_event *e;
    char id[128] = "", cmd[512];
    REQUIRE_VOID(smsc_cmd("{\"cmd\":\"receipts\",\"on\":false}"));
    sleep_ms(200);
    CHECK_RC(esme_client_submit_with(g_client, &m, &o, &e), ESME_OK);
    REQUIRE_VOID(e != NULL);
    CHECK(esme_event_get_kind(e) == ESME_EVENT_OUTCOME);
    CHECK(esme_event_outcome_kind(e) == ESME_ACCEPTED);
    CHECK(esme_event_user_data(e) == (uint64_t)(uintptr_t)&tag);
    CHECK(esme_event_releases_user_data(e) == 0); /* waits for its receipt */
    CHECK(esme_event_ticket(e) != 0);
    if (esme_event_message_id(e, 0).ptr != NULL) {
        snprintf(id, sizeof id, "%s", esme_event_message_id(e, 0).ptr);
    }
    esme_event_free(e);
    REQUIRE_VOID(id[0] != '\0');
    /* The SMSC drops the connection; the client binds again. */
    REQUIRE_VOID(smsc_cmd("{\"cmd\":\"close\"}"));
    e = next_of(g_client, fd, ESME_EVENT_CONNECTION, 10);
    CHECK(e != NULL && esme_event_connection(e) == ESME_STATE_DISCONNECTED);
    esme_event_free(e);
    {
        double end = now_s() + 15;
        int bound = 0;
        while (!bound && now_s() < end) {
            e = next_of(g_client, fd, ESME_EVENT_CONNECTION, end - now_s());
            bound = e != NULL && esme_event_connection(e) == ESME_STATE_BOUND;
            esme_event_free(e);
        }
        CHECK(bound);
    }
    /* The receipt comes on the new connection. */
    snprintf(cmd, sizeof cmd,
             "{\"cmd\":\"mo\",\"from\":\"447700900555\",\"to\":\"Shop\",\"esm_class\":4,"
             "\"text\":\"id:%s sub:001 dlvrd:001 submit date:2401011200 done date:2401011201 "
             "stat:DELIVRD err:000 text:\"}",
             id);
    REQUIRE_VOID(smsc_cmd(cmd));
    e = next_of(g_client, fd, ESME_EVENT_RECEIPT, 10);
    CHECK(e != NULL && esme_event_receipt_matched(e) == 1);
    CHECK(e != NULL && esme_event_user_data(e) == (uint64_t)(uintptr_t)&tag);
    CHECK(e != NULL && esme_event_releases_user_data(e) == 1);
    esme_event_free(e);
    /* Again: the message is forgotten, so the same receipt is now unmatched; and so is one
     * for an id the client never got. */
    REQUIRE_VOID(smsc_cmd(cmd));
    e = next_of(g_client, fd, ESME_EVENT_RECEIPT, 10);
    CHECK(e != NULL && esme_event_receipt_matched(e) == 0 && esme_event_user_data(e) == 0);
    CHECK(e != NULL && esme_event_releases_user_data(e) == 0 && esme_event_ticket(e) == 0);
    esme_event_free(e);
    REQUIRE_VOID(smsc_cmd("{\"cmd\":\"mo\",\"from\":\"447700900555\",\"to\":\"Shop\",\"esm_class\":4,"
                          "\"text\":\"id:no-such-id sub:001 dlvrd:001 submit date:2401011200 "
                          "done date:2401011201 stat:DELIVRD err:000 text:\"}"));
    e = next_of(g_client, fd, ESME_EVENT_RECEIPT, 10);
    CHECK(e != NULL && esme_event_receipt_matched(e) == 0 && esme_event_user_data(e) == 0);
    esme_event_free(e);
    REQUIRE_VOID(smsc_cmd("{\"cmd\":\"receipts\",\"on\":true}"));
}

/* A second client: correlation window of 1 s, receipts off at the SMSC. */
static void released(const char *port) {
    static int a, b;
    esme_config *cfg = test_config(port, "esme-released");
    esme_client *c = NULL;
    esme_message m = text_message("447700900556", "never delivered", ESME_MSG_RECEIPT);
    esme_submit_options o;
    esme_event *e;
    int fd = -1;
    double t0;
    REQUIRE_VOID(cfg != NULL);
    CHECK_RC(esme_config_set(cfg, "x-smpp-receipt-correlation-timeout", "1"), ESME_OK);
    CHECK_RC(esme_client_connect(cfg, &c), ESME_OK);
    esme_config_free(cfg);
    REQUIRE_VOID(c != NULL);
    CHECK_RC(esme_client_event_fd(c, &fd), ESME_OK);
    REQUIRE_VOID(smsc_cmd("{\"cmd\":\"receipts\",\"on\":false}"));
    sleep_ms(200);
    o = opts_for(&a);
    t0 = now_s();
    CHECK_RC(esme_client_submit_async_with(c, &m, &o, NULL), ESME_OK);
    e = next_of(c, fd, ESME_EVENT_OUTCOME, 10);
    CHECK(e != NULL && esme_event_user_data(e) == (uint64_t)(uintptr_t)&a);
    CHECK(e != NULL && esme_event_releases_user_data(e) == 0);
    esme_event_free(e);
    e = next_of(c, fd, ESME_EVENT_RELEASED, 10);
    CHECK(e != NULL && now_s() - t0 >= 1.0);
    CHECK(e != NULL && esme_event_user_data(e) == (uint64_t)(uintptr_t)&a);
    CHECK(e != NULL && esme_event_releases_user_data(e) == 1);
    CHECK(e != NULL && esme_event_message_id_count(e) == 1);
    CHECK(e != NULL && esme_event_text(e).ptr != NULL &&
          strstr(esme_event_text(e).ptr, "x-smpp-receipt-correlation-timeout") != NULL);
    if (e != NULL) {
        printf("released: %s\n", esme_event_text(e).ptr);
    }
    esme_event_free(e);
    /* Closed with one still remembered: released after its outcome, before CLOSED. */
    o = opts_for(&b);
    CHECK_RC(esme_client_submit_async_with(c, &m, &o, NULL), ESME_OK);
    e = next_of(c, fd, ESME_EVENT_OUTCOME, 10);
    CHECK(e != NULL && esme_event_releases_user_data(e) == 0);
    esme_event_free(e);
    CHECK_RC(esme_client_close(c), ESME_OK);
    CHECK(readable(fd)); /* still valid after close, while events wait */
    e = next_of(c, fd, ESME_EVENT_RELEASED, 5);
    CHECK(e != NULL && esme_event_user_data(e) == (uint64_t)(uintptr_t)&b);
    CHECK(e != NULL && esme_event_text(e).ptr != NULL &&
          strstr(esme_event_text(e).ptr, "closed") != NULL);
    esme_event_free(e);
    e = next_of(c, fd, ESME_EVENT_CONNECTION, 5);
    CHECK(e != NULL && esme_event_connection(e) == ESME_STATE_CLOSED);
    esme_event_free(e);
    CHECK_RC(esme_client_poll(c, 0, &e), ESME_EMPTY);
    CHECK(!readable(fd));
    esme_client_free(c);
    REQUIRE_VOID(smsc_cmd("{\"cmd\":\"receipts\",\"on\":true}"));
}

/* Close loses no outcome: 40 unanswered messages, closed, all 40 outcomes polled. */
static void close_keeps_outcomes(const char *port) {
    esme_config *cfg = test_config(port, "esme-close");
    esme_client *c = NULL;
    int seen[40], n = 0, i, with_data = 0, released = 0;
    esme_event *e;
    REQUIRE_VOID(cfg != NULL);
    CHECK_RC(esme_config_set(cfg, "x-smpp-close-timeout", "500"), ESME_OK);
    CHECK_RC(esme_client_connect(cfg, &c), ESME_OK);
    esme_config_free(cfg);
    REQUIRE_VOID(c != NULL);
    memset(seen, 0, sizeof seen);
    REQUIRE_VOID(smsc_cmd("{\"cmd\":\"hold\",\"on\":true}"));
    sleep_ms(200);
    for (i = 0; i < 40; i++) {
        esme_message m = text_message("447700900557", "held", ESME_MSG_RECEIPT);
        esme_submit_options o = opts_for(&seen[i]);
        CHECK_RC(esme_client_submit_async_with(c, &m, &o, NULL), ESME_OK);
    }
    CHECK_RC(esme_client_close(c), ESME_OK);
    while (esme_client_poll(c, 0, &e) == ESME_OK) {
        if (esme_event_get_kind(e) == ESME_EVENT_OUTCOME) {
            int *p = (int *)(uintptr_t)esme_event_user_data(e);
            n++;
            if (p >= &seen[0] && p < &seen[40]) {
                with_data++;
                (*p)++;
            }
            released += esme_event_releases_user_data(e) == 1;
        }
        esme_event_free(e);
    }
    printf("close with 40 unanswered: %d outcomes polled after close\n", n);
    CHECK(n == 40 && with_data == 40 && released == 40);
    for (i = 0; i < 40; i++) {
        CHECK(seen[i] == 1);
    }
    esme_client_free(c);
    REQUIRE_VOID(smsc_cmd("{\"cmd\":\"hold\",\"on\":false}"));
}

int main(int argc, char **argv) {
    esme_config *cfg;
    esme_event *e = NULL;
    int fd = -1, fd2 = -1;

    test_start(200);
    if (argc < 3) {
        fprintf(stderr, "usage: correlate PORT FIFO (node tests/interop/smsc.js on 127.0.0.1)\n");
        count_result(0);
        return finish();
    }
    smsc_fifo = argv[2];
    REQUIRE(smsc_cmd("{\"cmd\":\"receipts\",\"on\":true}"));
    cfg = test_config(argv[1], "esme-correlate");
    REQUIRE(cfg != NULL);
    CHECK_RC(esme_config_set(cfg, "x-smpp-delivery-report", "true"), ESME_OK);
    CHECK_RC(esme_client_connect(cfg, &g_client), ESME_OK);
    esme_config_free(cfg);
    REQUIRE(g_client != NULL);

    /* The descriptor: the same one each time; readable while the Bound event waits. */
    CHECK_RC(esme_client_event_fd(g_client, &fd), ESME_OK);
    CHECK_RC(esme_client_event_fd(g_client, &fd2), ESME_OK);
    CHECK(fd >= 0 && fd == fd2);
    CHECK_RC(esme_client_event_fd(g_client, NULL), ESME_ERR_NULL);
    CHECK(readable(fd));
    while (esme_client_poll(g_client, 0, &e) == ESME_OK) {
        esme_event_free(e);
    }
    CHECK(!readable(fd));

    /* Options: a size no esme_submit_options has is refused before anything is sent. */
    {
        esme_message m = text_message("447700900558", "bad options", ESME_MSG_NO_RECEIPT);
        esme_submit_options o = opts_for(NULL);
        o.size = 4;
        CHECK_RC(esme_client_submit_async_with(g_client, &m, &o, NULL), ESME_ERR_INVALID_ARG);
        CHECK_RC(esme_client_submit_async_with(g_client, &m, NULL, NULL), ESME_OK);
        e = next_of(g_client, fd, ESME_EVENT_OUTCOME, 10);
        CHECK(e != NULL && esme_event_user_data(e) == 0 && esme_event_releases_user_data(e) == 1);
        esme_event_free(e);
    }

    load(fd);
    receipt_after_reconnect(fd);
    released(argv[1]);
    close_keeps_outcomes(argv[1]);

    CHECK_RC(esme_client_close(g_client), ESME_OK);
    while (esme_client_poll(g_client, 0, &e) == ESME_OK) {
        esme_event_free(e);
    }
    esme_client_free(g_client);
    return finish();
}
