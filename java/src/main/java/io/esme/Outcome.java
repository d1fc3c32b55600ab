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
                case 3: return UNKNOWN;
                case 4: return NOT_SENT;
                default: return UNKNOWN; // a kind a newer library adds: it may have been accepted
            }
        }
    }

    private final Kind kind;
    private final int commandStatus;
    private final String[] messageIds;
    private final String why;
    private final long ticket;
    private final Object attachment;

    /** Made by the client's event thread from the library's outcome event. */
    Outcome(Kind kind, int commandStatus, String[] messageIds, String why, long ticket, Object attachment) {
        this.kind = kind;
        this.commandStatus = commandStatus;
        this.messageIds = messageIds;
        this.why = why == null ? "" : why;
        this.ticket = ticket;
        this.attachment = attachment;
    }

    /** An outcome the Java side gives (the client closed with the message unanswered). */
    Outcome(Kind kind, String why, long ticket, Object attachment) {
        this(kind, 0, new String[0], why, ticket, attachment);
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
     * @return a copy of the ids: every part's when {@link Kind#ACCEPTED}; for a long message
     *     REJECTED or UNKNOWN, those of the parts known to be accepted; else empty
     */
    public String[] messageIds() {
        return messageIds.clone();
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
