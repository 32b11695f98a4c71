const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * `source`'s values through `map`, then `onEnd` once, however the iteration ends: the source
 * finishing or failing, the reader returning early, or `map` throwing (the source is then
 * returned too). What `async function* { for await (…) yield map(…) }` does, without a second
 * generator: each value of a stream that lives as long as its tab cost two more generator hops
 * and their promises, per event and per open stream (bench/README.md).
 */
export function mappedEvents<T, U>(
  source: AsyncGenerator<T, void, undefined>,
  map: (value: T) => U,
  onEnd: () => void,
): AsyncIterableIterator<U> {
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    onEnd();
  };
  const finishWith = (error: unknown): never => {
    end();
    throw error;
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    next() {
      if (ended) return Promise.resolve(DONE);
      return source.next().then((result): IteratorResult<U, undefined> => {
        if (result.done) {
          end();
          return DONE;
        }
        try {
          return { done: false, value: map(result.value) };
        } catch (error) {
          // The generator's own cleanup (its `finally`) runs before the reader hears of it.
          return source.return(undefined).then(
            () => finishWith(error),
            () => finishWith(error),
          ) as never;
        }
      }, finishWith);
    },
    return() {
      if (ended) return Promise.resolve(DONE);
      return source.return(undefined).then(() => {
        end();
        return DONE;
      }, finishWith);
    },
    throw(error: unknown) {
      if (ended) return Promise.reject(error);
      return source.throw(error).then(() => {
        end();
        return DONE;
      }, finishWith);
    },
  };
}
