package io.esme;

import java.lang.System.Logger.Level;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
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

/**
 * An SMPP 3.4 client bound to one SMSC (the esme library through JNI). Thread-safe: every
 * method may be called from many threads at once.
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

    /** How to connect: options, a channel file, a listener and its executor. Not thread-safe. */
    public static final class Builder {
        private Path file;
        private final Map<String, String> options = new LinkedHashMap<>();
        private EventListener listener;
        private Executor executor;
        private int receiptEntries = 100_000;
        private Duration receiptAge = Duration.ofHours(48);
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
         * How many accepted messages, and for how long, the client remembers to match their
         * receipts with their attachments (default 100,000 messages, 48 hours; about 0.5 KB
         * each). A receipt for a message forgotten arrives unmatched.
         *
         * @param maxMessages at most this many (0: match no receipt)
         * @param maxAge at most this long
         * @return this
         */
        public Builder receiptMemory(int maxMessages, Duration maxAge) {
            if (maxMessages < 0 || maxAge == null || maxAge.isNegative()) {
                throw new IllegalArgumentException("receiptMemory: maxMessages >= 0 and maxAge >= 0");
            }
            this.receiptEntries = maxMessages;
            this.receiptAge = maxAge;
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
            int n = options.size();
            byte[][] keys = new byte[n][];
            byte[][] values = new byte[n][];
            try {
                int i = 0;
                for (Map.Entry<String, String> e : options.entrySet()) {
                    keys[i] = cstring(e.getKey(), "option name '" + e.getKey() + "'", EsmeException.Code.CONFIG);
                    values[i] = cstring(e.getValue(), "option '" + e.getKey() + "'", EsmeException.Code.CONFIG);
                    i++;
                }
                byte[] p = file == null ? null : cstring(file.toString(), "channel file", EsmeException.Code.CONFIG);
                long h = nConnect(p, keys, values);
                return new EsmeClient(new Core(h, this));
            } finally {
                for (byte[] v : values) {
                    if (v != null) {
                        Arrays.fill(v, (byte) 0); // passwords: leave no copy of ours
                    }
                }
            }
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
     * while the window is full (up to {@code x-smpp-submit-timeout}). Dependent stages run on
     * the listener's executor, or on the client's event thread when there is none (use the
     * {@code ...Async} stages for slow work).
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
        Pending p = new Pending(attachment, !Boolean.FALSE.equals(message.receipt()));
        long h = core.live();
        long ticket = nSubmitAsync(h, to, from, body, message.flags());
        core.registered(ticket, p);
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
     * The counters now (after {@link #close}: as they were at the end).
     *
     * @return the counters
     */
    public Stats stats() {
        Stats s = core.finalStats;
        if (s != null) {
            return s;
        }
        try {
            return new Stats(nStats(core.live()));
        } catch (EsmeException e) {
            if (core.finalStats != null) {
                return core.finalStats;
            }
            throw e;
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
     * Unbinds and closes: no new submits (they throw CLOSED); queued messages end NOT_SENT,
     * those in flight get their response or UNKNOWN within {@code x-smpp-close-timeout};
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

    /** A submit waiting for its outcome. */
    static final class Pending {
        final CompletableFuture<Outcome> future = new CompletableFuture<>();
        final Object attachment;
        final boolean receipt;

        Pending(Object attachment, boolean receipt) {
            this.attachment = attachment;
            this.receipt = receipt;
        }
    }

    /** Where a ticket's submit and its outcome meet (either may come first). */
    static final class Slot {
        private Pending pending;
        final Outcome outcome;

        Slot(Pending p) {
            pending = p;
            outcome = null;
        }

        Slot(Outcome o) {
            outcome = o;
        }

        synchronized void setPending(Pending p) {
            pending = p;
            notifyAll();
        }

        synchronized Pending awaitPending(long millis) {
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            long left;
            while (pending == null && (left = end - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            return pending;
        }

        synchronized Pending pending() {
            return pending;
        }
    }

    /**
     * The state shared with the event thread and the Cleaner; it never refers to the
     * EsmeClient, so a client forgotten without close is collected and closed.
     */
    static final class Core implements Runnable {
        static final int OPEN = 0, CLOSING = 1, FINISHED = 2;

        private volatile long handle;
        volatile int state = OPEN;
        private volatile boolean nativeClosed;
        final EventListener listener;
        final Executor executor;
        final LinkedBlockingQueue<Event> queue = new LinkedBlockingQueue<>();
        private final int pollCapacity;
        private final ConcurrentHashMap<Long, Slot> slots = new ConcurrentHashMap<>();
        private final ReceiptIndex receipts;
        final Thread thread;
        volatile Stats finalStats;
        private final Object finishLock = new Object();

        Core(long handle, Builder b) {
            this.handle = handle;
            this.listener = b.listener;
            this.executor = b.executor;
            this.pollCapacity = b.pollCapacity;
            this.receipts = new ReceiptIndex(b.receiptEntries, b.receiptAge.toNanos());
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

        /** A submit got its ticket: meet its outcome. */
        void registered(long ticket, Pending p) {
            Slot prev = slots.putIfAbsent(ticket, new Slot(p));
            if (prev != null) {
                prev.setPending(p); // the outcome came first: the event thread waits for this
            }
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

        @Override
        public void run() {
            try {
                while (true) {
                    boolean last = nativeClosed;
                    Event e;
                    try {
                        e = nPoll(handle, last ? 0 : 200);
                    } catch (EsmeException x) {
                        break; // freed under us: nothing more will come
                    }
                    if (e == null) {
                        if (last) {
                            break;
                        }
                        continue;
                    }
                    dispatch(e);
                }
            } catch (Throwable t) {
                LOG.log(Level.ERROR, "esme: the event thread failed", t);
            } finally {
                finish();
            }
        }

        private void dispatch(Event e) {
            Outcome o = e.outcome();
            if (o != null) {
                outcome(e.ticket(), o);
                return;
            }
            if (e.kind() == Event.Kind.RECEIPT) {
                long now = System.nanoTime();
                ReceiptIndex.Entry m = receipts.find(e.receiptId(), now);
                if (m != null) {
                    e = e.matched(m.attachment);
                    if (e.receiptFinal()) {
                        receipts.forget(m);
                    }
                }
            }
            deliver(e);
        }

        private void outcome(long ticket, Outcome o) {
            Slot mine = new Slot(o);
            Slot prev = slots.putIfAbsent(ticket, mine);
            Pending p;
            if (prev != null) {
                p = prev.pending();
            } else {
                // The outcome came before submitAsync returned its ticket: that is microseconds.
                p = mine.awaitPending(10_000);
            }
            slots.remove(ticket);
            if (p == null) {
                LOG.log(Level.ERROR, "esme: an outcome for ticket " + ticket + " has no submit (" + o + ")");
                return;
            }
            Outcome out = o.with(ticket, p.attachment);
            if (out.kind() == Outcome.Kind.ACCEPTED && p.receipt) {
                receipts.remember(out.messageIds(), p.attachment, System.nanoTime());
            }
            complete(p, out);
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
                        finalStats = new Stats(nStats(h));
                    } catch (EsmeException x) {
                        // freed: no counters
                    }
                }
                // A submit whose outcome never came (the library gives one to every message;
                // this is the safety net): UNKNOWN, the honest answer.
                for (Map.Entry<Long, Slot> s : slots.entrySet()) {
                    Pending p = s.getValue().pending();
                    if (p != null) {
                        complete(p, new Outcome(Outcome.Kind.UNKNOWN,
                                "the client closed and the library gave no outcome", s.getKey(), p.attachment));
                    }
                }
                slots.clear();
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

    private static native long nSubmitAsync(long h, byte[] to, byte[] from, byte[] body, int flags);

    private static native Event nPoll(long h, int timeoutMillis);

    private static native long[] nStats(long h);

    private static native int nState(long h);

    private static native void nClose(long h);

    private static native void nFree(long h);

    private static native boolean nReceiptIdsMatch(byte[] a, byte[] b);

    private static native byte[] nVersion();

    static native void nSetLog(int minLevel);
}
