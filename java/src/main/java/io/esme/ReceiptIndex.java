package io.esme;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/**
 * The message ids of accepted messages and their attachments, so that each receipt comes back
 * with the attachment of the message it is about. Bounded in count and age; an entry goes
 * when its final receipt came, or when it is the oldest beyond either bound. Used by the
 * client's event thread only (not thread-safe). A receipt's id may be written in hex where the
 * submit's was decimal, or the other way round (SMSCs differ, as {@code esme_receipt_ids_match}
 * allows): each id is indexed under both spellings.
 */
final class ReceiptIndex {
    static final class Entry {
        final Object attachment;
        final long atNanos;
        final List<String> keys = new ArrayList<>(4);

        Entry(Object attachment, long atNanos) {
            this.attachment = attachment;
            this.atNanos = atNanos;
        }
    }

    private final HashMap<String, Entry> byId = new HashMap<>();
    private final LinkedHashSet<Entry> order = new LinkedHashSet<>();
    private final int maxEntries;
    private final long maxAgeNanos;

    ReceiptIndex(int maxEntries, long maxAgeNanos) {
        this.maxEntries = maxEntries;
        this.maxAgeNanos = maxAgeNanos;
    }

    /** Remembers each id of an accepted message with its attachment. */
    void remember(String[] ids, Object attachment, long now) {
        if (maxEntries == 0) {
            return;
        }
        for (String id : ids) {
            if (id.isEmpty()) {
                continue;
            }
            Entry e = new Entry(attachment, now);
            for (String k : spellings(id)) {
                if (!e.keys.contains(k)) {
                    e.keys.add(k);
                    Entry old = byId.put(k, e);
                    if (old != null && old != e) {
                        forget(old);
                        byId.put(k, e);
                    }
                }
            }
            order.add(e);
        }
        evict(now);
    }

    /** The entry of a receipt's id, or null. */
    Entry find(String receiptId, long now) {
        evict(now);
        if (receiptId == null || receiptId.isEmpty()) {
            return null;
        }
        Entry e = byId.get(receiptId);
        return e != null ? e : byId.get(receiptId.toLowerCase(Locale.ROOT));
    }

    void forget(Entry e) {
        if (order.remove(e)) {
            for (String k : e.keys) {
                byId.remove(k, e);
            }
        }
    }

    int size() {
        return order.size();
    }

    private void evict(long now) {
        Iterator<Entry> it = order.iterator();
        while (it.hasNext()) {
            Entry e = it.next();
            if (order.size() <= maxEntries && now - e.atNanos <= maxAgeNanos) {
                break;
            }
            it.remove();
            for (String k : e.keys) {
                byId.remove(k, e);
            }
        }
    }

    /** The id as given, in lower case, and in the other base when it is a number. */
    static List<String> spellings(String id) {
        List<String> out = new ArrayList<>(4);
        out.add(id);
        String lower = id.toLowerCase(Locale.ROOT);
        if (!lower.equals(id)) {
            out.add(lower);
        }
        try {
            if (id.length() <= 19 && id.chars().allMatch(c -> c >= '0' && c <= '9')) {
                out.add(Long.toHexString(Long.parseLong(id)));
            }
            if (id.length() <= 16 && lower.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                out.add(Long.toUnsignedString(Long.parseUnsignedLong(lower, 16)));
            }
        } catch (NumberFormatException e) {
            // not a number after all: the literal spellings only
        }
        return out;
    }
}
