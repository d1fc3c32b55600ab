/* log_callback: the process-wide log callback: installed, records received with their
 * levels, readable text and channel, filtered by min_level (ERROR … TRACE), then removed.
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
    esme_config_free(cfg);
    return finish();
}
