package io.esme;

import java.util.Arrays;

/**
 * How a submitted message ended: exactly one per message, with the attachment given to
 * {@link EsmeClient#submitAsync(Message, Object)}. Immutable.
 */
public final class Outcome {
    /** How it ended ({@code esme_outcome_kind}). */
    public enum Kind {
        /** The SMSC accepted every part ({@link #messageIds()}). */
        ACCEPTED,
        /** The SMSC definitely did not accept it ({@link #commandStatus()} says why). */
        REJECTED,
        /** Written, no usable answer (timeout, connection lost): it may have been accepted. */
        UNKNOWN,
        /**
         * Not accepted and safe to send again: never written, or written, refused with a
         * throttling status (0x58, 0x14) and not resubmitted ({@link #why()} says which).
         */
        NOT_SENT;

        static Kind of(int v) {
            switch (v) {
                case 1: return ACCEPTED;
                case 2: return REJECTED;
                case 4: return NOT_SENT;
                default: return UNKNOWN;
            }
        }
    }

    private final Kind kind;
    private final int commandStatus;
    private final String[] messageIds;
    private final boolean truncated;
    private final String why;
    private final long ticket;
    private final Object attachment;

    /** Called by the JNI glue. */
    Outcome(int kind, int commandStatus, int parts, boolean truncated, byte[] ids, byte[] why) {
        this.kind = Kind.of(kind);
        this.commandStatus = commandStatus;
        String s = EsmeClient.utf8(ids);
        this.messageIds = s.isEmpty() ? new String[0] : s.split(",", -1);
        this.truncated = truncated;
        this.why = EsmeClient.utf8(why);
        this.ticket = 0;
        this.attachment = null;
    }

    private Outcome(Outcome o, long ticket, Object attachment) {
        this.kind = o.kind;
        this.commandStatus = o.commandStatus;
        this.messageIds = o.messageIds;
        this.truncated = o.truncated;
        this.why = o.why;
        this.ticket = ticket;
        this.attachment = attachment;
    }

    /** An outcome the Java side gives (the client closed with the message unanswered). */
    Outcome(Kind kind, String why, long ticket, Object attachment) {
        this.kind = kind;
        this.commandStatus = 0;
        this.messageIds = new String[0];
        this.truncated = false;
        this.why = why;
        this.ticket = ticket;
        this.attachment = attachment;
    }

    Outcome with(long ticket, Object attachment) {
        return new Outcome(this, ticket, attachment);
    }

    /**
     * How it ended.
     *
     * @return the kind
     */
    public Kind kind() {
        return kind;
    }

    /**
     * The SMSC's command_status.
     *
     * @return the status for {@link Kind#REJECTED} (e.g. 0x58), else 0
     */
    public int commandStatus() {
        return commandStatus;
    }

    /**
     * The SMSC's message ids, one per accepted part (receipts name them).
     *
     * @return a copy of the ids; empty unless {@link Kind#ACCEPTED}
     */
    public String[] messageIds() {
        return messageIds.clone();
    }

    /**
     * Whether the library cut the id list (a message of very many parts).
     *
     * @return true when some ids are missing from {@link #messageIds()}
     */
    public boolean truncated() {
        return truncated;
    }

    /**
     * Why: for UNKNOWN and NOT_SENT the cause; for REJECTED the status name (and for a long
     * message which part was refused). One line, no message text.
     *
     * @return the reason, or ""
     */
    public String why() {
        return why;
    }

    /**
     * The library's ticket for the submit (unique per client).
     *
     * @return the ticket
     */
    public long ticket() {
        return ticket;
    }

    /**
     * The object given with the message to {@link EsmeClient#submitAsync(Message, Object)}.
     *
     * @return the attachment, or null
     */
    public Object attachment() {
        return attachment;
    }

    /** No attachment (it may hold personal data): kind, status, ids and why. */
    @Override
    public String toString() {
        return kind + (commandStatus != 0 ? String.format(" 0x%08X", commandStatus) : "")
                + (messageIds.length > 0 ? " ids=" + Arrays.toString(messageIds) : "")
                + (why.isEmpty() ? "" : " why=" + why);
    }
}
