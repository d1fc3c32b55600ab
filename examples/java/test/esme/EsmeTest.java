package esme;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Tests of the JNI wrapper against `esme smsc` with mutual TLS. Plain main, no JUnit.
 * System properties: esme.port (the simulator's TLS port), esme.pki (make-pki.sh's output).
 */
public final class EsmeTest {
    private static int passed, failed;
    private static final String PORT = System.getProperty("esme.port");
    private static final Path PKI = Path.of(System.getProperty("esme.pki", "target/tls-pki"));

    interface Body {
        void run() throws Exception;
    }

    static void test(String name, Body b) {
        long t0 = System.nanoTime();
        try {
            b.run();
            passed++;
            System.out.printf("ok   %-58s %6d ms%n", name, (System.nanoTime() - t0) / 1_000_000);
        } catch (Throwable t) {
            failed++;
            System.out.println("FAIL " + name + ": " + t);
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

    /** Runs b, which must throw EsmeException with `code`; returns it. */
    static EsmeException throwsEsme(int code, Body b) throws Exception {
        try {
            b.run();
        } catch (EsmeException e) {
            eq(code, e.code, "code of " + e.getMessage());
            check(!e.resultName.isEmpty(), "resultName is empty");
            eq(Esme.resultName(code), e.resultName, "resultName");
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
        o.put("x-smpp-submit-window-size", "50");
        o.put("x-smpp-close-timeout", "1000");
        return o;
    }

    /** Polls until an event of `kind` matching `p` comes (others are skipped), or fails. */
    static Event await(Esme c, Event.Kind kind, java.util.function.Predicate<Event> p)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            Event e = c.poll(500);
            if (e != null && e.kind == kind && p.test(e)) {
                return e;
            }
        }
        throw new AssertionError("no " + kind + " event within 15 s");
    }

    static long rssKiB() throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("VmRSS:")) {
                return Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    public static void main(String[] args) throws Exception {
        if (PORT == null) {
            System.err.println("set -Desme.port=PORT (an `esme smsc` with mutual TLS) and -Desme.pki=DIR");
            System.exit(2);
        }
        System.out.println("esme " + Esme.version() + " over JNI, SMSC 127.0.0.1:" + PORT + " (mutual TLS)");

        test("version is x.y.z", () -> check(Esme.version().matches("\\d+\\.\\d+\\.\\d+"), Esme.version()));

        try (Esme c = Esme.connect(tls("jni-main"))) {
            test("mutual TLS with client.p12: bound", () -> eq(Event.ConnectionState.BOUND, c.state(), "state"));

            test("submit with a receipt: ACCEPTED, then the RECEIPT for its id", () -> {
                Outcome o = c.submit("4915112345678", "Media", "hello receipt", true);
                eq(Outcome.Kind.ACCEPTED, o.kind, "kind (" + o + ")");
                eq(1, o.messageIds().length, "ids");
                eq(0, o.commandStatus, "command_status");
                String id = o.messageIds()[0];
                Event r = await(c, Event.Kind.RECEIPT, e -> id.equals(e.receiptId));
                check(Esme.receiptIdsMatch(id, r.receiptId), "receiptIdsMatch");
                eq(2, r.receiptState, "receipt state DELIVERED");
                check(r.receiptFinal, "receipt final");
                check(r.text != null && r.text.contains("stat:DELIVRD"), "receipt text: " + r.text);
                eq("4915112345678", r.from, "receipt from (the handset)");
            });

            test("long text with emoji (surrogate pairs): ACCEPTED in several parts", () -> {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < 30; i++) {
                    sb.append("Grüße 😀🎉 №").append(i).append(' ');
                }
                String text = sb.toString();
                check(text.codePointCount(0, text.length()) < text.length(), "has surrogate pairs");
                Outcome o = c.submit("4915112345678", null, text, false);
                eq(Outcome.Kind.ACCEPTED, o.kind, "kind (" + o + ")");
                check(o.messageIds().length >= 4, "several ids: " + o);
                check(!o.truncated, "not truncated");
            });

            test("text with a NUL character is sent whole (byte[] + length, not C string)", () -> {
                Outcome o = c.submit("4915112345678", null, "a\0b", false);
                eq(Outcome.Kind.ACCEPTED, o.kind, "kind (" + o + ")");
            });

            test("submitAsync: an OUTCOME event with the ticket", () -> {
                long t = c.submitAsync("4915112345678", null, "async 🚀", false);
                check(t != 0, "ticket");
                Event e = await(c, Event.Kind.OUTCOME, x -> x.ticket == t);
                eq(Outcome.Kind.ACCEPTED, e.outcome.kind, "outcome");
                eq(1, e.outcome.messageIds().length, "ids");
            });

            test("8 threads x 100 submits at once: all ACCEPTED, stats agree", () -> {
                Stats before = c.stats();
                ExecutorService pool = Executors.newFixedThreadPool(8);
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Integer>> fs = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    final int tn = t;
                    fs.add(pool.submit((Callable<Integer>) () -> {
                        go.await();
                        int ok = 0;
                        for (int i = 0; i < 100; i++) {
                            Outcome o = c.submit("49151" + tn + "000" + i, "T" + tn, "thread " + tn + " msg " + i + " ✓", false);
                            if (o.kind == Outcome.Kind.ACCEPTED && o.messageIds().length == 1) {
                                ok++;
                            }
                        }
                        return ok;
                    }));
                }
                go.countDown();
                int ok = 0;
                for (Future<Integer> f : fs) {
                    ok += f.get(120, TimeUnit.SECONDS);
                }
                pool.shutdown();
                eq(800, ok, "accepted");
                Stats after = c.stats();
                eq(800L, after.submitted - before.submitted, "stats.submitted delta");
                eq(800L, after.accepted - before.accepted, "stats.accepted delta");
                eq(800L, after.partsSent - before.partsSent, "stats.partsSent delta");
                eq(0L, after.rejected + after.unknown + after.notSent, "rejected+unknown+notSent");
                eq(0L, after.inFlight, "in flight");
                check(after.latencyP50Micros > 0, "latency measured");
            });

            test("null to / text: NullPointerException; null from: the default", () -> {
                for (Body b : new Body[] {
                    () -> c.submit(null, null, "x", false),
                    () -> c.submit("1", null, null, false),
                    () -> c.submitAsync(null, null, "x", false),
                    () -> c.submitAsync("1", null, null, false),
                }) {
                    try {
                        b.run();
                        throw new AssertionError("no exception");
                    } catch (NullPointerException e) {
                        check(e.getMessage() != null && e.getMessage().contains("null"), "message: " + e.getMessage());
                    }
                }
                eq(Outcome.Kind.ACCEPTED, c.submit("1", null, "x", false).kind, "null from");
            });

            test("bad fields: EsmeException with the library's detail", () -> {
                EsmeException e = throwsEsme(101, () -> c.submit("123456789012345678901234", null, "x", false));
                check(e.getMessage().contains("destination") || e.getMessage().contains("20"), e.getMessage());
                throwsEsme(101, () -> c.submit("12\0" + "34", null, "x", false));
                e = throwsEsme(112, () -> c.submit("1234", null, "broken \uD83D surrogate", false));
                check(e.getMessage().contains("surrogate"), e.getMessage());
                throwsEsme(100, () -> c.poll(-1));
            });

            test("10k empty polls (timeout 0): no memory growth", () -> {
                while (c.poll(0) != null) {
                    // drain
                }
                for (int i = 0; i < 10_000; i++) {
                    c.poll(0); // warm-up (JIT, arenas)
                }
                Runtime rt = Runtime.getRuntime();
                System.gc();
                long heap0 = rt.totalMemory() - rt.freeMemory(), rss0 = rssKiB();
                int events = 0;
                for (int i = 0; i < 10_000; i++) {
                    if (c.poll(0) != null) {
                        events++;
                    }
                }
                System.gc();
                long heap1 = rt.totalMemory() - rt.freeMemory(), rss1 = rssKiB();
                System.out.printf("     10k polls: %d events, heap %+d KiB, RSS %+d KiB%n",
                        events, (heap1 - heap0) / 1024, rss1 - rss0);
                check(rss1 - rss0 < 2048, "RSS grew by " + (rss1 - rss0) + " KiB");
                check(heap1 - heap0 < 4L << 20, "heap grew by " + (heap1 - heap0) + " bytes");
            });

            test("20k failing submits and stats: no memory growth (exceptions, byte[] copies)", () -> {
                for (int i = 0; i < 30_000; i++) { // warm-up: the JIT's code and data settle
                    try { c.submit("123456789012345678901234", null, "x", false); } catch (EsmeException e) { /* expected */ }
                    c.stats();
                }
                long rss0 = rssKiB();
                for (int i = 0; i < 20_000; i++) {
                    try { c.submit("123456789012345678901234", null, "x", false); } catch (EsmeException e) { /* expected */ }
                    c.stats();
                }
                long rss1 = rssKiB();
                System.out.printf("     20k failing submits + stats: RSS %+d KiB%n", rss1 - rss0);
                check(rss1 - rss0 < 2048, "RSS grew by " + (rss1 - rss0) + " KiB");
            });
        }

        test("wrong option name: code 105 naming the option", () -> {
            Map<String, String> o = tls("jni-bad");
            o.put("x-smpp-hots", "127.0.0.1");
            EsmeException e = throwsEsme(105, () -> Esme.connect(o).close());
            check(e.getMessage().contains("x-smpp-hots"), e.getMessage());
            check(e.getMessage().contains("x-smpp-host"), "suggestion: " + e.getMessage());
        });

        test("bad option value: code 105 naming the option", () -> {
            Map<String, String> o = tls("jni-bad");
            o.put("x-smpp-submit-window-size", "0");
            EsmeException e = throwsEsme(105, () -> Esme.connect(o).close());
            check(e.getMessage().contains("x-smpp-submit-window-size"), e.getMessage());
        });

        test("PII options pass through: a rule file and its log group, from a map and a file", () -> {
            Path rules = Files.createTempFile("esme-pii", ".json");
            Path f = Files.createTempFile("esme-channel", ".cfg");
            try {
                Files.writeString(rules, "{\"rules\": [{\"name\": \"ticket\", \"regex\": \"\\\\bT-\\\\d{6}\\\\b\","
                        + " \"group\": \"support\"}]}", StandardCharsets.UTF_8);
                Map<String, String> o = tls("jni-pii");
                o.put("x-smpp-pii-rules", rules.toString());
                o.put("x-smpp-log-mask-group", "support");
                o.put("x-smpp-log-receipt-text", "rules");
                try (Esme c = Esme.connect(o)) {
                    eq(Outcome.Kind.ACCEPTED, c.submit("1", null, "ticket T-123456", false).kind, "kind");
                }
                Files.writeString(f, "[channel-pii]\nx-smpp-host = 127.0.0.1\nx-smpp-port = " + PORT
                        + "\nx-smpp-system-id = jni-pii\nx-smpp-pii-rules = " + rules
                        + "\nx-smpp-log-mask-group = genesys\n", StandardCharsets.UTF_8);
                Map<String, String> fo = tls("jni-pii");
                fo.remove("x-smpp-host");
                fo.remove("x-smpp-port");
                fo.remove("x-smpp-system-id");
                try (Esme c = Esme.connectFile(f.toString(), fo)) {
                    eq(Event.ConnectionState.BOUND, c.state(), "state");
                }
                // A group nobody defines, a Genesys look-behind rule: code 105, one line, naming it.
                o.put("x-smpp-log-mask-group", "nope");
                EsmeException e = throwsEsme(105, () -> Esme.connect(o).close());
                check(e.getMessage().contains("x-smpp-log-mask-group = nope: no such PII rule group"), e.getMessage());
                check(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
                Files.writeString(rules, "{\"rules\": [{\"name\": \"card\", \"regex\": \"(?<=\\\\D)\\\\d{16}\"}]}",
                        StandardCharsets.UTF_8);
                o.put("x-smpp-log-mask-group", "default");
                e = throwsEsme(105, () -> Esme.connect(o).close());
                check(e.getMessage().contains("x-smpp-pii-rules") && e.getMessage().contains("look-behind"), e.getMessage());
            } finally {
                Files.deleteIfExists(rules);
                Files.deleteIfExists(f);
            }
        });

        test("null option map / name / value: NullPointerException", () -> {
            try { Esme.connect(null); throw new AssertionError("no NPE"); } catch (NullPointerException e) { /* ok */ }
            Map<String, String> o = new java.util.HashMap<>(tls("jni-bad"));
            o.put("x-smpp-service-type", null);
            try { Esme.connect(o); throw new AssertionError("no NPE"); } catch (NullPointerException e) {
                check(e.getMessage().contains("x-smpp-service-type"), e.getMessage());
            }
        });

        test("wrong PKCS#12 password: code 305", () -> {
            Map<String, String> o = tls("jni-bad");
            o.put("x-smpp-tls-certificate-file-password", "wrong");
            EsmeException e = throwsEsme(305, () -> Esme.connect(o).close());
            check(!e.getMessage().contains("wrong)") && !e.getMessage().contains("'wrong'"), "no secret: " + e.getMessage());
        });

        test("plain SMPP to the TLS port: a 2xx/3xx EsmeException", () -> {
            Map<String, String> o = tls("jni-plain");
            o.put("x-smpp-tls-mode", "off");
            o.put("x-smpp-comms-timeout", "2000");
            try {
                Esme.connect(o).close();
                throw new AssertionError("connected");
            } catch (EsmeException e) {
                check(e.code == 333 || (e.code >= 200 && e.code < 300), e.getMessage());
            }
        });

        test("connectFile: a channel section file plus overrides", () -> {
            Path f = Files.createTempFile("esme-channel", ".cfg");
            try {
                Files.writeString(f, "[channel-smsc1]\n# test\nx-smpp-host = 127.0.0.1\nx-smpp-port = " + PORT
                        + "\nx-smpp-system-id = jni-file\n", StandardCharsets.UTF_8);
                Map<String, String> o = tls("jni-file");
                o.remove("x-smpp-host");
                o.remove("x-smpp-port");
                o.remove("x-smpp-system-id");
                try (Esme c = Esme.connectFile(f.toString(), o)) {
                    eq(Outcome.Kind.ACCEPTED, c.submit("1", null, "from a file", false).kind, "kind");
                }
                throwsEsme(105, () -> Esme.connectFile(f + ".missing", Map.of()).close());
            } finally {
                Files.deleteIfExists(f);
            }
        });

        test("use after close: EsmeException 103; close twice: fine", () -> {
            Esme c = Esme.connect(tls("jni-close"));
            eq(Outcome.Kind.ACCEPTED, c.submit("1", null, "before close", false).kind, "kind");
            c.close();
            c.close();
            check(!c.isOpen(), "isOpen");
            throwsEsme(103, () -> c.submit("1", null, "x", false));
            throwsEsme(103, () -> c.submitAsync("1", null, "x", false));
            throwsEsme(103, () -> c.poll(0));
            throwsEsme(103, () -> c.stats());
            throwsEsme(103, () -> c.state());
            c.close();
        });

        test("close while 4 threads submit and poll: outcomes or 103/111, no crash", () -> {
            Esme c = Esme.connect(tls("jni-race"));
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<String>> fs = new ArrayList<>();
            CountDownLatch started = new CountDownLatch(4);
            for (int t = 0; t < 4; t++) {
                final int tn = t;
                fs.add(pool.submit(() -> {
                    started.countDown();
                    for (int i = 0; ; i++) {
                        try {
                            if (tn == 3) {
                                c.poll(5);
                                c.stats();
                            } else {
                                c.submit("1", null, "race " + i, false);
                            }
                        } catch (EsmeException e) {
                            if (e.code != 103 && e.code != 111) {
                                return "unexpected " + e.getMessage();
                            }
                            return "ok";
                        }
                    }
                }));
            }
            started.await();
            Thread.sleep(200);
            c.close();
            for (Future<String> f : fs) {
                eq("ok", f.get(30, TimeUnit.SECONDS), "thread result");
            }
            pool.shutdown();
        });

        test("a forgotten client is released by the Cleaner (no crash)", () -> {
            for (int i = 0; i < 3; i++) {
                Esme.connect(tls("jni-forgot-" + i)).submit("1", null, "forgotten", false);
            }
            for (int i = 0; i < 5; i++) {
                System.gc();
                Thread.sleep(100);
            }
        });

        System.out.println(passed + " passed, " + failed + " failed");
        System.exit(failed == 0 ? 0 : 1);
    }
}
