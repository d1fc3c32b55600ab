package io.esme;

/**
 * One event of a client: a receipt, an inbound (MO) message, a connection change, a warning.
 * Given to the {@link EventListener} or by {@link EsmeClient#poll}. Fields that do not apply
 * to the {@link #kind()} are null, 0 or false. Immutable.
 */
public final class Event {
    /** What happened ({@code esme_event_kind}). */
    public enum Kind {
        /** A delivery receipt: {@link #receiptId()}, {@link #receiptState()}, {@link #attachment()}. */
        RECEIPT,
        /** An inbound message: {@link #from()}, {@link #to()}, {@link #text()} or {@link #body()}. */
        MESSAGE,
        /** A concatenated message whose parts stopped arriving: what arrived in {@link #body()}. */
        INCOMPLETE,
        /** An alert_notification: {@link #from()} (the mobile), {@link #to()}. */
        ALERT,
        /** The connection changed: {@link #connection()}, and {@link #text()} (why). */
        CONNECTION,
        /** A warning (a certificate expiring, …): {@link #text()}. */
        WARNING,
        /** An event kind this version of the jar does not know (from a newer library). */
        OTHER
    }

    private final Kind kind;
    private final Outcome outcome;
    private final long ticket;
    private final String from, to, text;
    private final byte[] body;
    private final String receiptId;
    private final int receiptState;
    private final boolean receiptFinal;
    private final long receiptErr;
    private final ConnectionState connection;
    private final boolean matched;
    private final Object attachment;

    /** Called by the JNI glue (texts as UTF-8 bytes); native kind 1 is an outcome. */
    Event(int kind, long ticket, Outcome outcome, byte[] from, byte[] to, byte[] text,
            byte[] body, byte[] receiptId, int receiptState, boolean receiptFinal,
            long receiptErr, int connection) {
        this.kind = kindOf(kind);
        this.ticket = ticket;
        this.outcome = outcome;
        this.from = EsmeClient.utf8OrNull(from);
        this.to = EsmeClient.utf8OrNull(to);
        this.text = EsmeClient.utf8OrNull(text);
        this.body = body == null ? new byte[0] : body;
        this.receiptId = EsmeClient.utf8OrNull(receiptId);
        this.receiptState = receiptState;
        this.receiptFinal = receiptFinal;
        this.receiptErr = receiptErr;
        this.connection = ConnectionState.of(connection);
        this.matched = false;
        this.attachment = null;
    }

    private Event(Event e, Object attachment) {
        this.kind = e.kind;
        this.ticket = e.ticket;
        this.outcome = e.outcome;
        this.from = e.from;
        this.to = e.to;
        this.text = e.text;
        this.body = e.body;
        this.receiptId = e.receiptId;
        this.receiptState = e.receiptState;
        this.receiptFinal = e.receiptFinal;
        this.receiptErr = e.receiptErr;
        this.connection = e.connection;
        this.matched = true;
        this.attachment = attachment;
    }

    private static Kind kindOf(int k) {
        switch (k) {
            case 2: return Kind.MESSAGE;
            case 3: return Kind.RECEIPT;
            case 4: return Kind.INCOMPLETE;
            case 5: return Kind.ALERT;
            case 6: return Kind.CONNECTION;
            case 7: return Kind.WARNING;
            default: return Kind.OTHER;
        }
    }

    /** A receipt matched to the message it is about. */
    Event matched(Object attachment) {
        return new Event(this, attachment);
    }

    /** The outcome, for the native OUTCOME events the client consumes itself. */
    Outcome outcome() {
        return outcome;
    }

    long ticket() {
        return ticket;
    }

    /**
     * What happened.
     *
     * @return the kind
     */
    public Kind kind() {
        return kind;
    }

    /**
     * The source address (MESSAGE, RECEIPT, INCOMPLETE, ALERT).
     *
     * @return the address, or null
     */
    public String from() {
        return from;
    }

    /**
     * The destination address (MESSAGE, RECEIPT, INCOMPLETE, ALERT).
     *
     * @return the address, or null
     */
    public String to() {
        return to;
    }

    /**
     * MESSAGE: the text (null for binary); RECEIPT: the receipt text as received; WARNING:
     * the warning; CONNECTION: why it dropped (DISCONNECTED) or the SMSC's system_id (BOUND).
     *
     * @return the text, or null
     */
    public String text() {
        return text;
    }

    /**
     * MESSAGE: the octets (UDH removed); INCOMPLETE: what arrived.
     *
     * @return a copy of the octets (never null)
     */
    public byte[] body() {
        return body.clone();
    }

    /**
     * RECEIPT: the message id it is about.
     *
     * @return the id, or null when the receipt could not be read
     */
    public String receiptId() {
        return receiptId;
    }

    /**
     * RECEIPT: message_state (1 ENROUTE, 2 DELIVERED, 3 EXPIRED, 4 DELETED, 5 UNDELIVERABLE,
     * 6 ACCEPTED, 7 UNKNOWN, 8 REJECTED; 0 not given).
     *
     * @return the state
     */
    public int receiptState() {
        return receiptState;
    }

    /**
     * RECEIPT: whether the state is final (no other receipt will follow for this message).
     *
     * @return true when final
     */
    public boolean receiptFinal() {
        return receiptFinal;
    }

    /**
     * RECEIPT: the err: field.
     *
     * @return the number, or -1
     */
    public long receiptErr() {
        return receiptErr;
    }

    /**
     * CONNECTION: the new state.
     *
     * @return the state, {@link ConnectionState#NONE} for other kinds
     */
    public ConnectionState connection() {
        return connection;
    }

    /**
     * RECEIPT: whether it was matched to a message this client sent (and still remembered);
     * an unmatched receipt still arrives, with a null {@link #attachment()}.
     *
     * @return true when matched
     */
    public boolean matched() {
        return matched;
    }

    /**
     * RECEIPT: the attachment given with the message it is about.
     *
     * @return the attachment, or null (unmatched, or none given)
     */
    public Object attachment() {
        return attachment;
    }

    /** Addresses cut to their last 3 characters, no message text: safe for a log line. */
    @Override
    public String toString() {
        switch (kind) {
            case RECEIPT: return "RECEIPT id=" + receiptId + " state=" + receiptState
                    + (receiptFinal ? " final" : "") + (matched ? " matched" : " unmatched");
            case CONNECTION: return "CONNECTION " + connection + (text != null ? " " + text : "");
            case WARNING: return "WARNING " + text;
            default: return kind + " from=" + Message.cut(from) + " to=" + Message.cut(to);
        }
    }
}
