// Test-fixture helper for tests/pkcs12.rs, compiled with javac by make-pkcs12-fixtures.sh.
//
// Copies the first key entry of a PKCS#12 file into a new PKCS#12 java.security.KeyStore whose
// store password (MAC and certificate bags) differs from the key entry's own password (the
// shrouded key bag): the "split password" files that Java applications write.
//
// With a sixth and seventh argument the certificate chain is taken from another PKCS#12 file
// instead, which makes a keystore whose key does not match its certificate (Java's PKCS12
// KeyStore does not check that the two belong together; OpenSSL refuses to build such a file).
//
// Each `--trust ALIAS CERT.pem` before the other arguments adds a trusted-certificate entry
// (KeyStore.TrustedCertificateEntry: a certificate bag with Oracle's trustedKeyUsage
// attribute, what `keytool -importcert` writes) next to the key entry.
//
// Usage: java SplitPasswordKeystore [--trust ALIAS CERT.pem]... IN.p12 IN_PASS OUT.p12 STORE_PASS KEY_PASS ALIAS [CERT_FROM.p12 CERT_FROM_PASS]
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

public class SplitPasswordKeystore {
    static KeyStore open(String path, String pass) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(path)) {
            ks.load(in, pass.toCharArray());
        }
        return ks;
    }

    static String firstKeyAlias(KeyStore ks) throws Exception {
        for (String alias : Collections.list(ks.aliases())) {
            if (ks.isKeyEntry(alias)) {
                return alias;
            }
        }
        throw new IllegalArgumentException("no key entry");
    }

    public static void main(String[] argv) throws Exception {
        List<String[]> trust = new ArrayList<>();
        int first = 0;
        while (argv.length >= first + 3 && argv[first].equals("--trust")) {
            trust.add(new String[] {argv[first + 1], argv[first + 2]});
            first += 3;
        }
        String[] args = Arrays.copyOfRange(argv, first, argv.length);
        if (args.length != 6 && args.length != 8) {
            System.err.println(
                "usage: SplitPasswordKeystore [--trust ALIAS CERT.pem]... IN.p12 IN_PASS OUT.p12 STORE_PASS KEY_PASS ALIAS [CERT_FROM.p12 CERT_FROM_PASS]");
            System.exit(2);
        }
        KeyStore in = open(args[0], args[1]);
        String alias = firstKeyAlias(in);
        Key key = in.getKey(alias, args[1].toCharArray());
        Certificate[] chain = in.getCertificateChain(alias);
        if (args.length == 8) {
            KeyStore other = open(args[6], args[7]);
            chain = other.getCertificateChain(firstKeyAlias(other));
        }
        KeyStore out = KeyStore.getInstance("PKCS12");
        out.load(null, null);
        out.setKeyEntry(args[5], key, args[4].toCharArray(), chain);
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        for (String[] t : trust) {
            try (InputStream in2 = new FileInputStream(t[1])) {
                out.setCertificateEntry(t[0], cf.generateCertificate(in2));
            }
        }
        try (OutputStream o = new FileOutputStream(args[2])) {
            out.store(o, args[3].toCharArray());
        }
    }
}
