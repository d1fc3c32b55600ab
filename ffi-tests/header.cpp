// header: include/esme.h compiles as C++ (C++11 and C++17, -Wall -Wextra -Wpedantic
// -Werror), its enums are 32-bit with the C numbering, and its declarations link.
#include "esme.h"

#include <cstddef>
#include <cstdio>
#include <cstring>
#include <type_traits>

static_assert(sizeof(esme_result) == 4, "esme_result is 32-bit");
static_assert(std::is_same<std::underlying_type<esme_result>::type, uint32_t>::value,
              "esme_result is uint32_t underneath");
static_assert(sizeof(esme_event_kind) == 4 && sizeof(esme_outcome_kind) == 4 &&
                  sizeof(esme_connection_state) == 4 && sizeof(esme_log_level) == 4,
              "every enum is 32-bit");
static_assert(ESME_OK == 0 && ESME_EMPTY == 1 && ESME_ERR_USAGE == 100 &&
                  ESME_ERR_CONNECT == 201 && ESME_ERR_TLS_CA_FILE == 301 &&
                  ESME_ERR_FRAME == 401 && ESME_ERR_BIND_REFUSED == 501,
              "result bands");
static_assert(std::is_standard_layout<esme_outcome>::value &&
                  std::is_trivially_copyable<esme_outcome>::value,
              "esme_outcome is plain data");
static_assert(offsetof(esme_outcome, kind) == 0 && offsetof(esme_outcome, message_ids) == 16 &&
                  offsetof(esme_outcome, why) == 16 + 1024,
              "esme_outcome layout");
static_assert(sizeof(esme_stats) == 17 * 8, "esme_stats: 17 counters");
static_assert(offsetof(esme_message, to) == 0, "esme_message starts with to");

int main() {
    esme_message m = {"447700900123", nullptr, nullptr, 0, ESME_MSG_RECEIPT};
    esme_log_callback cb = [](void *, const esme_log_record *) {};
    (void)m;
    (void)cb;
    const char *v = esme_version();
    char want[64];
    std::snprintf(want, sizeof want, "%d.%d.%d", ESME_VERSION_MAJOR, ESME_VERSION_MINOR,
                  ESME_VERSION_PATCH);
    int ok = v != nullptr && std::strcmp(v, want) == 0 &&
             std::strcmp(esme_result_str(ESME_OK), "ok") == 0;
    std::printf("%d passed, %d failed\n", ok ? 1 : 0, ok ? 0 : 1);
    return ok ? 0 : 1;
}
