package io.esme;

/**
 * A failed esme call: {@link #code()} says which failure (the C library's
 * {@code esme_result}, as an enum); the message is the library's one line with the cause and a
 * hint, e.g. {@code CONFIG (105): unknown option 'x-smpp-hots' (did you mean 'x-smpp-host'?)}.
 * It never carries a secret or message text. Unchecked; the codes are banded (1xx usage, 2xx
 * I/O and timeouts, 3xx TLS and PKCS#12, 4xx SMPP protocol, 5xx refused by the SMSC).
 */
public final class EsmeException extends RuntimeException {
    private static final long serialVersionUID = 2L;

    /**
     * The failures, one per {@code esme_result} error value of {@code esme.h} (the number is
     * stable: {@link #number()}); a number this jar does not know, from a newer library, is
     * {@link #UNKNOWN}.
     */
    public enum Code {
        /** ESME_ERR_USAGE: The call asked for something impossible (e.g. a message without a destination). */
        USAGE(100),
        /** ESME_ERR_ENCODE: A message field breaks an SMPP rule (e.g. a destination longer than 20 characters). */
        ENCODE(101),
        /** ESME_ERR_TEXT: The text cannot be encoded or needs too many segments. */
        TEXT(102),
        /** ESME_ERR_CLOSED: The client is closed. */
        CLOSED(103),
        /** ESME_ERR_WINDOW_FULL: `esme_client_try_submit_async`: the window and the queue behind it are full. */
        WINDOW_FULL(104),
        /** ESME_ERR_CONFIG: A configuration option is unknown, has a bad value, or is missing. */
        CONFIG(105),
        /** ESME_ERR_PII: A PII rule, rule file, rule name or group is invalid or unknown. */
        PII(106),
        /** ESME_ERR_NULL: A required pointer argument was NULL. */
        NULL(110),
        /** ESME_ERR_INVALID_HANDLE: The handle was freed, closed for good, or never created. */
        INVALID_HANDLE(111),
        /** ESME_ERR_UTF8: A string argument is not valid UTF-8. */
        UTF8(112),
        /** ESME_ERR_BUFFER_TOO_SMALL: The caller's buffer is too small; the needed size was written. */
        BUFFER_TOO_SMALL(113),
        /** ESME_ERR_PANIC: An internal error was caught at the boundary (a bug: please report it). */
        PANIC(114),
        /** ESME_ERR_INVALID_ARG: An argument is out of its range (e.g. `body_len` larger than any message body). */
        INVALID_ARG(115),
        /** ESME_ERR_CONNECT: The TCP connection could not be made. */
        CONNECT(201),
        /** ESME_ERR_TIMEOUT: Connect, handshake or bind did not finish in time. */
        TIMEOUT(202),
        /** ESME_ERR_DISCONNECTED: The connection was lost or closed before binding finished. */
        DISCONNECTED(203),
        /** ESME_ERR_TLS_CA_FILE: The CA file (the PEM certificates to trust) cannot be used. */
        TLS_CA_FILE(301),
        /** ESME_ERR_TLS_NO_TRUST: No trust anchor to verify the SMSC. */
        TLS_NO_TRUST(302),
        /** ESME_ERR_PKCS12_FILE: The PKCS#12 file is missing or unreadable. */
        PKCS12_FILE(303),
        /** ESME_ERR_PKCS12_FORMAT: The file is not PKCS#12. */
        PKCS12_FORMAT(304),
        /** ESME_ERR_PKCS12_FILE_PASSWORD: The password of the PKCS#12 file is wrong. */
        PKCS12_FILE_PASSWORD(305),
        /** ESME_ERR_PKCS12_KEY_PASSWORD: The password of the private key in the PKCS#12 file is wrong. */
        PKCS12_KEY_PASSWORD(306),
        /** ESME_ERR_PKCS12_UNSUPPORTED: The PKCS#12 file uses an unsupported algorithm. */
        PKCS12_UNSUPPORTED(307),
        /** ESME_ERR_PKCS12_NO_KEY: No private key in the PKCS#12 file. */
        PKCS12_NO_KEY(308),
        /** ESME_ERR_PKCS12_NO_CERTIFICATE: No certificate in the PKCS#12 file. */
        PKCS12_NO_CERTIFICATE(309),
        /** ESME_ERR_PKCS12_KEY_MISMATCH: The key does not match the certificate. */
        PKCS12_KEY_MISMATCH(310),
        /** ESME_ERR_PKCS12_ALIAS: The alias is not in the file, or the file has several keys and no alias was given. */
        PKCS12_ALIAS(311),
        /** ESME_ERR_PKCS12_OTHER: Another PKCS#12 problem (e.g. an unsupported key type). */
        PKCS12_OTHER(312),
        /** ESME_ERR_TLS_CLIENT_CERT_DATES: Our client certificate is expired or not valid yet. */
        TLS_CLIENT_CERT_DATES(313),
        /** ESME_ERR_TLS_UNKNOWN_ISSUER: The SMSC's certificate: unknown issuer. */
        TLS_UNKNOWN_ISSUER(320),
        /** ESME_ERR_TLS_EXPIRED: The SMSC's certificate expired. */
        TLS_EXPIRED(321),
        /** ESME_ERR_TLS_NOT_YET_VALID: The SMSC's certificate is not valid yet. */
        TLS_NOT_YET_VALID(322),
        /** ESME_ERR_TLS_WRONG_NAME: The SMSC's certificate is issued for another name. */
        TLS_WRONG_NAME(323),
        /** ESME_ERR_TLS_SELF_SIGNED: The SMSC's certificate is self-signed. */
        TLS_SELF_SIGNED(324),
        /** ESME_ERR_TLS_UNTRUSTED: The SMSC's certificate is not trusted for another reason. */
        TLS_UNTRUSTED(325),
        /** ESME_ERR_TLS_CLIENT_CERT_REJECTED: The SMSC did not accept our client certificate. */
        TLS_CLIENT_CERT_REJECTED(330),
        /** ESME_ERR_TLS_VERSION: No TLS version in common. */
        TLS_VERSION(331),
        /** ESME_ERR_TLS_NOT_TLS: TLS sent to a port that does not speak TLS. */
        TLS_NOT_TLS(332),
        /** ESME_ERR_TLS_PLAIN_TO_TLS: Plain SMPP sent to a TLS port. */
        TLS_PLAIN_TO_TLS(333),
        /** ESME_ERR_TLS_HANDSHAKE: Another TLS handshake failure. */
        TLS_HANDSHAKE(334),
        /** ESME_ERR_TLS_SETUP: Inconsistent TLS options. */
        TLS_SETUP(335),
        /** ESME_ERR_TLS_CLIENT_CERT_REQUIRED: The SMSC requires a client certificate (mutual TLS) and none was configured. */
        TLS_CLIENT_CERT_REQUIRED(336),
        /** ESME_ERR_FRAME: The SMSC's byte stream has impossible framing. */
        FRAME(401),
        /** ESME_ERR_DECODE: A PDU from the SMSC breaks a field rule. */
        DECODE(402),
        /** ESME_ERR_PDU: Bytes meant to be one PDU are not. */
        PDU(403),
        /** ESME_ERR_RECEIPT: A receipt could not be read. */
        RECEIPT(404),
        /** ESME_ERR_BIND_REFUSED: The SMSC refused the bind (wrong password, system id, …). */
        BIND_REFUSED(501),
        /** A result number this version of the jar does not know. */
        UNKNOWN(-1);

        private final int number;

        Code(int number) {
            this.number = number;
        }

        /**
         * The {@code esme_result} number (e.g. 105).
         *
         * @return the number, or -1 for {@link #UNKNOWN}
         */
        public int number() {
            return number;
        }

        /**
         * The code for an {@code esme_result} number.
         *
         * @param number the number
         * @return its code, or {@link #UNKNOWN}
         */
        public static Code of(int number) {
            for (Code c : values()) {
                if (c.number == number) {
                    return c;
                }
            }
            return UNKNOWN;
        }

        /**
         * The band: 1 usage, 2 I/O and timeouts, 3 TLS and PKCS#12, 4 SMPP protocol, 5 refused
         * by the SMSC, 0 for {@link #UNKNOWN}.
         *
         * @return the hundreds digit of the number
         */
        public int band() {
            return number < 0 ? 0 : number / 100;
        }
    }

    private final Code code;
    private final int number;

    /** A failure with its {@code esme_result} number and one-line detail. */
    EsmeException(int number, String detail) {
        super(Code.of(number) + " (" + number + "): " + detail);
        this.code = Code.of(number);
        this.number = number;
    }

    /** A failure found by the Java side. */
    EsmeException(Code code, String detail) {
        this(code.number(), detail);
    }

    /** Called by the JNI glue: the detail comes as UTF-8 bytes (not modified UTF-8). */
    EsmeException(int number, byte[] detail) {
        this(number, EsmeClient.utf8(detail));
    }

    /**
     * Which failure.
     *
     * @return the code ({@link Code#UNKNOWN} for a number this jar does not know)
     */
    public Code code() {
        return code;
    }

    /**
     * The {@code esme_result} number, also when {@link #code()} is {@link Code#UNKNOWN}.
     *
     * @return the number
     */
    public int number() {
        return number;
    }
}
