package io.esme;

/**
 * The numbers of one bind of a channel ({@code esme_client_bind_metrics}): one of
 * {@link Stats#binds}. Immutable. Durations are microseconds; a percentile with no
 * observation yet is 0.
 */
public final class BindStats {
    /** The bind's index in its channel, from 0. */
    public final int index;
    /** Whether it is bound now. */
    public final boolean up;
    /** The SMSC it is (or was last) connected to, {@code host:port}. */
    public final String host;
    /** Its window: at most this many parts wait for a response at once. */
    public final long windowSize;
    /** Parts waiting for their response on this bind now: its window in use. */
    public final long windowInUse;
    /**
     * Whole days until the SMSC's certificate of this bind's last handshake expires;
     * {@link Stats#NO_CERTIFICATE} without TLS or before a handshake.
     */
    public final int smscCertDaysLeft;
    /** submit_sm PDUs written per second over the last 10 s. */
    public final double submitsPerSecond;
    /** submit_sm PDUs written. */
    public final long partsSent;
    /** Parts answered ESME_RTHROTTLED / ESME_RMSGQFUL. */
    public final long throttled;
    /** Connect attempts after a loss, bound or not. */
    public final long reconnectAttempts;
    /** Of those, the ones that bound. */
    public final long reconnects;
    /** Octets received. */
    public final long bytesIn;
    /** Octets written. */
    public final long bytesOut;
    /** Response latency median, microseconds. */
    public final long latencyP50Micros;
    /** Response latency 99th percentile, microseconds. */
    public final long latencyP99Micros;
    /** Responses timed. */
    public final long latencyCount;
    /** The sum of their latencies, microseconds. */
    public final long latencySumMicros;

    /** Longs per bind in nStats' array (java/native/esme_jni.c BIND_LONGS). */
    static final int LONGS = 16;

    BindStats(long[] v, int at, String host) {
        index = (int) v[at];
        up = v[at + 1] != 0;
        windowSize = v[at + 2];
        windowInUse = v[at + 3];
        smscCertDaysLeft = (int) v[at + 4];
        submitsPerSecond = Double.longBitsToDouble(v[at + 5]);
        partsSent = v[at + 6];
        throttled = v[at + 7];
        reconnectAttempts = v[at + 8];
        reconnects = v[at + 9];
        bytesIn = v[at + 10];
        bytesOut = v[at + 11];
        latencyP50Micros = v[at + 12];
        latencyP99Micros = v[at + 13];
        latencyCount = v[at + 14];
        latencySumMicros = v[at + 15];
        this.host = host;
    }

    /** The bind's numbers on one line. */
    @Override
    public String toString() {
        return "bind " + index + " " + host + (up ? " up" : " down") + " partsSent=" + partsSent
                + " window=" + windowInUse + "/" + windowSize + " throttled=" + throttled
                + " reconnects=" + reconnects + " p50=" + latencyP50Micros + "us p99="
                + latencyP99Micros + "us";
    }
}
