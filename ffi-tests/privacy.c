/* privacy: personal data never reaches the C log callback, an outcome's `why` or
 * esme_last_error. At ESME_LOG_TRACE, texts holding cards, IBANs, e-mails and national and
 * international phone numbers (GSM, UCS-2, Latin-1; short and split into parts; starting with
 * the data, so the receipts' `text:` cuts it) are sent with receipts; every record (message,
 * target, channel) is scanned for a run of 4 digits of the data (up to two of " .-/()" between
 * digits do not end a run) or 4 letters of its e-mails and IBANs: none may be found. The same
 * scan finds the data in the texts as sent (the control), and the records keep receipt ids,
 * states and error codes readable.
 *   privacy PORT     (PORT: an `esme smsc` on 127.0.0.1; it copies the first 20 characters of
 *                     each part into its receipt's text:, as real SMSCs do)
 * The same corpus runs in Rust against node-smpp's SMSC and through the CLI: tests/privacy.rs. */
#include "common.h"

#include <ctype.h>
#include <pthread.h>

static const char *const PERSONAL[] = {
    "4539 1488 0343 6467", "5425 2334 3010 9903", "4917484589897107", "3714 496353 98431",
    "GB82 WEST 1234 5698 7654 32", "DE89370400440532013000", "NL91 ABNA 0417 1643 00",
    "zofia.kwiatkowska@przyklad-bank.pl", "07700 900456", "07911847362", "020 7946 0958",
    "0049 30 1234567", "0171/9087615", "06 98 76 54 32", "+44 7700 900123", "+1 (212) 555-0148",
    "447700912345",
};
#define N_PERSONAL (sizeof PERSONAL / sizeof PERSONAL[0])

/* The texts: (text, latin1). */
static const char *const GSM_TEXTS[] = {
    "Card 4539 1488 0343 6467, exp 09/29. Call 07700 900456 or mail zofia.kwiatkowska@przyklad-bank.pl",
    "4917484589897107 is my card, IBAN DE89370400440532013000",
    "GB82 WEST 1234 5698 7654 32 please, and NL91 ABNA 0417 1643 00 too",
    "+1 (212) 555-0148 call me, or 07911847362",
    /* Long: split into parts, the boundaries cutting the data. */
    "Hello x x x, 4539 1488 0343 6467 and 5425 2334 3010 9903, 4917484589897107 and 3714 496353 "
    "98431, GB82 WEST 1234 5698 7654 32 and DE89370400440532013000, NL91 ABNA 0417 1643 00 and "
    "zofia.kwiatkowska@przyklad-bank.pl, 07700 900456 and 07911847362, 020 7946 0958 and 0049 30 "
    "1234567, 0171/9087615 and 06 98 76 54 32, +44 7700 900123 and +1 (212) 555-0148. Thanks!",
    /* UCS-2 (Cyrillic), one part and several. */
    "\xd0\x9a\xd0\xb0\xd1\x80\xd1\x82\xd0\xb0 5425 2334 3010 9903, \xd1\x82\xd0\xb5\xd0\xbb. "
    "+44 7700 900123",
    "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82! 4539 1488 0343 6467, 020 7946 0958, "
    "zofia.kwiatkowska@przyklad-bank.pl, 0049 30 1234567, GB82 WEST 1234 5698 7654 32, "
    "06 98 76 54 32 \xd0\xb8 0171/9087615.",
};
#define N_GSM (sizeof GSM_TEXTS / sizeof GSM_TEXTS[0])
/* Sent with x-smpp-outbound-enc-default = latin1. */
static const char *const LATIN1_TEXT =
    "Gr\xc3\xbc\xc3\x9f" "e aus K\xc3\xb6ln! Konto DE89370400440532013000, Tel. 0049 30 1234567, "
    "Karte 3714 496353 98431. Merci, Zo\xc3\xab";

/* ---------------------------------------------------------------- the log */
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static char *g_log;
static size_t g_log_len, g_log_cap;
static int g_records, g_trace_records, g_no_channel, g_multiline;

static void append(const char *p, size_t n) {
    if (g_log_len + n + 1 > g_log_cap) {
        size_t cap = g_log_cap ? g_log_cap * 2 : 1 << 16;
        char *m;
        while (cap < g_log_len + n + 1) {
            cap *= 2;
        }
        m = realloc(g_log, cap);
        if (m == NULL) {
            return;
        }
        g_log = m;
        g_log_cap = cap;
    }
    memcpy(g_log + g_log_len, p, n);
    g_log_len += n;
    g_log[g_log_len] = '\0';
}

static void on_log(void *userdata, const esme_log_record *r) {
    (void)userdata;
    pthread_mutex_lock(&g_lock);
    g_records++;
    if (r->level == ESME_LOG_TRACE) {
        g_trace_records++;
    }
    if (strncmp(r->target.ptr, "esme::pdu", 9) == 0 && r->channel.len == 0) {
        g_no_channel++;
    }
    if (memchr(r->message.ptr, '\n', r->message.len) != NULL) {
        g_multiline++;
    }
    append(r->target.ptr, r->target.len);
    append(" [", 2);
    append(r->channel.ptr, r->channel.len);
    append("] ", 2);
    append(r->message.ptr, r->message.len);
    append("\n", 1);
    pthread_mutex_unlock(&g_lock);
}

/* ---------------------------------------------------------------- the scan */
#define MAX_WINDOWS 2048
static char g_windows[MAX_WINDOWS][5];
static int g_n_windows;
/* Whole words never counted: this run's message ids. */
static char g_exempt[256][66];
static int g_n_exempt;

static void add_window(const char *w) {
    int i;
    for (i = 0; i < g_n_windows; i++) {
        if (memcmp(g_windows[i], w, 4) == 0) {
            return;
        }
    }
    if (g_n_windows < MAX_WINDOWS) {
        memcpy(g_windows[g_n_windows], w, 4);
        g_windows[g_n_windows][4] = '\0';
        g_n_windows++;
    }
}

static int is_window(const char *w) {
    int i;
    for (i = 0; i < g_n_windows; i++) {
        if (memcmp(g_windows[i], w, 4) == 0) {
            return 1;
        }
    }
    return 0;
}

/* The 4-digit windows of each item's digits; the 4-letter windows (lower case) of each run of
 * 4 or more letters of the e-mail and IBAN items. */
static void build_windows(void) {
    size_t k;
    for (k = 0; k < N_PERSONAL; k++) {
        const char *p = PERSONAL[k];
        char digits[64], run[64];
        size_t nd = 0, nr = 0, i, j;
        int letters_matter = strchr(p, '@') != NULL || (isupper((unsigned char)p[0]) &&
                                                        isupper((unsigned char)p[1]));
        for (i = 0; p[i] && nd < sizeof digits - 1; i++) {
            if (isdigit((unsigned char)p[i])) {
                digits[nd++] = p[i];
            }
        }
        for (j = 0; j + 4 <= nd; j++) {
            add_window(digits + j);
        }
        if (!letters_matter) {
            continue;
        }
        for (i = 0;; i++) {
            if (isalpha((unsigned char)p[i]) && nr < sizeof run - 1) {
                run[nr++] = (char)tolower((unsigned char)p[i]);
                continue;
            }
            for (j = 0; nr >= 4 && j + 4 <= nr; j++) {
                add_window(run + j);
            }
            nr = 0;
            if (!p[i]) {
                break;
            }
        }
    }
}

/* Blanks (with '#') what is not scanned: `127.0.0.1:PORT`, `date:DIGITS`, `U+HHHH` and the
 * exempt words. Modifies `s`. */
static void strip(char *s) {
    static const char *const prefixes[] = {"127.0.0.1:", "date:", "U+"};
    size_t k;
    int e;
    for (k = 0; k < sizeof prefixes / sizeof prefixes[0]; k++) {
        char *p = s;
        size_t n = strlen(prefixes[k]);
        while ((p = strstr(p, prefixes[k])) != NULL) {
            p += n;
            while (isdigit((unsigned char)*p) || (k == 2 && isxdigit((unsigned char)*p))) {
                *p++ = '#';
            }
        }
    }
    for (e = 0; e < g_n_exempt; e++) {
        char *p = s;
        size_t n = strlen(g_exempt[e]);
        while (n > 0 && (p = strstr(p, g_exempt[e])) != NULL) {
            int before = p > s && isalnum((unsigned char)p[-1]);
            int after = isalnum((unsigned char)p[n]);
            if (!before && !after) {
                memset(p, '#', n);
            }
            p += n;
        }
    }
}

/* The number of windows of the personal data in `text` (a copy is stripped and scanned);
 * prints each hit with `what`. */
static int scan(const char *what, const char *text, int print) {
    size_t len = strlen(text), i = 0;
    char *s = malloc(len + 1);
    int hits = 0;
    if (s == NULL) {
        return -1;
    }
    memcpy(s, text, len + 1);
    strip(s);
    while (i < len) {
        char run[4096];
        size_t n = 0, start = i, j;
        int digit = isdigit((unsigned char)s[i]) != 0;
        if (!digit && !isalpha((unsigned char)s[i])) {
            i++;
            continue;
        }
        for (;;) {
            while (i < len && (digit ? isdigit((unsigned char)s[i]) : isalpha((unsigned char)s[i]))) {
                if (n < sizeof run - 1) {
                    run[n++] = (char)tolower((unsigned char)s[i]);
                }
                i++;
            }
            j = i;
            while (digit && j < len && j - i < 2 && strchr(" .-/()", s[j]) != NULL && s[j]) {
                j++;
            }
            if (digit && j > i && j < len && isdigit((unsigned char)s[j])) {
                i = j;
                continue;
            }
            break;
        }
        for (j = 0; j + 4 <= n; j++) {
            if (is_window(run + j)) {
                hits++;
                if (print) {
                    size_t a = start > 60 ? start - 60 : 0;
                    fprintf(stderr, "LEAK in %s: %.4s in ...%.*s...\n", what, run + j,
                            (int)(i - a + 20 < len - a ? i - a + 20 : len - a), s + a);
                }
            }
        }
    }
    free(s);
    return hits;
}

static void exempt_ids(const char *ids) {
    const char *p = ids;
    while (*p && g_n_exempt < 256) {
        size_t n = strcspn(p, ",");
        if (n > 0 && n < sizeof g_exempt[0]) {
            memcpy(g_exempt[g_n_exempt], p, n);
            g_exempt[g_n_exempt][n] = '\0';
            g_n_exempt++;
        }
        p += n;
        if (*p == ',') {
            p++;
        }
    }
}

/* Submits `text` with a receipt and waits for one receipt per part; the outcome's `why` is
 * scanned. Returns the number of parts. */
static int send_one(esme_client *c, const char *to, const char *text) {
    esme_message m = text_message(to, text, ESME_MSG_RECEIPT);
    esme_outcome o;
    int parts, got = 0;
    memset(&o, 0, sizeof o);
    CHECK_RC(esme_client_submit(c, &m, &o), ESME_OK);
    CHECK(o.kind == ESME_ACCEPTED);
    CHECK(scan("an outcome's why", o.why, 1) == 0);
    exempt_ids(o.message_ids);
    parts = (int)o.parts;
    while (got < parts) {
        esme_event *e = poll_for(c, ESME_EVENT_RECEIPT, 0, 20, NULL);
        if (e == NULL) {
            break;
        }
        got++;
        esme_event_free(e);
    }
    CHECK(got == parts);
    return parts;
}

int main(int argc, char **argv) {
    esme_config *cfg, *latin1;
    esme_client *c = NULL;
    char eb[1024];
    size_t i;
    int parts = 0, control = 0;

    test_start(120);
    if (argc < 2) {
        fprintf(stderr, "usage: privacy PORT (an esme smsc on 127.0.0.1)\n");
        count_result(0);
        return finish();
    }
    build_windows();
    CHECK(g_n_windows > 100);
    /* Control: the scan finds every item in the texts as sent. */
    for (i = 0; i < N_PERSONAL; i++) {
        CHECK(scan("control", PERSONAL[i], 0) > 0);
    }
    for (i = 0; i < N_GSM; i++) {
        control += scan("control", GSM_TEXTS[i], 0);
    }
    CHECK(control > 50);
    /* What is not personal data is not counted: masked numbers, ports, receipt dates. */
    CHECK(scan("control", "to *********345 at 127.0.0.1:41234, done date:1234567890", 0) == 0);
    CHECK(scan("control", "call 0171 90 87", 0) > 0);

    CHECK_RC(esme_set_log_callback(on_log, NULL, ESME_LOG_TRACE), ESME_OK);
    cfg = test_config(argv[1], "esme-privacy");
    REQUIRE(cfg != NULL);
    CHECK_RC(esme_client_connect(cfg, &c), ESME_OK);
    REQUIRE(c != NULL);
    for (i = 0; i < N_GSM; i++) {
        parts += send_one(c, i % 2 ? "447700912345" : "+447700912345", GSM_TEXTS[i]);
    }
    /* Bad input: a destination too long. Its error names the field, not the number. */
    {
        esme_message m = text_message("447700912345447700912345447700912345", GSM_TEXTS[0], 0);
        esme_outcome o;
        CHECK(esme_client_submit(c, &m, &o) != ESME_OK);
        last_error(eb, sizeof eb);
        CHECK(strlen(eb) > 0);
        CHECK(scan("esme_last_error", eb, 1) == 0);
    }
    CHECK_RC(esme_client_close(c), ESME_OK);
    esme_client_free(c);
    c = NULL;

    latin1 = test_config(argv[1], "esme-privacy");
    REQUIRE(latin1 != NULL);
    CHECK_RC(esme_config_set(latin1, "x-smpp-outbound-enc-default", "latin1"), ESME_OK);
    CHECK_RC(esme_client_connect(latin1, &c), ESME_OK);
    REQUIRE(c != NULL);
    parts += send_one(c, "447700912345", LATIN1_TEXT);
    CHECK_RC(esme_client_close(c), ESME_OK);
    esme_client_free(c);
    CHECK_RC(esme_set_log_callback(NULL, NULL, ESME_LOG_TRACE), ESME_OK);

    pthread_mutex_lock(&g_lock);
    REQUIRE(g_log != NULL);
    printf("%d records (%d at trace), %zu octets, %d message parts\n", g_records,
           g_trace_records, g_log_len, parts);
    CHECK(parts > (int)N_GSM + 1);
    CHECK(g_trace_records > 0);
    CHECK(g_no_channel == 0);
    CHECK(g_multiline == 0);
    CHECK(strstr(g_log, "esme::pdu [127.0.0.1] sent submit_sm") != NULL);
    CHECK(strstr(g_log, "stat:DELIVRD err:000 text:****") != NULL);
    CHECK(strstr(g_log, "esme::client [127.0.0.1] submit to *********345") != NULL);
    /* Every receipt id is readable. */
    {
        int e;
        for (e = 0; e < g_n_exempt; e++) {
            char want[80];
            snprintf(want, sizeof want, "id:%s ", g_exempt[e]);
            CHECK(strstr(g_log, want) != NULL);
        }
    }
    CHECK(scan("the log callback's records", g_log, 1) == 0);
    pthread_mutex_unlock(&g_lock);
    free(g_log);
    esme_config_free(cfg);
    esme_config_free(latin1);
    return finish();
}
