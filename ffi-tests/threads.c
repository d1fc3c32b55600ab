/* threads: one client shared by many threads.
 *   threads PORT          (PORT: an `esme smsc` listening on 127.0.0.1)
 * Phase 1: 8 threads x 200 submits (even: blocking, odd: async) on one client, a poller
 * collecting the async outcomes; every message accepted, the counters agree.
 * Phase 2: submitters and a poller keep going while one thread frees the client: each call
 * gets ESME_OK (an outcome), ESME_ERR_CLOSED or ESME_ERR_INVALID_HANDLE; no crash, no hang. */
#include "common.h"

#include <pthread.h>

#define THREADS 8
#define PER_THREAD 200

static esme_client *g_client;
static int g_async_sent, g_sync_accepted, g_bad;

static void *submitter(void *arg) {
    int id = (int)(long)arg, i;
    char to[32], text[64];
    for (i = 0; i < PER_THREAD; i++) {
        esme_message m;
        snprintf(to, sizeof to, "4477009%02d%03d", id, i);
        snprintf(text, sizeof text, "thread %d message %d", id, i);
        m = text_message(to, text, 0);
        if ((i + id) % 2 == 0) {
            esme_outcome o;
            esme_result r = esme_client_submit(g_client, &m, &o);
            if (r == ESME_OK && o.kind == ESME_ACCEPTED && o.parts == 1) {
                __sync_fetch_and_add(&g_sync_accepted, 1);
            } else {
                fprintf(stderr, "thread %d submit %d: result %u kind %u why %s\n", id, i,
                        (unsigned)r, r == ESME_OK ? (unsigned)o.kind : 0u,
                        r == ESME_OK ? o.why : "");
                __sync_fetch_and_add(&g_bad, 1);
            }
        } else {
            uint64_t t = 0;
            esme_result r = esme_client_submit_async(g_client, &m, &t);
            if (r == ESME_OK && t != 0) {
                __sync_fetch_and_add(&g_async_sent, 1);
            } else {
                fprintf(stderr, "thread %d submit_async %d: result %u\n", id, i, (unsigned)r);
                __sync_fetch_and_add(&g_bad, 1);
            }
        }
    }
    return NULL;
}

/* Phase 2 workers: run until the handle goes away (or a bounded number of rounds). */
static int g_stop;
static int g_ok_calls, g_closed_calls, g_invalid_calls;

static int acceptable(esme_result r) {
    if (r == ESME_OK) {
        __sync_fetch_and_add(&g_ok_calls, 1);
        return 1;
    }
    if (r == ESME_ERR_CLOSED) {
        __sync_fetch_and_add(&g_closed_calls, 1);
        return 1;
    }
    if (r == ESME_ERR_INVALID_HANDLE) {
        __sync_fetch_and_add(&g_invalid_calls, 1);
        return 1;
    }
    return 0;
}

static void *racer(void *arg) {
    int id = (int)(long)arg, i;
    esme_client *c = g_client; /* a copy: it goes stale when the client is freed */
    for (i = 0; i < 200000 && !__sync_fetch_and_add(&g_stop, 0); i++) {
        esme_message m = text_message("447700900999", "racing", 0);
        esme_result r;
        esme_outcome o;
        esme_stats st;
        uint64_t t;
        switch ((i + id) % 4) {
        case 0:
            r = esme_client_submit(c, &m, &o);
            break;
        case 1:
            r = esme_client_submit_async(c, &m, &t);
            break;
        case 2:
            r = esme_client_try_submit_async(c, &m, &t);
            if (r == ESME_ERR_WINDOW_FULL) {
                r = ESME_OK;
            }
            break;
        default:
            r = esme_client_stats(c, &st);
            break;
        }
        if (!acceptable(r)) {
            fprintf(stderr, "racer %d: result %u (%s)\n", id, (unsigned)r, esme_result_str(r));
            __sync_fetch_and_add(&g_bad, 1);
            break;
        }
        if (r == ESME_ERR_INVALID_HANDLE) {
            break; /* freed: every later call would say the same */
        }
    }
    return NULL;
}

static void *poller(void *arg) {
    esme_client *c = g_client;
    (void)arg;
    while (!__sync_fetch_and_add(&g_stop, 0)) {
        esme_event *e = NULL;
        esme_result r = esme_client_poll(c, 50, &e);
        if (r == ESME_OK) {
            esme_event_free(e);
        } else if (r == ESME_ERR_INVALID_HANDLE) {
            break;
        } else if (r != ESME_EMPTY) {
            fprintf(stderr, "poller: result %u\n", (unsigned)r);
            __sync_fetch_and_add(&g_bad, 1);
            break;
        }
    }
    return NULL;
}

int main(int argc, char **argv) {
    esme_config *cfg;
    pthread_t th[THREADS + 1];
    long i;
    int async_accepted = 0, async_other = 0;
    double end;
    esme_stats st;

    test_start(180);
    if (argc < 2) {
        fprintf(stderr, "usage: threads PORT (an esme smsc on 127.0.0.1)\n");
        count_result(0);
        return finish();
    }
    cfg = test_config(argv[1], "esme-threads");
    REQUIRE(cfg != NULL);
    CHECK_RC(esme_config_set(cfg, "x-smpp-submit-window-size", "64"), ESME_OK);
    CHECK_RC(esme_client_connect(cfg, &g_client), ESME_OK);
    REQUIRE(g_client != NULL);

    /* Phase 1. */
    for (i = 0; i < THREADS; i++) {
        REQUIRE(pthread_create(&th[i], NULL, submitter, (void *)i) == 0);
    }
    /* The async outcomes, polled while the threads run. */
    end = now_s() + 60;
    while (now_s() < end) {
        esme_event *e = NULL;
        esme_result r = esme_client_poll(g_client, 100, &e);
        if (r == ESME_OK) {
            if (esme_event_get_kind(e) == ESME_EVENT_OUTCOME) {
                esme_outcome o;
                if (esme_event_outcome(e, &o) == ESME_OK && o.kind == ESME_ACCEPTED) {
                    async_accepted++;
                } else {
                    async_other++;
                }
            }
            esme_event_free(e);
        }
        if (async_accepted + async_other == THREADS * PER_THREAD / 2) {
            break;
        }
    }
    for (i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
    }
    CHECK(g_bad == 0);
    CHECK(g_sync_accepted == THREADS * PER_THREAD / 2);
    CHECK(g_async_sent == THREADS * PER_THREAD / 2);
    CHECK(async_accepted == THREADS * PER_THREAD / 2);
    CHECK(async_other == 0);
    CHECK_RC(esme_client_stats(g_client, &st), ESME_OK);
    CHECK(st.submitted == THREADS * PER_THREAD);
    CHECK(st.accepted == THREADS * PER_THREAD);
    CHECK(st.parts_sent == THREADS * PER_THREAD);
    CHECK(st.rejected + st.unknown + st.not_sent == 0);
    CHECK(st.in_flight == 0);
    printf("phase 1: %d blocking + %d async accepted; stats submitted %llu accepted %llu "
           "p50 %llu us p99 %llu us\n",
           g_sync_accepted, async_accepted, (unsigned long long)st.submitted,
           (unsigned long long)st.accepted, (unsigned long long)st.latency_p50_us,
           (unsigned long long)st.latency_p99_us);
    esme_client_free(g_client);
    g_client = NULL;

    /* Phase 2: free while others are still calling. */
    CHECK_RC(esme_client_connect(cfg, &g_client), ESME_OK);
    REQUIRE(g_client != NULL);
    for (i = 0; i < THREADS - 1; i++) {
        REQUIRE(pthread_create(&th[i], NULL, racer, (void *)i) == 0);
    }
    REQUIRE(pthread_create(&th[THREADS - 1], NULL, poller, NULL) == 0);
    sleep_ms(300);
    {
        double t0 = now_s();
        esme_stats mid;
        CHECK_RC(esme_client_stats(g_client, &mid), ESME_OK);
        CHECK(mid.submitted > 0);
        esme_client_free(g_client);
        printf("phase 2: freed after %llu submits, free took %.0f ms\n",
               (unsigned long long)mid.submitted, (now_s() - t0) * 1000);
    }
    /* Everyone must notice within a bounded time; then stop them all anyway. */
    sleep_ms(500);
    __sync_fetch_and_add(&g_stop, 1);
    for (i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
    }
    CHECK(g_bad == 0);
    CHECK(g_invalid_calls > 0);
    CHECK_RC(esme_client_stats(g_client, &st), ESME_ERR_INVALID_HANDLE);
    esme_client_free(g_client); /* again: nothing */
    printf("phase 2: %d calls ok, %d ESME_ERR_CLOSED, %d ESME_ERR_INVALID_HANDLE\n", g_ok_calls,
           g_closed_calls, g_invalid_calls);
    esme_config_free(cfg);
    return finish();
}
