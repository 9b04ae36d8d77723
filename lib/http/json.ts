/**
 * What a value becomes once a route's answer is serialized with `JSON.stringify`: a Date is its
 * ISO string, functions and symbols go. The console and the portal type their API calls with it,
 * over the types the server's modules give their answers, so neither keeps a copy that can drift.
 */
export type Json<T> = unknown extends T
  ? unknown
  : T extends Date
    ? string
    : T extends string | number | boolean | null | undefined
      ? T
      : T extends ReadonlyArray<infer U>
        ? Array<Json<U>>
        : T extends object
          ? { [K in keyof T as T[K] extends (...args: never[]) => unknown ? never : K]: Json<T[K]> }
          : never;
