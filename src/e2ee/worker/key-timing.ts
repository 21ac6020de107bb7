/**
 * When SFrame keys change at an MLS epoch, and why these durations.
 *
 * A commit does not reach every member at the same instant. The committer moves to the new epoch when the
 * server answers `ok`; every other member when the relayed commit has arrived and MLS has processed it
 * (docs/e2ee-mls.md: about 15 ms at 100 members and 130 ms at 1000 on the 2-core test machine; a slow phone
 * takes several times that, and the network adds its round trip). A frame sealed under the new epoch's key
 * reaches a member that has not processed the commit yet, and that member can only drop it: the video froze
 * for up to 60 frames at every join or leave. So:
 *
 *   - receive keys of a new epoch are installed at once, and superseded epochs stay usable for a while;
 *   - a member that already sends under some epoch switches to the new epoch's key only after a delay, so
 *     that every member has the new receive keys before the first frame under them arrives;
 *   - a member with no valid send key (it just joined, or was re-added) uses the new key at once: there is
 *     nothing else it could send with.
 */

/**
 * How long a member keeps sending under its previous epoch's key after it learned a new epoch, at most:
 * normally the delivery service says sooner that every connected member holds the new keys
 * (`mls-epoch-ready`, after each member's `mls-epoch-ack`), and senders switch then. This fallback must cover
 * the spread between the first member to learn an epoch (the committer) and the last: relay and network
 * (a few hundred milliseconds) and MLS processing at 1000 members on a slow device (about 0.5 s). The costs
 * of a longer delay: a member that just joined has no key for the previous epoch, so it decodes the others
 * only once they have switched (up to this long after its admission); and a removed member that the SFU
 * keeps feeding could decrypt what is sent during the delay (docs/threat-model.md).
 */
export const SEND_KEY_DELAY_MS = 1_000;

/** The largest delay a `set-send-key` message may ask for (a schema bound, not a setting). */
export const MAX_SEND_KEY_DELAY_MS = 10_000;

/**
 * How long a superseded epoch's receive keys stay usable after the epoch that replaced it was installed. A
 * sender may be up to SEND_KEY_DELAY_MS later than us to learn the new epoch, then keeps its old key for
 * SEND_KEY_DELAY_MS more; 1 s is left for frames in flight and in the receiver's jitter buffer. Keys are
 * dropped as soon as this has passed, so that a removed member's frames stop being accepted promptly.
 */
export const RECEIVE_KEY_GRACE_MS = 2 * SEND_KEY_DELAY_MS + 1_000;

/**
 * How long after a receiver was re-pointed to another participant the frames of the participants it showed
 * before are dropped without being reported as failures: frames already in the pipeline when the SFU
 * switched the stream (a few hundred milliseconds at most).
 */
export const RETARGET_GRACE_MS = 1_000;

/**
 * At most this many epochs' receive keys are held at once (the current one included), whatever the pace of
 * commits: a bound on memory. Epochs come at most a few per second, so within RECEIVE_KEY_GRACE_MS this is
 * never reached in practice; it also stays far below 256, where KIDs of different epochs would collide.
 */
export const MAX_RETAINED_EPOCHS = 32;
