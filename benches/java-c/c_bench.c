/* The C API as a benchmark client, the counterpart of JavaBench.java (benches/java-c.sh):
 * binds plain (system_id bench, password secret), submits WARMUP then N messages with
 * esme_client_submit_async at window W from one thread while another polls the outcomes,
 * and prints the rate and the process's CPU time per message over the N timed ones:
 *   c-api: N msgs in T s = R msg/s (window W), cpu U us/msg
 * Usage: c_bench HOST PORT N W WARMUP */
#define _POSIX_C_SOURCE 200809L
#include <esme.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static esme_client *client;
static long total, accepted, outcomes;

static void *poller(void *arg) {
    (void)arg;
    while (outcomes < total) {
        esme_event *ev = NULL;
        if (esme_client_poll(client, 1000, &ev) == ESME_OK) {
            if (esme_event_get_kind(ev) == ESME_EVENT_OUTCOME) {
                /* the accessor, not the 1.5 KB esme_outcome copy */
                if (esme_event_outcome_kind(ev) == ESME_ACCEPTED) {
                    __atomic_add_fetch(&accepted, 1, __ATOMIC_RELAXED);
                }
                __atomic_add_fetch(&outcomes, 1, __ATOMIC_RELEASE);
            }
            esme_event_free(ev);
        }
    }
    return NULL;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double cpu(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_utime.tv_sec + (double)u.ru_utime.tv_usec / 1e6 +
           (double)u.ru_stime.tv_sec + (double)u.ru_stime.tv_usec / 1e6;
}

static void die(const char *what) {
    char why[512] = "";
    esme_last_error(why, sizeof why, NULL);
    fprintf(stderr, "c_bench: %s: %s\n", what, why);
    exit(1);
}

int main(int argc, char **argv) {
    esme_config *cfg = NULL;
    const char *text = "bench message 0123456789";
    esme_message msg;
    pthread_t t;
    long n, w, warm, i;
    double t0, c0, t1, c1;
    if (argc != 6) {
        fprintf(stderr, "usage: c_bench HOST PORT N W WARMUP\n");
        return 2;
    }
    n = atol(argv[3]);
    w = atol(argv[4]);
    warm = atol(argv[5]);
    total = n + warm;
    if (esme_config_new(&cfg) != ESME_OK || esme_config_set(cfg, "x-smpp-host", argv[1]) != ESME_OK ||
        esme_config_set(cfg, "x-smpp-port", argv[2]) != ESME_OK ||
        esme_config_set(cfg, "x-smpp-system-id", "bench") != ESME_OK ||
        esme_config_set(cfg, "password", "secret") != ESME_OK ||
        esme_config_set(cfg, "x-smpp-submit-window-size", argv[4]) != ESME_OK ||
        esme_config_set(cfg, "x-smpp-submit-rate-unlimited", "true") != ESME_OK) {
        die("config");
    }
    if (esme_client_connect(cfg, &client) != ESME_OK) {
        die("connect");
    }
    esme_config_free(cfg);
    memset(&msg, 0, sizeof msg);
    msg.to = "31600000000";
    msg.from = "12345";
    msg.body = (const uint8_t *)text;
    msg.body_len = strlen(text);
    msg.flags = ESME_MSG_NO_RECEIPT;
    pthread_create(&t, NULL, poller, NULL);
    t0 = now();
    c0 = cpu();
    for (i = 0; i < total; i++) {
        if (i == warm) {
            while (__atomic_load_n(&outcomes, __ATOMIC_ACQUIRE) < warm) {
                struct timespec s = {0, 100000};
                nanosleep(&s, NULL);
            }
            t0 = now();
            c0 = cpu();
        }
        if (esme_client_submit_async(client, &msg, NULL) != ESME_OK) {
            die("submit");
        }
    }
    pthread_join(t, NULL);
    t1 = now();
    c1 = cpu();
    esme_client_free(client);
    if (accepted != total) {
        fprintf(stderr, "c_bench: %ld of %ld accepted\n", accepted, total);
        return 1;
    }
    printf("c-api: %ld msgs in %.3f s = %.0f msg/s (window %ld), cpu %.2f us/msg\n", n, t1 - t0,
           (double)n / (t1 - t0), w, (c1 - c0) * 1e6 / (double)n);
    return 0;
}
