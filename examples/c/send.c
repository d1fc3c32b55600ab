/* send: submit one message with a delivery receipt and wait for the receipt.
 *
 *   ./send CONFIG_FILE TO TEXT
 *
 * CONFIG_FILE is a Genesys-style channel section (x-smpp-host, x-smpp-port,
 * x-smpp-system-id, password, ...). Prints the outcome, then the receipt (up to 10 s).
 * Exit status 0 when accepted and the receipt came, 1 otherwise.
 *
 * Build (from the repository, after `cargo build --lib`):
 *   gcc -std=c99 -Wall -Wextra -Iinclude examples/c/send.c -Ltarget/debug -lesme \
 *       -Wl,-rpath,"$PWD/target/debug" -o send
 * or, installed (scripts/install.sh):  gcc examples/c/send.c $(pkg-config --cflags --libs esme)
 */
#define _POSIX_C_SOURCE 200809L

#include <esme.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

static void print_error(const char *what, esme_result r) {
    char buf[1024];
    size_t needed = 0;
    if (esme_last_error(buf, sizeof buf, &needed) != ESME_OK) {
        snprintf(buf, sizeof buf, "(details need %zu octets)", needed);
    }
    fprintf(stderr, "error: %s: %s (%u): %s\n", what, esme_result_str(r), (unsigned)r, buf);
}

static const char *state_name(uint32_t state) {
    static const char *const names[] = {"not given", "ENROUTE",       "DELIVERED",
                                        "EXPIRED",   "DELETED",       "UNDELIVERABLE",
                                        "ACCEPTED",  "UNKNOWN",       "REJECTED"};
    return state < sizeof names / sizeof names[0] ? names[state] : "?";
}

int main(int argc, char **argv) {
    esme_config *cfg = NULL;
    esme_client *client = NULL;
    esme_message msg;
    esme_outcome out;
    esme_result r;
    int status = 1;
    time_t deadline;

    if (argc != 4) {
        fprintf(stderr, "usage: %s CONFIG_FILE TO TEXT\n", argv[0]);
        return 2;
    }
    if ((r = esme_config_new(&cfg)) != ESME_OK) {
        print_error("esme_config_new", r);
        return 1;
    }
    if ((r = esme_config_load_file(cfg, argv[1])) != ESME_OK) {
        print_error(argv[1], r);
        esme_config_free(cfg);
        return 1;
    }
    if ((r = esme_client_connect(cfg, &client)) != ESME_OK) {
        print_error("connect", r);
        esme_config_free(cfg);
        return 1;
    }
    esme_config_free(cfg); /* the client keeps what it needs */

    memset(&msg, 0, sizeof msg);
    msg.to = argv[2];
    msg.body = (const uint8_t *)argv[3];
    msg.body_len = strlen(argv[3]);
    msg.flags = ESME_MSG_RECEIPT;
    if ((r = esme_client_submit(client, &msg, &out)) != ESME_OK) {
        print_error("submit", r);
        esme_client_free(client);
        return 1;
    }
    switch (out.kind) {
    case ESME_ACCEPTED:
        printf("accepted %u part(s), id %s\n", out.parts, out.message_ids);
        break;
    case ESME_REJECTED:
        printf("rejected: %s (0x%08X)\n", out.why, out.command_status);
        break;
    case ESME_UNKNOWN:
        printf("unknown (may have been accepted): %s\n", out.why);
        break;
    default:
        printf("not sent: %s\n", out.why);
        break;
    }

    deadline = time(NULL) + 10;
    while (out.kind == ESME_ACCEPTED && status != 0 && time(NULL) < deadline) {
        esme_event *ev = NULL;
        esme_receipt rc;
        r = esme_client_poll(client, 250, &ev);
        if (r == ESME_EMPTY) {
            continue;
        }
        if (r != ESME_OK) {
            print_error("poll", r);
            break;
        }
        if (esme_event_get_kind(ev) == ESME_EVENT_RECEIPT) {
            r = esme_event_receipt(ev, &rc);
            if (r == ESME_OK && esme_receipt_ids_match(out.message_ids, rc.id.ptr)) {
                printf("receipt %s %s%s\n", rc.id.ptr, state_name(rc.state),
                       rc.is_final ? " (final)" : "");
                status = rc.state == 2 ? 0 : 1;
                if (!rc.is_final) {
                    status = 1; /* keep waiting for the final one */
                }
            } else if (r != ESME_OK) {
                print_error("receipt", r);
            }
        }
        esme_event_free(ev);
    }
    if (out.kind == ESME_ACCEPTED && status != 0) {
        printf("no final receipt within 10 s\n");
    }
    esme_client_close(client);
    esme_client_free(client);
    return status;
}
