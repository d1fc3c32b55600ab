package io.esme;

/**
 * Receives a client's events (receipts, inbound messages, connection changes, warnings) on
 * the executor given with it to {@link EsmeClient.Builder#listener}. Outcomes of submits do
 * not come here: they complete the submit's {@link java.util.concurrent.CompletableFuture}.
 * An exception thrown by the listener is logged (logger {@code io.esme}) and the next event
 * is delivered.
 */
@FunctionalInterface
public interface EventListener {
    /**
     * One event.
     *
     * @param event the event; {@link Event#kind()} says which fields apply
     */
    void onEvent(Event event);
}
