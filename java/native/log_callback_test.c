/* ABI check, not JNI: the strings of an esme_log_record must be readable for the whole
 * callback (esme.h: "One log record, borrowed for the duration of the callback only").
 *
 *   log_callback_test HOST PORT CA.pem CLIENT.p12 PASSWORD
 *
 * Installs a log callback at ESME_LOG_DEBUG, connects (mutual TLS) and closes, and checks
 * every record: message.ptr / target.ptr are NUL-terminated at exactly .len, and the text
 * is printable UTF-8 (no control octets). Exit 0 when every record is intact, 1 when one is
 * not (prints the first bad record), 2 on a setup failure.
 *
 * A regression test: esme_set_log_callback once built the record from temporaries that were
 * freed before the callback ran (a use after free; glibc's free() overwrote the first 16
 * octets). Fixed (src/ffi/log.rs); this must stay green. */
#include "esme.h"

#include <stdio.h>
#include <string.h>

static int records, bad;
static char first_bad[512];

static int intact(esme_str s) {
    size_t i;
    if (s.ptr == NULL) {
        return 0;
    }
    for (i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        if (c < 0x20 || c == 0x7f) {
            return 0;
        }
    }
    return s.ptr[s.len] == '\0';
}

static void on_log(void *userdata, const esme_log_record *r) {
    (void)userdata;
    records++;
    if (!intact(r->target) || !intact(r->message)) {
        if (bad++ == 0) {
            size_t i, n = r->message.len < 120 ? r->message.len : 120;
            char *o = first_bad;
            o += sprintf(o, "level %u, message.len %zu, octets:", (unsigned)r->level,
                         r->message.len);
            for (i = 0; i < n && r->message.ptr != NULL; i++) {
                unsigned char c = (unsigned char)r->message.ptr[i];
                o += (c >= 0x20 && c < 0x7f) ? sprintf(o, "%c", c) : sprintf(o, "\\x%02x", c);
                if (o - first_bad > 440) {
                    break;
                }
            }
        }
    }
}

int main(int argc, char **argv) {
    esme_config *cfg = NULL;
    esme_client *client = NULL;
    esme_result r;
    char err[512];
    size_t needed;
    if (argc != 6) {
        fprintf(stderr, "usage: %s HOST PORT CA.pem CLIENT.p12 PASSWORD\n", argv[0]);
        return 2;
    }
    if (esme_set_log_callback(on_log, NULL, ESME_LOG_DEBUG) != ESME_OK ||
        esme_config_new(&cfg) != ESME_OK ||
        esme_config_set(cfg, "x-smpp-host", argv[1]) != ESME_OK ||
        esme_config_set(cfg, "x-smpp-port", argv[2]) != ESME_OK ||
        esme_config_set(cfg, "x-smpp-system-id", "logtest") != ESME_OK ||
        esme_config_set(cfg, "x-smpp-tls-mode", "mutual") != ESME_OK ||
        esme_config_set(cfg, "x-smpp-tls-ca-file", argv[3]) != ESME_OK ||
        esme_config_set(cfg, "x-smpp-tls-path-to-certificate", argv[4]) != ESME_OK ||
        esme_config_set(cfg, "x-smpp-tls-certificate-file-password", argv[5]) != ESME_OK ||
        esme_config_set(cfg, "x-debug-mode", "true") != ESME_OK) {
        esme_last_error(err, sizeof err, &needed);
        fprintf(stderr, "setup: %s\n", err);
        return 2;
    }
    r = esme_client_connect(cfg, &client);
    esme_config_free(cfg);
    if (r != ESME_OK) {
        esme_last_error(err, sizeof err, &needed);
        fprintf(stderr, "connect: %s (%s)\n", esme_result_str(r), err);
        return 2;
    }
    esme_client_close(client);
    esme_client_free(client);
    esme_set_log_callback(NULL, NULL, ESME_LOG_DEBUG);
    if (records == 0) {
        fprintf(stderr, "no log record at all\n");
        return 2;
    }
    if (bad > 0) {
        printf("%d of %d log records were not intact in the callback; first: %s\n", bad,
               records, first_bad);
        return 1;
    }
    printf("%d log records, all intact\n", records);
    return 0;
}
