// Relay connections read to the end. The server caps a page at 100 items, so a long history (sessions, or the
// messages of a long conversation) is fetched page by page until pageInfo.hasNextPage is false.

/** Items per request; the server's maximum. */
export const PAGE_SIZE = 100;

/**
 * Every node of a connection, in the server's order. `fetchPage(after)` resolves to a connection
 * ({edges, pageInfo}); pass `firstPage` when the first page came with another query.
 */
export async function allNodes(fetchPage, firstPage = null) {
  const nodes = [];
  let page = firstPage || (await fetchPage(null));
  for (;;) {
    nodes.push(...page.edges.map((e) => e.node));
    const { hasNextPage, endCursor } = page.pageInfo;
    if (!hasNextPage || !endCursor) return nodes;
    page = await fetchPage(endCursor);
  }
}
