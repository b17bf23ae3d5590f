// Helpers the drivers share: a check that fails the run, a reader of
// server-sent events for clients that hand over the raw stream, and a
// type-level equality test.

// The little of node's globals the drivers use (no @types/node needed).
declare const process: { argv: string[]; exitCode?: number };

/** fail reports err and makes node exit with status 1. */
export function fail(err: unknown): void {
  console.error(err);
  process.exitCode = 1;
}

/** Equal is true when A and B are the same type, false otherwise. */
export type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** check throws when cond is false, naming what failed. */
export function check(cond: unknown, what: string): asserts cond {
  if (!cond) {
    throw new Error("check failed: " + what);
  }
}

/** A server-sent event as it travels: every field is text. */
export interface RawEvent {
  event: string;
  id: string;
  data: string;
}

/**
 * readEvents parses a text/event-stream body as the HTML standard says
 * (fields "event", "data", "id"; comments and "retry" skipped), yielding
 * each event that has data.
 */
export async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<RawEvent> {
  const reader = body.getReader();
  const text = new TextDecoder();
  let buf = "";
  let ev: RawEvent = { event: "message", id: "", data: "" };
  let data: string[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      return;
    }
    buf += text.decode(value, { stream: true });
    let nl: number;
    while ((nl = buf.search(/\r\n|\r|\n/)) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + (buf.startsWith("\r\n", nl) ? 2 : 1));
      if (line === "") {
        if (data.length > 0) {
          yield { ...ev, data: data.join("\n") };
        }
        ev = { event: "message", id: ev.id, data: "" };
        data = [];
        continue;
      }
      if (line.startsWith(":")) {
        continue;
      }
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      let val = colon < 0 ? "" : line.slice(colon + 1);
      if (val.startsWith(" ")) {
        val = val.slice(1);
      }
      switch (field) {
        case "event":
          ev.event = val;
          break;
        case "data":
          data.push(val);
          break;
        case "id":
          ev.id = val;
          break;
      }
    }
  }
}

/**
 * describeEvent describes the data of an order's event: an ItemChange
 * has a line and a dish, an OrderChange has not. The drivers pass their
 * generated types, which must fit.
 */
export function describeEvent(ev: { seq: number; status: string; line?: number; dish?: string }): string {
  if (ev.line !== undefined) {
    return `item ${ev.seq}: line ${ev.line} (${ev.dish}) ${ev.status}`;
  }
  return `order ${ev.seq}: ${ev.status}`;
}

/** args returns the base URL, staff key and customer token from argv. */
export function args(): { base: string; staffKey: string; token: string } {
  const [base, staffKey, token] = process.argv.slice(2);
  if (!base || !staffKey || !token) {
    throw new Error("usage: node DRIVER.js BASE_URL STAFF_KEY CUSTOMER_TOKEN");
  }
  return { base, staffKey, token };
}
