package esme;

import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * An SMPP 3.4 client (the esme C library through JNI). Every method is safe to call from
 * many threads at once; {@link #close} may race with calls in other threads (they finish, or
 * fail with {@link EsmeException} code 103 / 111 — never a crash).
 *
 * <pre>
 * try (Esme smsc = Esme.connect(Map.of("x-smpp-host", "127.0.0.1", "x-smpp-system-id", "me"))) {
 *     Outcome o = smsc.submit("4915112345678", null, "Hello", true);
 * }
 * </pre>
 */
public final class Esme implements AutoCloseable {
    static {
        System.loadLibrary("esme_jni");
    }

    /** ESME_MSG_* flags of esme.h. */
    private static final int MSG_RECEIPT = 2, MSG_NO_RECEIPT = 4;
    private static final Cleaner CLEANER = Cleaner.create();

    /** The native handle and its release; shared with the Cleaner (which must not see Esme). */
    private static final class Handle implements Runnable {
        /** The esme_client id; 0 once closed. */
        volatile long value;

        Handle(long v) {
            value = v;
        }

        /** Takes the handle (at most one caller gets it non-zero). */
        synchronized long take() {
            long h = value;
            value = 0;
            return h;
        }

        /** Closes and frees (esme_client_free): a forgotten client is released when collected. */
        @Override
        public void run() {
            long h = take();
            if (h != 0) {
                nFree(h);
            }
        }
    }

    private final Handle handle;
    private final Cleaner.Cleanable cleanable;

    private Esme(long h) {
        handle = new Handle(h);
        cleanable = CLEANER.register(this, handle);
    }

    /**
     * Connects and binds with Genesys option names (e.g. x-smpp-host, x-smpp-system-id,
     * x-smpp-tls-mode). Blocks up to x-smpp-comms-timeout.
     *
     * @throws EsmeException code 105 (naming the option) for a bad option, 2xx for I/O,
     *     3xx for TLS / PKCS#12, 501 when the SMSC refuses the bind
     */
    public static Esme connect(Map<String, String> options) {
        Objects.requireNonNull(options, "options is null");
        return open(null, options);
    }

    /**
     * Loads a channel section file (Genesys export style) and applies {@code overrides}
     * (nullable) on top of it, then connects.
     */
    public static Esme connectFile(String path, Map<String, String> overrides) {
        Objects.requireNonNull(path, "path is null");
        return open(path, overrides == null ? Map.of() : overrides);
    }

    private static Esme open(String path, Map<String, String> options) {
        int n = options.size();
        byte[][] keys = new byte[n][];
        byte[][] values = new byte[n][];
        try {
            int i = 0;
            for (Map.Entry<String, String> e : options.entrySet()) {
                String k = Objects.requireNonNull(e.getKey(), "an option name is null");
                String v = Objects.requireNonNull(e.getValue(), "option '" + k + "' is null");
                keys[i] = cstring(k, "option name '" + k + "'", EsmeException.CONFIG);
                values[i] = cstring(v, "option '" + k + "'", EsmeException.CONFIG);
                i++;
            }
            byte[] p = path == null ? null : cstring(path, "path", EsmeException.CONFIG);
            return new Esme(nConnect(p, keys, values));
        } finally {
            // Passwords: leave no copy of ours behind (the library wipes its own).
            for (byte[] v : values) {
                if (v != null) {
                    Arrays.fill(v, (byte) 0);
                }
            }
        }
    }

    /**
     * Submits and waits for the outcome (which may be REJECTED, UNKNOWN or NOT_SENT).
     *
     * @param to destination address (required)
     * @param from source address, or null for default-reply-address
     * @param text the text (any Unicode, emoji included; long text is segmented)
     * @param receipt ask for a delivery receipt (false: explicitly none)
     * @throws EsmeException when the message was not taken at all (bad field, closed client)
     */
    public Outcome submit(String to, String from, String text, boolean receipt) {
        byte[][] m = message(to, from, text);
        long h = live();
        try {
            return nSubmit(h, m[0], m[1], m[2], flags(receipt));
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Submits without waiting for the SMSC; the outcome comes from {@link #poll} as an OUTCOME
     * event with the returned ticket. Blocks while the window is full (up to
     * x-smpp-submit-timeout).
     */
    public long submitAsync(String to, String from, String text, boolean receipt) {
        byte[][] m = message(to, from, text);
        long h = live();
        try {
            return nSubmitAsync(h, m[0], m[1], m[2], flags(receipt));
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Waits up to {@code timeoutMillis} (0: not at all) for the next event: async outcomes,
     * MO messages, receipts, connection changes, warnings. Null when none came.
     */
    public Event poll(long timeoutMillis) {
        if (timeoutMillis < 0) {
            throw new EsmeException(EsmeException.USAGE, resultName(EsmeException.USAGE),
                    "poll: timeoutMillis is negative (" + timeoutMillis + ")");
        }
        long h = live();
        try {
            return nPoll(h, (int) Math.min(timeoutMillis, 0x7fffffffL));
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /** The counters now. */
    public Stats stats() {
        long h = live();
        try {
            return new Stats(nStats(h));
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /** The connection state now. */
    public Event.ConnectionState state() {
        long h = live();
        try {
            return Event.ConnectionState.of(nState(h));
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /** True until {@link #close}. */
    public boolean isOpen() {
        return handle.value != 0;
    }

    /**
     * Unbinds, closes and releases the client (queued messages become NOT_SENT; those in
     * flight get their response or UNKNOWN within x-smpp-close-timeout). Idempotent. Undrained
     * events are dropped: poll before closing if they matter.
     */
    @Override
    public void close() {
        cleanable.clean(); // runs Handle.run at most once: esme_client_free
    }

    /** 1 when a submit's message id and a receipt's id name the same message (hex or decimal). */
    public static boolean receiptIdsMatch(String submitId, String receiptId) {
        Objects.requireNonNull(submitId, "submitId is null");
        Objects.requireNonNull(receiptId, "receiptId is null");
        return nReceiptIdsMatch(cstring(submitId, "submitId", EsmeException.USAGE),
                cstring(receiptId, "receiptId", EsmeException.USAGE));
    }

    /** The loaded library's version, e.g. "0.1.0". */
    public static String version() {
        return utf8(nVersion());
    }

    /** esme_result_str(code). */
    public static String resultName(int code) {
        return utf8(nResultStr(code));
    }

    // --------------------------------------------------------------------------------------

    private long live() {
        long h = handle.value;
        if (h == 0) {
            throw new EsmeException(EsmeException.CLOSED, resultName(EsmeException.CLOSED),
                    "this Esme client was closed (Esme.close)");
        }
        return h;
    }

    private static int flags(boolean receipt) {
        return receipt ? MSG_RECEIPT : MSG_NO_RECEIPT;
    }

    private static byte[][] message(String to, String from, String text) {
        Objects.requireNonNull(to, "to is null");
        Objects.requireNonNull(text, "text is null");
        return new byte[][] {
            cstring(to, "to", EsmeException.ENCODE),
            from == null ? null : cstring(from, "from", EsmeException.ENCODE),
            utf8Strict(text, "text"),
        };
    }

    /** Standard UTF-8 (not JNI's modified UTF-8); an unpaired surrogate is an error. */
    static byte[] utf8Strict(String s, String what) {
        try {
            ByteBuffer b = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(s));
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (CharacterCodingException e) {
            throw new EsmeException(EsmeException.UTF8, resultName(EsmeException.UTF8),
                    what + " has an unpaired UTF-16 surrogate: not encodable as UTF-8");
        }
    }

    /** UTF-8 for a C string: a NUL inside would silently cut it, so it is refused. */
    private static byte[] cstring(String s, String what, int code) {
        int nul = s.indexOf('\0');
        if (nul >= 0) {
            throw new EsmeException(code, resultName(code),
                    what + " contains a NUL character (at index " + nul + ")");
        }
        return utf8Strict(s, what);
    }

    static String utf8(byte[] b) {
        return b == null ? "" : new String(b, StandardCharsets.UTF_8);
    }

    static String utf8OrNull(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    // Native: every method takes the esme_client id; texts cross as UTF-8 byte arrays;
    // failures are thrown as EsmeException with esme_last_error's text.
    private static native long nConnect(byte[] path, byte[][] keys, byte[][] values);

    private static native Outcome nSubmit(long h, byte[] to, byte[] from, byte[] text, int flags);

    private static native long nSubmitAsync(long h, byte[] to, byte[] from, byte[] text, int flags);

    private static native Event nPoll(long h, int timeoutMillis);

    private static native long[] nStats(long h);

    private static native int nState(long h);

    private static native void nFree(long h);

    private static native boolean nReceiptIdsMatch(byte[] a, byte[] b);

    private static native byte[] nVersion();

    private static native byte[] nResultStr(int code);
}
