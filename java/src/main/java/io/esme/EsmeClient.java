package io.esme;

import java.lang.System.Logger.Level;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An SMPP 3.4 client of one channel (the esme library through JNI): one bind to an SMSC, or a
 * pool of them ({@code x-smpp-sessions}) over one or several hosts; its configuration can be
 * {@link #reload reloaded} without a restart, and its numbers read as {@link #stats} or
 * {@link #prometheus() Prometheus text}. Thread-safe: every method may be called from many
 * threads at once.
 *
 * <pre>
 * try (EsmeClient smsc = EsmeClient.builder()
 *         .channelFile(Path.of("/etc/media/sms-channel.cfg"))     // or .options(map)
 *         .listener(event -&gt; handle(event), executor)             // receipts, inbound messages
 *         .connect()) {
 *     smsc.submitAsync(Message.text("447700900123", "Hello").receipt(true), conversation)
 *         .thenAccept(outcome -&gt; record(outcome.attachment(), outcome));
 * }   // close: unbinds; every submit gets its outcome first
 * </pre>
 *
 * <p>Every message gets exactly one {@link Outcome} (accepted, rejected, unknown or not sent),
 * also when the client is closed while it is in flight; its receipts come as
 * {@link Event.Kind#RECEIPT} events carrying the attachment given with it. Events go to the
 * {@link EventListener} (on the caller's executor) or, without a listener, wait for
 * {@link #poll}. The native part loads at first use from the jar (see the package docs in
 * docs/java.md: {@code -Dio.esme.library.path} overrides it).
 */
public final class EsmeClient implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final AtomicInteger CLIENTS = new AtomicInteger();
    private static final System.Logger LOG = System.getLogger(LogBridge.ROOT);

    private final Core core;
    private final Cleaner.Cleanable cleanable;

    private EsmeClient(Core core) {
        this.core = core;
        this.cleanable = CLEANER.register(this, core::shutdown);
        core.thread.start();
    }

    /**
     * Connects and binds with Genesys channel options ({@code x-smpp-host},
     * {@code x-smpp-system-id}, {@code password}, {@code x-smpp-tls-mode}, …); events wait
     * for {@link #poll}. Blocks up to {@code x-smpp-comms-timeout}.
     *
     * @param options the options by name
     * @return the bound client
     * @throws EsmeException CONFIG naming the option for a bad one, 2xx for I/O, 3xx for TLS and
     *     PKCS#12, BIND_REFUSED when the SMSC refuses the bind
     */
    public static EsmeClient connect(Map<String, String> options) {
        return builder().options(options).connect();
    }

    /**
     * Connects with a Genesys channel section file, {@code overrides} applied on top.
     *
     * @param channelFile the file ({@code [section]}, {@code key = value} lines, comments)
     * @param overrides options applied over the file's, or null
     * @return the bound client
     * @throws EsmeException as {@link #connect(Map)}
     */
    public static EsmeClient connect(Path channelFile, Map<String, String> overrides) {
        Builder b = builder().channelFile(channelFile);
        return overrides == null ? b.connect() : b.options(overrides).connect();
    }

    /**
     * A builder, for a listener, a channel file with overrides, or the receipt memory.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * How to connect: options, a channel file, a listener and its executor. Not thread-safe.
     * How long and how many messages the library remembers to match receipts are the options
     * {@code x-smpp-receipt-correlation-timeout} and {@code x-smpp-receipt-correlation-max}.
     */
    public static final class Builder {
        private Path file;
        private final Map<String, String> options = new LinkedHashMap<>();
        private EventListener listener;
        private Executor executor;
        private int pollCapacity = 10_000;

        private Builder() {}

        /**
         * Reads a Genesys channel section file first (options set here apply over it).
         *
         * @param file the file
         * @return this
         */
        public Builder channelFile(Path file) {
            this.file = Objects.requireNonNull(file, "channelFile is null");
            return this;
        }

        /**
         * Adds options by their Genesys names.
         *
         * @param options the options (no null name or value)
         * @return this
         */
        public Builder options(Map<String, String> options) {
            Objects.requireNonNull(options, "options is null");
            for (Map.Entry<String, String> e : options.entrySet()) {
                option(e.getKey(), e.getValue());
            }
            return this;
        }

        /**
         * Sets one option by its Genesys name.
         *
         * @param name the option, e.g. {@code x-smpp-host}
         * @param value its value
         * @return this
         */
        public Builder option(String name, String value) {
            Objects.requireNonNull(name, "an option name is null");
            options.put(name, Objects.requireNonNull(value, "option '" + name + "' is null"));
            return this;
        }

        /**
         * Events go to {@code listener}, run by {@code executor} (null: on the client's event
         * thread, in order; the listener must then return quickly and must not call the
         * blocking {@link EsmeClient#submit}). The futures of {@link EsmeClient#submitAsync}
         * are completed on that executor too. Without a listener, events wait for
         * {@link EsmeClient#poll}.
         *
         * @param listener the listener
         * @param executor where it runs, or null
         * @return this
         */
        public Builder listener(EventListener listener, Executor executor) {
            this.listener = Objects.requireNonNull(listener, "listener is null");
            this.executor = executor;
            return this;
        }

        /**
         * Without a listener: how many events wait for {@link EsmeClient#poll} before the
         * client stops taking more (then the library's own queue fills and it refuses inbound
         * messages, which the SMSC sends again later). Default 10,000.
         *
         * @param events the capacity (at least 1)
         * @return this
         */
        public Builder pollCapacity(int events) {
            if (events < 1) {
                throw new IllegalArgumentException("pollCapacity must be at least 1");
            }
            this.pollCapacity = events;
            return this;
        }

        /**
         * Connects and binds. Blocks up to {@code x-smpp-comms-timeout}.
         *
         * @return the bound client
         * @throws EsmeException CONFIG naming the option for a bad one, 2xx for I/O, 3xx for
         *     TLS and PKCS#12, BIND_REFUSED when the SMSC refuses the bind
         */
        public EsmeClient connect() {
            Native.load();
            LogBridge.install();
            Encoded c = new Encoded(file, options);
            try {
                long h = nConnect(c.path, c.keys, c.values);
                return new EsmeClient(new Core(h, this));
            } finally {
                c.wipe();
            }
        }
    }

    /**
     * A channel configuration as the natives take it: the file's path and the options as
     * standard UTF-8 octets (a NUL inside is refused: it would cut the text in C).
     */
    private static final class Encoded {
        final byte[] path;
        final byte[][] keys;
        final byte[][] values;

        Encoded(Path file, Map<String, String> options) {
            int n = options.size();
            keys = new byte[n][];
            values = new byte[n][];
            try {
                int i = 0;
                for (Map.Entry<String, String> e : options.entrySet()) {
                    String k = Objects.requireNonNull(e.getKey(), "an option name is null");
                    String v = Objects.requireNonNull(e.getValue(), "option '" + k + "' is null");
                    keys[i] = cstring(k, "option name '" + k + "'", EsmeException.Code.CONFIG);
                    values[i] = cstring(v, "option '" + k + "'", EsmeException.Code.CONFIG);
                    i++;
                }
                path = file == null ? null : cstring(file.toString(), "channel file", EsmeException.Code.CONFIG);
            } catch (RuntimeException e) {
                wipe();
                throw e;
            }
        }

        /** Passwords: leave no copy of ours. */
        void wipe() {
            for (byte[] v : values) {
                if (v != null) {
                    Arrays.fill(v, (byte) 0);
                }
            }
        }
    }

    /**
     * Applies a new channel configuration to this client without a restart: the options as
     * for {@link #connect(Map)}, the whole configuration (an option left out takes its
     * default, as at connect; it does not keep the value it had). See
     * {@link #reload(Path, Map)}.
     *
     * @param options the options by name
     * @throws EsmeException as {@link #reload(Path, Map)}
     */
    public void reload(Map<String, String> options) {
        Objects.requireNonNull(options, "options is null");
        reload(null, options);
    }

    /**
     * Applies a new channel configuration without a restart: a Genesys channel section file
     * (or null for none) with {@code overrides} on top (or null), read and applied as
     * {@link #connect(Path, Map)} reads them: the whole configuration, not a difference.
     * It is validated and its files (PKCS#12, CA, PII rules) loaded first; when that fails
     * nothing changes and the exception says why in one line. {@code x-smpp-submit-max-rate}
     * and the receipt-correlation limits change at once; any other change (hosts,
     * credentials, TLS material, window, timeouts, masking, {@code x-smpp-sessions}) makes
     * new binds with the new configuration, moves new submits to them and drains the old
     * ones, so every message keeps its one outcome; when a new bind cannot bind, those made
     * are closed, the binds in use stay, and this throws. Blocks while the new binds connect
     * (up to {@code x-smpp-comms-timeout} per host and bind). Thread-safe; one reload at a
     * time per client (another waits for it). The listener, executor and poll capacity stay
     * as they are.
     *
     * @param channelFile the file, or null
     * @param overrides options applied over the file's, or null
     * @throws EsmeException CONFIG naming the option for a bad one (or a missing file), 3xx for
     *     a PKCS#12 or CA file that does not load, 2xx or 3xx or BIND_REFUSED when a new bind
     *     cannot be made, CLOSED after {@link #close}
     */
    public void reload(Path channelFile, Map<String, String> overrides) {
        Encoded c = new Encoded(channelFile, overrides == null ? Map.of() : overrides);
        try {
            nReload(core.live(), c.path, c.keys, c.values);
        } finally {
            c.wipe();
        }
    }

    /**
     * Submits and waits for the outcome (which may be REJECTED, UNKNOWN or NOT_SENT).
     *
     * @param message the message
     * @return the outcome
     * @throws EsmeException when the message was not taken at all (bad field, closed client)
     */
    public Outcome submit(Message message) {
        return submit(message, null);
    }

    /**
     * Submits and waits for the outcome, which carries {@code attachment}, as do the
     * message's receipts. Not from the listener when it runs on the event thread.
     *
     * @param message the message
     * @param attachment any object, or null
     * @return the outcome
     * @throws EsmeException when the message was not taken at all (bad field, closed client)
     */
    public Outcome submit(Message message, Object attachment) {
        if (Thread.currentThread() == core.thread) {
            throw new EsmeException(EsmeException.Code.USAGE,
                    "the blocking submit from the listener on the event thread would wait for "
                            + "itself: use submitAsync, or give the listener an executor");
        }
        return submitAsync(message, attachment).join();
    }

    /**
     * Submits without waiting for the SMSC.
     *
     * @param message the message
     * @return the outcome, later
     * @throws EsmeException when the message was not taken at all
     */
    public CompletableFuture<Outcome> submitAsync(Message message) {
        return submitAsync(message, null);
    }

    /**
     * Submits without waiting for the SMSC: the future completes with the outcome (never
     * exceptionally), carrying {@code attachment}; the message's receipts carry it too. Blocks
     * while the window and the queue behind it (as many messages again) are full (up to
     * {@code x-smpp-submit-timeout}). Dependent stages run on the listener's executor, or on
     * the client's event thread when there is none (use the {@code ...Async} stages for slow
     * work).
     *
     * @param message the message
     * @param attachment any object, or null
     * @return the outcome, later
     * @throws EsmeException when the message was not taken at all (bad field: ENCODE, TEXT,
     *     UTF8; closed client: CLOSED)
     */
    public CompletableFuture<Outcome> submitAsync(Message message, Object attachment) {
        Objects.requireNonNull(message, "message is null");
        byte[] to = cstring(message.to(), "to", EsmeException.Code.ENCODE);
        byte[] from = message.from() == null ? null : cstring(message.from(), "from", EsmeException.Code.ENCODE);
        byte[] body = message.octets();
        long h = core.live();
        Pending p = new Pending(attachment);
        long key = core.register(p); // before the submit: its outcome may be polled before it returns
        try {
            nSubmitAsync(h, to, from, body, message.flags(), key);
        } catch (RuntimeException e) {
            core.pending.remove(key); // not taken: no event will carry the key
            throw e;
        }
        return p.future;
    }

    /**
     * Without a listener: the next event, waiting up to {@code timeout}. After {@link #close}
     * it still gives the events that arrived before, then null at once.
     *
     * @param timeout how long to wait (0: not at all)
     * @param unit its unit
     * @return the event, or null
     * @throws InterruptedException when interrupted while waiting
     * @throws EsmeException USAGE when the client has a listener
     */
    public Event poll(long timeout, TimeUnit unit) throws InterruptedException {
        if (core.listener != null) {
            throw new EsmeException(EsmeException.Code.USAGE, "poll: this client's events go to its listener");
        }
        if (timeout < 0) {
            throw new EsmeException(EsmeException.Code.USAGE, "poll: timeout is negative (" + timeout + ")");
        }
        Event e = core.queue.poll();
        if (e != null || core.finished()) {
            return e;
        }
        e = core.queue.poll(timeout, unit);
        synchronized (core.queue) {
            core.queue.notifyAll(); // room for the event thread
        }
        return e;
    }

    /**
     * The numbers now: the channel's and, in {@link Stats#binds}, each bind's (after
     * {@link #close}: as they were at the end). Never touches the network.
     *
     * @return the numbers
     */
    public Stats stats() {
        Stats s = core.finalStats;
        if (s != null) {
            return s;
        }
        try {
            return readStats(core.live());
        } catch (EsmeException e) {
            if (core.finalStats != null) {
                return core.finalStats;
            }
            throw e;
        }
    }

    static Stats readStats(long h) {
        Object[] hosts = new Object[1];
        long[] v = nStats(h, hosts);
        return new Stats(v, (byte[][]) hosts[0]);
    }

    /**
     * The client's numbers in the Prometheus text exposition format (version 0.0.4: every
     * family with {@code # HELP} and {@code # TYPE}, every sample labelled with the channel,
     * the per-bind series also with {@code bind} and {@code host}); serve it as
     * {@code text/plain; version=0.0.4}. After {@link #close}: the text as it was at the end.
     * For several clients in one scrape use {@link #prometheus(Collection)}.
     *
     * @return the exposition, lines ending with a newline
     */
    public String prometheus() {
        String s = core.finalPrometheus;
        if (s != null) {
            return s;
        }
        try {
            return utf8(nPrometheus(core.live()));
        } catch (EsmeException e) {
            if (core.finalPrometheus != null) {
                return core.finalPrometheus;
            }
            throw e;
        }
    }

    /**
     * The Prometheus text of several clients as one exposition (each family's
     * {@code # HELP} and {@code # TYPE} once, then every client's samples, each labelled
     * with its channel: give the clients distinct channel names). Clients already closed are
     * left out (their series end with them). Thread-safe.
     *
     * @param clients the clients (no null element)
     * @return the exposition (only comments when none is open)
     */
    public static String prometheus(Collection<EsmeClient> clients) {
        Objects.requireNonNull(clients, "clients is null");
        Native.load();
        for (int attempt = 0; ; attempt++) {
            List<Long> hs = new ArrayList<>(clients.size());
            for (EsmeClient c : clients) {
                Objects.requireNonNull(c, "a client is null");
                long h = c.core.handle;
                if (h != 0 && c.core.state == Core.OPEN) {
                    hs.add(h);
                }
            }
            long[] a = new long[hs.size()];
            for (int i = 0; i < a.length; i++) {
                a[i] = hs.get(i);
            }
            try {
                return utf8(nPrometheusAll(a));
            } catch (EsmeException e) {
                // One was closed and freed meanwhile: again without it.
                if (e.code() != EsmeException.Code.INVALID_HANDLE || attempt >= 3) {
                    throw e;
                }
            }
        }
    }

    /**
     * The connection state now.
     *
     * @return the state ({@link ConnectionState#CLOSED} after {@link #close})
     */
    public ConnectionState state() {
        if (core.state != Core.OPEN) {
            return ConnectionState.CLOSED;
        }
        try {
            return ConnectionState.of(nState(core.live()));
        } catch (EsmeException e) {
            return ConnectionState.CLOSED;
        }
    }

    /**
     * Whether {@link #close} was not called yet.
     *
     * @return true while open
     */
    public boolean isOpen() {
        return core.state == Core.OPEN;
    }

    /**
     * Unbinds and closes: no new submits (they throw CLOSED); while bound, the queue behind
     * the window is still sent as answers make room, and those in flight get their response
     * or UNKNOWN, within {@code x-smpp-close-timeout}; what is queued then ends NOT_SENT;
     * then every outcome is delivered (futures completed, or handed to the listener's
     * executor) and the events that came before wait for {@link #poll}, before this returns.
     * Idempotent. Called from the listener on the event thread, it returns at once and the
     * rest follows. A client never closed is closed when it is garbage collected.
     */
    @Override
    public void close() {
        cleanable.clean();
        core.awaitFinished();
    }

    /**
     * Whether a submit's message id and a receipt's id name the same message (literally, or
     * one in hex and the other in decimal, as SMSCs differ).
     *
     * @param submitId an id from {@link Outcome#messageIds()}
     * @param receiptId an id from {@link Event#receiptId()}
     * @return true when they match
     */
    public static boolean receiptIdsMatch(String submitId, String receiptId) {
        Objects.requireNonNull(submitId, "submitId is null");
        Objects.requireNonNull(receiptId, "receiptId is null");
        Native.load();
        return nReceiptIdsMatch(cstring(submitId, "submitId", EsmeException.Code.USAGE),
                cstring(receiptId, "receiptId", EsmeException.Code.USAGE));
    }

    /**
     * The version of the loaded native library (the jar's: they are checked at load).
     *
     * @return e.g. "0.1.0"
     */
    public static String version() {
        Native.load();
        return nativeVersion();
    }

    static String nativeVersion() {
        return utf8(nVersion());
    }

    // ------------------------------------------------------------------------------ internals

    /**
     * A submitted message the library may still hand back: its future until the outcome, its
     * attachment until the event that releases its user data (the key into
     * {@link Core#pending}).
     */
    static final class Pending {
        final CompletableFuture<Outcome> future = new CompletableFuture<>();
        final Object attachment;

        Pending(Object attachment) {
            this.attachment = attachment;
        }
    }

    /**
     * The state shared with the event thread and the Cleaner; it never refers to the
     * EsmeClient, so a client forgotten without close is collected and closed.
     */
    static final class Core implements Runnable {
        static final int OPEN = 0, CLOSING = 1, FINISHED = 2;

        volatile long handle;
        volatile int state = OPEN;
        private volatile boolean nativeClosed;
        final EventListener listener;
        final Executor executor;
        final LinkedBlockingQueue<Event> queue = new LinkedBlockingQueue<>();
        private final int pollCapacity;
        /** Messages by the user data given to the library (esme_submit_options.user_data). */
        final ConcurrentHashMap<Long, Pending> pending = new ConcurrentHashMap<>();
        private final AtomicLong nextKey = new AtomicLong();
        final Thread thread;
        volatile Stats finalStats;
        volatile String finalPrometheus;
        private final Object finishLock = new Object();

        Core(long handle, Builder b) {
            this.handle = handle;
            this.listener = b.listener;
            this.executor = b.executor;
            this.pollCapacity = b.pollCapacity;
            this.thread = new Thread(this, "esme-events-" + CLIENTS.incrementAndGet());
            this.thread.setDaemon(true);
        }

        long live() {
            long h = handle;
            if (h == 0 || state != OPEN) {
                throw new EsmeException(EsmeException.Code.CLOSED, "this client was closed (EsmeClient.close)");
            }
            return h;
        }

        boolean finished() {
            return state == FINISHED;
        }

        /** The key (never 0: the library's "no user data") under which p waits for its events. */
        long register(Pending p) {
            long key = nextKey.incrementAndGet();
            pending.put(key, p);
            return key;
        }

        /** Close: once (the Cleaner runs it at most once). Not on the event thread: waits. */
        void shutdown() {
            if (state == OPEN) {
                state = CLOSING;
            }
            long h = handle;
            if (h != 0) {
                try {
                    nClose(h); // blocks up to the close timeout: every outcome is queued after it
                } catch (EsmeException e) {
                    // already closed or freed: nothing more to wait for
                }
            }
            nativeClosed = true;
            synchronized (queue) {
                queue.notifyAll();
            }
        }

        void awaitFinished() {
            if (Thread.currentThread() == thread) {
                return;
            }
            synchronized (finishLock) {
                while (state != FINISHED) {
                    try {
                        finishLock.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }

        // The batch nPoll fills (java/native/esme_jni.c): EVENT_LONGS numbers per event in
        // meta, its strings in buf (or, for one too big, in overflow[0], ending the batch).
        static final int EVENT_LONGS = 8, BATCH = 64, BUFFER = 256 * 1024;
        static final int FLAG_RELEASES = 1, FLAG_MATCHED = 2, FLAG_FINAL = 4, FLAG_OVERFLOW = 8;
        static final int KIND_OUTCOME = 1, KIND_RECEIPT = 3;
        private final long[] meta = new long[EVENT_LONGS * BATCH];
        private final ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER).order(ByteOrder.nativeOrder());
        private final Object[] overflow = new Object[1];
        private ByteBuffer data; // buf or the overflow, for the event being read
        private int at;          // where its next string starts

        @Override
        public void run() {
            try {
                while (true) {
                    boolean last = nativeClosed;
                    int n;
                    try {
                        n = nPoll(handle, last ? 0 : 200, meta, buf, overflow);
                    } catch (EsmeException x) {
                        break; // freed under us: nothing more will come
                    }
                    if (n == 0 && last) {
                        break;
                    }
                    for (int i = 0; i < n; i++) {
                        dispatch(i * EVENT_LONGS);
                    }
                    overflow[0] = null;
                }
            } catch (Throwable t) {
                LOG.log(Level.ERROR, "esme: the event thread failed", t);
            } finally {
                finish();
            }
        }

        private String string() {
            int len = data.getInt(at);
            at += 4;
            if (len < 0) {
                return null;
            }
            byte[] b = new byte[len];
            data.get(at, b);
            at += len;
            return new String(b, StandardCharsets.UTF_8);
        }

        private byte[] octets() {
            int len = data.getInt(at);
            at += 4;
            if (len < 0) {
                return null;
            }
            byte[] b = new byte[len];
            data.get(at, b);
            at += len;
            return b;
        }

        private void skip() {
            int len = data.getInt(at);
            at += 4 + Math.max(len, 0);
        }

        private String[] ids(int count) {
            String[] ids = new String[count];
            for (int i = 0; i < count; i++) {
                ids[i] = string();
            }
            return ids;
        }

        private void dispatch(int m) {
            long head = meta[m];
            int kind = (int) (head & 0xff);
            int flags = (int) (head >>> 32);
            long key = meta[m + 1];
            long ticket = meta[m + 2];
            data = (flags & FLAG_OVERFLOW) != 0
                    ? ByteBuffer.wrap((byte[]) overflow[0]).order(ByteOrder.nativeOrder()) : buf;
            at = (int) meta[m + 5];
            int idCount = (int) meta[m + 7];
            // The user data comes back with the outcome, matched receipts and RELEASED; the
            // event that says it is released is the last to carry it.
            Pending p = key == 0 ? null
                    : (flags & FLAG_RELEASES) != 0 ? pending.remove(key) : pending.get(key);
            if (kind == KIND_OUTCOME) {
                String why = string();
                skip(); // from
                skip(); // to
                skip(); // body
                skip(); // receipt id
                Outcome o = new Outcome(Outcome.Kind.of((int) ((head >>> 8) & 0xff)),
                        (int) meta[m + 3], ids(idCount), why, ticket, p == null ? null : p.attachment);
                if (p == null) {
                    LOG.log(Level.ERROR, "esme: an outcome with no submit waiting for it (" + o + ")");
                    return;
                }
                complete(p, o);
                return;
            }
            String text = string();
            String from = string();
            String to = string();
            byte[] body = octets();
            String receiptId = string();
            String[] ids = idCount == 0 ? null : ids(idCount);
            boolean matched = kind == KIND_RECEIPT && (flags & FLAG_MATCHED) != 0;
            deliver(new Event(kind, ticket, from, to, text, body, receiptId, (int) ((head >>> 24) & 0xff),
                    (flags & FLAG_FINAL) != 0, meta[m + 4], (int) ((head >>> 16) & 0xff), matched,
                    p == null ? null : p.attachment, ids));
        }

        private void complete(Pending p, Outcome out) {
            if (executor == null) {
                p.future.complete(out);
                return;
            }
            try {
                executor.execute(() -> p.future.complete(out));
            } catch (RejectedExecutionException x) {
                p.future.complete(out); // never lose an outcome
            }
        }

        private void deliver(Event e) {
            if (listener == null) {
                synchronized (queue) {
                    while (queue.size() >= pollCapacity && !nativeClosed) {
                        try {
                            queue.wait(50);
                        } catch (InterruptedException x) {
                            Thread.currentThread().interrupt();
                            break;
                        }
                    }
                }
                queue.add(e);
                return;
            }
            if (executor == null) {
                call(e);
                return;
            }
            try {
                executor.execute(() -> call(e));
            } catch (RejectedExecutionException x) {
                call(e); // the executor is shut down: deliver here rather than lose it
            }
        }

        private void call(Event e) {
            try {
                listener.onEvent(e);
            } catch (RuntimeException x) {
                LOG.log(Level.WARNING, "esme: the event listener threw on " + e.kind(), x);
            }
        }

        private void finish() {
            long h = handle;
            try {
                if (h != 0) {
                    try {
                        finalStats = readStats(h);
                        finalPrometheus = utf8(nPrometheus(h));
                    } catch (EsmeException x) {
                        // freed: no counters
                    }
                }
                // A submit whose outcome never came (the library gives one to every message and
                // releases every user data at close; this is the safety net): UNKNOWN, the
                // honest answer.
                for (Map.Entry<Long, Pending> e : pending.entrySet()) {
                    Pending p = e.getValue();
                    if (!p.future.isDone()) {
                        complete(p, new Outcome(Outcome.Kind.UNKNOWN,
                                "the client closed and the library gave no outcome", 0, p.attachment));
                    }
                }
                pending.clear();
            } finally {
                if (nativeClosed && h != 0) {
                    handle = 0;
                    nFree(h);
                }
                synchronized (finishLock) {
                    state = FINISHED;
                    finishLock.notifyAll();
                }
            }
        }
    }

    /** Standard UTF-8 (not JNI's modified UTF-8); an unpaired surrogate is an error. */
    static byte[] utf8Strict(String s, String what) {
        boolean surrogates = false;
        for (int i = 0, n = s.length(); i < n; i++) {
            if (Character.isSurrogate(s.charAt(i))) {
                surrogates = true;
                break;
            }
        }
        if (!surrogates) {
            return s.getBytes(StandardCharsets.UTF_8); // the JDK's fast path; nothing to refuse
        }
        try {
            ByteBuffer b = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(s));
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (CharacterCodingException e) {
            throw new EsmeException(EsmeException.Code.UTF8,
                    what + " has an unpaired UTF-16 surrogate: not encodable as UTF-8");
        }
    }

    /** UTF-8 for a C string: a NUL inside would silently cut it, so it is refused. */
    private static byte[] cstring(String s, String what, EsmeException.Code code) {
        int nul = s.indexOf('\0');
        if (nul >= 0) {
            throw new EsmeException(code, what + " contains a NUL character (at index " + nul + ")");
        }
        return utf8Strict(s, what);
    }

    static String utf8(byte[] b) {
        return b == null ? "" : new String(b, StandardCharsets.UTF_8);
    }

    static String utf8OrNull(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    // Natives (java/native/esme_jni.c): the esme_client id as a long; texts as UTF-8 byte[];
    // failures thrown as EsmeException with esme_last_error's text.
    private static native long nConnect(byte[] path, byte[][] keys, byte[][] values);

    private static native long nSubmitAsync(long h, byte[] to, byte[] from, byte[] body, int flags, long userData);

    private static native int nPoll(long h, int timeoutMillis, long[] meta, ByteBuffer buf, Object[] overflow);

    private static native void nReload(long h, byte[] path, byte[][] keys, byte[][] values);

    private static native long[] nStats(long h, Object[] hostsOut);

    private static native byte[] nPrometheus(long h);

    private static native byte[] nPrometheusAll(long[] handles);

    private static native int nState(long h);

    private static native void nClose(long h);

    private static native void nFree(long h);

    private static native boolean nReceiptIdsMatch(byte[] a, byte[] b);

    private static native byte[] nVersion();

    static native void nSetLog(int minLevel);
}
