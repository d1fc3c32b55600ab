import io.esme.EsmeClient;
import io.esme.Message;
import io.esme.Outcome;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The jar as a benchmark client, the counterpart of c_bench.c (benches/java-c.sh): binds plain
 * (system_id bench, password secret), submits WARMUP then N messages with submitAsync at
 * window W from one thread, counting outcomes as the futures complete, and prints the rate and
 * the process's CPU time per message (JIT and GC included) over the N timed ones, and the time
 * the JIT compilers spent in that span (CompilationMXBean; 0 once the code is compiled):
 *   java-jni: N msgs in T s = R msg/s (window W), jit J ms, cpu U us/msg
 * Usage: java -cp esme.jar:. JavaBench HOST PORT N W WARMUP
 */
public final class JavaBench {
    public static void main(String[] a) throws Exception {
        int n = Integer.parseInt(a[2]);
        int w = Integer.parseInt(a[3]);
        int warm = Integer.parseInt(a[4]);
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        AtomicLong accepted = new AtomicLong();
        CountDownLatch warmDone = new CountDownLatch(warm);
        CountDownLatch allDone = new CountDownLatch(n + warm);
        Message m = Message.text("31600000000", "bench message 0123456789").from("12345").receipt(false);
        java.lang.management.CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        long t0 = System.nanoTime(), c0 = os.getProcessCpuTime(), j0 = jit.getTotalCompilationTime();
        try (EsmeClient c = EsmeClient.connect(Map.of("x-smpp-host", a[0], "x-smpp-port", a[1],
                "x-smpp-system-id", "bench", "password", "secret",
                "x-smpp-submit-window-size", a[3], "x-smpp-submit-rate-unlimited", "true"))) {
            for (int i = 0; i < n + warm; i++) {
                if (i == warm) {
                    warmDone.await();
                    t0 = System.nanoTime();
                    c0 = os.getProcessCpuTime();
                    j0 = jit.getTotalCompilationTime();
                }
                c.submitAsync(m).thenAccept(o -> {
                    if (o.kind() == Outcome.Kind.ACCEPTED) {
                        accepted.incrementAndGet();
                    }
                    warmDone.countDown();
                    allDone.countDown();
                });
            }
            allDone.await();
            long t1 = System.nanoTime(), c1 = os.getProcessCpuTime(), j1 = jit.getTotalCompilationTime();
            if (accepted.get() != n + warm) {
                System.err.println("JavaBench: " + accepted.get() + " of " + (n + warm) + " accepted");
                System.exit(1);
            }
            double secs = (t1 - t0) / 1e9;
            System.out.printf("java-jni: %d msgs in %.3f s = %.0f msg/s (window %d), jit %d ms, cpu %.2f us/msg%n",
                    n, secs, n / secs, w, j1 - j0, (c1 - c0) / 1e3 / n);
        }
    }
}
