/* PII masking through the C API (DataByGroup, DataByRule, DataByRegEx), under the
 * sanitizers: results, buffer sizing, counts, errors, handles. No SMSC needed (the port
 * argument is accepted and ignored, like the other tests take one). */
#include "common.h"

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    esme_rules *rules = NULL;
    char buf[256];
    size_t needed = 0;
    uint32_t count = 0;
    const char *text = "Card 4111 1111 1111 1111, mail ann@example.com, call +44 7700 900123";

    CHECK_RC(esme_rules_builtin(&rules), ESME_OK);
    CHECK_RC(esme_rules_mask_group(rules, text, "default", buf, sizeof buf, &needed, &count), ESME_OK);
    CHECK(strcmp(buf, "Card ***************1111, mail ***************, call ***************") == 0);
    CHECK(count == 3);
    CHECK(needed == strlen(buf) + 1);

    /* Too small: nothing written, the size needed reported. */
    memset(buf, 'x', sizeof buf);
    CHECK_RC(esme_rules_mask_rule(rules, text, "email", buf, 8, &needed, &count), ESME_ERR_BUFFER_TOO_SMALL);
    CHECK(buf[0] == 'x');
    CHECK(needed == strlen(text) + 1);
    CHECK_RC(esme_rules_mask_rule(rules, text, "email", buf, needed, NULL, NULL), ESME_OK);
    CHECK(strstr(buf, "ann@") == NULL && strstr(buf, "4111 1111 1111 1111") != NULL);

    /* Any script: a multi-byte text keeps its characters, masked ones become '*'. */
    CHECK_RC(esme_rules_mask_group(rules, "Почта: ivan@example.ru 🙂", "default", buf, sizeof buf, NULL, &count), ESME_OK);
    CHECK(strcmp(buf, "Почта: *************** 🙂") == 0);

    CHECK_RC(esme_mask_regex("room 101", "\\d+", buf, sizeof buf, NULL, &count), ESME_OK);
    CHECK(strcmp(buf, "room ***") == 0 && count == 1);

    /* Errors name what was wrong. */
    char err[512];
    CHECK_RC(esme_rules_mask_group(rules, text, "nope", buf, sizeof buf, NULL, NULL), ESME_ERR_PII);
    CHECK(strstr(last_error(err, sizeof err), "nope") != NULL);
    CHECK_RC(esme_mask_regex("x", "(", buf, sizeof buf, NULL, NULL), ESME_ERR_PII);
    CHECK_RC(esme_rules_load_file("/nonexistent/rules.json", &rules), ESME_ERR_PII);
    CHECK(strstr(last_error(err, sizeof err), "/nonexistent/rules.json") != NULL);
    CHECK_RC(esme_rules_mask_group(rules, NULL, "default", buf, sizeof buf, NULL, NULL), ESME_ERR_NULL);
    CHECK_RC(esme_rules_mask_group(NULL, text, "default", buf, sizeof buf, NULL, NULL), ESME_ERR_NULL);
    CHECK_RC(esme_rules_builtin(NULL), ESME_ERR_NULL);
    CHECK_RC(esme_mask_regex("\xff\xfe", "x", buf, sizeof buf, NULL, NULL), ESME_ERR_UTF8);

    esme_rules_free(rules);
    esme_rules_free(rules);
    esme_rules_free(NULL);
    CHECK_RC(esme_rules_mask_group(rules, text, "default", buf, sizeof buf, NULL, NULL), ESME_ERR_INVALID_HANDLE);
    return finish();
}
