// Calls every operation of the kitchen through openapi-fetch, typed by
// the paths openapi-typescript generated from the kitchen's document
// (gen/openapi-typescript/kitchen.d.ts). tsc checks it against those
// types: a wrong type makes a line here, or an unused @ts-expect-error,
// fail to compile. node runs it against a live kitchen:
//
//	node dist/openapi-fetch.js BASE_URL STAFF_KEY CUSTOMER_TOKEN
import createClient from "openapi-fetch";

import { args, check, describeEvent, fail, readEvents, type Equal } from "./common";
import type { components, paths } from "./gen/openapi-typescript/kitchen";

type Schemas = components["schemas"];

// The event stream: the document's schema is one event's data.
type EventData = paths["/orders/{id}/events"]["get"]["responses"][200]["content"]["text/event-stream"];
const eventDataIsTheUnion: Equal<EventData, Schemas["OrderChange"] | Schemas["ItemChange"]> = true;

// Every operation of the document, by path and method: adding one to the
// kitchen without calling it here fails to compile.
type Method = "get" | "put" | "post" | "delete" | "patch";
type Operations = {
  [P in keyof paths]: { [M in Method as undefined extends paths[P][M] ? never : M]: string };
};
const operations: Operations = {
  "/customers": { post: "createCustomer" },
  "/customers/me/webhook": { put: "setWebhook", delete: "deleteWebhook" },
  "/dishes": { get: "listDishes", post: "createDish" },
  "/dishes/{id}": { get: "getDish", put: "replaceDish", patch: "patchDish", delete: "deleteDish" },
  "/livez": { get: "liveness" },
  "/orders": { get: "listOrders", post: "createOrder" },
  "/orders/{id}": { get: "getOrder" },
  "/orders/{id}/bill": { get: "getBill" },
  "/orders/{id}/cancel": { post: "cancelOrder" },
  "/orders/{id}/events": { get: "orderEvents" },
  "/readyz": { get: "readiness" },
};

async function main(): Promise<void> {
  check(eventDataIsTheUnion, "event data type");
  const { base, staffKey, token } = args();
  const staff = createClient<paths>({ baseUrl: base, headers: { "X-Staff-Key": staffKey } });
  const customer = createClient<paths>({ baseUrl: base, headers: { Authorization: `Bearer ${token}` } });
  const called = new Set<string>();
  const call = (op: string, status: number, want: number) => {
    called.add(op);
    check(status === want, `${op}: got ${status}, want ${want}`);
  };

  const live = await staff.GET("/livez");
  call("liveness", live.response.status, 200);
  const ready = await staff.GET("/readyz");
  call("readiness", ready.response.status, 200);

  // The menu, with the staff key.
  const created = await staff.POST("/dishes", {
    body: { name: "Gazpacho", price_cents: 750, station: "cold", prep_seconds: 1, tags: ["vegan", "cold-soup"] },
  });
  call("createDish", created.response.status, 201);
  check(created.data, "createDish: body");
  const dish: Schemas["Dish"] = created.data;
  check(dish.name === "Gazpacho" && dish.price_cents === 750, "createDish: the dish");
  let etag = created.response.headers.get("ETag") ?? "";
  check(etag !== "", "createDish: ETag");

  const list = await staff.GET("/dishes", { params: { query: { tag: ["vegan"], limit: 100, sort: "-price" } } });
  call("listDishes", list.response.status, 200);
  check(list.data?.items.some((d) => d.id === dish.id), "listDishes: the new dish is listed");

  const got = await staff.GET("/dishes/{id}", { params: { path: { id: dish.id } } });
  call("getDish", got.response.status, 200);
  check(got.data?.station === "cold", "getDish: the dish");
  const same = await staff.GET("/dishes/{id}", { params: { path: { id: dish.id }, header: { "If-None-Match": etag } } });
  check(same.response.status === 304, `getDish with If-None-Match: got ${same.response.status}, want 304`);
  const missing = await staff.GET("/dishes/{id}", { params: { path: { id: 999999 } } });
  check(missing.response.status === 404 && missing.error?.status === 404, "getDish: a missing dish is a 404 problem");

  const replaced = await staff.PUT("/dishes/{id}", {
    params: { path: { id: dish.id }, header: { "If-Match": etag } },
    body: { name: "Gazpacho", price_cents: 800, station: "cold", prep_seconds: 1 },
  });
  call("replaceDish", replaced.response.status, 200);
  check(replaced.data?.price_cents === 800, "replaceDish: the new price");
  etag = replaced.response.headers.get("ETag") ?? "";

  const patched = await staff.PATCH("/dishes/{id}", {
    params: { path: { id: dish.id }, header: { "If-Match": etag } },
    body: { description: "Cold tomato soup" },
  });
  call("patchDish", patched.response.status, 200);
  check(patched.data?.description === "Cold tomato soup" && patched.data.price_cents === 800, "patchDish: the change");
  etag = patched.response.headers.get("ETag") ?? "";

  const registered = await staff.POST("/customers", { body: { name: "Ann" } });
  call("createCustomer", registered.response.status, 201);
  check(registered.data && registered.data.token !== "", "createCustomer: a token");

  // A webhook endpoint on this machine (the kitchen runs with
  // -webhook-to loopback), removed at once.
  const hook = await customer.PUT("/customers/me/webhook", { body: { url: "http://127.0.0.1:9/kitchen-hooks" } });
  call("setWebhook", hook.response.status, 201);
  check(hook.data?.secret.startsWith("whsec_"), "setWebhook: a secret");
  const unhooked = await customer.DELETE("/customers/me/webhook");
  call("deleteWebhook", unhooked.response.status, 204);

  // Orders, as the demo customer; the first with an idempotency key, and
  // again: the same order.
  const key = { "Idempotency-Key": `"openapi-fetch-${Date.now()}"` };
  const body = { items: [{ dish_id: dish.id, quantity: 2 }], note: "No onions" };
  const order = await customer.POST("/orders", { params: { header: key }, body });
  call("createOrder", order.response.status, 202);
  const retried = await customer.POST("/orders", { params: { header: key }, body });
  check(retried.data?.id === order.data?.id && retried.response.headers.get("Idempotent-Replayed") === "true", "createOrder: the retry's answer");
  check(order.data, "createOrder: body");
  const id = order.data.id;

  const orders = await customer.GET("/orders", { params: { query: { limit: 5 } } });
  call("listOrders", orders.response.status, 200);
  check(orders.data?.items.some((o) => o.id === id), "listOrders: the new order");

  const one = await customer.GET("/orders/{id}", { params: { path: { id } } });
  call("getOrder", one.response.status, 200);
  check(one.data?.items[0]?.dish_id === dish.id, "getOrder: its line");

  // openapi-fetch parses bodies as JSON unless told otherwise: the
  // stream is read as one, and its events parsed here.
  const stream = await customer.GET("/orders/{id}/events", { params: { path: { id } }, parseAs: "stream" });
  call("orderEvents", stream.response.status, 200);
  check(stream.data, "orderEvents: a body");
  const seen: string[] = [];
  let last: EventData | undefined;
  for await (const raw of readEvents(stream.data)) {
    const ev = JSON.parse(raw.data) as EventData;
    check(raw.id === String(ev.seq), `orderEvents: id ${raw.id}, seq ${ev.seq}`);
    check(raw.event === ("line" in ev ? "item" : "order"), `orderEvents: event ${raw.event} for ${raw.data}`);
    // @ts-expect-error each event is one event's data, not an array of events
    void ev.length;
    seen.push(describeEvent(ev));
    last = ev;
  }
  check(last && !("line" in last) && last.status === "ready", `orderEvents: the stream ends with the order ready: ${seen.join("; ")}`);
  console.log(`openapi-fetch: ${seen.length} events: ${seen.join("; ")}`);

  const bill = await customer.GET("/orders/{id}/bill", { params: { path: { id }, query: { guests: 2, tip_percent: 10 } } });
  call("getBill", bill.response.status, 200);
  check(bill.data?.subtotal_cents === 1600 && bill.data.split.length === 2, "getBill: the bill");

  const second = await customer.POST("/orders", { body: { items: [{ dish_id: dish.id, quantity: 1 }] } });
  check(second.data, "createOrder: a second order");
  const cancelled = await customer.POST("/orders/{id}/cancel", { params: { path: { id: second.data.id } } });
  // 409 when the kitchen was faster than the cancellation.
  call("cancelOrder", cancelled.response.status, cancelled.response.status === 409 ? 409 : 200);
  check(cancelled.response.status === 409 || cancelled.data?.status === "cancelled", "cancelOrder: cancelled");

  const deleted = await staff.DELETE("/dishes/{id}", { params: { path: { id: dish.id }, header: { "If-Match": etag } } });
  call("deleteDish", deleted.response.status, 204);

  const all = Object.values(operations).flatMap((byMethod) => Object.values(byMethod) as string[]);
  const uncalled = all.filter((op) => !called.has(op));
  check(uncalled.length === 0, `operations not called: ${uncalled.join(", ")}`);
  console.log(`openapi-fetch: ${called.size} operations called`);
}

main().catch(fail);
