package io.esme;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The library's log records into {@link System.Logger}: logger {@code io.esme.<channel>} (the
 * channel's {@code [section]} name, else the SMSC's host), or {@code io.esme} for records of no
 * channel; the message starts with {@code [channel]}. Records are masked by the library
 * (never a secret; message text and numbers masked). The native side forwards records at or
 * above the most detailed level {@code io.esme}'s logger takes when a client connects.
 */
final class LogBridge {
    static final String ROOT = "io.esme";
    private static final ConcurrentHashMap<String, Logger> LOGGERS = new ConcurrentHashMap<>();
    private static int installed; // the esme_log_level installed, 0 none

    private LogBridge() {}

    /** Installs the native callback at the level io.esme's logger takes (at each connect). */
    static synchronized void install() {
        Logger root = System.getLogger(ROOT);
        int want = root.isLoggable(Level.TRACE) ? 5 : root.isLoggable(Level.DEBUG) ? 4
                : root.isLoggable(Level.INFO) ? 3 : root.isLoggable(Level.WARNING) ? 2
                : root.isLoggable(Level.ERROR) ? 1 : 0;
        if (want != installed) {
            EsmeClient.nSetLog(want);
            installed = want;
        }
    }

    /** Called by the JNI glue from the library's threads (attached as daemons). */
    static void log(int level, byte[] target, byte[] message, byte[] channel) {
        try {
            String ch = channel == null || channel.length == 0 ? "" : new String(channel, StandardCharsets.UTF_8);
            Logger l = LOGGERS.computeIfAbsent(ch, c -> System.getLogger(c.isEmpty() ? ROOT : ROOT + "." + c));
            Level lv = level <= 1 ? Level.ERROR : level == 2 ? Level.WARNING : level == 3 ? Level.INFO
                    : level == 4 ? Level.DEBUG : Level.TRACE;
            if (l.isLoggable(lv)) {
                String m = new String(message, StandardCharsets.UTF_8);
                l.log(lv, ch.isEmpty() ? m : "[" + ch + "] " + m);
            }
        } catch (RuntimeException e) {
            // A failing logging backend must not break the library's thread; nothing to do.
        }
    }
}
