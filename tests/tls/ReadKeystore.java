// Test helper for `esme demo`'s keystore (src/bin/esme/demo/pki.rs), run by the JDK's source
// launcher (`java ReadKeystore.java ...`): opens a PKCS#12 file as the Genesys driver does,
// with java.security.KeyStore, and prints each entry, then takes the key entry's key with the
// key password and with the store password.
//
// Usage: java ReadKeystore.java FILE STORE_PASS KEY_PASS
// Prints, one line each:
//   entry ALIAS key|trusted CHAIN_LENGTH SUBJECT
//   key ALIAS ALGORITHM                  (opened with KEY_PASS)
//   store-password-on-key ALIAS failed: MESSAGE   (or "opened", if STORE_PASS opens the key too)
import java.io.FileInputStream;
import java.io.InputStream;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Collections;

public class ReadKeystore {
    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: java ReadKeystore.java FILE STORE_PASS KEY_PASS");
            System.exit(2);
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(args[0])) {
            ks.load(in, args[1].toCharArray());
        }
        for (String alias : Collections.list(ks.aliases())) {
            boolean key = ks.isKeyEntry(alias);
            int chain = key ? ks.getCertificateChain(alias).length : 1;
            X509Certificate cert = (X509Certificate) ks.getCertificate(alias);
            System.out.println("entry " + alias + " " + (key ? "key" : "trusted") + " " + chain
                    + " " + cert.getSubjectX500Principal().getName());
            if (!key) {
                continue;
            }
            Key k = ks.getKey(alias, args[2].toCharArray());
            System.out.println("key " + alias + " " + k.getAlgorithm());
            try {
                ks.getKey(alias, args[1].toCharArray());
                System.out.println("store-password-on-key " + alias + " opened");
            } catch (Exception e) {
                System.out.println("store-password-on-key " + alias + " failed: " + e.getMessage());
            }
        }
    }
}
