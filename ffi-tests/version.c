/* Compiled against include/esme.h and linked with libesme: the header's version macros
 * must match the library that is loaded. */
#include "esme.h"

#include <stdio.h>
#include <string.h>

int main(void) {
    char expected[64];
    const char *v = esme_version();
    if (v == NULL) {
        fprintf(stderr, "esme_version() returned NULL\n");
        return 1;
    }
    snprintf(expected, sizeof expected, "%d.%d.%d", ESME_VERSION_MAJOR, ESME_VERSION_MINOR,
             ESME_VERSION_PATCH);
    if (strcmp(v, expected) != 0) {
        fprintf(stderr, "header says %s, library says %s\n", expected, v);
        return 1;
    }
    printf("1 passed, 0 failed\n");
    return 0;
}
