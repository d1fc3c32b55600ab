// cpp_client: include/esme.hpp (C++17, header-only) end to end against node-smpp's SMSC
// (tests/interop/smsc.js, receipts on), built by ffi-tests/run.sh with
// g++ -std=c++17 -Wall -Wextra -Wpedantic -Werror and ASan/UBSan.
//   cpp_client PORT FIFO
// RAII owners (config, client, event, rules), esme::error with code and text, blocking and
// async submits with user data, the events waited for on the client's descriptor.
#include "esme.hpp"

#include <atomic>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <poll.h>
#include <string>
#include <unistd.h>

static int passed, failed;

#define CHECK(cond)                                                                          \
    do {                                                                                     \
        if (cond) {                                                                          \
            passed++;                                                                        \
        } else {                                                                             \
            failed++;                                                                        \
            std::fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);             \
        }                                                                                    \
    } while (0)

static const char *g_fifo;

static bool smsc_cmd(const std::string &json) {
    int fd = open(g_fifo, O_WRONLY | O_NONBLOCK);
    if (fd < 0) {
        return false;
    }
    std::string line = json + "\n";
    bool ok = write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
    close(fd);
    return ok;
}

static esme::config base(const std::string &port) {
    esme::config c;
    c.set("x-smpp-host", "127.0.0.1")
        .set("x-smpp-port", port)
        .set("x-smpp-system-id", "esme-cpp")
        .set("password", "secret")
        .set("x-smpp-comms-timeout", "5000")
        .set("x-smpp-close-timeout", "2000")
        .set("x-smpp-submit-rate-unlimited", "true")
        .set("x-smpp-submit-window-size", "50")
        .set("x-smpp-delivery-report", "true");
    return c;
}

struct job {
    int n = 0;
    bool outcome = false;
    std::string id;
};

int main(int argc, char **argv) {
    alarm(120);
    if (argc < 3) {
        std::fprintf(stderr, "usage: cpp_client PORT FIFO\n");
        return 1;
    }
    g_fifo = argv[2];
    CHECK(smsc_cmd("{\"cmd\":\"receipts\",\"on\":true}"));

    // Errors carry the code and the one-line text.
    try {
        esme::config c;
        c.set("x-smpp-hots", "127.0.0.1");
        CHECK(false);
    } catch (const esme::error &e) {
        CHECK(e.code() == ESME_ERR_CONFIG);
        CHECK(std::strstr(e.what(), "did you mean 'x-smpp-host'") != nullptr);
        CHECK(std::strcmp(e.name(), esme_result_str(ESME_ERR_CONFIG)) == 0);
    }
    try {
        esme::config c = base("1"); // nothing listens on port 1
        esme::client nope(c);
        CHECK(false);
    } catch (const esme::error &e) {
        CHECK(e.code() == ESME_ERR_CONNECT);
        std::printf("connect to port 1: %s (%u)\n", e.what(), static_cast<unsigned>(e.code()));
    }

    // Rules: RAII, masking by group and rule.
    {
        esme::rules r = esme::rules::builtin();
        uint32_t count = 0;
        std::string masked = r.mask_group("mail ivan@example.ru now", "default", &count);
        CHECK(count == 1 && masked.find("ivan@example.ru") == std::string::npos);
        esme::rules moved = std::move(r);
        CHECK(moved.get() != nullptr && r.get() == nullptr);
        try {
            moved.mask_group("x", "no-such-group");
            CHECK(false);
        } catch (const esme::error &e) {
            CHECK(e.code() == ESME_ERR_PII);
        }
    }

    esme::config cfg = base(argv[1]);
    esme::client client(cfg);
    CHECK(client.state() == ESME_STATE_BOUND);
    int fd = client.event_fd();
    CHECK(fd >= 0);

    // Blocking: the outcome as an event, with the user data.
    job first;
    first.n = 0;
    esme::event out = client.submit({"447700900600", "Shop", "from C++", ESME_MSG_RECEIPT,
                                     reinterpret_cast<uintptr_t>(&first)});
    CHECK(out.kind() == ESME_EVENT_OUTCOME && out.outcome_kind() == ESME_ACCEPTED);
    CHECK(out.user_pointer<job>() == &first && !out.releases_user_data());
    CHECK(out.message_ids().size() == 1 && !out.message_ids()[0].empty());
    first.id = std::string(out.message_ids()[0]);
    first.outcome = true;

    // Async: 200 jobs owned by unique_ptr until the event that releases each.
    const int n = 200;
    for (int i = 0; i < n; i++) {
        auto j = std::make_unique<job>();
        j->n = i + 1;
        esme::message m{"447700900601", "Shop", "async from C++ " + std::to_string(i),
                        ESME_MSG_RECEIPT, reinterpret_cast<uintptr_t>(j.get())};
        client.submit_async(m);
        j.release(); // owned by the events from here
    }
    int outcomes = 0, receipts = 0, freed = 0, bad = 0;
    bool first_receipt = false;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while ((freed < n || !first_receipt) && std::chrono::steady_clock::now() < deadline) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 1000) != 1) {
            continue;
        }
        while (auto e = client.poll()) {
            job *j = e->user_pointer<job>();
            switch (e->kind()) {
            case ESME_EVENT_OUTCOME:
                outcomes++;
                if (j == nullptr || e->outcome_kind() != ESME_ACCEPTED) {
                    bad++;
                } else {
                    j->outcome = true;
                    j->id = std::string(e->message_ids().at(0));
                }
                break;
            case ESME_EVENT_RECEIPT: {
                esme_receipt r = e->receipt();
                if (!e->receipt_matched() || j == nullptr || !j->outcome ||
                    esme_receipt_ids_match(j->id.c_str(), r.id.ptr) != 1) {
                    bad++;
                } else if (j == &first) {
                    first_receipt = e->releases_user_data();
                    j = nullptr; // on the stack
                } else {
                    receipts++;
                }
                break;
            }
            default:
                break;
            }
            if (j != nullptr && e->releases_user_data()) {
                delete j;
                freed++;
            }
        }
    }
    std::printf("C++: %d outcomes, %d receipts, %d jobs freed, %d bad; blocking submit's receipt %s\n",
                outcomes, receipts, freed, bad, first_receipt ? "matched" : "missing");
    CHECK(outcomes == n && receipts == n && freed == n && bad == 0 && first_receipt);

    // Close: the Closed event is still there; a closed client refuses submits by exception.
    client.close();
    bool closed = false;
    while (auto e = client.poll()) {
        closed |= e->kind() == ESME_EVENT_CONNECTION && e->connection() == ESME_STATE_CLOSED;
    }
    CHECK(closed);
    try {
        client.submit_async({"447700900602", "", "late", 0, 0});
        CHECK(false);
    } catch (const esme::error &e) {
        CHECK(e.code() == ESME_ERR_CLOSED);
    }
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 && passed > 0 ? 0 : 1;
}
