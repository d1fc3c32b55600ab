#!/usr/bin/env python3
"""python-smpplib as an SMPP client, for benches/peers.sh.

    python smpplib_bench.py --host H --port P -n N -w W

Binds transmitter as system_id "bench", password "secret", then sends N submit_sm (source
0/0 "12345", destination 0/0 "31600000000", data_coding 0, text "bench message 0123456789")
with at most W unanswered. The clock runs from the bind response to the N-th response.
Exits 0 when all N responses came back as submit_sm_resp with status 0; the last line is

    smpplib client: N msgs in T s = R msg/s (window W)

Otherwise prints what failed on stderr and exits 1.

The window: smpplib is synchronous, one socket and no background reader. Its
Client.send_message() only writes a submit_sm (it does not wait for the response) and
Client.read_pdu() blocks for the next PDU, so a window is emulated in the one thread: send
submit_sm until W are unanswered, then read one response, and repeat. At W = 1 that is plain
request/response. The PDUs are built and parsed by smpplib itself (make_pdu/generate and
parse_pdu), so the measurement is smpplib's own per-message cost.
"""

import argparse
import logging
import socket
import sys
import time

import smpplib.client
import smpplib.consts
import smpplib.exceptions


def fail(msg):
    print("smpplib_bench: " + msg, file=sys.stderr)
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("-n", type=int, required=True)
    ap.add_argument("-w", type=int, required=True)
    a = ap.parse_args()
    if a.n < 1 or a.w < 1 or not 0 < a.port < 65536:
        ap.error("-n, -w and --port must be positive")

    # timeout: a response that does not come within 30 s is a failure, not a hang.
    # smpplib logs through `logging`; only errors matter here (see the unbind note below).
    logging.getLogger("smpplib_bench").setLevel(logging.ERROR)
    client = smpplib.client.Client(
        a.host, a.port, timeout=30, logger_name="smpplib_bench", allow_unknown_opt_params=True
    )
    try:
        client.connect()
        client.bind_transmitter(system_id="bench", password="secret")
    except (smpplib.exceptions.ConnectionError, smpplib.exceptions.PDUError, OSError) as e:
        fail("connect/bind to %s:%d failed: %r" % (a.host, a.port, e))

    text = b"bench message 0123456789"
    sent = acked = 0
    t0 = time.perf_counter()
    try:
        while acked < a.n:
            while sent < a.n and sent - acked < a.w:
                client.send_message(
                    source_addr_ton=0,
                    source_addr_npi=0,
                    source_addr="12345",
                    dest_addr_ton=0,
                    dest_addr_npi=0,
                    destination_addr="31600000000",
                    data_coding=0,
                    short_message=text,
                )
                sent += 1
            pdu = client.read_pdu()
            if pdu.command == "submit_sm_resp":
                if pdu.status != smpplib.consts.SMPP_ESME_ROK:
                    fail("submit_sm_resp with status 0x%08x after %d responses" % (pdu.status, acked))
                acked += 1
            elif pdu.command == "enquire_link":
                client._enquire_link_received(pdu)  # answer it, as Client.read_once() does
            else:
                fail("unexpected %s (status 0x%08x) after %d responses" % (pdu.command, pdu.status, acked))
    except socket.timeout:
        fail("no response for 30 s (sent %d, answered %d)" % (sent, acked))
    except (smpplib.exceptions.ConnectionError, smpplib.exceptions.PDUError, OSError) as e:
        fail("%r (sent %d, answered %d)" % (e, sent, acked))
    secs = time.perf_counter() - t0

    try:
        client.unbind()
    except (smpplib.exceptions.ConnectionError, smpplib.exceptions.PDUError, OSError, socket.timeout):
        # The measurement is done. (smpp34's server closes the connection on unbind
        # without an unbind_resp, which smpplib reports as a ConnectionError.)
        pass
    client.disconnect()
    print("smpplib client: %d msgs in %.3f s = %.0f msg/s (window %d)" % (a.n, secs, a.n / secs, a.w))


if __name__ == "__main__":
    main()
