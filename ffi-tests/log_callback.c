/* log_callback: the process-wide log callback: installed, records received with their
 * levels, readable text and channel, filtered by min_level (ERROR … TRACE), then removed;
 * removal waits for the calls in progress, so their userdata may be freed at once (a
 * use-after-free under ASan before issue 16), and a callback may remove itself.
 *   log_callback PORT     (PORT: an `esme smsc` listening on 127.0.0.1)
 * Under AddressSanitizer this reads every record's strings, so a record pointing at freed
 * memory is caught: a regression test for the use-after-free fixed in 5ee24966 (the record
 * was built from temporaries freed before the callback ran). */
#include "common.h"

#include <pthread.h>

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static int g_records, g_bad_records, g_by_level[6], g_saw_bound, g_saw_closed, g_no_channel;
static const int MAGIC = 42;

static void on_log(void *userdata, const esme_log_record *r) {
    int ok = userdata == &MAGIC && r != NULL && r->level >= ESME_LOG_ERROR &&
             r->level <= ESME_LOG_TRACE && r->message.ptr != NULL && r->target.ptr != NULL &&
             r->channel.ptr != NULL;
    pthread_mutex_lock(&g_lock);
    g_records++;
    if (!ok) {
        g_bad_records++;
    } else {
        /* Read every octet: the strings must be alive and NUL-terminated at len. */
        ok = strlen(r->message.ptr) == r->message.len && strlen(r->target.ptr) == r->target.len &&
             strlen(r->channel.ptr) == r->channel.len && strncmp(r->target.ptr, "esme", 4) == 0;
        /* The client's records are about its channel: the host, without a section name. */
        if (strncmp(r->target.ptr, "esme::client", 12) == 0 &&
            strcmp(r->channel.ptr, "127.0.0.1") != 0) {
            g_no_channel++;
        }
        if (!ok) {
            g_bad_records++;
        }
        g_by_level[r->level]++;
        g_saw_bound |= strstr(r->message.ptr, "bound to") != NULL;
        g_saw_closed |= strncmp(r->message.ptr, "closed", 6) == 0;
        printf("log %u %.*s [%.*s]: %.*s\n", (unsigned)r->level, (int)r->target.len,
               r->target.ptr, (int)r->channel.len, r->channel.ptr, (int)r->message.len,
               r->message.ptr);
    }
    pthread_mutex_unlock(&g_lock);
}

static void connect_and_close(esme_config *cfg) {
    esme_client *c = NULL;
    esme_message m = text_message("447700900123", "logged", 0);
    esme_outcome o;
    CHECK_RC(esme_client_connect(cfg, &c), ESME_OK);
    CHECK_RC(esme_client_submit(c, &m, &o), ESME_OK);
    CHECK_RC(esme_client_close(c), ESME_OK);
    esme_client_free(c);
}

/* A slow callback writing into its userdata (malloc'd): removing it must wait for a call in
 * progress, after which the userdata is freed at once. */
struct slow_state {
    volatile int inside;
    int calls;
};

static void slow_log(void *userdata, const esme_log_record *r) {
    struct slow_state *s = userdata;
    (void)r;
    __sync_fetch_and_add(&s->inside, 1);
    sleep_ms(20);
    s->calls++; /* a write after free, if removal did not wait */
    __sync_fetch_and_sub(&s->inside, 1);
}

static volatile int g_stop_logging;

/* Keeps the library logging (a PDU trace line per submit at DEBUG) from another thread. */
static void *keep_logging(void *arg) {
    esme_client *c = arg;
    esme_message m = text_message("447700900123", "keep logging", 0);
    esme_outcome o;
    while (!g_stop_logging) {
        if (esme_client_submit(c, &m, &o) != ESME_OK) {
            break;
        }
    }
    return NULL;
}

static int g_self_removed;

static void removes_itself(void *userdata, const esme_log_record *r) {
    (void)userdata;
    (void)r;
    if (__sync_fetch_and_add(&g_self_removed, 1) == 0) {
        CHECK_RC(esme_set_log_callback(NULL, NULL, ESME_LOG_DEBUG), ESME_OK);
    }
}

static void removal_waits(esme_config *cfg) {
    esme_client *c = NULL;
    pthread_t th;
    int round, waited = 0;
    struct slow_state *s = calloc(1, sizeof *s);
    REQUIRE_VOID(s != NULL);
    /* Installed at DEBUG before connecting, so the client traces its PDUs. */
    CHECK_RC(esme_set_log_callback(slow_log, s, ESME_LOG_DEBUG), ESME_OK);
    CHECK_RC(esme_client_connect(cfg, &c), ESME_OK);
    REQUIRE_VOID(c != NULL);
    g_stop_logging = 0;
    REQUIRE_VOID(pthread_create(&th, NULL, keep_logging, c) == 0);
    for (round = 0; round < 5; round++) {
        double end = now_s() + 10;
        if (round > 0) {
            s = calloc(1, sizeof *s);
            REQUIRE_VOID(s != NULL);
            CHECK_RC(esme_set_log_callback(slow_log, s, ESME_LOG_DEBUG), ESME_OK);
        }
        while (s->inside == 0 && now_s() < end) {
            sleep_ms(1);
        }
        waited += s->inside > 0;
        /* A call is in progress on the other thread: removal returns after it. */
        CHECK_RC(esme_set_log_callback(NULL, NULL, ESME_LOG_DEBUG), ESME_OK);
        CHECK(s->inside == 0);
        free(s);
    }
    CHECK(waited == 5);
    /* A callback that removes itself from inside returns (no deadlock: alarm is the bound). */
    CHECK_RC(esme_set_log_callback(removes_itself, NULL, ESME_LOG_DEBUG), ESME_OK);
    while (g_self_removed == 0) {
        sleep_ms(1);
    }
    g_stop_logging = 1;
    pthread_join(th, NULL);
    CHECK(g_self_removed >= 1);
    CHECK_RC(esme_client_close(c), ESME_OK);
    esme_client_free(c);
    printf("removal waited for the call in progress %d times of 5; a callback removed itself\n",
           waited);
}

int main(int argc, char **argv) {
    esme_config *cfg;
    int before;

    test_start(60);
    if (argc < 2) {
        fprintf(stderr, "usage: log_callback PORT (an esme smsc on 127.0.0.1)\n");
        count_result(0);
        return finish();
    }
    cfg = test_config(argv[1], "esme-log");
    REQUIRE(cfg != NULL);

    /* Removing when none is installed is fine. */
    CHECK_RC(esme_set_log_callback(NULL, NULL, ESME_LOG_DEBUG), ESME_OK);

    /* ERROR only: a normal connect and close logs nothing at that level. */
    CHECK_RC(esme_set_log_callback(on_log, (void *)&MAGIC, ESME_LOG_ERROR), ESME_OK);
    connect_and_close(cfg);
    CHECK(g_records == 0);

    /* INFO and above: bound and closed, at INFO. */
    CHECK_RC(esme_set_log_callback(on_log, (void *)&MAGIC, ESME_LOG_INFO), ESME_OK);
    connect_and_close(cfg);
    pthread_mutex_lock(&g_lock);
    CHECK(g_records >= 2);
    CHECK(g_bad_records == 0);
    CHECK(g_by_level[ESME_LOG_INFO] >= 2);
    CHECK(g_by_level[ESME_LOG_DEBUG] == 0);
    CHECK(g_saw_bound && g_saw_closed);
    pthread_mutex_unlock(&g_lock);

    /* TRACE: the debug PDU lines and the trace lines too (levels 1..5 are ABI: appended). */
    CHECK(ESME_LOG_TRACE == 5);
    CHECK_RC(esme_set_log_callback(on_log, (void *)&MAGIC, 6), ESME_ERR_USAGE);
    CHECK_RC(esme_set_log_callback(on_log, (void *)&MAGIC, ESME_LOG_TRACE), ESME_OK);
    connect_and_close(cfg);
    pthread_mutex_lock(&g_lock);
    CHECK(g_bad_records == 0);
    CHECK(g_by_level[ESME_LOG_DEBUG] >= 4);
    CHECK(g_by_level[ESME_LOG_TRACE] >= 1);
    CHECK(g_no_channel == 0);
    pthread_mutex_unlock(&g_lock);

    /* Removed: nothing more arrives. */
    CHECK_RC(esme_set_log_callback(NULL, NULL, ESME_LOG_DEBUG), ESME_OK);
    before = g_records;
    connect_and_close(cfg);
    CHECK(g_records == before);
    printf("%d log records (error %d, warn %d, info %d, debug %d, trace %d)\n", g_records,
           g_by_level[ESME_LOG_ERROR], g_by_level[ESME_LOG_WARN], g_by_level[ESME_LOG_INFO],
           g_by_level[ESME_LOG_DEBUG], g_by_level[ESME_LOG_TRACE]);
    removal_waits(cfg);
    esme_config_free(cfg);
    return finish();
}
