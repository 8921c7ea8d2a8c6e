/** Combines two values of the same key into one. */
export type ReduceFunction<T> = (accumulated: T, value: T) => T;
