package esme;

/**
 * A failed esme call. {@link #code} is the {@code esme_result} value (stable, banded: 1xx
 * usage, 2xx I/O, 3xx TLS and PKCS#12, 4xx protocol, 5xx refused by the SMSC),
 * {@link #resultName} its text ({@code esme_result_str}), and the message the detailed cause
 * and hint ({@code esme_last_error}).
 */
public final class EsmeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** ESME_ERR_USAGE: the call asked for something impossible. */
    public static final int USAGE = 100;
    /** ESME_ERR_CLOSED: the client is closed. */
    public static final int CLOSED = 103;
    /** ESME_ERR_ENCODE: a message field breaks an SMPP rule. */
    public static final int ENCODE = 101;
    /** ESME_ERR_CONFIG: an option is unknown, has a bad value, or is missing. */
    public static final int CONFIG = 105;
    /** ESME_ERR_NULL: a required argument was null. */
    public static final int NULL = 110;
    /** ESME_ERR_INVALID_HANDLE: the handle was freed. */
    public static final int INVALID_HANDLE = 111;
    /** ESME_ERR_UTF8: a string cannot be encoded as UTF-8 (unpaired surrogate). */
    public static final int UTF8 = 112;

    /** The esme_result value. */
    public final int code;
    /** esme_result_str(code). */
    public final String resultName;

    public EsmeException(int code, String resultName, String detail) {
        super(resultName + " (" + code + "): " + detail);
        this.code = code;
        this.resultName = resultName;
    }

    /** Called by the JNI glue: texts come as UTF-8 bytes (not modified UTF-8). */
    EsmeException(int code, byte[] resultName, byte[] detail) {
        this(code, Esme.utf8(resultName), Esme.utf8(detail));
    }

    public int code() {
        return code;
    }

    public String resultName() {
        return resultName;
    }
}
