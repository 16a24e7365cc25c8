package io.jiip.sim;

import java.util.Arrays;

/** A binary min-heap of {@link Event}s ordered by (time, sequence number), with removal by position. */
final class EventQueue {
    private Event[] heap = new Event[256];
    private int size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    Event peek() {
        return size == 0 ? null : heap[0];
    }

    void add(Event e) {
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        heap[size] = e;
        e.heapIndex = size;
        size++;
        up(size - 1);
    }

    Event poll() {
        if (size == 0) {
            return null;
        }
        Event top = heap[0];
        removeAt(0);
        return top;
    }

    void remove(Event e) {
        if (e.heapIndex >= 0) {
            removeAt(e.heapIndex);
        }
    }

    private void removeAt(int i) {
        Event e = heap[i];
        size--;
        Event last = heap[size];
        heap[size] = null;
        e.heapIndex = -1;
        if (i < size) {
            heap[i] = last;
            last.heapIndex = i;
            down(i);
            if (heap[i] == last) {
                up(i);
            }
        }
    }

    private static boolean less(Event a, Event b) {
        return a.time < b.time || a.time == b.time && a.seq < b.seq;
    }

    private void up(int i) {
        Event e = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Event p = heap[parent];
            if (!less(e, p)) {
                break;
            }
            heap[i] = p;
            p.heapIndex = i;
            i = parent;
        }
        heap[i] = e;
        e.heapIndex = i;
    }

    private void down(int i) {
        Event e = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            Event c = heap[child];
            int right = child + 1;
            if (right < size && less(heap[right], c)) {
                child = right;
                c = heap[child];
            }
            if (!less(c, e)) {
                break;
            }
            heap[i] = c;
            c.heapIndex = i;
            i = child;
        }
        heap[i] = e;
        e.heapIndex = i;
    }

    /** Drops every event (after a failure). */
    void clear() {
        for (int i = 0; i < size; i++) {
            heap[i].heapIndex = -1;
            heap[i] = null;
        }
        size = 0;
    }
}
