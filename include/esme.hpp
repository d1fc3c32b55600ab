// esme.hpp: a header-only C++17 layer over esme.h (the C API; docs/c-api.md). RAII owners
// for the four handles (esme::config, esme::client, esme::event, esme::rules), failures as
// esme::error (an exception holding the esme_result code and the one-line text of
// esme_last_error), strings as std::string / std::string_view. Written by hand (esme.h is
// generated); ffi-tests/cpp_client.cpp compiles it with -std=c++17 -Wall -Wextra -Werror and
// runs it against node-smpp's SMSC.
//
// Threading is the C API's: a client is used from any number of threads at once; an event
// belongs to whoever polled it. Owners are move-only; a moved-from owner holds nothing.
#ifndef ESME_HPP
#define ESME_HPP

#include "esme.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace esme {

/// A failed call: `code()` is its esme_result (ESME_ERR_CONFIG, ESME_ERR_CONNECT, …), and
/// `what()` the one-line cause and hint of esme_last_error (never a secret).
class error : public std::runtime_error {
  public:
    error(esme_result code, const std::string &text) : std::runtime_error(text), code_(code) {}
    esme_result code() const noexcept { return code_; }
    /// The code's static name (esme_result_str).
    const char *name() const noexcept { return esme_result_str(code_); }

  private:
    esme_result code_;
};

namespace detail {

/// The thread's last error text.
inline std::string last_error() {
    size_t needed = 0;
    esme_last_error(nullptr, 0, &needed);
    if (needed <= 1) {
        return std::string();
    }
    std::string s(needed, '\0');
    if (esme_last_error(&s[0], s.size(), &needed) != ESME_OK) {
        return std::string();
    }
    s.resize(needed - 1);
    return s;
}

/// Throws esme::error unless `r` is ESME_OK (or ESME_EMPTY when `empty_ok`).
inline esme_result check(esme_result r, bool empty_ok = false) {
    if (r == ESME_OK || (empty_ok && r == ESME_EMPTY)) {
        return r;
    }
    std::string text = last_error();
    throw error(r, text.empty() ? std::string(esme_result_str(r)) : text);
}

inline std::string_view view(esme_str s) {
    return s.ptr == nullptr ? std::string_view() : std::string_view(s.ptr, s.len);
}

/// A move-only owner of a C handle freed with `Free`.
template <typename T, void (*Free)(T *)> class owner {
  public:
    owner() noexcept = default;
    explicit owner(T *p) noexcept : p_(p) {}
    owner(owner &&o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
    owner &operator=(owner &&o) noexcept {
        if (this != &o) {
            reset(std::exchange(o.p_, nullptr));
        }
        return *this;
    }
    owner(const owner &) = delete;
    owner &operator=(const owner &) = delete;
    ~owner() { reset(nullptr); }
    T *get() const noexcept { return p_; }
    explicit operator bool() const noexcept { return p_ != nullptr; }
    void reset(T *p) noexcept {
        if (p_ != nullptr) {
            Free(p_);
        }
        p_ = p;
    }

  private:
    T *p_ = nullptr;
};

} // namespace detail

/// A channel configuration (Genesys option names): esme_config.
class config {
  public:
    config() {
        esme_config *c = nullptr;
        detail::check(esme_config_new(&c));
        h_.reset(c);
    }
    /// Sets one option; throws esme::error (ESME_ERR_CONFIG naming the option) when refused.
    config &set(const std::string &key, const std::string &value) {
        detail::check(esme_config_set(h_.get(), key.c_str(), value.c_str()));
        return *this;
    }
    /// Loads a channel section file; options set before apply on top of it.
    config &load_file(const std::string &path) {
        detail::check(esme_config_load_file(h_.get(), path.c_str()));
        return *this;
    }
    esme_config *get() const noexcept { return h_.get(); }

  private:
    detail::owner<esme_config, esme_config_free> h_;
};

/// One event from client::poll (or the outcome of client::submit): esme_event. Strings it
/// lends (std::string_view) live as long as the event.
class event {
  public:
    event() noexcept = default;
    explicit event(esme_event *e) noexcept : h_(e) {}
    esme_event_kind kind() const noexcept { return esme_event_get_kind(h_.get()); }
    uint64_t ticket() const noexcept { return esme_event_ticket(h_.get()); }
    /// The user data given with the message (OUTCOME, matched RECEIPT, RELEASED).
    uint64_t user_data() const noexcept { return esme_event_user_data(h_.get()); }
    /// The user data as the pointer it was made from.
    template <typename T> T *user_pointer() const noexcept {
        return reinterpret_cast<T *>(static_cast<uintptr_t>(user_data()));
    }
    /// True when no later event carries this user data (free what it points to).
    bool releases_user_data() const noexcept {
        return esme_event_releases_user_data(h_.get()) == 1;
    }
    bool receipt_matched() const noexcept { return esme_event_receipt_matched(h_.get()) == 1; }
    esme_outcome_kind outcome_kind() const noexcept { return esme_event_outcome_kind(h_.get()); }
    uint32_t command_status() const noexcept { return esme_event_command_status(h_.get()); }
    std::vector<std::string_view> message_ids() const {
        std::vector<std::string_view> ids;
        uint32_t n = esme_event_message_id_count(h_.get());
        ids.reserve(n);
        for (uint32_t i = 0; i < n; i++) {
            ids.push_back(detail::view(esme_event_message_id(h_.get(), i)));
        }
        return ids;
    }
    std::string_view text() const noexcept { return detail::view(esme_event_text(h_.get())); }
    std::string_view from() const noexcept { return detail::view(esme_event_from(h_.get())); }
    std::string_view to() const noexcept { return detail::view(esme_event_to(h_.get())); }
    esme_connection_state connection() const noexcept { return esme_event_connection(h_.get()); }
    /// A RECEIPT's fields; throws esme::error (ESME_ERR_RECEIPT) when it could not be read.
    esme_receipt receipt() const {
        esme_receipt r{};
        detail::check(esme_event_receipt(h_.get(), &r));
        return r;
    }
    esme_event *get() const noexcept { return h_.get(); }
    explicit operator bool() const noexcept { return static_cast<bool>(h_); }

  private:
    detail::owner<esme_event, esme_event_free> h_;
};

/// A message to submit. `body` is UTF-8 text, or octets with ESME_MSG_BINARY.
struct message {
    std::string to;
    std::string from;     ///< empty: the default reply address option
    std::string body;
    uint32_t flags = 0;   ///< ESME_MSG_*
    uint64_t user_data = 0;
};

/// A bound SMPP client: esme_client. Thread-safe; destroying it closes (unbinds, waits up
/// to the close timeout) and frees it: poll until empty after close() first to get every
/// event it still holds.
class client {
  public:
    /// Connects and binds; throws esme::error (ESME_ERR_CONNECT, ESME_ERR_BIND_REFUSED, TLS
    /// and PKCS#12 codes, …).
    explicit client(const config &cfg) {
        esme_client *c = nullptr;
        detail::check(esme_client_connect(cfg.get(), &c));
        h_.reset(c);
    }
    /// Submits and waits: the outcome as an OUTCOME event. Throws only when the message was
    /// not taken (bad message, closed client).
    event submit(const message &m) const {
        esme_message cm = c_message(m);
        esme_submit_options o = options(m);
        esme_event *e = nullptr;
        detail::check(esme_client_submit_with(h_.get(), &cm, &o, &e));
        return event(e);
    }
    /// Submits without waiting (blocks while the window and the queue behind it are full);
    /// the ticket. The outcome comes as an OUTCOME event with the user data.
    uint64_t submit_async(const message &m) const {
        esme_message cm = c_message(m);
        esme_submit_options o = options(m);
        uint64_t t = 0;
        detail::check(esme_client_submit_async_with(h_.get(), &cm, &o, &t));
        return t;
    }
    /// Never blocks: nullopt when the window and the queue behind it are full.
    std::optional<uint64_t> try_submit_async(const message &m) const {
        esme_message cm = c_message(m);
        esme_submit_options o = options(m);
        uint64_t t = 0;
        esme_result r = esme_client_try_submit_async_with(h_.get(), &cm, &o, &t);
        if (r == ESME_ERR_WINDOW_FULL) {
            return std::nullopt;
        }
        detail::check(r);
        return t;
    }
    /// The next event, waiting at most `timeout`; nullopt when none came.
    std::optional<event> poll(std::chrono::milliseconds timeout = std::chrono::milliseconds(0)) const {
        esme_event *e = nullptr;
        auto ms = timeout.count() < 0 ? 0 : timeout.count() > 0xFFFFFFFF ? 0xFFFFFFFF : timeout.count();
        if (detail::check(esme_client_poll(h_.get(), static_cast<uint32_t>(ms), &e), true) == ESME_EMPTY) {
            return std::nullopt;
        }
        return event(e);
    }
    /// The descriptor readable while events wait (esme_client_event_fd); owned by the client.
    int event_fd() const {
        int fd = -1;
        detail::check(esme_client_event_fd(h_.get(), &fd));
        return fd;
    }
    esme_connection_state state() const {
        esme_connection_state s = ESME_STATE_NONE;
        detail::check(esme_client_state(h_.get(), &s));
        return s;
    }
    esme_stats stats() const {
        esme_stats s{};
        detail::check(esme_client_stats(h_.get(), &s));
        return s;
    }
    /// Unbinds and closes; the events (every outcome among them) stay to be polled.
    void close() const { detail::check(esme_client_close(h_.get())); }
    esme_client *get() const noexcept { return h_.get(); }

  private:
    static esme_message c_message(const message &m) noexcept {
        esme_message cm{};
        cm.to = m.to.c_str();
        cm.from = m.from.empty() ? nullptr : m.from.c_str();
        cm.body = reinterpret_cast<const uint8_t *>(m.body.data());
        cm.body_len = m.body.size();
        cm.flags = m.flags;
        return cm;
    }
    static esme_submit_options options(const message &m) noexcept {
        esme_submit_options o{};
        o.size = sizeof o;
        o.user_data = m.user_data;
        return o;
    }
    detail::owner<esme_client, esme_client_free> h_;
};

/// PII masking rules: esme_rules.
class rules {
  public:
    /// The built-in rules.
    static rules builtin() {
        esme_rules *r = nullptr;
        detail::check(esme_rules_builtin(&r));
        return rules(r);
    }
    /// A JSON rule file plus the built-ins; throws esme::error (ESME_ERR_PII) naming the rule.
    static rules load_file(const std::string &path) {
        esme_rules *r = nullptr;
        detail::check(esme_rules_load_file(path.c_str(), &r));
        return rules(r);
    }
    /// DataByGroup: `text` masked by the rules of `group`; `count` (if given) gets the matches.
    std::string mask_group(const std::string &text, const std::string &group,
                           uint32_t *count = nullptr) const {
        return mask(esme_rules_mask_group, text, group, count);
    }
    /// DataByRule: `text` masked by one rule.
    std::string mask_rule(const std::string &text, const std::string &rule,
                          uint32_t *count = nullptr) const {
        return mask(esme_rules_mask_rule, text, rule, count);
    }
    esme_rules *get() const noexcept { return h_.get(); }

  private:
    explicit rules(esme_rules *r) noexcept : h_(r) {}
    using mask_fn = esme_result (*)(const esme_rules *, const char *, const char *, char *,
                                    size_t, size_t *, uint32_t *);
    std::string mask(mask_fn f, const std::string &text, const std::string &name,
                     uint32_t *count) const {
        std::string out(text.size() + 64, '\0');
        size_t needed = 0;
        esme_result r = f(h_.get(), text.c_str(), name.c_str(), &out[0], out.size(), &needed, count);
        if (r == ESME_ERR_BUFFER_TOO_SMALL) {
            out.assign(needed, '\0');
            r = f(h_.get(), text.c_str(), name.c_str(), &out[0], out.size(), &needed, count);
        }
        detail::check(r);
        out.resize(needed - 1);
        return out;
    }
    detail::owner<esme_rules, esme_rules_free> h_;
};

} // namespace esme

#endif
