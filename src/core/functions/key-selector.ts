/**
 * Extracts the key of a record. Keys are compared by value: strings, numbers, booleans and
 * bigints as they are; arrays and plain objects through their JSON form (so `[a, b]` works as a
 * composite key).
 */
export type KeySelector<T, K> = (value: T) => K;
