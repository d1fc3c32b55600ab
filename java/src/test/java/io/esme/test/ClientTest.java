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
