/**
 * Claims on client order ids across Node-RED instances that trade one exchange account: before an
 * order is sent, its id is claimed; an id another instance claimed is never sent again here. One
 * instance alone needs no claims (its own records refuse a repeated id): the account then has none.
 */
export interface OrderClaims {
  /** true: this instance may send the order; false: another instance owns this client order id. */
  claim(clientOrderId: string): Promise<boolean>;
}
