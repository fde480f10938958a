// The order pages: plain browser JavaScript, GraphQL over HTTP for reads, graphql-transport-ws
// (the graphql-ws client, served by order-query) for live changes, order-command's HTTP API for
// placing. No build step and no CDN: everything comes from order-query.
const OrderPage = (() => {
  const config = window.OrderDaprConfig;
  const orderFields = 'id customerId status total currency version createdAt updatedAt paymentId trackingNumber cancellationReason items { productId quantity unitPrice }';

  async function graphql(query, variables) {
    const response = await fetch(config.graphql, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Accept': 'application/graphql-response+json' },
      body: JSON.stringify({ query, variables }),
    });
    const body = await response.json();
    if (body.errors) throw new Error(body.errors.map(e => e.message).join('; '));
    return body.data;
  }

  let socket;
  function subscribe(query, variables, onData) {
    socket ??= graphqlWs.createClient({
      url: new URL(config.graphql, location.href).href.replace(/^http/, 'ws'),
      retryAttempts: Infinity,
      shouldRetry: () => true,
    });
    return socket.subscribe({ query, variables }, {
      next: result => result.data && onData(result.data),
      error: error => console.error('subscription failed', error),
      complete: () => {},
    });
  }

  const text = (element, value) => { element.textContent = value ?? ''; return element; };
  const cell = value => text(document.createElement('td'), value);
  const money = order => `${Number(order.total).toFixed(2)} ${order.currency}`;
  const when = iso => new Date(iso).toLocaleString();

  function badge(element, status) {
    text(element, status);
    element.className = `badge ${status.toLowerCase().replace(/ /g, "-")}`;
    element.dataset.status = status;
    return element;
  }

  // One order, live.
  async function order(id) {
    text(document.getElementById('order-id'), id);
    let shown = 0;
    const render = o => {
      if (!o || o.version < shown) return;
      shown = o.version;
      badge(document.getElementById('status'), o.status);
      text(document.getElementById('version'), `version ${o.version}`);
      const details = document.getElementById('details');
      details.replaceChildren();
      for (const [term, value] of [
        ['Customer', o.customerId], ['Total', money(o)], ['Placed', when(o.createdAt)], ['Updated', when(o.updatedAt)],
        ['Payment', o.paymentId], ['Tracking', o.trackingNumber], ['Cancelled because', o.cancellationReason],
      ]) {
        if (value == null) continue;
        details.append(text(document.createElement('dt'), term), text(document.createElement('dd'), value));
      }
      document.querySelector('#items tbody').replaceChildren(...o.items.map(i => {
        const row = document.createElement('tr');
        row.append(cell(i.productId), cell(i.quantity), cell(Number(i.unitPrice).toFixed(2)));
        return row;
      }));
    };
    subscribe(`subscription($id: ID!) { orderChanged(id: $id) { ${orderFields} } }`, { id }, data => render(data.orderChanged));
    const data = await graphql(`query($id: ID!) { order(id: $id) { ${orderFields} } }`, { id });
    if (data.order) render(data.order);
    else if (shown === 0) badge(document.getElementById('status'), 'NOT FOUND');
  }

  // A customer's orders, newest first, paged with the cursor, live; and the form that places one.
  async function customerOrders() {
    const fromPath = location.pathname.match(/^\/customers\/([^/]+)/);
    const customerId = fromPath ? decodeURIComponent(fromPath[1]) : (new URLSearchParams(location.search).get('customer') || 'c-1');
    text(document.getElementById('customer-name'), customerId);
    document.querySelector('#place [name=customerId]').value = customerId;
    const rows = new Map();
    let total = 0;
    const showCount = count => { total = count; text(document.getElementById("count"), `${count} ${count === 1 ? "order" : "orders"} in all`); };
    const body = document.querySelector('#orders tbody');

    const upsert = (o, atTop) => {
      let row = rows.get(o.id);
      if (row && Number(row.dataset.version) > o.version) return;
      if (!row) {
        row = document.createElement('tr');
        row.dataset.orderId = o.id;
        rows.set(o.id, row);
        if (atTop) {
          body.prepend(row);
          showCount(total + 1);
        } else {
          body.append(row);
        }
      }
      row.dataset.version = o.version;
      const link = document.createElement('a');
      link.href = `/orders/${encodeURIComponent(o.id)}`;
      text(link, o.id.slice(0, 8));
      const status = document.createElement('td');
      status.append(badge(document.createElement('span'), o.status));
      const first = document.createElement('td');
      first.append(link);
      row.replaceChildren(first, status, cell(money(o)), cell(o.version), cell(when(o.createdAt)));
    };

    let after = null;
    const more = document.getElementById('more');
    const loadPage = async () => {
      const data = await graphql(
        `query($c: String!, $after: String) { orders(customerId: $c, first: 10, after: $after) { totalCount edges { node { ${orderFields} } } pageInfo { hasNextPage endCursor } } }`,
        { c: customerId, after });
      data.orders.edges.forEach(e => upsert(e.node, false));
      after = data.orders.pageInfo.endCursor;
      more.hidden = !data.orders.pageInfo.hasNextPage;
      showCount(Math.max(total, data.orders.totalCount));
    };
    more.addEventListener('click', loadPage);

    document.getElementById('place').addEventListener('submit', async event => {
      event.preventDefault();
      const form = new FormData(event.target);
      const placed = document.getElementById('placed');
      const response = await fetch(new URL('/orders', config.commandApi), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': crypto.randomUUID() },
        body: JSON.stringify({
          customerId: form.get('customerId'),
          items: [{ productId: form.get('productId'), quantity: Number(form.get('quantity')), unitPrice: Number(form.get('unitPrice')) }],
        }),
      });
      const answer = await response.json();
      if (!response.ok) {
        text(placed, `Refused: ${answer.detail ?? answer.title}`);
        return;
      }

      placed.replaceChildren('Placed ', Object.assign(document.createElement('a'), { href: `/orders/${answer.orderId}`, textContent: answer.orderId }));
      placed.dataset.orderId = answer.orderId;
      // Read-your-writes: answered as soon as the read model has the order.
      const data = await graphql(`query($id: ID!, $v: Int) { order(id: $id, atLeastVersion: $v) { ${orderFields} } }`, { id: answer.orderId, v: answer.version });
      if (data.order && data.order.customerId === customerId) upsert(data.order, true);
    });

    subscribe(`subscription($c: String!) { customerOrdersChanged(customerId: $c) { ${orderFields} } }`, { c: customerId },
      data => upsert(data.customerOrdersChanged, true));
    await loadPage();
  }

  return { order, customerOrders };
})();
