package io.backuprelay.common.kafka;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads that wait for a view to catch up with the broker hold a request thread each: a few at a time in all, and no
 * one reader (an account, the operators) may take them all. One more is refused at once rather than queued.
 */
public final class WaitingReads {

    private final int perReader;
    private final Semaphore all;
    private final String readerFull;
    private final String allFull;
    private final ConcurrentHashMap<String, AtomicInteger> byReader = new ConcurrentHashMap<>();

    /**
     * @param perReader how many reads of one reader may wait at once
     * @param total      how many may wait at once, in all
     * @param readerFull the refusal when the reader has as many waiting as it may
     * @param allFull    the refusal when all readers together have
     */
    public WaitingReads(int perReader, int total, String readerFull, String allFull) {
        this.perReader = perReader;
        this.all = new Semaphore(total);
        this.readerFull = readerFull;
        this.allFull = allFull;
    }

    /**
     * Runs {@code wait} as one of the reader's waiting reads.
     *
     * @throws ViewUnavailableException when the reader, or all readers, have as many waiting as they may
     */
    public void await(String reader, Runnable wait) {
        AtomicInteger mine = byReader.computeIfAbsent(reader == null ? "" : reader, k -> new AtomicInteger());
        if (mine.incrementAndGet() > perReader) {
            mine.decrementAndGet();
            throw new ViewUnavailableException(readerFull, null);
        }
        try {
            if (!all.tryAcquire()) {
                throw new ViewUnavailableException(allFull, null);
            }
            try {
                wait.run();
            } finally {
                all.release();
            }
        } finally {
            mine.decrementAndGet();
        }
    }

    /** How many reads of the reader are waiting now. */
    public int waiting(String reader) {
        AtomicInteger count = byReader.get(reader);
        return count == null ? 0 : count.get();
    }
}
