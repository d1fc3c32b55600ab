package io.esme;

/** The state of a client's connection ({@code esme_connection_state}). */
public enum ConnectionState {
    /** Not a connection event, or a state this jar does not know. */
    NONE,
    /** Connecting, or binding again after a loss. */
    CONNECTING,
    /** Bound: messages go out. */
    BOUND,
    /** The connection was lost; reconnecting unless the client is closing. */
    DISCONNECTED,
    /** Closed for good. */
    CLOSED;

    static ConnectionState of(int v) {
        return v >= 1 && v <= 4 ? values()[v] : NONE;
    }
}
