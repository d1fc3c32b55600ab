package io.esme;

import java.util.Objects;

/**
 * A message to submit: immutable, reusable, safe to share between threads. Fields left unset
 * take the channel's configured defaults (source address: {@code default-reply-address};
 * receipt: the delivery report option).
 *
 * <pre>
 * Message m = Message.text("447700900123", "Your code is 1234").from("Shop").receipt(true);
 * </pre>
 */
public final class Message {
    static final int FLAG_BINARY = 1, FLAG_RECEIPT = 2, FLAG_NO_RECEIPT = 4;

    private final String to;
    private final String from;
    private final String text;
    private final byte[] body;
    private final Boolean receipt;

    private Message(String to, String from, String text, byte[] body, Boolean receipt) {
        this.to = to;
        this.from = from;
        this.text = text;
        this.body = body;
        this.receipt = receipt;
    }

    /**
     * A text message (any Unicode, emoji included; a long text is segmented).
     *
     * @param to the destination address
     * @param text the text
     * @return the message
     */
    public static Message text(String to, String text) {
        return new Message(Objects.requireNonNull(to, "to is null"), null,
                Objects.requireNonNull(text, "text is null"), null, null);
    }

    /**
     * A binary message (data_coding 4): the octets as they are.
     *
     * @param to the destination address
     * @param octets the body (copied)
     * @return the message
     */
    public static Message binary(String to, byte[] octets) {
        return new Message(Objects.requireNonNull(to, "to is null"), null, null,
                Objects.requireNonNull(octets, "octets is null").clone(), null);
    }

    /**
     * This message with a source address.
     *
     * @param from the source address, or null for {@code default-reply-address}
     * @return a new message
     */
    public Message from(String from) {
        return new Message(to, from, text, body, receipt);
    }

    /**
     * This message asking for a delivery receipt, or explicitly for none.
     *
     * @param receipt true: ask for one; false: ask for none (overrides the channel's option)
     * @return a new message
     */
    public Message receipt(boolean receipt) {
        return new Message(to, from, text, body, receipt);
    }

    /**
     * The destination address.
     *
     * @return the address
     */
    public String to() {
        return to;
    }

    /**
     * The source address.
     *
     * @return the address, or null for the channel's default
     */
    public String from() {
        return from;
    }

    /**
     * The text.
     *
     * @return the text, or null for a binary message
     */
    public String text() {
        return text;
    }

    /**
     * Whether a receipt is asked for.
     *
     * @return true, false, or null for the channel's option
     */
    public Boolean receipt() {
        return receipt;
    }

    int flags() {
        int f = body != null ? FLAG_BINARY : 0;
        if (receipt != null) {
            f |= receipt ? FLAG_RECEIPT : FLAG_NO_RECEIPT;
        }
        return f;
    }

    byte[] octets() {
        return body != null ? body : EsmeClient.utf8Strict(text, "text");
    }

    /** Addresses cut to their last 3 characters and no text: safe for a log line. */
    @Override
    public String toString() {
        return "Message to=" + cut(to) + (from != null ? " from=" + cut(from) : "")
                + (body != null ? " binary " + body.length + " octets" : " text " + text.length() + " chars")
                + (receipt != null ? " receipt=" + receipt : "");
    }

    static String cut(String s) {
        return s == null ? null : s.length() <= 3 ? s : "…" + s.substring(s.length() - 3);
    }
}
