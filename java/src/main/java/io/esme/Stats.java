package io.esme;

/** A snapshot of a client's counters ({@code esme_stats}). Immutable. */
public final class Stats {
    /** Messages submitted. */
    public final long submitted;
    /** Messages accepted. */
    public final long accepted;
    /** Messages rejected. */
    public final long rejected;
    /** Messages with an unknown outcome. */
    public final long unknown;
    /** Messages not sent. */
    public final long notSent;
    /** Parts answered ESME_RTHROTTLED / ESME_RMSGQFUL. */
    public final long throttled;
    /** Parts resubmitted after throttling. */
    public final long retried;
    /** submit_sm PDUs written. */
    public final long partsSent;
    /** Parts waiting for their response now. */
    public final long inFlight;
    /** Reconnect attempts that bound. */
    public final long reconnects;
    /** Octets received. */
    public final long bytesIn;
    /** Octets written. */
    public final long bytesOut;
    /** Inbound messages delivered. */
    public final long messagesReceived;
    /** Receipts delivered. */
    public final long receiptsReceived;
    /** Inbound PDUs refused because the event queue was full. */
    public final long inboundRefused;
    /** Response latency median, microseconds (0 when none yet). */
    public final long latencyP50Micros;
    /** Response latency 99th percentile, microseconds (0 when none yet). */
    public final long latencyP99Micros;

    Stats(long[] v) {
        submitted = v[0]; accepted = v[1]; rejected = v[2]; unknown = v[3]; notSent = v[4];
        throttled = v[5]; retried = v[6]; partsSent = v[7]; inFlight = v[8]; reconnects = v[9];
        bytesIn = v[10]; bytesOut = v[11]; messagesReceived = v[12]; receiptsReceived = v[13];
        inboundRefused = v[14]; latencyP50Micros = v[15]; latencyP99Micros = v[16];
    }

    /** The counters on one line. */
    @Override
    public String toString() {
        return "submitted=" + submitted + " accepted=" + accepted + " rejected=" + rejected
                + " unknown=" + unknown + " notSent=" + notSent + " partsSent=" + partsSent
                + " inFlight=" + inFlight + " reconnects=" + reconnects
                + " receiptsReceived=" + receiptsReceived + " p50=" + latencyP50Micros + "us"
                + " p99=" + latencyP99Micros + "us";
    }
}
