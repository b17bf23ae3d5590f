// Calls every operation of the kitchen through the SDK @hey-api/openapi-ts
// generated from the kitchen's document (gen/hey-api, with its fetch
// client). tsc checks it against the generated types: a wrong type makes
// a line here, or an unused @ts-expect-error, fail to compile. node runs
// it against a live kitchen:
//
//	node dist/hey-api.js BASE_URL STAFF_KEY CUSTOMER_TOKEN
import { args, check, describeEvent, fail, type Equal } from "./common";
import { createClient, createConfig } from "./gen/hey-api/client";
import * as sdk from "./gen/hey-api/sdk.gen";
import type { Dish, ItemChange, OrderChange } from "./gen/hey-api/types.gen";

// Each value the event stream yields is one event's data. hey-api adds
// void for the 204 a reconnection to a finished order's stream gets,
// which carries no event.
type Yielded = Exclude<Awaited<ReturnType<typeof sdk.orderEvents>>["stream"] extends AsyncGenerator<infer T> ? T : never, void | undefined>;
const yieldsTheUnion: Equal<Yielded, OrderChange | ItemChange> = true;

// Every function of the SDK: adding an operation to the kitchen without
// calling it here fails to compile.
const operations: Record<keyof typeof sdk, true> = {
  cancelOrder: true, createCustomer: true, createDish: true, createOrder: true, deleteDish: true, deleteWebhook: true,
  getBill: true, getDish: true, getOrder: true, listDishes: true, listOrders: true, liveness: true,
  orderEvents: true, patchDish: true, readiness: true, replaceDish: true, setWebhook: true,
};

async function main(): Promise<void> {
  check(yieldsTheUnion, "event data type");
  const { base, staffKey, token } = args();
  // The SDK asks auth for each security scheme an operation names.
  const client = createClient(createConfig({
    baseUrl: base,
    auth: (a) => (a.type === "apiKey" ? staffKey : token),
  }));
  const called = new Set<string>();
  const call = (op: keyof typeof sdk, status: number, want: number) => {
    called.add(op);
    check(status === want, `${op}: got ${status}, want ${want}`);
  };
  // A result's response is undefined only when fetch itself failed.
  const status = (r: { response?: Response }) => r.response?.status ?? 0;
  const header = (r: { response?: Response }, name: string) => r.response?.headers.get(name) ?? "";

  const live = await sdk.liveness({ client });
  call("liveness", status(live), 200);
  const ready = await sdk.readiness({ client });
  call("readiness", status(ready), 200);

  const created = await sdk.createDish({
    client, body: { name: "Salmorejo", price_cents: 650, station: "cold", prep_seconds: 1, tags: ["vegan"] },
  });
  call("createDish", status(created), 201);
  check(created.data, "createDish: body");
  const dish: Dish = created.data;
  let etag = header(created, "ETag");

  const list = await sdk.listDishes({ client, query: { tag: ["vegan"], limit: 100 } });
  call("listDishes", status(list), 200);
  check(list.data?.items.some((d) => d.id === dish.id), "listDishes: the new dish is listed");

  const got = await sdk.getDish({ client, path: { id: dish.id } });
  call("getDish", status(got), 200);
  check(got.data?.name === "Salmorejo", "getDish: the dish");
  const missing = await sdk.getDish({ client, path: { id: 999999 } });
  check(status(missing) === 404 && missing.error?.status === 404, "getDish: a missing dish is a 404 problem");

  const replaced = await sdk.replaceDish({
    client, path: { id: dish.id }, headers: { "If-Match": etag },
    body: { name: "Salmorejo", price_cents: 700, station: "cold", prep_seconds: 1 },
  });
  call("replaceDish", status(replaced), 200);
  etag = header(replaced, "ETag");

  const patched = await sdk.patchDish({ client, path: { id: dish.id }, headers: { "If-Match": etag }, body: { available: true } });
  call("patchDish", status(patched), 200);
  check(patched.data?.price_cents === 700, "patchDish: the dish");
  etag = header(patched, "ETag");

  const registered = await sdk.createCustomer({ client, body: { name: "Bo" } });
  call("createCustomer", status(registered), 201);
  check(registered.data?.token, "createCustomer: a token");

  // A webhook endpoint on this machine (the kitchen runs with
  // -webhook-to loopback), removed at once.
  const hook = await sdk.setWebhook({ client, body: { url: "http://127.0.0.1:9/kitchen-hooks" } });
  call("setWebhook", status(hook), 201);
  check(hook.data?.secret.startsWith("whsec_"), "setWebhook: a secret");
  const unhooked = await sdk.deleteWebhook({ client });
  call("deleteWebhook", status(unhooked), 204);

  const order = await sdk.createOrder({ client, body: { items: [{ dish_id: dish.id, quantity: 1 }] } });
  call("createOrder", status(order), 202);
  check(order.data, "createOrder: body");
  const id = order.data.id;

  const orders = await sdk.listOrders({ client });
  call("listOrders", status(orders), 200);
  check(orders.data?.items.some((o) => o.id === id), "listOrders: the new order");

  const one = await sdk.getOrder({ client, path: { id } });
  call("getOrder", status(one), 200);

  // The SDK's event client parses each event's data as JSON.
  const names: string[] = [];
  const errors: unknown[] = [];
  const { stream } = await sdk.orderEvents({
    client, path: { id }, sseMaxRetryAttempts: 1,
    onSseEvent: (e) => names.push(e.event ?? "message"),
    onSseError: (err) => errors.push(err),
  });
  const seen: string[] = [];
  let last: Yielded | undefined;
  for await (const ev of stream) {
    if (!ev) {
      continue; // the 204's "no event"
    }
    // @ts-expect-error each event is one event's data, not an array of events
    void ev.length;
    seen.push(describeEvent(ev));
    last = ev;
  }
  called.add("orderEvents");
  check(errors.length === 0, `orderEvents: ${errors.join("; ")}`);
  check(names.join() === seen.map((s) => s.split(" ")[0]).join(), `orderEvents: event names ${names.join()} for ${seen.join("; ")}`);
  check(last && !("line" in last) && last.status === "ready", `orderEvents: the stream ends with the order ready: ${seen.join("; ")}`);
  console.log(`hey-api: ${seen.length} events: ${seen.join("; ")}`);

  const bill = await sdk.getBill({ client, path: { id }, query: { guests: 1 } });
  call("getBill", status(bill), 200);
  check(bill.data?.total_cents === 700, "getBill: the total");

  const second = await sdk.createOrder({ client, body: { items: [{ dish_id: dish.id, quantity: 3 }] } });
  check(second.data, "createOrder: a second order");
  const cancelled = await sdk.cancelOrder({ client, path: { id: second.data.id } });
  call("cancelOrder", status(cancelled), status(cancelled) === 409 ? 409 : 200);

  const deleted = await sdk.deleteDish({ client, path: { id: dish.id }, headers: { "If-Match": etag } });
  call("deleteDish", status(deleted), 204);

  const uncalled = Object.keys(operations).filter((op) => !called.has(op));
  check(uncalled.length === 0, `operations not called: ${uncalled.join(", ")}`);
  console.log(`hey-api: ${called.size} operations called`);
}

main().catch(fail);
