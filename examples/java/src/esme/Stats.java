package esme;

/** A snapshot of a client's counters (esme_stats). */
public final class Stats {
    public final long submitted, accepted, rejected, unknown, notSent, throttled, retried,
            partsSent, inFlight, reconnects, bytesIn, bytesOut, messagesReceived,
            receiptsReceived, inboundRefused, latencyP50Micros, latencyP99Micros;

    Stats(long[] v) {
        submitted = v[0]; accepted = v[1]; rejected = v[2]; unknown = v[3]; notSent = v[4];
        throttled = v[5]; retried = v[6]; partsSent = v[7]; inFlight = v[8]; reconnects = v[9];
        bytesIn = v[10]; bytesOut = v[11]; messagesReceived = v[12]; receiptsReceived = v[13];
        inboundRefused = v[14]; latencyP50Micros = v[15]; latencyP99Micros = v[16];
    }

    @Override
    public String toString() {
        return "submitted=" + submitted + " accepted=" + accepted + " rejected=" + rejected
                + " unknown=" + unknown + " notSent=" + notSent + " partsSent=" + partsSent
                + " inFlight=" + inFlight + " reconnects=" + reconnects
                + " receiptsReceived=" + receiptsReceived + " p50=" + latencyP50Micros + "us"
                + " p99=" + latencyP99Micros + "us";
    }
}
