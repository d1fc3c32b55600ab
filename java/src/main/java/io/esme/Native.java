package io.esme;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Properties;

/**
 * Loads the native part once, at first use, the way sqlite-jdbc and zstd-jni do: the jar
 * carries {@code io/esme/native/<os>-<arch>/libesme_jni.so} (the JNI glue with libesme linked
 * in); it is copied to a private temporary file (mode 0600, a random name, in
 * {@code io.esme.tmpdir} or else {@code java.io.tmpdir}), loaded with {@link System#load},
 * and the file is deleted right away (the loaded mapping stays). An administrator who
 * installs the library: {@code -Dio.esme.library.path=/path/to/libesme_jni.so}. Either way
 * the library's version must be the jar's.
 */
final class Native {
    /** System property: the path of a libesme_jni.so to load instead of the jar's. */
    static final String LIBRARY_PATH = "io.esme.library.path";
    /** System property: the folder to extract the jar's library to. */
    static final String TMPDIR = "io.esme.tmpdir";

    private static volatile boolean loaded;
    private static UnsatisfiedLinkError failure;
    private static String version;

    private Native() {}

    /** Loads the library unless done; throws the same one-line error on each call if it cannot. */
    static void load() {
        if (loaded) {
            return;
        }
        synchronized (Native.class) {
            if (loaded) {
                return;
            }
            if (failure != null) {
                throw copy(failure);
            }
            try {
                doLoad();
                loaded = true;
            } catch (UnsatisfiedLinkError e) {
                failure = e;
                throw copy(e);
            }
        }
    }

    /** The jar's version (esme.properties), e.g. "0.1.0". */
    static synchronized String jarVersion() {
        if (version == null) {
            Properties p = new Properties();
            try (InputStream in = Native.class.getResourceAsStream("esme.properties")) {
                if (in != null) {
                    p.load(in);
                }
            } catch (IOException e) {
                // fall through: unknown
            }
            version = p.getProperty("version", "unknown");
        }
        return version;
    }

    /** The platform name of this JVM as the jar spells it, e.g. "linux-x86_64". */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String o = os.startsWith("linux") ? "linux" : os.startsWith("mac") ? "macos"
                : os.startsWith("windows") ? "windows" : os.replace(' ', '_');
        String a = arch.equals("amd64") || arch.equals("x86_64") ? "x86_64"
                : arch.equals("aarch64") || arch.equals("arm64") ? "aarch64" : arch;
        return o + "-" + a;
    }

    private static void doLoad() {
        String path = System.getProperty(LIBRARY_PATH);
        String from;
        if (path != null && !path.isEmpty()) {
            from = path + " (-D" + LIBRARY_PATH + ")";
            loadFile(path, from);
        } else {
            from = extractAndLoad();
        }
        String have = EsmeClient.nativeVersion();
        String want = jarVersion();
        if (!have.equals(want)) {
            throw new UnsatisfiedLinkError("esme: the native library " + from + " is version "
                    + have + ", this jar is " + want + ": use the library built with this jar");
        }
    }

    private static void loadFile(String path, String from) {
        try {
            System.load(path);
        } catch (UnsatisfiedLinkError e) {
            throw new UnsatisfiedLinkError("esme: cannot load the native library " + from + ": "
                    + oneLine(e.getMessage()));
        }
    }

    private static String extractAndLoad() {
        String platform = platform();
        String resource = "native/" + platform + "/libesme_jni.so";
        try (InputStream in = Native.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new UnsatisfiedLinkError("esme: this jar has no native library for "
                        + platform + " (io/esme/" + resource + "); build one there with "
                        + "java/build.sh, or install one and set -D" + LIBRARY_PATH + "=PATH");
            }
            String dir = System.getProperty(TMPDIR, System.getProperty("java.io.tmpdir"));
            Path file;
            try {
                file = Files.createTempFile(Path.of(dir), "esme-" + jarVersion() + "-", ".so",
                        PosixFilePermissions.asFileAttribute(
                                PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                file = Files.createTempFile(Path.of(dir), "esme-" + jarVersion() + "-", ".so");
            }
            try {
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                String from = "io/esme/" + resource + " (extracted to " + dir + ")";
                try {
                    System.load(file.toAbsolutePath().toString());
                } catch (UnsatisfiedLinkError e) {
                    String m = oneLine(e.getMessage());
                    String hint = m.contains("failed to map segment") || m.contains("ermission")
                            ? " (a noexec folder? set -D" + TMPDIR + "=DIR to a folder that allows executables)"
                            : "";
                    throw new UnsatisfiedLinkError("esme: cannot load the native library " + from
                            + ": " + m + hint);
                }
                return from;
            } finally {
                // Loaded (or not): the mapping stays; no file is left behind.
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UnsatisfiedLinkError("esme: cannot extract the native library to "
                    + System.getProperty(TMPDIR, System.getProperty("java.io.tmpdir")) + ": "
                    + oneLine(String.valueOf(e.getMessage())) + " (set -D" + TMPDIR
                    + "=DIR to a writable folder, or install the library and set -D"
                    + LIBRARY_PATH + "=PATH)");
        }
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    }

    private static UnsatisfiedLinkError copy(UnsatisfiedLinkError e) {
        return new UnsatisfiedLinkError(e.getMessage());
    }
}
