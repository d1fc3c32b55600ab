import io.esme.EsmeClient;
import io.esme.Event;
import io.esme.Message;
import io.esme.Outcome;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A program compiled against esme.jar alone (javac -cp esme.jar; java -cp esme.jar:.), as a
 * user's would be: binds with mutual TLS, sends N messages with receipts from T threads, each
 * with its own attachment, and checks that every outcome and every final receipt comes back
 * with its attachment, then closes; then submits 40 and closes at once: 40 outcomes.
 *
 *   java -cp esme.jar:. JarCheck HOST PORT CA.pem CLIENT.p12 P12PASSWORD [N] [THREADS]
 */
public final class JarCheck {
    static final class Attachment {
        final int n;

        Attachment(int n) {
            this.n = n;
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 5) {
            System.err.println("usage: JarCheck HOST PORT CA.pem CLIENT.p12 P12PASSWORD [N] [THREADS]");
            System.exit(2);
        }
        int n = args.length > 5 ? Integer.parseInt(args[5]) : 1000;
        int threads = args.length > 6 ? Integer.parseInt(args[6]) : 4;
        Map<String, String> channel = Map.of(
                "x-smpp-host", args[0], "x-smpp-port", args[1], "x-smpp-system-id", "jarcheck",
                "x-smpp-tls-mode", "mutual", "x-smpp-tls-ca-file", args[2],
                "x-smpp-tls-path-to-certificate", args[3],
                "x-smpp-tls-certificate-file-password", args[4],
                "x-smpp-submit-rate-unlimited", "true", "x-smpp-close-timeout", "5000");
        List<String> errors = new ArrayList<>();
        Set<Integer> finalReceipts = ConcurrentHashMap.newKeySet();
        AtomicInteger unmatched = new AtomicInteger(), wrong = new AtomicInteger();
        ExecutorService listenerPool = Executors.newFixedThreadPool(2);
        Attachment[] sent = new Attachment[n];
        List<CompletableFuture<Outcome>> futures = new ArrayList<>();
        try (EsmeClient smsc = EsmeClient.builder().options(channel).listener(e -> {
            if (e.kind() != Event.Kind.RECEIPT) {
                return;
            }
            if (!e.matched() || !(e.attachment() instanceof Attachment)) {
                unmatched.incrementAndGet();
                return;
            }
            Attachment a = (Attachment) e.attachment();
            if (sent[a.n] != a) {
                wrong.incrementAndGet();
            }
            if (e.receiptFinal()) {
                finalReceipts.add(a.n);
            }
        }, listenerPool).connect()) {
            ExecutorService senders = Executors.newFixedThreadPool(threads);
            List<CompletableFuture<List<CompletableFuture<Outcome>>>> perThread = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                final int first = t;
                perThread.add(CompletableFuture.supplyAsync(() -> {
                    List<CompletableFuture<Outcome>> mine = new ArrayList<>();
                    for (int i = first; i < n; i += threads) {
                        sent[i] = new Attachment(i);
                        Message m = Message.text("4479" + (100000 + i), "jar check " + i).receipt(true);
                        mine.add(smsc.submitAsync(m, sent[i]));
                    }
                    return mine;
                }, senders));
            }
            for (CompletableFuture<List<CompletableFuture<Outcome>>> f : perThread) {
                futures.addAll(f.get(120, TimeUnit.SECONDS));
            }
            senders.shutdown();
            int accepted = 0;
            for (CompletableFuture<Outcome> f : futures) {
                Outcome o = f.get(60, TimeUnit.SECONDS);
                Attachment a = (Attachment) o.attachment();
                if (a == null || sent[a.n] != a) {
                    errors.add("outcome without its attachment: " + o);
                } else if (o.kind() == Outcome.Kind.ACCEPTED) {
                    accepted++;
                } else {
                    errors.add("message " + a.n + ": " + o);
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (finalReceipts.size() < n && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            System.out.println("JarCheck: " + futures.size() + " outcomes, " + accepted + " accepted, "
                    + finalReceipts.size() + " final receipts with their attachment, " + unmatched.get()
                    + " unmatched, " + wrong.get() + " with a wrong attachment; " + smsc.stats());
            if (finalReceipts.size() != n) {
                errors.add((n - finalReceipts.size()) + " messages got no final receipt with their attachment");
            }
        }
        listenerPool.shutdown();
        if (unmatched.get() != 0 || wrong.get() != 0) {
            errors.add(unmatched.get() + " receipts unmatched, " + wrong.get() + " with a wrong attachment");
        }

        // Close loses nothing: 40 submitted, then close at once; every future is complete.
        List<CompletableFuture<Outcome>> last = new ArrayList<>();
        EsmeClient c = EsmeClient.connect(channel);
        for (int i = 0; i < 40; i++) {
            last.add(c.submitAsync(Message.text("447700900" + (100 + i), "before close " + i), i));
        }
        c.close();
        int done = 0;
        for (int i = 0; i < last.size(); i++) {
            CompletableFuture<Outcome> f = last.get(i);
            if (f.isDone() && Integer.valueOf(i).equals(f.get().attachment())) {
                done++;
            }
        }
        System.out.println("JarCheck: 40 submitted then close: " + done + " outcomes with their attachment when close returned");
        if (done != 40) {
            errors.add("close lost " + (40 - done) + " outcomes of 40");
        }
        if (!errors.isEmpty()) {
            errors.stream().limit(20).forEach(e -> System.out.println("FAIL " + e));
            System.exit(1);
        }
        System.out.println("JarCheck: ok");
    }
}
