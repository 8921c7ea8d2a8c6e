/** Time domains of timers. */
export type TimeDomain = 'EVENT_TIME' | 'PROCESSING_TIME';

/**
 * Timers of the current key. One timer per key and timestamp: registering the same one twice
 * fires it once. Timers fire in timestamp order with their key and its state in scope.
 */
export interface TimerService {
  /** Wall-clock time of the operator (virtual in tests). */
  currentProcessingTime(): number;
  /** The operator's current event-time watermark (−Infinity before the first). */
  currentWatermark(): number;
  registerProcessingTimeTimer(time: number): void;
  registerEventTimeTimer(time: number): void;
  deleteProcessingTimeTimer(time: number): void;
  deleteEventTimeTimer(time: number): void;
}
