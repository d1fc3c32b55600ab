/* receive: print MO messages, delivery receipts and connection changes.
 *
 *   ./receive CONFIG_FILE [SECONDS]
 *
 * Binds with the channel file (x-smpp-bind-mode receiver or transceiver), polls and prints
 * one line per event for SECONDS (default 60), then closes. Exit status 0, or 1 when the
 * configuration or the bind fails.
 *
 * Build (from the repository, after `cargo build --lib`):
 *   gcc -std=c99 -Wall -Wextra -Iinclude examples/c/receive.c -Ltarget/debug -lesme \
 *       -Wl,-rpath,"$PWD/target/debug" -o receive
 */
#define _POSIX_C_SOURCE 200809L

#include <esme.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static void print_error(const char *what, esme_result r) {
    char buf[1024];
    size_t needed = 0;
    if (esme_last_error(buf, sizeof buf, &needed) != ESME_OK) {
        snprintf(buf, sizeof buf, "(details need %zu octets)", needed);
    }
    fprintf(stderr, "error: %s: %s (%u): %s\n", what, esme_result_str(r), (unsigned)r, buf);
}

static const char *or_empty(esme_str s) { return s.ptr != NULL ? s.ptr : ""; }

static void print_event(const esme_event *ev) {
    esme_receipt rc;
    switch (esme_event_get_kind(ev)) {
    case ESME_EVENT_MESSAGE:
        if (esme_event_text(ev).ptr != NULL) {
            printf("message from %s to %s: %s\n", or_empty(esme_event_from(ev)),
                   or_empty(esme_event_to(ev)), esme_event_text(ev).ptr);
        } else {
            printf("message from %s to %s: %zu octets (binary)\n", or_empty(esme_event_from(ev)),
                   or_empty(esme_event_to(ev)), esme_event_body(ev).len);
        }
        break;
    case ESME_EVENT_RECEIPT:
        if (esme_event_receipt(ev, &rc) == ESME_OK) {
            printf("receipt id %s state %u%s err %lld\n", or_empty(rc.id), rc.state,
                   rc.is_final ? " final" : "", (long long)rc.err);
        } else {
            printf("receipt (unreadable): %s\n", or_empty(esme_event_text(ev)));
        }
        break;
    case ESME_EVENT_INCOMPLETE:
        printf("incomplete message from %s: %zu octets arrived\n", or_empty(esme_event_from(ev)),
               esme_event_body(ev).len);
        break;
    case ESME_EVENT_ALERT:
        printf("alert: %s is reachable\n", or_empty(esme_event_from(ev)));
        break;
    case ESME_EVENT_CONNECTION:
        switch (esme_event_connection(ev)) {
        case ESME_STATE_BOUND:
            printf("connection bound (%s)\n", or_empty(esme_event_text(ev)));
            break;
        case ESME_STATE_CONNECTING:
            printf("connection reconnecting\n");
            break;
        case ESME_STATE_DISCONNECTED:
            printf("connection lost: %s\n", or_empty(esme_event_text(ev)));
            break;
        case ESME_STATE_CLOSED:
            printf("connection closed\n");
            break;
        default:
            break;
        }
        break;
    case ESME_EVENT_WARNING:
        printf("warning: %s\n", or_empty(esme_event_text(ev)));
        break;
    default:
        break;
    }
    fflush(stdout);
}

int main(int argc, char **argv) {
    esme_config *cfg = NULL;
    esme_client *client = NULL;
    esme_event *ev = NULL;
    esme_result r;
    long seconds = 60;
    time_t end;

    if (argc < 2 || argc > 3 || (argc == 3 && (seconds = strtol(argv[2], NULL, 10)) <= 0)) {
        fprintf(stderr, "usage: %s CONFIG_FILE [SECONDS]\n", argv[0]);
        return 2;
    }
    if ((r = esme_config_new(&cfg)) != ESME_OK ||
        (r = esme_config_load_file(cfg, argv[1])) != ESME_OK) {
        print_error(argv[1], r);
        esme_config_free(cfg);
        return 1;
    }
    r = esme_client_connect(cfg, &client);
    esme_config_free(cfg);
    if (r != ESME_OK) {
        print_error("connect", r);
        return 1;
    }
    end = time(NULL) + seconds;
    while (time(NULL) < end) {
        r = esme_client_poll(client, 250, &ev);
        if (r == ESME_OK) {
            print_event(ev);
            esme_event_free(ev);
        } else if (r != ESME_EMPTY) {
            print_error("poll", r);
            break;
        }
    }
    esme_client_close(client);
    /* Drain what close reported (the final "closed"). */
    while (esme_client_poll(client, 0, &ev) == ESME_OK) {
        print_event(ev);
        esme_event_free(ev);
    }
    esme_client_free(client);
    return 0;
}
