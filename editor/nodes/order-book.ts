/** The order book node in the editor: its spec, and a new node takes the flow's only exchange. */
import { orderBookSpec } from '../../nodes/tradebot-order-book/spec';
import { fromSpec } from '../shared/definition';
import { adoptOnlyConfig } from '../shared/validators';

export const orderBook = () =>
  fromSpec(orderBookSpec, {
    onadd: function () {
      adoptOnlyConfig(this, ['exchange']);
    },
  });
