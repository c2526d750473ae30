// What the iOS and web apps do with the API, written against types generated from the
// OpenAPI document (`api.d.ts`, from openapi-typescript). `tsc --noEmit` must accept it:
// a field the apps read that the document drops, or a body shape it changes, fails here
// first (tests/contract/test_typed_client.py).
import createClient from "openapi-fetch";
import type { components, paths } from "./api";

type Problem = components["schemas"]["Problem"];
type Batch = components["schemas"]["BatchOut"];
type Reminder = components["schemas"]["ReminderOut"];

export type Kefir = ReturnType<typeof kefir>;
/** The IANA names the API accepts (the document enumerates them). */
export type TimeZone = NonNullable<
  NonNullable<paths["/batches"]["post"]["parameters"]["header"]>["x-time-zone"]
>;

/** The device's zone as the platform names it; the API answers 400 for a name it lacks. */
export function deviceZone(): TimeZone {
  return Intl.DateTimeFormat().resolvedOptions().timeZone as TimeZone;
}

export function kefir(baseUrl: string, accessToken: string) {
  return createClient<paths>({
    baseUrl,
    headers: { Authorization: `Bearer ${accessToken}` },
  });
}

/** A problem's field errors keyed by field, for the form to show under its inputs. */
export function fieldMessages(problem: Problem): Record<string, string> {
  const messages: Record<string, string> = {};
  for (const error of problem.errors ?? []) {
    messages[error.field] = error.message;
  }
  return messages;
}

/** API Gateway's own answer to a missing or expired token (in AWS), before the app. */
type GatewayRefusal = { message: string };

export class SignedOut extends Error {}

/** The app's problem; a gateway refusal means the user must sign in again. */
export function problemOf(error: Problem | GatewayRefusal): Problem {
  if ("type" in error) {
    return error;
  }
  throw new SignedOut(error.message);
}

export class ApiProblem extends Error {
  constructor(readonly problem: Problem) {
    super(`${problem.status} ${problem.title}: ${problem.detail ?? ""}`);
  }
}

/** Start a batch; the answer carries the reminders the app may offer right away. */
export async function startBatch(client: Kefir, name: string, zone: TimeZone) {
  const { data, error } = await client.POST("/batches", {
    params: { header: { "x-time-zone": zone } },
    body: { name, kind: "milk_kefir", startedAt: new Date().toISOString(), temperatureC: 22 },
  });
  if (error) {
    throw new ApiProblem(problemOf(error));
  }
  const id: string = data.id;
  const version: number = data.version;
  const suggestionKeys: string[] = data.suggestions.map((s) => s.key);
  return { id, version, suggestionKeys, batch: data };
}

/** Log a pH measurement; an invalid value comes back as a field error. */
export async function measure(client: Kefir, batchId: string, ph: number) {
  const { data, error } = await client.POST("/batches/{batch_id}/events", {
    params: { path: { batch_id: batchId } },
    body: { type: "measure", ph, occurredAt: new Date().toISOString() },
  });
  if (error) {
    return { eventId: null, problems: fieldMessages(problemOf(error)) };
  }
  const occurredAt: string = data.occurredAt;
  return { eventId: data.id, occurredAt, problems: {} };
}

/** Every batch, page by page, following `nextCursor` until there is none. */
export async function allBatches(client: Kefir): Promise<Batch[]> {
  const batches: Batch[] = [];
  let cursor: string | undefined;
  do {
    const { data, error } = await client.GET("/batches", {
      params: { query: cursor === undefined ? { limit: 100 } : { limit: 100, cursor } },
    });
    if (error) {
      throw new ApiProblem(problemOf(error));
    }
    batches.push(...data.items);
    cursor = data.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return batches;
}

/** Confirm a suggested reminder at the time the app showed (201, or 200 when repeated). */
export async function confirmSuggestion(
  client: Kefir,
  batchId: string,
  suggestionKey: string,
  dueAt: string,
): Promise<Reminder> {
  const { data, error } = await client.POST("/batches/{batch_id}/reminders/confirm", {
    params: { path: { batch_id: batchId } },
    body: { suggestionKey, dueAt },
  });
  if (error) {
    throw new ApiProblem(problemOf(error));
  }
  const when: Date = new Date(data.dueAt);
  console.log(`reminder ${data.id} (${data.status}) at ${when.toISOString()}`);
  return data;
}
