package io.esme;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A snapshot of a client's numbers: the channel's totals ({@code esme_client_metrics}) and,
 * in {@link #binds}, one {@link BindStats} per bind of the channel
 * ({@code esme_client_bind_metrics}, {@code x-smpp-sessions}). Immutable. Reading it never
 * touches the network; it is cheap enough to call every second.
 *
 * <p>Outcomes and receipts are the channel's; what happens on a connection (submit_sm
 * written, throttling answers, reconnects, bytes, latency) is counted per bind too, and the
 * channel's value of those is the sum over its binds, including binds since replaced (by a
 * reload or a failback), so the channel's counters never go back. Durations are
 * microseconds; a percentile with no observation yet is 0. What each number means:
 * docs/client.md, "The numbers an operator watches".
 */
public final class Stats {
    /**
     * The value of {@link #clientCertDaysLeft} and {@link #smscCertDaysLeft} when there is no
     * such certificate (no TLS, not mutual for ours, no handshake yet for the SMSC's); the C
     * API's {@code ESME_NO_CERTIFICATE}.
     */
    public static final int NO_CERTIFICATE = -2147483647;

    /** Binds the channel is configured to keep ({@code x-smpp-sessions}). */
    public final long bindsConfigured;
    /** Binds bound now (during a reload or a failback the draining binds count too). */
    public final long bindsUp;
    /** The window of each bind: at most this many parts wait for a response at once. */
    public final long windowSize;
    /**
     * Whole days until our client certificate expires (negative once expired);
     * {@link #NO_CERTIFICATE} without mutual TLS.
     */
    public final int clientCertDaysLeft;
    /**
     * Whole days until the SMSC's certificate expires (the earliest over the binds), from the
     * last handshake; {@link #NO_CERTIFICATE} without TLS or before a handshake.
     */
    public final int smscCertDaysLeft;
    /** submit_sm PDUs written per second over the last 10 s (resubmissions included). */
    public final double submitsPerSecond;
    /** Messages submitted (not parts). */
    public final long submitted;
    /** Messages accepted. */
    public final long accepted;
    /** Messages rejected. */
    public final long rejected;
    /** Messages with an unknown outcome (may have been accepted). */
    public final long unknown;
    /** Messages not sent (safe to send again). */
    public final long notSent;
    /** Parts answered ESME_RTHROTTLED / ESME_RMSGQFUL. */
    public final long throttled;
    /** Parts resubmitted after throttling. */
    public final long retried;
    /** submit_sm PDUs written. */
    public final long partsSent;
    /** Parts waiting for their response now: the window in use, all binds. */
    public final long inFlight;
    /** Connect attempts made after a lost connection (or a first connect left to the I/O thread), bound or not. */
    public final long reconnectAttempts;
    /** Reconnect attempts that bound. */
    public final long reconnects;
    /** Octets received. */
    public final long bytesIn;
    /** Octets written. */
    public final long bytesOut;
    /** Inbound messages delivered. */
    public final long messagesReceived;
    /** Receipts delivered ({@link #receiptsMatched} + {@link #receiptsUnmatched}). */
    public final long receiptsReceived;
    /** Receipts matched to a message of this client, whichever bind carried it. */
    public final long receiptsMatched;
    /** The other receipts (an id this client never saw accepted or no longer remembers, or an unreadable receipt). */
    public final long receiptsUnmatched;
    /** Inbound PDUs refused because the event queue was full. */
    public final long inboundRefused;
    /** Response latency median, microseconds (0 when none yet). */
    public final long latencyP50Micros;
    /** Response latency 99th percentile, microseconds (0 when none yet). */
    public final long latencyP99Micros;
    /** Responses timed. */
    public final long latencyCount;
    /** The sum of their latencies, microseconds. */
    public final long latencySumMicros;
    /** Receipt lag (submit_sm_resp to the final matched receipt) median, microseconds. */
    public final long receiptLagP50Micros;
    /** Receipt lag 99th percentile, microseconds. */
    public final long receiptLagP99Micros;
    /** Receipts timed for the lag. */
    public final long receiptLagCount;
    /** The sum of their lags, microseconds. */
    public final long receiptLagSumMicros;
    /** Each bind of the channel (index 0 .. {@link #bindsConfigured} - 1), unmodifiable. */
    public final List<BindStats> binds;

    // The layout of nStats (java/native/esme_jni.c): STATS_LONGS for the channel, the last
    // the number of binds, then BIND_LONGS per bind; doubles as their raw bits.
    static final int STATS_LONGS = 33;

    Stats(long[] v, byte[][] hosts) {
        bindsConfigured = v[0]; bindsUp = v[1]; windowSize = v[2];
        clientCertDaysLeft = (int) v[3]; smscCertDaysLeft = (int) v[4];
        submitsPerSecond = Double.longBitsToDouble(v[5]);
        submitted = v[6]; accepted = v[7]; rejected = v[8]; unknown = v[9]; notSent = v[10];
        throttled = v[11]; retried = v[12]; partsSent = v[13]; inFlight = v[14];
        reconnectAttempts = v[15]; reconnects = v[16]; bytesIn = v[17]; bytesOut = v[18];
        messagesReceived = v[19]; receiptsReceived = v[20]; receiptsMatched = v[21];
        receiptsUnmatched = v[22]; inboundRefused = v[23];
        latencyP50Micros = v[24]; latencyP99Micros = v[25]; latencyCount = v[26]; latencySumMicros = v[27];
        receiptLagP50Micros = v[28]; receiptLagP99Micros = v[29]; receiptLagCount = v[30];
        receiptLagSumMicros = v[31];
        int n = (int) v[32];
        List<BindStats> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            l.add(new BindStats(v, STATS_LONGS + i * BindStats.LONGS, EsmeClient.utf8(hosts[i])));
        }
        binds = Collections.unmodifiableList(l);
    }

    /** The main numbers on one line (no personal data: hosts only). */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        b.append("binds=").append(bindsUp).append('/').append(bindsConfigured)
                .append(" submitted=").append(submitted).append(" accepted=").append(accepted)
                .append(" rejected=").append(rejected).append(" unknown=").append(unknown)
                .append(" notSent=").append(notSent).append(" partsSent=").append(partsSent)
                .append(" submitsPerSecond=").append(String.format(java.util.Locale.ROOT, "%.1f", submitsPerSecond))
                .append(" inFlight=").append(inFlight).append('/').append(windowSize)
                .append(" throttled=").append(throttled).append(" reconnects=").append(reconnects)
                .append(" receipts=").append(receiptsMatched).append('+').append(receiptsUnmatched)
                .append(" p50=").append(latencyP50Micros).append("us")
                .append(" p99=").append(latencyP99Micros).append("us");
        if (clientCertDaysLeft != NO_CERTIFICATE) {
            b.append(" clientCertDaysLeft=").append(clientCertDaysLeft);
        }
        if (smscCertDaysLeft != NO_CERTIFICATE) {
            b.append(" smscCertDaysLeft=").append(smscCertDaysLeft);
        }
        return b.toString();
    }
}
