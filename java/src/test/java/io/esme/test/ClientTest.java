package io.esme.test;

import io.esme.ConnectionState;
import io.esme.EsmeClient;
import io.esme.EsmeException;
import io.esme.Event;
import io.esme.Message;
import io.esme.Outcome;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Tests of the jar's API against a real SMSC over mutual TLS: `esme smsc` or node-smpp's
 * (tests/interop/smsc.js). A plain main (the JDK alone): prints one line per test and
 * "N passed, M failed", exits 1 on any failure. System properties: esme.port, esme.pki
 * (tests/tls/make-pki.sh's folder), esme.peer (a name for the output).
 */
public final class ClientTest {
    private static int passed, failed;
    private static final String PORT = System.getProperty("esme.port");
    private static final Path PKI = Path.of(System.getProperty("esme.pki", "target/tls-pki"));
    private static final String PEER = System.getProperty("esme.peer", "smsc");
    /** A plain `esme smsc --receipt-delay 600000`: receipts that do not come (RELEASED). */
    private static final String SLOW_PORT = System.getProperty("esme.slowReceiptPort");

    interface Body {
        void run() throws Exception;
    }

    static void test(String name, Body b) {
        long t0 = System.nanoTime();
        try {
            b.run();
            passed++;
            System.out.printf("ok   [%s] %-66s %6d ms%n", PEER, name, (System.nanoTime() - t0) / 1_000_000);
        } catch (Throwable t) {
            failed++;
            System.out.println("FAIL [" + PEER + "] " + name + ": " + t);
            t.printStackTrace(System.out);
        }
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    static <T> void eq(T want, T have, String what) {
        if (want == null ? have != null : !want.equals(have)) {
            throw new AssertionError(what + ": want " + want + ", have " + have);
        }
    }

    static EsmeException throwsEsme(EsmeException.Code code, Body b) throws Exception {
        try {
            b.run();
        } catch (EsmeException e) {
            eq(code, e.code(), "code of " + e.getMessage());
            eq(code.number(), e.number(), "number");
            check(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
            return e;
        }
        throw new AssertionError("no EsmeException " + code);
    }

    static Map<String, String> tls(String systemId) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("x-smpp-host", "127.0.0.1");
        o.put("x-smpp-port", PORT);
        o.put("x-smpp-system-id", systemId);
        o.put("x-smpp-tls-mode", "mutual");
        o.put("x-smpp-tls-ca-file", PKI.resolve("ca.pem").toString());
        o.put("x-smpp-tls-path-to-certificate", PKI.resolve("client.p12").toString());
        o.put("x-smpp-tls-certificate-file-password", "changeit");
        o.put("x-smpp-submit-rate-unlimited", "true");
        o.put("x-smpp-close-timeout", "3000");
        return o;
    }

    /** The next RECEIPT from poll within 20 s. */
    static Event receipt(EsmeClient c) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < end) {
            Event e = c.poll(200, TimeUnit.MILLISECONDS);
            if (e != null && e.kind() == Event.Kind.RECEIPT) {
                return e;
            }
        }
        throw new AssertionError("no receipt in 20 s");
    }


    /** A Prometheus sample: its name, labels (in order) and value. */
    record Sample(String name, Map<String, String> labels, double value) {}

    private static final java.util.regex.Pattern METRIC_NAME =
            java.util.regex.Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final java.util.regex.Pattern LABEL =
            java.util.regex.Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\n]|\\\\[\\\\\"n])*)\"");

    /**
     * Parses a Prometheus text exposition (format 0.0.4) strictly: every line `# HELP name
     * text`, `# TYPE name counter|gauge|summary` (once per family, HELP first) or
     * `name{label="value",...} value` of the family declared last (a summary's `_sum` and
     * `_count` too); no series twice; the text ends with a newline. Throws on the first bad
     * line.
     */
    static List<Sample> parsePrometheus(String text) {
        check(!text.isEmpty() && text.endsWith("\n"), "the exposition ends with a newline");
        List<Sample> out = new ArrayList<>();
        Map<String, String> types = new LinkedHashMap<>();
        java.util.Set<String> series = new java.util.HashSet<>();
        String family = null;
        int no = 0;
        for (String line : text.substring(0, text.length() - 1).split("\n", -1)) {
            no++;
            String where = "line " + no + " '" + line + "'";
            if (line.startsWith("# HELP ")) {
                String[] p = line.split(" ", 4);
                check(p.length == 4 && METRIC_NAME.matcher(p[2]).matches() && !p[3].isEmpty(), "bad HELP: " + where);
                check(!types.containsKey(p[2]), "family twice: " + where);
                family = p[2];
                types.put(family, null);
            } else if (line.startsWith("# TYPE ")) {
                String[] p = line.split(" ");
                check(p.length == 4 && p[2].equals(family) && types.get(family) == null
                        && java.util.Set.of("counter", "gauge", "summary").contains(p[3]), "bad TYPE: " + where);
                check(!p[3].equals("counter") || family.endsWith("_total"), "a counter without _total: " + where);
                types.put(family, p[3]);
            } else {
                check(!line.startsWith("#"), "unknown comment: " + where);
                int sp = line.lastIndexOf(' ');
                check(sp > 0, "no value: " + where);
                String head = line.substring(0, sp);
                String value = line.substring(sp + 1);
                int brace = head.indexOf('{');
                String name = brace < 0 ? head : head.substring(0, brace);
                check(METRIC_NAME.matcher(name).matches(), "bad name: " + where);
                check(family != null && types.get(family) != null, "a sample before its TYPE: " + where);
                boolean ofFamily = name.equals(family) || ("summary".equals(types.get(family))
                        && (name.equals(family + "_sum") || name.equals(family + "_count")));
                check(ofFamily, "a sample outside its family " + family + ": " + where);
                Map<String, String> labels = new LinkedHashMap<>();
                if (brace >= 0) {
                    check(head.endsWith("}"), "unterminated labels: " + where);
                    String body = head.substring(brace + 1, head.length() - 1);
                    java.util.regex.Matcher m = LABEL.matcher(body);
                    int at = 0;
                    while (at < body.length()) {
                        check(m.find(at) && m.start() == at, "bad label at " + at + ": " + where);
                        check(labels.put(m.group(1), m.group(2)) == null, "a label twice: " + where);
                        at = m.end();
                        if (at < body.length()) {
                            check(body.charAt(at) == ',', "junk after a label: " + where);
                            at++;
                            check(at < body.length(), "a trailing comma: " + where);
                        }
                    }
                }
                check(series.add(head), "the same series twice: " + where);
                double v;
                try {
                    v = value.equals("NaN") ? Double.NaN : value.equals("+Inf") ? Double.POSITIVE_INFINITY
                            : value.equals("-Inf") ? Double.NEGATIVE_INFINITY : Double.parseDouble(value);
                } catch (NumberFormatException e) {
                    throw new AssertionError("bad value: " + where);
                }
                out.add(new Sample(name, labels, v));
            }
        }
        return out;
    }

    /** The samples of `name` whose labels include every pair of `want`. */
    static List<Sample> samples(List<Sample> all, String name, String... want) {
        List<Sample> l = new ArrayList<>();
        for (Sample x : all) {
            boolean ok = x.name().equals(name);
            for (int i = 0; ok && i < want.length; i += 2) {
                ok = want[i + 1].equals(x.labels().get(want[i]));
            }
            if (ok) {
                l.add(x);
            }
        }
        return l;
    }

    /** The one sample of `name` with those labels. */
    static double sample(List<Sample> all, String name, String... want) {
        List<Sample> l = samples(all, name, want);
        eq(1, l.size(), "samples of " + name + " " + java.util.Arrays.toString(want));
        return l.get(0).value();
    }

    /** Waits up to 20 s for `cond` on the client's stats; returns the stats that met it. */
    static io.esme.Stats statsUntil(EsmeClient c, java.util.function.Predicate<io.esme.Stats> cond, String what)
            throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        io.esme.Stats s = c.stats();
        while (!cond.test(s)) {
            check(System.nanoTime() < end, what + " within 20 s: " + s + " " + s.binds);
            Thread.sleep(20);
            s = c.stats();
        }
        return s;
    }

    /**
     * Submits from `threads` threads without pause (receipt false) until `stop` is set;
     * returns the futures of the submits that were taken (those refused with an exception
     * are counted in `refused`).
     */
    static List<CompletableFuture<Outcome>> load(EsmeClient c, int threads, java.util.concurrent.atomic.AtomicBoolean stop,
            java.util.concurrent.atomic.AtomicInteger refused, List<Thread> running) {
        List<CompletableFuture<Outcome>> all = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < threads; t++) {
            final int tn = t;
            Thread th = new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    try {
                        all.add(c.submitAsync(Message.text("4915112345678", "load " + tn + " " + i).receipt(false),
                                tn * 1_000_000 + i));
                    } catch (EsmeException e) {
                        refused.incrementAndGet();
                        System.out.println("   refused under load: " + e.getMessage());
                    }
                }
            }, "load-" + t);
            th.start();
            running.add(th);
        }
        return all;
    }

    public static void main(String[] args) throws Exception {
        if (PORT == null) {
            System.err.println("set -Desme.port=PORT (and -Desme.pki=DIR)");
            System.exit(2);
        }
        // Capture the library's records (System.Logger -> java.util.logging by default).
        List<LogRecord> logs = new CopyOnWriteArrayList<>();
        Logger root = Logger.getLogger("io.esme");
        root.setLevel(java.util.logging.Level.FINE);
        root.setUseParentHandlers(false);
        root.addHandler(new Handler() {
            @Override
            public void publish(LogRecord r) {
                logs.add(r);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        });

        test("version is the jar's x.y.z", () -> check(EsmeClient.version().matches("\\d+\\.\\d+\\.\\d+"), EsmeClient.version()));

        test("mutual TLS: bound; submit with a receipt: ACCEPTED, receipt with the attachment", () -> {
            try (EsmeClient c = EsmeClient.connect(tls("jt-receipt"))) {
                eq(ConnectionState.BOUND, c.state(), "state");
                Object mine = new Object();
                Outcome o = c.submit(Message.text("4915112345678", "Hello 👋").from("Media").receipt(true), mine);
                eq(Outcome.Kind.ACCEPTED, o.kind(), "kind " + o);
                check(o.attachment() == mine, "outcome attachment");
                Event r = receipt(c);
                check(r.matched() && r.attachment() == mine, "receipt attachment: " + r);
                check(EsmeClient.receiptIdsMatch(o.messageIds()[0], r.receiptId()), "ids match");
            }
        });

        test("long text with emoji: ACCEPTED in several parts; a NUL inside is sent whole", () -> {
            try (EsmeClient c = EsmeClient.connect(tls("jt-long"))) {
                Outcome o = c.submit(Message.text("4915112345678", "🙂".repeat(100)).receipt(false));
                eq(Outcome.Kind.ACCEPTED, o.kind(), "kind " + o);
                check(o.messageIds().length >= 2, "parts: " + o);
                eq(Outcome.Kind.ACCEPTED, c.submit(Message.text("1", "a\0b").receipt(false)).kind(), "NUL");
            }
        });

        test("8 threads x 100 submitAsync: 800 outcomes, each with its attachment", () -> {
            try (EsmeClient c = EsmeClient.connect(tls("jt-threads"))) {
                ExecutorService pool = Executors.newFixedThreadPool(8);
                List<Future<List<CompletableFuture<Outcome>>>> fs = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    final int tn = t;
                    fs.add(pool.submit(() -> {
                        List<CompletableFuture<Outcome>> l = new ArrayList<>();
                        for (int i = 0; i < 100; i++) {
                            l.add(c.submitAsync(Message.text("1", "t" + tn + " " + i).receipt(false), tn * 1000 + i));
                        }
                        return l;
                    }));
                }
                int n = 0;
                for (int t = 0; t < 8; t++) {
                    List<CompletableFuture<Outcome>> l = fs.get(t).get(60, TimeUnit.SECONDS);
                    for (int i = 0; i < l.size(); i++) {
                        Outcome o = l.get(i).get(30, TimeUnit.SECONDS);
                        eq(t * 1000 + i, o.attachment(), "attachment");
                        eq(Outcome.Kind.ACCEPTED, o.kind(), "kind");
                        n++;
                    }
                }
                pool.shutdown();
                eq(800, n, "outcomes");
                eq(800L, c.stats().accepted, "stats.accepted");
            }
        });

        test("long messages: each part's receipt matched by the library, also those before the outcome", () -> {
            // The listener runs on the event thread (no executor), in the library's order, and
            // the futures complete there too: a receipt seen while its future is not done was
            // polled before the message's outcome (the peer sends each part's receipt right
            // after its submit_sm_resp, before the last part's).
            Map<Object, CompletableFuture<Outcome>> futures = new java.util.concurrent.ConcurrentHashMap<>();
            Map<Object, Integer> matchedParts = new java.util.concurrent.ConcurrentHashMap<>();
            java.util.concurrent.atomic.AtomicInteger early = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger unmatched = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger released = new java.util.concurrent.atomic.AtomicInteger();
            int messages = 5;
            CountDownLatch all = new CountDownLatch(messages * 3);
            try (EsmeClient c = EsmeClient.builder().options(tls("jt-parts")).listener(e -> {
                if (e.kind() == Event.Kind.RELEASED) {
                    released.incrementAndGet();
                }
                if (e.kind() != Event.Kind.RECEIPT) {
                    return;
                }
                if (!e.matched() || e.attachment() == null) {
                    unmatched.incrementAndGet();
                } else {
                    matchedParts.merge(e.attachment(), 1, Integer::sum);
                    CompletableFuture<Outcome> f = futures.get(e.attachment());
                    if (f == null || !f.isDone()) {
                        early.incrementAndGet();
                    }
                }
                all.countDown();
            }, null).connect()) {
                String text = "part of a long message; ".repeat(16); // 384 GSM characters: 3 parts
                for (int i = 0; i < messages; i++) {
                    String a = "long-" + i;
                    CompletableFuture<Outcome> f = new CompletableFuture<>();
                    futures.put(a, f);
                    c.submitAsync(Message.text("4915112345678", text).receipt(true), a)
                            .whenComplete((o, x) -> f.complete(o));
                }
                for (Map.Entry<Object, CompletableFuture<Outcome>> f : futures.entrySet()) {
                    Outcome o = f.getValue().get(20, TimeUnit.SECONDS);
                    eq(Outcome.Kind.ACCEPTED, o.kind(), "kind " + o);
                    eq(3, o.messageIds().length, "parts of " + o);
                    eq(f.getKey(), o.attachment(), "outcome attachment");
                }
                check(all.await(20, TimeUnit.SECONDS), "receipts: " + matchedParts + ", unmatched " + unmatched);
                for (int i = 0; i < messages; i++) {
                    eq(3, matchedParts.get("long-" + i), "matched receipts of long-" + i);
                }
                eq(0, unmatched.get(), "unmatched receipts");
                System.out.println("   " + early.get() + " of " + (messages * 3)
                        + " part receipts were polled before their message's outcome, all matched");
                check(early.get() > 0, "no receipt came before its outcome: the case is not exercised");
            }
            eq(0, released.get(), "RELEASED events (every part had its final receipt)");
        });

        if (SLOW_PORT != null) {
            test("receipts that never come: RELEASED with the attachment (timeout, and at close)", () -> {
                Map<String, String> o = new LinkedHashMap<>();
                o.put("x-smpp-host", "127.0.0.1");
                o.put("x-smpp-port", SLOW_PORT);
                o.put("x-smpp-system-id", "jt-released");
                o.put("x-smpp-receipt-correlation-timeout", "1");
                o.put("x-smpp-close-timeout", "3000");
                EsmeClient c = EsmeClient.connect(o);
                Outcome first = c.submit(Message.text("1", "no receipt in time").receipt(true), "timed-out");
                eq(Outcome.Kind.ACCEPTED, first.kind(), "kind");
                Event e = c.poll(10, TimeUnit.SECONDS);
                while (e != null && e.kind() != Event.Kind.RELEASED) {
                    e = c.poll(10, TimeUnit.SECONDS);
                }
                check(e != null, "no RELEASED within 10 s of a 1 s correlation timeout");
                eq("timed-out", e.attachment(), "attachment of " + e);
                eq(first.ticket(), e.ticket(), "ticket");
                eq(java.util.List.of(first.messageIds()), java.util.List.of(e.messageIds()), "ids");
                c.submit(Message.text("1", "closed before its receipt").receipt(true), "at-close");
                c.close();
                Event r = null;
                while ((e = c.poll(0, TimeUnit.SECONDS)) != null) {
                    if (e.kind() == Event.Kind.RELEASED) {
                        r = e;
                    }
                }
                check(r != null && "at-close".equals(r.attachment()), "RELEASED at close: " + r);
            });
        }


        test("a pool of 2 binds: both up per bind, the per-bind counts add up to what was sent", () -> {
            Map<String, String> o = tls("jt-pool");
            o.put("x-smpp-sessions", "2");
            o.put("x-smpp-submit-window-size", "8");
            int threads = 4, each = 100, n = threads * each;
            try (EsmeClient c = EsmeClient.connect(o)) {
                io.esme.Stats s0 = statsUntil(c, s -> s.bindsUp == 2, "2 binds up");
                eq(2L, s0.bindsConfigured, "bindsConfigured");
                eq(2, s0.binds.size(), "binds listed");
                ExecutorService pool = Executors.newFixedThreadPool(threads);
                List<Future<List<CompletableFuture<Outcome>>>> fs = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    final int tn = t;
                    fs.add(pool.submit(() -> {
                        List<CompletableFuture<Outcome>> l = new ArrayList<>();
                        for (int i = 0; i < each; i++) {
                            l.add(c.submitAsync(Message.text("4915112345678", "pool " + tn + " " + i).receipt(true),
                                    tn * 1000 + i));
                        }
                        return l;
                    }));
                }
                java.util.Set<Object> accepted = new java.util.HashSet<>();
                for (Future<List<CompletableFuture<Outcome>>> f : fs) {
                    for (CompletableFuture<Outcome> x : f.get(60, TimeUnit.SECONDS)) {
                        Outcome out = x.get(30, TimeUnit.SECONDS);
                        eq(Outcome.Kind.ACCEPTED, out.kind(), "kind " + out);
                        check(accepted.add(out.attachment()), "two outcomes for " + out.attachment());
                    }
                }
                pool.shutdown();
                eq(n, accepted.size(), "outcomes");
                Map<Object, Integer> receipts = new LinkedHashMap<>();
                int unmatched = 0;
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (receipts.size() < n && System.nanoTime() < end) {
                    Event e = c.poll(200, TimeUnit.MILLISECONDS);
                    if (e != null && e.kind() == Event.Kind.RECEIPT && e.receiptFinal()) {
                        if (e.matched() && e.attachment() != null) {
                            receipts.merge(e.attachment(), 1, Integer::sum);
                        } else {
                            unmatched++;
                        }
                    }
                }
                eq(n, receipts.size(), "messages with a matched final receipt (unmatched " + unmatched + ")");
                check(receipts.values().stream().allMatch(k -> k == 1), "a message with two final receipts");
                eq(0, unmatched, "unmatched receipts");
                io.esme.Stats s = statsUntil(c, x -> x.receiptsReceived >= n && x.inFlight == 0, "the receipts counted");
                System.out.println("   " + s);
                for (io.esme.BindStats b : s.binds) {
                    System.out.println("   " + b);
                }
                eq(2L, s.bindsUp, "bindsUp");
                eq(2, s.binds.size(), "binds");
                eq(java.util.Set.of(0, 1), java.util.Set.of(s.binds.get(0).index, s.binds.get(1).index), "indices");
                long parts = 0, bytesOut = 0, bytesIn = 0, timed = 0;
                for (io.esme.BindStats b : s.binds) {
                    check(b.up, "bind " + b.index + " up");
                    eq("127.0.0.1:" + PORT, b.host, "host of bind " + b.index);
                    eq(8L, b.windowSize, "window of bind " + b.index);
                    eq(0L, b.windowInUse, "window in use of bind " + b.index);
                    check(b.partsSent > 0, "bind " + b.index + " carried nothing: " + s.binds);
                    check(b.smscCertDaysLeft > 0 && b.smscCertDaysLeft != io.esme.Stats.NO_CERTIFICATE,
                            "the SMSC certificate's days left on bind " + b.index + ": " + b.smscCertDaysLeft);
                    check(b.latencyCount == b.partsSent && b.latencyP50Micros > 0
                            && b.latencyP99Micros >= b.latencyP50Micros, "latency of bind " + b.index + ": " + b);
                    parts += b.partsSent;
                    bytesOut += b.bytesOut;
                    bytesIn += b.bytesIn;
                    timed += b.latencyCount;
                }
                eq((long) n, parts, "parts sent, summed over the binds");
                eq((long) n, s.partsSent, "parts sent, the channel");
                eq(s.bytesOut, bytesOut, "bytes out, summed over the binds");
                eq(s.bytesIn, bytesIn, "bytes in, summed over the binds");
                eq(s.latencyCount, timed, "responses timed, summed over the binds");
                eq((long) n, s.submitted, "submitted");
                eq((long) n, s.accepted, "accepted");
                eq(0L, s.rejected + s.unknown + s.notSent, "rejected + unknown + notSent");
                eq((long) n, s.receiptsMatched, "receipts matched");
                eq(0L, s.receiptsUnmatched, "receipts unmatched");
                eq(s.receiptsReceived, s.receiptsMatched + s.receiptsUnmatched, "receipts = matched + unmatched");
                eq((long) n, s.receiptLagCount, "receipt lags timed");
                // (esme smsc writes a receipt right behind its response: both in one read, whose
                // one clock reading makes their lag 0; node-smpp's come later.)
                check(s.receiptLagP99Micros >= s.receiptLagP50Micros && s.receiptLagSumMicros >= 0, "receipt lag p50 " + s.receiptLagP50Micros
                        + " p99 " + s.receiptLagP99Micros + " sum " + s.receiptLagSumMicros + " count " + s.receiptLagCount);
                check(s.submitsPerSecond > 0, "submits per second " + s.submitsPerSecond);
                eq(8L, s.windowSize, "window size");
                check(s.clientCertDaysLeft > 0 && s.clientCertDaysLeft != io.esme.Stats.NO_CERTIFICATE,
                        "our certificate's days left " + s.clientCertDaysLeft);
                check(s.smscCertDaysLeft > 0 && s.smscCertDaysLeft != io.esme.Stats.NO_CERTIFICATE,
                        "the SMSC certificate's days left " + s.smscCertDaysLeft);
                eq(0L, s.reconnects, "reconnects");

                // The same numbers in the Prometheus text, with the per-bind series.
                List<Sample> p = parsePrometheus(c.prometheus());
                String ch = "jt-pool@127.0.0.1:" + PORT; // the channel: no [section], so system_id@host
                eq(2.0, sample(p, "esme_binds_up", "channel", ch), "esme_binds_up");
                eq(2.0, sample(p, "esme_binds_configured", "channel", ch), "esme_binds_configured");
                eq((double) n, sample(p, "esme_message_outcomes_total", "channel", ch, "outcome", "accepted"), "accepted");
                eq((double) n, sample(p, "esme_receipts_total", "channel", ch, "match", "matched"), "matched");
                double parts2 = 0;
                for (String bind : new String[] {"0", "1"}) {
                    String[] l = {"channel", ch, "bind", bind, "host", "127.0.0.1:" + PORT};
                    eq(1.0, sample(p, "esme_bind_up", l), "esme_bind_up of bind " + bind);
                    eq(8.0, sample(p, "esme_window_size", l), "esme_window_size of bind " + bind);
                    eq(0.0, sample(p, "esme_window_in_use", l), "esme_window_in_use of bind " + bind);
                    double sent = sample(p, "esme_submit_sm_total", l);
                    check(sent > 0, "bind " + bind + " sent nothing");
                    parts2 += sent;
                    check(samples(p, "esme_response_latency_seconds", l).size() == 2, "latency quantiles of bind " + bind);
                    check(sample(p, "esme_response_latency_seconds_count", l) == sent, "latency count of bind " + bind);
                    check(samples(p, "esme_sent_bytes_total", l).size() == 1, "bytes of bind " + bind);
                }
                eq((double) n, parts2, "esme_submit_sm_total over the binds");
                check(sample(p, "esme_tls_certificate_expiry_seconds", "channel", ch, "certificate", "client") > 86400,
                        "our certificate's expiry in the text");
            }
        });

        test("prometheus of several clients: one HELP/TYPE per family, each channel's series; closed ones left out", () -> {
            Path f = Files.createTempFile("esme-channel", ".cfg");
            try {
                Files.writeString(f, "[jt-prom-b]\nx-smpp-host = 127.0.0.1\nx-smpp-port = " + PORT
                        + "\nx-smpp-system-id = jt-prom-b\n",
                        StandardCharsets.UTF_8);
                Map<String, String> ob = tls("jt-prom-b");
                ob.remove("x-smpp-host");
                ob.remove("x-smpp-port");
                EsmeClient a = EsmeClient.connect(tls("jt-prom-a"));
                try (EsmeClient b = EsmeClient.connect(f, ob)) {
                    eq(Outcome.Kind.ACCEPTED, a.submit(Message.text("1", "a").receipt(false)).kind(), "a");
                    eq(Outcome.Kind.ACCEPTED, b.submit(Message.text("1", "b").receipt(false)).kind(), "b");
                    eq(Outcome.Kind.ACCEPTED, b.submit(Message.text("1", "b").receipt(false)).kind(), "b");
                    String text = EsmeClient.prometheus(List.of(a, b));
                    List<Sample> p = parsePrometheus(text); // HELP/TYPE once per family is checked there
                    eq(1.0, sample(p, "esme_message_outcomes_total", "channel", "jt-prom-a@127.0.0.1:" + PORT, "outcome", "accepted"), "a's");
                    eq(2.0, sample(p, "esme_message_outcomes_total", "channel", "jt-prom-b", "outcome", "accepted"), "b's");
                    eq(1.0, sample(p, "esme_bind_up", "channel", "jt-prom-b", "bind", "0"), "b's bind");
                    long helps = text.lines().filter(l -> l.startsWith("# HELP esme_binds_up ")).count();
                    eq(1L, helps, "HELP lines of esme_binds_up");
                    a.close();
                    List<Sample> q = parsePrometheus(EsmeClient.prometheus(List.of(a, b)));
                    eq(0, samples(q, "esme_binds_up", "channel", "jt-prom-a@127.0.0.1:" + PORT).size(), "the closed client's series");
                    eq(1.0, sample(q, "esme_binds_up", "channel", "jt-prom-b"), "the open one's");
                    // A closed client's own text: its final numbers.
                    List<Sample> fin = parsePrometheus(a.prometheus());
                    eq(1.0, sample(fin, "esme_message_outcomes_total", "channel", "jt-prom-a@127.0.0.1:" + PORT, "outcome", "accepted"), "final");
                    eq(1L, a.stats().accepted, "final stats");
                } finally {
                    a.close();
                }
                check(EsmeClient.prometheus(List.of()).lines().allMatch(l -> l.isEmpty() || l.startsWith("#")),
                        "no client: no samples");
            } finally {
                Files.deleteIfExists(f);
            }
        });

        test("reload under load (rate, window, credentials and pool size, TLS file): every submit one outcome", () -> {
            Map<String, String> o = tls("jt-reload");
            try (EsmeClient c = EsmeClient.connect(o)) {
                java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
                java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
                List<Thread> running = new ArrayList<>();
                List<CompletableFuture<Outcome>> all = load(c, 4, stop, refused, running);
                // A watcher reads the numbers and the Prometheus text all along: the text always
                // parses (no series twice, also while old binds drain beside new ones) and the
                // channel's counters never go back.
                List<String> watchErrors = new CopyOnWriteArrayList<>();
                java.util.concurrent.atomic.AtomicInteger overlaps = new java.util.concurrent.atomic.AtomicInteger();
                java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
                Thread watcher = new Thread(() -> {
                    long lastParts = 0, lastAccepted = 0, lastSubmitted = 0;
                    while (!stop.get() && watchErrors.size() < 5) {
                        try {
                            io.esme.Stats w = c.stats();
                            parsePrometheus(c.prometheus());
                            reads.incrementAndGet();
                            if (w.bindsUp > w.bindsConfigured) {
                                overlaps.incrementAndGet();
                            }
                            if (w.partsSent < lastParts || w.accepted < lastAccepted || w.submitted < lastSubmitted) {
                                watchErrors.add("a counter went back: " + w);
                            }
                            lastParts = w.partsSent;
                            lastAccepted = w.accepted;
                            lastSubmitted = w.submitted;
                            Thread.sleep(2);
                        } catch (Throwable t) {
                            watchErrors.add(t.toString());
                        }
                    }
                }, "watcher");
                watcher.start();
                running.add(watcher);
                statsUntil(c, s -> s.accepted >= 200, "traffic");

                // 1. The rate, in place: at most 100 submit_sm/s from now on. Bound measured
                // in this run: the parts written over a measured interval.
                Map<String, String> r1 = new LinkedHashMap<>(o);
                r1.remove("x-smpp-submit-rate-unlimited");
                r1.put("x-smpp-submit-max-rate", "100");
                c.reload(r1);
                Thread.sleep(300);
                long p0 = c.stats().partsSent, t0 = System.nanoTime();
                Thread.sleep(1500);
                long p1 = c.stats().partsSent;
                double secs = (System.nanoTime() - t0) / 1e9;
                System.out.printf("   at 100/s: %d parts in %.2f s%n", p1 - p0, secs);
                check(p1 - p0 <= 100 * secs + 20, "the rate did not apply: " + (p1 - p0) + " parts in " + secs + " s");
                check(p1 > p0, "no traffic at 100/s");
                eq(1, c.stats().binds.size(), "binds after a rate change (in place, no new bind)");

                // 2. The window: new binds (window 4), the old one drains.
                Map<String, String> r2 = new LinkedHashMap<>(o);
                r2.put("x-smpp-submit-window-size", "4");
                c.reload(r2);
                io.esme.Stats s2 = statsUntil(c, s -> s.binds.size() == 1 && s.binds.get(0).windowSize == 4
                        && s.windowSize == 4, "the new window");
                check(s2.binds.get(0).up, "the new bind is up");
                long a2 = s2.accepted;
                statsUntil(c, s -> s.accepted > a2 + 100, "traffic on the new bind");

                // 3. Credentials and pool size: two new binds as another system_id.
                Map<String, String> r3 = new LinkedHashMap<>(o);
                r3.put("x-smpp-system-id", "jt-reload-2");
                r3.put("x-smpp-sessions", "2");
                c.reload(r3);
                io.esme.Stats s3 = statsUntil(c, s -> s.bindsConfigured == 2 && s.bindsUp == 2
                        && s.binds.size() == 2 && s.windowSize == 10, "the old bind drained, two binds with window 10");
                long a3 = s3.accepted;
                io.esme.Stats s3b = statsUntil(c, s -> s.accepted > a3 + 200, "traffic on two binds");
                check(s3b.binds.stream().allMatch(b -> b.up), "both up: " + s3b.binds);

                // 4. TLS material: the same certificate in another PKCS#12 file (legacy
                // encryption), one bind again.
                Map<String, String> r4 = new LinkedHashMap<>(o);
                r4.put("x-smpp-tls-path-to-certificate", PKI.resolve("client-legacy.p12").toString());
                c.reload(r4);
                io.esme.Stats s4 = statsUntil(c, s -> s.bindsConfigured == 1 && s.bindsUp == 1 && s.binds.size() == 1,
                        "the two old binds drained, one bind again");
                long a4 = s4.accepted;
                statsUntil(c, s -> s.accepted > a4 + 100, "traffic after the TLS reload");

                stop.set(true);
                for (Thread t : running) {
                    t.join(30_000);
                }
                int accepted = 0;
                Map<Outcome.Kind, Integer> kinds = new java.util.EnumMap<>(Outcome.Kind.class);
                java.util.Set<Object> seen = new java.util.HashSet<>();
                synchronized (all) {
                    for (CompletableFuture<Outcome> f : all) {
                        Outcome out = f.get(30, TimeUnit.SECONDS);
                        kinds.merge(out.kind(), 1, Integer::sum);
                        check(seen.add(out.attachment()), "two outcomes carry " + out.attachment());
                        if (out.kind() == Outcome.Kind.ACCEPTED) {
                            accepted++;
                        }
                    }
                }
                System.out.println("   watcher: " + reads.get() + " reads, " + overlaps.get()
                        + " while old binds drained beside new ones");
                eq(List.of(), watchErrors, "the watcher's findings");
                check(reads.get() > 10, "the watcher read the numbers");
                io.esme.Stats s = statsUntil(c, x -> x.inFlight == 0, "nothing in flight");
                System.out.println("   " + all.size() + " submitted over 4 reloads: " + kinds + "; " + s);
                eq(0, refused.get(), "submits refused");
                eq((long) all.size(), s.submitted, "submitted (library) = submits taken (Java)");
                eq(s.submitted, s.accepted + s.rejected + s.unknown + s.notSent, "one outcome each (library counters)");
                eq(all.size(), accepted, "accepted: every message, none unknown or lost across the reloads");
            }
        });

        test("a bad reload throws with one line and changes nothing; the client keeps working", () -> {
            Map<String, String> o = tls("jt-badreload");
            o.put("x-smpp-submit-window-size", "7");
            EsmeClient c = EsmeClient.connect(o);
            try {
                eq(Outcome.Kind.ACCEPTED, c.submit(Message.text("1", "before").receipt(false)).kind(), "before");
                Map<String, String> bad = new LinkedHashMap<>(o);
                bad.put("x-smpp-hots", "127.0.0.1");
                EsmeException e = throwsEsme(EsmeException.Code.CONFIG, () -> c.reload(bad));
                check(e.getMessage().contains("x-smpp-hots"), e.getMessage());
                Map<String, String> zero = new LinkedHashMap<>(o);
                zero.put("x-smpp-submit-window-size", "0");
                e = throwsEsme(EsmeException.Code.CONFIG, () -> c.reload(zero));
                check(e.getMessage().contains("x-smpp-submit-window-size"), e.getMessage());
                Map<String, String> pw = new LinkedHashMap<>(o);
                pw.put("x-smpp-tls-certificate-file-password", "wrong-pw-42");
                e = throwsEsme(EsmeException.Code.PKCS12_FILE_PASSWORD, () -> c.reload(pw));
                check(!e.getMessage().contains("wrong-pw-42"), "secret in " + e.getMessage());
                throwsEsme(EsmeException.Code.CONFIG, () -> c.reload(Path.of("/nonexistent/esme-channel.cfg"), o));
                // Valid, but the new bind cannot be made: a port nothing listens on.
                int dead;
                try (java.net.ServerSocket ss = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                    dead = ss.getLocalPort();
                }
                Map<String, String> gone = new LinkedHashMap<>(o);
                gone.put("x-smpp-port", Integer.toString(dead));
                gone.put("x-smpp-submit-window-size", "3");
                try {
                    c.reload(gone);
                    throw new AssertionError("a reload to a closed port succeeded");
                } catch (EsmeException x) {
                    check(x.code().band() == 2, "an I/O error: " + x.code() + " " + x.getMessage());
                    check(!x.getMessage().contains("\n"), "one line: " + x.getMessage());
                    check(x.getMessage().contains(Integer.toString(dead)), "names the port: " + x.getMessage());
                    System.out.println("   " + x.getMessage());
                }
                io.esme.Stats s = c.stats();
                eq(1, s.binds.size(), "binds");
                eq(7L, s.binds.get(0).windowSize, "the window in use (unchanged)");
                eq("127.0.0.1:" + PORT, s.binds.get(0).host, "the host in use (unchanged)");
                check(s.binds.get(0).up, "still bound");
                for (int i = 0; i < 20; i++) {
                    eq(Outcome.Kind.ACCEPTED, c.submit(Message.text("1", "after " + i).receipt(false)).kind(), "after");
                }
                eq(21L, c.stats().accepted, "accepted");
                // And a good reload still works after the bad ones.
                Map<String, String> good = new LinkedHashMap<>(o);
                good.put("x-smpp-submit-window-size", "5");
                c.reload(good);
                eq(5L, statsUntil(c, x -> x.binds.size() == 1 && x.binds.get(0).windowSize == 5, "window 5").windowSize, "window");
                eq(Outcome.Kind.ACCEPTED, c.submit(Message.text("1", "after a good reload").receipt(false)).kind(), "after");
                c.close();
                throwsEsme(EsmeException.Code.CLOSED, () -> c.reload(good));
            } finally {
                c.close();
            }
        });

        test("40 submitAsync then close: 40 outcomes when close returns", () -> {
            EsmeClient c = EsmeClient.connect(tls("jt-close"));
            List<CompletableFuture<Outcome>> l = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                l.add(c.submitAsync(Message.text("1", "close " + i).receipt(false), i));
            }
            c.close();
            for (int i = 0; i < 40; i++) {
                check(l.get(i).isDone(), "outcome " + i + " not delivered by close");
                eq(i, l.get(i).get().attachment(), "attachment");
            }
            eq(40L, c.stats().submitted, "final stats");
            eq(ConnectionState.CLOSED, c.state(), "state");
        });

        test("poll after close: the receipts that came before, then null at once", () -> {
            EsmeClient c = EsmeClient.connect(tls("jt-pollclose"));
            c.submit(Message.text("1", "x").receipt(true), "a");
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (c.stats().receiptsReceived < 1 && System.nanoTime() < end) {
                Thread.sleep(10);
            }
            c.close();
            Event e;
            int receipts = 0;
            while ((e = c.poll(5, TimeUnit.SECONDS)) != null) {
                if (e.kind() == Event.Kind.RECEIPT) {
                    receipts++;
                    eq("a", e.attachment(), "attachment");
                }
            }
            eq(1, receipts, "receipts after close");
        });

        test("listener on an executor: receipts with attachments; close from it; submit there is USAGE", () -> {
            ExecutorService ex = Executors.newSingleThreadExecutor();
            CopyOnWriteArrayList<Object> got = new CopyOnWriteArrayList<>();
            CountDownLatch two = new CountDownLatch(2);
            try (EsmeClient c = EsmeClient.builder().options(tls("jt-listener"))
                    .listener(e -> {
                        if (e.kind() == Event.Kind.RECEIPT) {
                            got.add(e.attachment());
                            two.countDown();
                        }
                    }, ex).connect()) {
                c.submitAsync(Message.text("1", "one").receipt(true), "first");
                c.submitAsync(Message.text("2", "two").receipt(true), "second");
                check(two.await(20, TimeUnit.SECONDS), "2 receipts: " + got);
                check(got.contains("first") && got.contains("second"), "attachments " + got);
                throwsEsme(EsmeException.Code.USAGE, () -> c.poll(0, TimeUnit.SECONDS));
            }
            ex.shutdown();
            // On the event thread (no executor): the blocking submit would wait for itself.
            CompletableFuture<String> seen = new CompletableFuture<>();
            EsmeClient[] box = new EsmeClient[1];
            try (EsmeClient c = EsmeClient.builder().options(tls("jt-onthread")).listener(e -> {
                if (e.kind() != Event.Kind.RECEIPT) {
                    return;
                }
                try {
                    box[0].submit(Message.text("1", "inner"));
                    seen.complete("no exception");
                } catch (EsmeException x) {
                    seen.complete(x.code().toString());
                }
                box[0].close(); // from the listener: returns at once
            }, null).connect()) {
                box[0] = c;
                c.submit(Message.text("1", "outer").receipt(true));
                eq("USAGE", seen.get(20, TimeUnit.SECONDS), "submit on the event thread");
            }
        });

        test("bad fields: EsmeException with the library's one line; null: NPE", () -> {
            try (EsmeClient c = EsmeClient.connect(tls("jt-bad"))) {
                throwsEsme(EsmeException.Code.ENCODE, () -> c.submit(Message.text("123456789012345678901234", "x")));
                throwsEsme(EsmeException.Code.UTF8, () -> c.submit(Message.text("1", "\ud800")));
                try {
                    Message.text(null, "x");
                    throw new AssertionError("no NPE");
                } catch (NullPointerException e) {
                    check(e.getMessage().contains("to"), e.getMessage());
                }
            }
        });

        test("wrong option name: CONFIG naming it; wrong PKCS#12 password: no secret", () -> {
            Map<String, String> o = tls("jt-opt");
            o.put("x-smpp-hots", "127.0.0.1");
            EsmeException e = throwsEsme(EsmeException.Code.CONFIG, () -> EsmeClient.connect(o).close());
            check(e.getMessage().contains("x-smpp-hots") && e.getMessage().contains("x-smpp-host"), e.getMessage());
            Map<String, String> p = tls("jt-pw");
            p.put("x-smpp-tls-certificate-file-password", "wrong-pw-42");
            e = throwsEsme(EsmeException.Code.PKCS12_FILE_PASSWORD, () -> EsmeClient.connect(p).close());
            check(!e.getMessage().contains("wrong-pw-42"), "secret in " + e.getMessage());
            eq(3, e.code().band(), "band");
        });

        test("a Genesys channel section file with overrides", () -> {
            Path f = Files.createTempFile("esme-channel", ".cfg");
            try {
                Files.writeString(f, "[channel-smsc1]\n# test\nx-smpp-host = 127.0.0.1\nx-smpp-port = " + PORT
                        + "\nx-smpp-system-id = jt-file\n", StandardCharsets.UTF_8);
                Map<String, String> o = tls("jt-file");
                o.remove("x-smpp-host");
                o.remove("x-smpp-port");
                o.remove("x-smpp-system-id");
                logs.clear();
                try (EsmeClient c = EsmeClient.connect(f, o)) {
                    eq(Outcome.Kind.ACCEPTED, c.submit(Message.text("1", "from a file").receipt(false)).kind(), "kind");
                }
                check(logs.stream().anyMatch(r -> r.getLoggerName().equals("io.esme.channel-smsc1")
                        && r.getMessage().startsWith("[channel-smsc1] ")), "a log record of logger io.esme.channel-smsc1");
                check(logs.stream().noneMatch(r -> r.getMessage().contains("changeit")), "no password in the logs");
                throwsEsme(EsmeException.Code.CONFIG, () -> EsmeClient.connect(Path.of(f + ".missing"), null).close());
            } finally {
                Files.deleteIfExists(f);
            }
        });

        test("use after close: CLOSED; close twice: fine", () -> {
            EsmeClient c = EsmeClient.connect(tls("jt-closed"));
            c.close();
            c.close();
            check(!c.isOpen(), "isOpen");
            throwsEsme(EsmeException.Code.CLOSED, () -> c.submit(Message.text("1", "x")));
            throwsEsme(EsmeException.Code.CLOSED, () -> c.submitAsync(Message.text("1", "x")));
        });

        test("close while 4 threads submit: each submit has an outcome or CLOSED, no crash", () -> {
            EsmeClient c = EsmeClient.connect(tls("jt-race"));
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<List<CompletableFuture<Outcome>>>> fs = new ArrayList<>();
            CountDownLatch started = new CountDownLatch(4);
            for (int t = 0; t < 4; t++) {
                fs.add(pool.submit(() -> {
                    started.countDown();
                    List<CompletableFuture<Outcome>> l = new ArrayList<>();
                    for (int i = 0; ; i++) {
                        try {
                            l.add(c.submitAsync(Message.text("1", "race " + i).receipt(false), i));
                        } catch (EsmeException e) {
                            eq(EsmeException.Code.CLOSED, e.code(), "code");
                            return l;
                        }
                    }
                }));
            }
            started.await();
            Thread.sleep(200);
            c.close();
            int n = 0;
            for (Future<List<CompletableFuture<Outcome>>> f : fs) {
                for (CompletableFuture<Outcome> o : f.get(30, TimeUnit.SECONDS)) {
                    check(o.isDone(), "an outcome missing after close");
                    n++;
                }
            }
            check(n > 0, "nothing submitted");
            pool.shutdown();
        });

        test("a forgotten client is closed by the Cleaner (its thread ends)", () -> {
            for (int i = 0; i < 3; i++) {
                EsmeClient.connect(tls("jt-forgot-" + i)).submit(Message.text("1", "forgotten").receipt(false));
            }
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < end && Thread.getAllStackTraces().keySet().stream()
                    .anyMatch(t -> t.getName().startsWith("esme-events-") && t.isAlive()
                            && !t.getName().equals("esme-events-0"))) {
                System.gc();
                Thread.sleep(100);
            }
            check(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("esme-events-")),
                    "event threads left");
        });

        System.out.println(passed + " passed, " + failed + " failed");
        System.exit(failed == 0 ? 0 : 1);
    }
}
