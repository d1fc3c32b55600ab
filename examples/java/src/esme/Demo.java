package esme;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Connects, sends one message with a delivery receipt, waits for the receipt, prints the
 * counters. java -Djava.library.path=DIR -cp CLASSES esme.Demo HOST PORT [CA.pem CLIENT.p12 PASSWORD]
 */
public final class Demo {
    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("x-smpp-host", args.length > 0 ? args[0] : "127.0.0.1");
        o.put("x-smpp-port", args.length > 1 ? args[1] : "2775");
        o.put("x-smpp-system-id", "demo");
        if (args.length >= 5) { // mutual TLS with a PKCS#12 client certificate
            o.put("x-smpp-tls-mode", "mutual");
            o.put("x-smpp-tls-ca-file", args[2]);
            o.put("x-smpp-tls-path-to-certificate", args[3]);
            o.put("x-smpp-tls-certificate-file-password", args[4]);
        }
        try (Esme smsc = Esme.connect(o)) {
            Outcome out = smsc.submit("4915112345678", "Media", "Hello from Java 👋", true);
            System.out.println("submit: " + out);
            if (out.kind != Outcome.Kind.ACCEPTED) {
                return;
            }
            long deadline = System.currentTimeMillis() + 10_000;
            while (System.currentTimeMillis() < deadline) {
                Event e = smsc.poll(1000);
                if (e == null) {
                    continue;
                }
                System.out.println("event: " + e);
                if (e.kind == Event.Kind.RECEIPT
                        && Esme.receiptIdsMatch(out.messageIds()[0], e.receiptId)) {
                    break;
                }
            }
            System.out.println("stats: " + smsc.stats());
        } catch (EsmeException e) {
            System.err.println("esme: " + e.getMessage() + " [code " + e.code + "]");
            System.exit(1);
        }
    }
}
