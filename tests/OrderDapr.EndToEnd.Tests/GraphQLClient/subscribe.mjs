// An independent GraphQL client, as a frontend would use one: reads the schema by introspection
// (graphql), checks the subscription document against it, subscribes over WebSocket with the
// graphql-transport-ws protocol (graphql-ws) and prints one JSON line per message received.
//   node subscribe.mjs <http://host:port/graphql> <orderId> <messages to wait for>
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { buildClientSchema, getIntrospectionQuery, parse, validate } from 'graphql';

const [url, orderId, wanted] = process.argv.slice(2);
const introspection = await (await fetch(url, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ query: getIntrospectionQuery() }),
})).json();
const schema = buildClientSchema(introspection.data);
const document = 'subscription($id: ID!) { orderChanged(id: $id) { id status version } }';
const errors = validate(schema, parse(document));
if (errors.length > 0) {
  console.log(JSON.stringify({ invalid: errors.map(e => e.message) }));
  process.exit(2);
}

const client = createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, lazy: false });
let received = 0;
const dispose = client.subscribe({ query: document, variables: { id: orderId } }, {
  next: message => {
    console.log(JSON.stringify({ receivedAt: Date.now(), ...message }));
    if (++received >= Number(wanted)) {
      dispose();
      client.dispose();
    }
  },
  error: error => {
    console.log(JSON.stringify({ error: String(error?.message ?? error?.reason ?? error) }));
    process.exit(1);
  },
  complete: () => {},
});
client.on('connected', () => console.log(JSON.stringify({ connected: true })));
