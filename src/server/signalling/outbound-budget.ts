/**
 * How much the server lets pile up for one socket that does not read. What is queued for a socket is the
 * WebSocket library's `bufferedAmount`: bytes handed to the socket and not yet taken by the kernel, which
 * itself holds a few MiB more in its send buffer. A client that stops reading (a stalled tab, a suspended
 * laptop, a reader that pauses on purpose) would otherwise make the server hold everything the others do,
 * for as long as it likes.
 *
 * The budget is above the largest burst an honest connection can be owed at once, so that no honest
 * client is cut off however slow its link: a `joined` snapshot of a full meeting (under 1 MiB) followed by
 * the snapshot of a full waiting room (1000 entries with the largest KeyPackages, about 11 MiB).
 */
export const MAX_OUTBOUND_BACKLOG_BYTES = 16 * 1024 * 1024;

/** Whether a socket's unsent bytes are past the budget: one comparison, whatever the meeting's size. */
export const overBudget = (bufferedBytes: number): boolean => bufferedBytes > MAX_OUTBOUND_BACKLOG_BYTES;
