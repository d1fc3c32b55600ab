/* events: MO messages, receipts and connection changes by poll, against node-smpp's SMSC
 * (tests/interop/smsc.js, an independent SMPP implementation).
 *   events PORT FIFO
 * PORT: smsc.js on 127.0.0.1; FIFO: the named pipe smsc.js reads its commands from (the
 * driver keeps a writer open so smsc.js never sees end-of-file). */
#include "common.h"

#include <fcntl.h>



static int str_is(esme_str s, const char *want) {
    return s.ptr != NULL && s.len == strlen(want) && strcmp(s.ptr, want) == 0;
}

int main(int argc, char **argv) {
    esme_config *cfg;
    esme_client *c = NULL;
    esme_event *e;
    esme_outcome o;
    esme_message m;
    char submit_id[1024];
    esme_stats st;

    test_start(120);
    if (argc < 3) {
        fprintf(stderr, "usage: events PORT FIFO (node tests/interop/smsc.js on 127.0.0.1)\n");
        count_result(0);
        return finish();
    }
    smsc_fifo = argv[2];
    cfg = test_config(argv[1], "esme-events");
    REQUIRE(cfg != NULL);
    CHECK_RC(esme_config_set(cfg, "x-smpp-delivery-report", "true"), ESME_OK);
    CHECK_RC(esme_client_connect(cfg, &c), ESME_OK);
    REQUIRE(c != NULL);

    /* Bound, to node-smpp's SMSC: its system_id is the text. */
    e = poll_for(c, ESME_EVENT_CONNECTION, 0, 5, NULL);
    CHECK(e != NULL && esme_event_connection(e) == ESME_STATE_BOUND);
    CHECK(e != NULL && str_is(esme_event_text(e), "NODESMSC"));
    esme_event_free(e);

    /* An MO message in GSM 03.38. */
    REQUIRE(smsc_cmd("{\"cmd\":\"mo\",\"from\":\"447700900123\",\"to\":\"12345\","
                     "\"text\":\"Hi, can I change my delivery time?\"}"));
    e = poll_for(c, ESME_EVENT_MESSAGE, 0, 10, NULL);
    CHECK(e != NULL);
    if (e != NULL) {
        esme_bytes b = esme_event_body(e);
        CHECK(str_is(esme_event_from(e), "447700900123"));
        CHECK(str_is(esme_event_to(e), "12345"));
        CHECK(str_is(esme_event_text(e), "Hi, can I change my delivery time?"));
        CHECK(b.ptr != NULL && b.len == strlen("Hi, can I change my delivery time?"));
        CHECK(esme_event_ticket(e) == 0 && esme_event_connection(e) == ESME_STATE_NONE);
        printf("MO: from %s to %s: %s\n", esme_event_from(e).ptr, esme_event_to(e).ptr,
               esme_event_text(e).ptr);
        esme_event_free(e);
    }

    /* A concatenated UCS-2 MO message in 2 parts: reassembled into one event. */
    REQUIRE(smsc_cmd("{\"cmd\":\"mo\",\"from\":\"447700900124\",\"to\":\"12345\","
                     "\"text\":\"\\u041f\\u0440\\u0438\\u0432\\u0435\\u0442, "
                     "\\u043c\\u0438\\u0440! caf\\u00e9 \\u20ac5\",\"parts\":2}"));
    e = poll_for(c, ESME_EVENT_MESSAGE, 0, 10, NULL);
    CHECK(e != NULL);
    if (e != NULL) {
        /* "Привет, мир! café €5" in UTF-8 */
        const char *want = "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82, "
                           "\xd0\xbc\xd0\xb8\xd1\x80! caf\xc3\xa9 \xe2\x82\xac"
                           "5";
        CHECK(str_is(esme_event_from(e), "447700900124"));
        CHECK(str_is(esme_event_text(e), want));
        printf("MO (2 parts, UCS-2): %s\n", esme_event_text(e).ptr);
        esme_event_free(e);
    }

    /* A submit with a receipt: node-smpp's message id is opaque ("2871-1"). */
    m = text_message("447700900125", "Your parcel arrives today", ESME_MSG_RECEIPT);
    CHECK_RC(esme_client_submit(c, &m, &o), ESME_OK);
    CHECK(o.kind == ESME_ACCEPTED && o.parts == 1);
    snprintf(submit_id, sizeof submit_id, "%s", o.message_ids);
    e = poll_for(c, ESME_EVENT_RECEIPT, 0, 10, NULL);
    CHECK(e != NULL);
    if (e != NULL) {
        esme_receipt r;
        memset(&r, 0, sizeof r);
        CHECK_RC(esme_event_receipt(e, &r), ESME_OK);
        CHECK(r.id.ptr != NULL && strcmp(r.id.ptr, submit_id) == 0);
        CHECK(r.id.ptr != NULL && esme_receipt_ids_match(submit_id, r.id.ptr) == 1);
        CHECK(r.id.ptr != NULL && esme_receipt_ids_match("9999-1", r.id.ptr) == 0);
        CHECK(r.state == 2);   /* DELIVERED */
        CHECK(r.is_final == 1);
        CHECK(r.err == 0);
        /* Addresses swapped from the submit. */
        CHECK(str_is(esme_event_from(e), "447700900125"));
        CHECK(str_is(esme_event_to(e), "Shop"));
        CHECK(esme_event_text(e).ptr != NULL &&
              strncmp(esme_event_text(e).ptr, "id:", 3) == 0 &&
              strstr(esme_event_text(e).ptr, "stat:DELIVRD") != NULL);
        printf("receipt: id %s state %u final %u err %lld (%s)\n", r.id.ptr ? r.id.ptr : "?",
               r.state, r.is_final, (long long)r.err, esme_event_text(e).ptr);
        esme_event_free(e);
    }
    /* Hex vs decimal ids name the same message. */
    CHECK(esme_receipt_ids_match("1A", "26") == 1);
    CHECK(esme_receipt_ids_match("26", "1a") == 1);
    CHECK(esme_receipt_ids_match("abc", "abd") == 0);

    /* Connection events: the SMSC drops the socket; the client says so, reconnects and
     * binds again (first retry after 1 s). */
    REQUIRE(smsc_cmd("{\"cmd\":\"close\"}"));
    e = poll_for(c, ESME_EVENT_CONNECTION, 0, 10, NULL);
    CHECK(e != NULL && esme_event_connection(e) == ESME_STATE_DISCONNECTED);
    CHECK(e != NULL && esme_event_text(e).ptr != NULL && esme_event_text(e).len > 0);
    if (e != NULL) {
        printf("disconnected: %s\n", esme_event_text(e).ptr ? esme_event_text(e).ptr : "?");
    }
    esme_event_free(e);
    {
        int connecting = 0, bound = 0;
        double end = now_s() + 15;
        while (!bound && now_s() < end) {
            e = poll_for(c, ESME_EVENT_CONNECTION, 0, end - now_s(), NULL);
            if (e == NULL) {
                break;
            }
            connecting |= esme_event_connection(e) == ESME_STATE_CONNECTING;
            bound |= esme_event_connection(e) == ESME_STATE_BOUND;
            esme_event_free(e);
        }
        CHECK(connecting);
        CHECK(bound);
    }
    {
        esme_connection_state s;
        CHECK_RC(esme_client_state(c, &s), ESME_OK);
        CHECK(s == ESME_STATE_BOUND);
    }
    /* Still receiving after the reconnect. */
    REQUIRE(smsc_cmd("{\"cmd\":\"mo\",\"from\":\"447700900126\",\"to\":\"12345\","
                     "\"text\":\"after reconnect\"}"));
    e = poll_for(c, ESME_EVENT_MESSAGE, 0, 10, NULL);
    CHECK(e != NULL && str_is(esme_event_text(e), "after reconnect"));
    esme_event_free(e);

    CHECK_RC(esme_client_stats(c, &st), ESME_OK);
    CHECK(st.messages_received == 3);
    CHECK(st.receipts_received == 1);
    CHECK(st.reconnects == 1);
    {
        uint64_t attempts = 0;
        CHECK_RC(esme_client_reconnect_attempts(c, &attempts), ESME_OK);
        CHECK(attempts == 1); /* the one attempt that bound */
    }

    /* Close: the last event says so. */
    CHECK_RC(esme_client_close(c), ESME_OK);
    e = poll_for(c, ESME_EVENT_CONNECTION, 0, 5, NULL);
    CHECK(e != NULL && esme_event_connection(e) == ESME_STATE_CLOSED);
    esme_event_free(e);
    CHECK_RC(esme_client_poll(c, 0, &e), ESME_EMPTY);
    esme_client_free(c);
    esme_config_free(cfg);
    return finish();
}
