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
        /**
         * The library stopped waiting for a message's receipts (none final within
         * {@code x-smpp-receipt-correlation-timeout}, more than
         * {@code x-smpp-receipt-correlation-max} messages waiting, or the client closed):
         * {@link #attachment()}, {@link #text()} (which), {@link #messageIds()} (the parts
         * still waited for). No event carries that attachment after it; a later receipt for
         * the message arrives unmatched.
         */
        RELEASED,
        /** An event kind this version of the jar does not know (from a newer library). */
        OTHER
    }

    private static final String[] NO_IDS = new String[0];

    private final Kind kind;
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
    private final String[] messageIds;

    /** Made by the client's event thread from a library event (native kind numbers). */
    Event(int kind, long ticket, String from, String to, String text, byte[] body,
            String receiptId, int receiptState, boolean receiptFinal, long receiptErr,
            int connection, boolean matched, Object attachment, String[] messageIds) {
        this.kind = kindOf(kind);
        this.ticket = ticket;
        this.from = from;
        this.to = to;
        this.text = text;
        this.body = body == null ? new byte[0] : body;
        this.receiptId = receiptId;
        this.receiptState = receiptState;
        this.receiptFinal = receiptFinal;
        this.receiptErr = receiptErr;
        this.connection = ConnectionState.of(connection);
        this.matched = matched;
        this.attachment = attachment;
        this.messageIds = messageIds == null ? NO_IDS : messageIds;
    }

    private static Kind kindOf(int k) {
        switch (k) {
            case 2: return Kind.MESSAGE;
            case 3: return Kind.RECEIPT;
            case 4: return Kind.INCOMPLETE;
            case 5: return Kind.ALERT;
            case 6: return Kind.CONNECTION;
            case 7: return Kind.WARNING;
            case 8: return Kind.RELEASED;
            default: return Kind.OTHER;
        }
    }

    /**
     * The library's ticket of the message a matched RECEIPT or a RELEASED is about (as
     * {@link Outcome#ticket()}); 0 otherwise.
     *
     * @return the ticket, or 0
     */
    public long ticket() {
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
     * the warning; CONNECTION: why it dropped (DISCONNECTED) or the SMSC's system_id (BOUND);
     * RELEASED: why the library stopped waiting for receipts.
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
     * RELEASED: the message ids of the parts no final receipt came for.
     *
     * @return a copy of the ids (empty for other kinds)
     */
    public String[] messageIds() {
        return messageIds.clone();
    }

    /**
     * RECEIPT: whether the library matched it to a message this client sent (and still
     * remembered: {@code x-smpp-receipt-correlation-max} and {@code -timeout}), by the message
     * ids the submit got, also across reconnects; an unmatched receipt (an id this client never
     * got, or no longer remembers, or an unreadable receipt) still arrives, with a null
     * {@link #attachment()}.
     *
     * @return true when matched
     */
    public boolean matched() {
        return matched;
    }

    /**
     * RECEIPT, RELEASED: the attachment given with the message it is about.
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
            case RELEASED: return "RELEASED ticket=" + ticket + " " + text;
            default: return kind + " from=" + Message.cut(from) + " to=" + Message.cut(to);
        }
    }
}
