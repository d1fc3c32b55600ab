/* metrics: the numbers an operator watches, from C. esme_client_metrics and
 * esme_client_bind_metrics (structures with struct_size, growing at their end), and the
 * Prometheus text (esme_client_prometheus, esme_clients_prometheus) checked line by line
 * against the text format. Traffic and receipts against node-smpp's SMSC; the certificates'
 * days left over mutual TLS against `esme smsc`.
 *   metrics NODE_PORT FIFO TLS_PORT PKI_DIR */
#include "common.h"

#include <ctype.h>
#include <stdint.h>

static int name_ok(const char *s, size_t n) {
    size_t i;
    if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_' || s[0] == ':')) {
        return 0;
    }
    for (i = 1; i < n; i++) {
        if (!(isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == ':')) {
            return 0;
        }
    }
    return 1;
}

/* The series seen (name and labels), to find one twice. */
static char g_series[1024][256];
static int g_nseries;

/* The families seen (HELP, then TYPE, then samples), at most 64. */
static char g_family[64][96];
static char g_type[64][16];
static int g_families;

static int family_of(const char *name, size_t n) {
    int i;
    for (i = 0; i < g_families; i++) {
        size_t fl = strlen(g_family[i]);
        if (fl == n && strncmp(g_family[i], name, n) == 0) {
            return i;
        }
        if (strcmp(g_type[i], "summary") == 0 && n > fl && strncmp(g_family[i], name, fl) == 0 &&
            (strncmp(name + fl, "_sum", n - fl) == 0 || strncmp(name + fl, "_count", n - fl) == 0) &&
            (n - fl == 4 || n - fl == 6)) {
            return i;
        }
    }
    return -1;
}

/* Checks a Prometheus text exposition line by line; returns the number of bad lines
 * (printing each) and the number of samples in *samples. */
static int check_exposition(const char *text, int *samples) {
    const char *line = text;
    int bad = 0, lineno = 0, current = -1;
    g_families = 0;
    g_nseries = 0;
    *samples = 0;
    if (text[0] == '\0' || text[strlen(text) - 1] != '\n') {
        fprintf(stderr, "exposition does not end with a newline\n");
        return 1;
    }
    while (*line) {
        const char *end = strchr(line, '\n');
        size_t len = (size_t)(end - line);
        char buf[1024];
        lineno++;
        if (len == 0 || len >= sizeof buf) {
            fprintf(stderr, "line %d: empty or too long\n", lineno);
            bad++;
            line = end + 1;
            continue;
        }
        memcpy(buf, line, len);
        buf[len] = '\0';
        if (strncmp(buf, "# HELP ", 7) == 0) {
            char *name = buf + 7, *sp = strchr(name, ' ');
            if (sp == NULL || !name_ok(name, (size_t)(sp - name)) || sp[1] == '\0' ||
                g_families >= 64 || family_of(name, (size_t)(sp - name)) >= 0) {
                fprintf(stderr, "line %d: bad HELP: %s\n", lineno, buf);
                bad++;
            } else {
                snprintf(g_family[g_families], sizeof g_family[0], "%.*s", (int)(sp - name), name);
                g_type[g_families][0] = '\0';
                current = g_families++;
            }
        } else if (strncmp(buf, "# TYPE ", 7) == 0) {
            char *name = buf + 7, *sp = strchr(name, ' ');
            if (sp == NULL || current < 0 || strlen(g_family[current]) != (size_t)(sp - name) ||
                strncmp(g_family[current], name, (size_t)(sp - name)) != 0 ||
                (strcmp(sp + 1, "counter") && strcmp(sp + 1, "gauge") && strcmp(sp + 1, "summary"))) {
                fprintf(stderr, "line %d: bad TYPE: %s\n", lineno, buf);
                bad++;
            } else {
                snprintf(g_type[current], sizeof g_type[0], "%s", sp + 1);
                if (strcmp(sp + 1, "counter") == 0 &&
                    (strlen(g_family[current]) < 6 ||
                     strcmp(g_family[current] + strlen(g_family[current]) - 6, "_total") != 0)) {
                    fprintf(stderr, "line %d: counter without _total\n", lineno);
                    bad++;
                }
            }
        } else if (buf[0] == '#') {
            fprintf(stderr, "line %d: unknown comment\n", lineno);
            bad++;
        } else {
            /* name{label="value",...} value */
            char *p = buf, *brace = strchr(buf, '{'), *v;
            size_t n = strcspn(buf, "{ ");
            int fam = family_of(buf, n);
            char *endp;
            if (!name_ok(buf, n) || fam < 0 || fam != current || g_type[fam][0] == '\0') {
                fprintf(stderr, "line %d: sample outside its family: %s\n", lineno, buf);
                bad++;
            }
            p = buf + n;
            if (brace == p) {
                p++;
                while (*p != '}') {
                    size_t ln = strcspn(p, "=");
                    if (!name_ok(p, ln) || p[ln] != '=' || p[ln + 1] != '"') {
                        fprintf(stderr, "line %d: bad label at %s\n", lineno, p);
                        bad++;
                        break;
                    }
                    p += ln + 2;
                    while (*p && *p != '"') {
                        if (*p == '\\') {
                            p++;
                            if (*p != '\\' && *p != '"' && *p != 'n') {
                                fprintf(stderr, "line %d: bad escape\n", lineno);
                                bad++;
                                break;
                            }
                        }
                        p++;
                    }
                    if (*p != '"') {
                        fprintf(stderr, "line %d: unterminated label value\n", lineno);
                        bad++;
                        break;
                    }
                    p++;
                    if (*p == ',') {
                        p++;
                    } else if (*p != '}') {
                        fprintf(stderr, "line %d: junk after a label\n", lineno);
                        bad++;
                        break;
                    }
                }
                if (*p == '}') {
                    p++;
                }
            }
            {
                int k;
                size_t sl = (size_t)(p - buf);
                for (k = 0; k < g_nseries; k++) {
                    if (strlen(g_series[k]) == sl && strncmp(g_series[k], buf, sl) == 0) {
                        fprintf(stderr, "line %d: the same series twice: %s\n", lineno, buf);
                        bad++;
                    }
                }
                if (g_nseries < 1024 && sl < sizeof g_series[0]) {
                    snprintf(g_series[g_nseries++], sizeof g_series[0], "%.*s", (int)sl, buf);
                }
            }
            if (*p != ' ') {
                fprintf(stderr, "line %d: no space before the value\n", lineno);
                bad++;
            } else {
                v = p + 1;
                if (strcmp(v, "NaN") != 0) {
                    (void)strtod(v, &endp);
                    if (endp == v || *endp != '\0') {
                        fprintf(stderr, "line %d: value %s\n", lineno, v);
                        bad++;
                    }
                }
            }
            (*samples)++;
        }
        line = end + 1;
    }
    return bad;
}

/* The value of the first sample line starting with `prefix`, or -1e300. */
static double sample(const char *text, const char *prefix) {
    const char *p = text;
    size_t n = strlen(prefix);
    while (p && *p) {
        if (strncmp(p, prefix, n) == 0) {
            const char *sp = strchr(p + n, ' ');
            return sp ? strtod(sp + 1, NULL) : -1e300;
        }
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
    return -1e300;
}

static char *prometheus_of(const esme_client *c) {
    size_t needed = 0;
    char *buf;
    CHECK_RC(esme_client_prometheus(c, NULL, 0, &needed), ESME_ERR_BUFFER_TOO_SMALL);
    CHECK(needed > 100);
    needed += 4096; /* it may grow between the two calls */
    buf = malloc(needed);
    if (buf == NULL) {
        return NULL;
    }
    CHECK_RC(esme_client_prometheus(c, buf, needed, NULL), ESME_OK);
    return buf;
}

int main(int argc, char **argv) {
    esme_config *cfg;
    esme_client *c = NULL, *t = NULL;
    esme_metrics m;
    esme_bind_metrics b;
    esme_outcome o;
    const char *text_body = "metrics";
    esme_message msg;
    double end;
    int i, samples = 0;
    char prefix[256], path[4096], *text;

    test_start(120);
    if (argc < 5) {
        fprintf(stderr, "usage: metrics NODE_PORT FIFO TLS_PORT PKI_DIR\n");
        count_result(0);
        return finish();
    }
    smsc_fifo = argv[2];

    /* Traffic against node-smpp: 5 messages with receipts, 2 answered ESME_RTHROTTLED. */
    cfg = test_config(argv[1], "esme-metrics");
    REQUIRE(cfg != NULL);
    CHECK_RC(esme_config_set(cfg, "x-smpp-delivery-report", "true"), ESME_OK);
    CHECK_RC(esme_config_set(cfg, "x-smpp-throttle-backoff", "50"), ESME_OK);
    CHECK_RC(esme_client_connect(cfg, &c), ESME_OK);
    esme_config_free(cfg);
    REQUIRE(c != NULL);
    REQUIRE(smsc_cmd("{\"cmd\":\"throttle\",\"n\":2}"));
    sleep_ms(200);
    msg.to = "447700900123";
    msg.from = "Shop";
    msg.body = (const uint8_t *)text_body;
    msg.body_len = strlen(text_body);
    msg.flags = ESME_MSG_RECEIPT;
    for (i = 0; i < 5; i++) {
        CHECK_RC(esme_client_submit(c, &msg, &o), ESME_OK);
        CHECK(o.kind == ESME_ACCEPTED);
    }
    /* The receipts arrive as events; the metrics count them. */
    memset(&m, 0, sizeof m);
    end = now_s() + 10;
    do {
        esme_event *e = NULL;
        if (esme_client_poll(c, 50, &e) == ESME_OK) {
            esme_event_free(e);
        }
        m.struct_size = sizeof m;
        CHECK_RC(esme_client_metrics(c, &m), ESME_OK);
    } while (m.receipts_received < 5 && now_s() < end);
    CHECK(m.struct_size == sizeof m);
    CHECK(m.submitted == 5 && m.accepted == 5);
    CHECK(m.rejected == 0 && m.unknown == 0 && m.not_sent == 0);
    CHECK(m.receipts_received == 5);
    CHECK(m.receipts_matched == 5 && m.receipts_unmatched == 0);
    CHECK(m.receipt_lag_count == 5 && m.receipt_lag_sum_us > 0);
    CHECK(m.throttled == 2 && m.retried == 2);
    CHECK(m.parts_sent == 7 && m.latency_count == 7 && m.latency_p99_us >= m.latency_p50_us);
    CHECK(m.binds_configured == 1 && m.binds_up == 1);
    CHECK(m.window_size == 50 && m.in_flight == 0);
    CHECK(m.submits_per_second > 0.0);
    CHECK(m.bytes_in > 0 && m.bytes_out > 0);
    CHECK(m.client_cert_days_left == ESME_NO_CERTIFICATE);
    CHECK(m.smsc_cert_days_left == ESME_NO_CERTIFICATE);

    /* struct_size: unset is refused (nothing written); a newer caller's larger structure
     * gets this library's part and struct_size says how much. */
    {
        struct {
            esme_metrics m;
            uint64_t future;
        } newer;
        memset(&m, 0, sizeof m);
        CHECK_RC(esme_client_metrics(c, &m), ESME_ERR_INVALID_ARG);
        CHECK(m.submitted == 0);
        memset(&newer, 0, sizeof newer);
        newer.m.struct_size = sizeof newer;
        newer.future = 0xDEADu;
        CHECK_RC(esme_client_metrics(c, &newer.m), ESME_OK);
        CHECK(newer.m.struct_size == sizeof(esme_metrics));
        CHECK(newer.m.submitted == 5 && newer.future == 0xDEADu);
        CHECK_RC(esme_client_metrics(c, NULL), ESME_ERR_NULL);
    }

    /* Bind 0, and no bind 1. */
    memset(&b, 0, sizeof b);
    b.struct_size = sizeof b;
    CHECK_RC(esme_client_bind_metrics(c, 0, &b), ESME_OK);
    snprintf(prefix, sizeof prefix, "127.0.0.1:%s", argv[1]);
    CHECK(b.index == 0 && b.up == 1 && strcmp(b.host, prefix) == 0);
    CHECK(b.parts_sent == 7 && b.throttled == 2 && b.window_size == 50);
    CHECK(b.smsc_cert_days_left == ESME_NO_CERTIFICATE);
    CHECK_RC(esme_client_bind_metrics(c, 1, &b), ESME_ERR_INVALID_ARG);

    /* The Prometheus text: well formed, and carrying the numbers. */
    text = prometheus_of(c);
    REQUIRE(text != NULL);
    CHECK(check_exposition(text, &samples) == 0);
    CHECK(samples > 20);
    /* The channel label: system_id@host:port (no [section] name). */
    snprintf(prefix, sizeof prefix,
             "esme_receipts_total{channel=\"esme-metrics@127.0.0.1:%s\",match=\"matched\"}", argv[1]);
    CHECK(sample(text, prefix) == 5.0);
    snprintf(prefix, sizeof prefix,
             "esme_message_outcomes_total{channel=\"esme-metrics@127.0.0.1:%s\",outcome=\"accepted\"}",
             argv[1]);
    CHECK(sample(text, prefix) == 5.0);
    snprintf(prefix, sizeof prefix,
             "esme_throttled_responses_total{channel=\"esme-metrics@127.0.0.1:%s\",bind=\"0\","
             "host=\"127.0.0.1:%s\"}",
             argv[1], argv[1]);
    CHECK(sample(text, prefix) == 2.0);
    free(text);

    /* Mutual TLS against esme smsc: both certificates' days left. */
    cfg = test_config(argv[3], "esme-metr-tls");
    REQUIRE(cfg != NULL);
    CHECK_RC(esme_config_set(cfg, "x-smpp-tls-mode", "mutual"), ESME_OK);
    snprintf(path, sizeof path, "%s/client.p12", argv[4]);
    CHECK_RC(esme_config_set(cfg, "x-smpp-tls-path-to-certificate", path), ESME_OK);
    CHECK_RC(esme_config_set(cfg, "x-smpp-tls-certificate-file-password", "changeit"), ESME_OK);
    snprintf(path, sizeof path, "%s/ca.pem", argv[4]);
    CHECK_RC(esme_config_set(cfg, "x-smpp-tls-ca-file", path), ESME_OK);
    CHECK_RC(esme_config_set(cfg, "x-smpp-tls-expiry-warning-days", "3650"), ESME_OK);
    CHECK_RC(esme_client_connect(cfg, &t), ESME_OK);
    esme_config_free(cfg);
    REQUIRE(t != NULL);
    m.struct_size = sizeof m;
    CHECK_RC(esme_client_metrics(t, &m), ESME_OK);
    /* make-pki.sh keeps its "valid now" certificates valid at least 30 more days. */
    CHECK(m.client_cert_days_left >= 30 && m.client_cert_days_left != ESME_NO_CERTIFICATE);
    CHECK(m.smsc_cert_days_left >= 30 && m.smsc_cert_days_left != ESME_NO_CERTIFICATE);
    b.struct_size = sizeof b;
    CHECK_RC(esme_client_bind_metrics(t, 0, &b), ESME_OK);
    CHECK(b.smsc_cert_days_left == m.smsc_cert_days_left);
    /* With a window of 3650 days, both are warned about at connect. */
    {
        int warned = 0;
        esme_event *e;
        while ((e = poll_for(t, ESME_EVENT_WARNING, 0, 1, NULL)) != NULL) {
            esme_str w = esme_event_text(e);
            if (w.ptr != NULL && strstr(w.ptr, "renew it") != NULL) {
                warned++;
            }
            esme_event_free(e);
        }
        CHECK(warned == 2);
    }

    /* Two clients in one exposition: one HELP and TYPE per family. */
    {
        const esme_client *both[2];
        size_t needed = 0;
        both[0] = c;
        both[1] = t;
        CHECK_RC(esme_clients_prometheus(both, 2, NULL, 0, &needed), ESME_ERR_BUFFER_TOO_SMALL);
        needed += 4096;
        text = malloc(needed);
        REQUIRE(text != NULL);
        CHECK_RC(esme_clients_prometheus(both, 2, text, needed, &needed), ESME_OK);
        CHECK(check_exposition(text, &samples) == 0);
        {
            const char *first = strstr(text, "# TYPE esme_binds_up gauge");
            CHECK(first != NULL && strstr(first + 1, "# TYPE esme_binds_up ") == NULL);
        }
        snprintf(prefix, sizeof prefix,
                 "esme_tls_certificate_expiry_seconds{channel=\"esme-metr-tls@127.0.0.1:%s\","
                 "certificate=\"client\"}",
                 argv[3]);
        CHECK(sample(text, prefix) > 30.0 * 86400.0);
        free(text);
        both[1] = NULL;
        CHECK_RC(esme_clients_prometheus(both, 2, NULL, 0, &needed), ESME_ERR_NULL);
    }

    esme_client_free(t);
    esme_client_free(c);
    /* A freed client: a clear error, never a crash. */
    m.struct_size = sizeof m;
    CHECK_RC(esme_client_metrics(c, &m), ESME_ERR_INVALID_HANDLE);
    return finish();
}
