/** Data hooks: a value polled from the API, re-fetched every `intervalMs`. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

/** The state of a polled value. */
export interface Polled<T> {
  readonly data: T | undefined;
  readonly error: Error | undefined;
  /** Fetches now (after an action). */
  readonly refresh: () => void;
}

/** Polls `load` every `intervalMs` (0: once) while the component is mounted. */
export function usePoll<T>(
  load: () => Promise<T>,
  intervalMs: number,
  deps: readonly unknown[] = [],
): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const alive = useRef(true);
  const loadRef = useRef(load);
  loadRef.current = load;
  const fetchNow = useCallback(() => {
    loadRef.current().then(
      (d) => {
        if (!alive.current) return;
        setData(d);
        setError(undefined);
      },
      (e: unknown) => {
        if (alive.current) setError(e instanceof Error ? e : new Error(String(e)));
      },
    );
  }, []);
  useEffect(() => {
    alive.current = true;
    setData(undefined);
    fetchNow();
    const t = intervalMs > 0 ? setInterval(fetchNow, intervalMs) : undefined;
    return () => {
      alive.current = false;
      if (t !== undefined) clearInterval(t);
    };
  }, deps);
  return { data, error, refresh: fetchNow };
}
