package esme;

/** One event from {@link Esme#poll}. Fields that do not apply to the kind are null / 0. */
public final class Event {
    /** esme_event_kind. */
    public enum Kind { OUTCOME, MESSAGE, RECEIPT, INCOMPLETE, ALERT, CONNECTION, WARNING }

    /** esme_connection_state. */
    public enum ConnectionState {
        NONE, CONNECTING, BOUND, DISCONNECTED, CLOSED;

        static ConnectionState of(int v) {
            return v >= 1 && v <= 4 ? values()[v] : NONE;
        }
    }

    public final Kind kind;
    /** OUTCOME: the ticket {@link Esme#submitAsync} returned. */
    public final long ticket;
    /** OUTCOME: how the message ended. */
    public final Outcome outcome;
    /** MESSAGE, RECEIPT, INCOMPLETE, ALERT: the addresses. */
    public final String from, to;
    /**
     * MESSAGE: the text (null for binary); RECEIPT: the receipt text as received; WARNING: the
     * warning; CONNECTION: why it dropped (DISCONNECTED) or the SMSC's system_id (BOUND).
     */
    public final String text;
    /** MESSAGE: the octets (UDH removed); INCOMPLETE: what arrived. Never null. */
    private final byte[] body;
    /** RECEIPT: the message id it is about (null when the receipt could not be read). */
    public final String receiptId;
    /** RECEIPT: message_state (1 ENROUTE, 2 DELIVERED, … 8 REJECTED, 0 not given). */
    public final int receiptState;
    /** RECEIPT: true when the state is final. */
    public final boolean receiptFinal;
    /** RECEIPT: the err: field, or -1. */
    public final long receiptErr;
    /** CONNECTION: the new state. */
    public final ConnectionState connection;

    /** Called by the JNI glue (texts as UTF-8 bytes). */
    Event(int kind, long ticket, Outcome outcome, byte[] from, byte[] to, byte[] text,
            byte[] body, byte[] receiptId, int receiptState, boolean receiptFinal,
            long receiptErr, int connection) {
        this.kind = kind >= 1 && kind <= 7 ? Kind.values()[kind - 1] : Kind.WARNING;
        this.ticket = ticket;
        this.outcome = outcome;
        this.from = Esme.utf8OrNull(from);
        this.to = Esme.utf8OrNull(to);
        this.text = Esme.utf8OrNull(text);
        this.body = body == null ? new byte[0] : body;
        this.receiptId = Esme.utf8OrNull(receiptId);
        this.receiptState = receiptState;
        this.receiptFinal = receiptFinal;
        this.receiptErr = receiptErr;
        this.connection = ConnectionState.of(connection);
    }

    public Kind kind() {
        return kind;
    }

    /** A copy of the octets. */
    public byte[] body() {
        return body.clone();
    }

    @Override
    public String toString() {
        switch (kind) {
            case OUTCOME: return "OUTCOME #" + ticket + " " + outcome;
            case RECEIPT: return "RECEIPT id=" + receiptId + " state=" + receiptState
                    + (receiptFinal ? " final" : "") + " from=" + from + " to=" + to;
            case CONNECTION: return "CONNECTION " + connection + (text != null ? " " + text : "");
            case WARNING: return "WARNING " + text;
            default: return kind + " from=" + from + " to=" + to + " text=" + text;
        }
    }
}
