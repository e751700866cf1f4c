/** Groups an async stream into arrays of at most `size`, holding one group in memory at a time. */
export async function* pages<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let page: T[] = [];
  for await (const item of items) {
    page.push(item);
    if (page.length >= size) {
      yield page;
      page = [];
    }
  }
  if (page.length > 0) yield page;
}

/**
 * Like `for await`, but fetches the next page while `handle` works on the current one, so listing
 * and the per-page SQL/delete round trips overlap instead of adding up. Memory: two pages at most.
 */
export async function eachWithLookahead<T>(items: AsyncIterable<T>, handle: (item: T) => Promise<void>): Promise<void> {
  const it = items[Symbol.asyncIterator]();
  let next = it.next();
  try {
    for (;;) {
      const current = await next;
      if (current.done) return;
      next = it.next();
      await handle(current.value);
    }
  } catch (err) {
    // The prefetch may reject too; its error is secondary to the one being thrown.
    next.catch(() => {});
    await it.return?.();
    throw err;
  }
}

/** Runs `fn` over `items` with at most `limit` calls in flight; results keep the input order. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let i = 0;
  const worker = async () => {
    while (i < items.length) {
      const idx = i++;
      out[idx] = await fn(items[idx]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
