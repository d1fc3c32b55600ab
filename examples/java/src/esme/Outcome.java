package esme;

import java.util.Arrays;

/** How a submitted message ended. */
public final class Outcome {
    /** esme_outcome_kind. */
    public enum Kind {
        /** The SMSC accepted every part. */
        ACCEPTED,
        /** The SMSC definitely did not accept it ({@link #commandStatus} says why). */
        REJECTED,
        /** Written, no usable answer (timeout, connection lost): it may have been accepted. */
        UNKNOWN,
        /** Not accepted and safe to send again: never written, or written, refused with a
         *  throttling status (0x58, 0x14) and not resubmitted (why says which). */
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

    public final Kind kind;
    /** The SMSC's command_status for REJECTED (e.g. 0x58), else 0. */
    public final int commandStatus;
    /** The SMSC's message ids, one per accepted part. */
    private final String[] messageIds;
    /** True when the C library cut the id list to fit its buffer. */
    public final boolean truncated;
    /** Why (UNKNOWN, NOT_SENT, REJECTED: the status name), or "". */
    public final String why;

    /** Called by the JNI glue. */
    Outcome(int kind, int commandStatus, int parts, boolean truncated, byte[] ids, byte[] why) {
        this.kind = Kind.of(kind);
        this.commandStatus = commandStatus;
        String s = Esme.utf8(ids);
        this.messageIds = s.isEmpty() ? new String[0] : s.split(",", -1);
        this.truncated = truncated;
        this.why = Esme.utf8(why);
    }

    public Kind kind() {
        return kind;
    }

    public int commandStatus() {
        return commandStatus;
    }

    /** A copy of the message ids. */
    public String[] messageIds() {
        return messageIds.clone();
    }

    public String why() {
        return why;
    }

    @Override
    public String toString() {
        return kind + (commandStatus != 0 ? String.format(" 0x%08X", commandStatus) : "")
                + " ids=" + Arrays.toString(messageIds) + (why.isEmpty() ? "" : " why=" + why);
    }
}
