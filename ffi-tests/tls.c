/* tls: mutual TLS with a PKCS#12 client certificate, and the failures that name their cause.
 *   tls TLS_PORT PKI_DIR PW_PORT
 * TLS_PORT: `esme smsc --tls-cert server.pem --tls-key server.key --tls-client-ca
 * client-ca.pem`; PKI_DIR: made by tests/tls/make-pki.sh; PW_PORT: `esme smsc --system-id X
 * --password Y` (plain). */
#include "common.h"

static const char *g_pki;

static esme_config *tls_config(const char *port, const char *p12, const char *file_password) {
    char path[4096];
    esme_config *cfg = test_config(port, "esme-tls");
    if (cfg == NULL) {
        return NULL;
    }
    CHECK_RC(esme_config_set(cfg, "x-smpp-tls-mode", "mutual"), ESME_OK);
    snprintf(path, sizeof path, "%s/%s", g_pki, p12);
    CHECK_RC(esme_config_set(cfg, "x-smpp-tls-path-to-certificate", path), ESME_OK);
    CHECK_RC(esme_config_set(cfg, "x-smpp-tls-certificate-file-password", file_password),
             ESME_OK);
    snprintf(path, sizeof path, "%s/ca.pem", g_pki);
    CHECK_RC(esme_config_set(cfg, "x-smpp-tls-ca-file", path), ESME_OK);
    /* No reconnect loop on a failed first connect: connect reports it. */
    return cfg;
}

/* Connects, expecting `want`; the thread's last error must contain `text` (if not NULL). */
static void expect_connect_failure(esme_config *cfg, esme_result want, const char *text,
                                   const char *what) {
    esme_client *c = NULL;
    char buf[2048];
    esme_result r = esme_client_connect(cfg, &c);
    CHECK_RC(r, want);
    CHECK(c == NULL);
    last_error(buf, sizeof buf);
    printf("%s: %u %s: %s\n", what, (unsigned)r, esme_result_str(r), buf);
    if (text != NULL) {
        CHECK(strstr(buf, text) != NULL);
        if (strstr(buf, text) == NULL) {
            fprintf(stderr, "  the text should contain '%s'\n", text);
        }
    }
    CHECK(strstr(buf, "changeit") == NULL && strstr(buf, "wrong-password") == NULL);
    esme_client_free(c);
}

int main(int argc, char **argv) {
    esme_config *cfg;
    esme_client *c = NULL;
    esme_outcome o;
    esme_message m;

    test_start(120);
    if (argc < 4) {
        fprintf(stderr, "usage: tls TLS_PORT PKI_DIR PW_PORT\n");
        count_result(0);
        return finish();
    }
    g_pki = argv[2];

    /* Mutual TLS with client.p12. */
    cfg = tls_config(argv[1], "client.p12", "changeit");
    REQUIRE(cfg != NULL);
    CHECK_RC(esme_client_connect(cfg, &c), ESME_OK);
    REQUIRE(c != NULL);
    m = text_message("447700900123", "over mutual TLS", 0);
    CHECK_RC(esme_client_submit(c, &m, &o), ESME_OK);
    CHECK(o.kind == ESME_ACCEPTED && o.parts == 1);
    printf("mutual TLS: submit accepted, id %s\n", o.message_ids);
    CHECK_RC(esme_client_close(c), ESME_OK);
    esme_client_free(c);
    esme_config_free(cfg);

    /* Wrong PKCS#12 file password. */
    cfg = tls_config(argv[1], "client.p12", "wrong-password");
    REQUIRE(cfg != NULL);
    expect_connect_failure(cfg, ESME_ERR_PKCS12_FILE_PASSWORD,
                           "x-smpp-tls-certificate-file-password is wrong", "wrong file password");
    esme_config_free(cfg);

    /* A client certificate the SMSC does not trust. */
    cfg = tls_config(argv[1], "client-untrusted.p12", "changeit");
    REQUIRE(cfg != NULL);
    expect_connect_failure(cfg, ESME_ERR_TLS_CLIENT_CERT_REJECTED,
                           "the SMSC did not accept our client certificate", "untrusted client");
    esme_config_free(cfg);

    /* Plain SMPP to the TLS port. */
    cfg = test_config(argv[1], "esme-tls");
    REQUIRE(cfg != NULL);
    expect_connect_failure(cfg, ESME_ERR_TLS_PLAIN_TO_TLS, "x-smpp-tls-mode", "plain to TLS");
    esme_config_free(cfg);

    /* Bounded inputs (issue 16): a device as the CA file used to be read without end (4 GiB
     * allocated, the process aborted); a PKCS#12 file of 1 100 certificate bags is refused
     * before they are read (the fuzz regression; run from the repository root, as run.sh
     * does). Each fails at once, in one line. */
    cfg = tls_config(argv[1], "client.p12", "changeit");
    REQUIRE(cfg != NULL);
    CHECK_RC(esme_config_set(cfg, "x-smpp-tls-ca-file", "/dev/zero"), ESME_OK);
    expect_connect_failure(cfg, ESME_ERR_TLS_CA_FILE,
                           "/dev/zero: it is a character device, not a regular file",
                           "CA file /dev/zero");
    esme_config_free(cfg);
    cfg = tls_config(argv[1], "client.p12", "changeit");
    REQUIRE(cfg != NULL);
    CHECK_RC(esme_config_set(cfg, "x-smpp-tls-path-to-certificate",
                             "fuzz/regressions/pkcs12/certificate-bags"),
             ESME_OK);
    expect_connect_failure(cfg, ESME_ERR_PKCS12_OTHER,
                           "the file would take too long to open: it holds more than 1024",
                           "PKCS#12 of 1100 certificates");
    esme_config_free(cfg);

    /* A wrong bind password. */
    cfg = test_config(argv[3], "X");
    REQUIRE(cfg != NULL);
    CHECK_RC(esme_config_set(cfg, "password", "notY"), ESME_OK);
    expect_connect_failure(cfg, ESME_ERR_BIND_REFUSED, "ESME_RINVPASWD", "wrong bind password");
    /* The right one binds. */
    CHECK_RC(esme_config_set(cfg, "password", "Y"), ESME_OK);
    CHECK_RC(esme_client_connect(cfg, &c), ESME_OK);
    esme_client_free(c);
    esme_config_free(cfg);
    return finish();
}
