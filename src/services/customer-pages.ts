/**
 * A dataset's customers page by page in id order, for work that walks a whole dataset (export,
 * migration between versions): the next page is requested while the current one is used, so the
 * database and the scoring overlap, and memory holds two pages whatever the dataset's size.
 */
import type { DatasetRepository, StoredCustomer } from '../domain/repositories.ts';

export async function* customerPages(datasets: Pick<DatasetRepository, 'pageCustomers'>, datasetId: string, pageRows: number): AsyncGenerator<StoredCustomer[]> {
  let pending: Promise<StoredCustomer[]> | null = datasets.pageCustomers(datasetId, null, pageRows);
  while (pending) {
    const page: StoredCustomer[] = await pending;
    pending = page.length === pageRows ? prefetched(datasets.pageCustomers(datasetId, page.at(-1)!.id, pageRows)) : null;
    yield page;
  }
}

/**
 * A read started ahead of its use: when the consumer stops first (a client went away), nobody awaits
 * it, and its failure must not become an unhandled rejection (which ends the process). Awaiting it
 * still throws.
 */
function prefetched<T>(read: Promise<T>): Promise<T> {
  read.catch(() => {});
  return read;
}
