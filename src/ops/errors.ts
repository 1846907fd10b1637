// The closed catalogue of problem `code`s: every code the API can answer, its HTTP status and what it
// means. The OpenAPI document (Problem.code is an enum of these), /docs and the tests all read it from
// here; test/catalogue.node.test.ts fails when src/ throws a code that is not listed.

export type ErrorEntry = {
  status: number;
  meaning: string;
  /** Extra problem fields this code carries, beyond type, title, status, detail, code, requestId. */
  fields?: string[];
  /** Headers the response carries. */
  headers?: string[];
  /** What a client should do. */
  action?: string;
};

/** Business rules a domain command can break: answered 409 with `code` and `rule` naming the rule. */
export const RULES: Record<string, string> = {
  // flights
  flight_already_scheduled: 'the flight is already scheduled',
  arrival_before_departure: 'scheduledArrival is not after scheduledDeparture',
  same_origin_and_destination: 'origin and destination are the same airport',
  departure_date_mismatch: "the flight id's date is not the local departure date at the origin (from the airport's time zone)",
  flight_not_scheduled: 'the flight was never scheduled',
  invalid_status_transition: 'the flight cannot go from its status to the requested one (e.g. Boarding → CheckInOpen)',
  flight_closed: 'the flight is Arrived or Cancelled: no status follows',
  turnaround_finished: 'the turnaround ended with OffBlock',
  milestone_already_recorded: 'this milestone is already recorded',
  milestone_before_on_block: 'a milestone comes before OnBlock, or is timed before it',
  milestone_out_of_order: 'a milestone that finishes something needs its start first (LoadingCompleted needs LoadingStarted, PushbackRequested needs DoorsClosed, …)',
  // shipments
  status_after_delivery: 'after DLV only DIS (or the rest of a split delivery) is accepted',
  location_required: 'a DLV names where it happened (`location`)',
  delivery_before_receipt: 'the shipment was not received (RCS or RCF) at the airport of the delivery',
  delivered_exceeds_received: 'more pieces would be delivered than were received at that airport',
  // baggage
  tag_already_issued: 'the bag tag was already issued',
  tag_not_issued: 'the bag tag was never issued',
  bag_already_claimed: 'the bag was claimed by its passenger: no scan follows',
  flight_not_on_itinerary: "the scan names a flight that is not on the bag's itinerary",
  loaded_before_acceptance: 'a bag is accepted before it is loaded',
  // ULDs
  uld_unserviceable: 'an unserviceable ULD cannot be loaded',
  uld_already_loaded: 'the ULD is loaded for a flight; unload it first',
  uld_load_empty: 'a load lists shipments or bags',
  uld_load_unknown_items: 'a load lists shipments or bags that do not exist (field `missing` lists them)',
  uld_not_loaded: 'the ULD is not loaded',
  uld_loaded_for_other_flight: 'the ULD is loaded for another flight than the one named',
  uld_status_unchanged: 'the ULD already has that serviceability',
  uld_loaded: 'unload the ULD before taking it out of service',
  // equipment
  equipment_faulty: 'the equipment has a reported fault',
  equipment_already_assigned: 'the equipment is assigned already',
  equipment_not_assigned: 'the equipment is not assigned',
  equipment_assigned_elsewhere: 'the equipment is assigned to another flight than the one named',
};

/** The rules each command can break (and so the 409 codes it can answer, besides concurrent_change). */
export const COMMAND_RULES: Record<string, string[]> = {
  ScheduleFlight: ['flight_already_scheduled', 'arrival_before_departure', 'same_origin_and_destination', 'departure_date_mismatch'],
  ChangeFlightStatus: ['flight_not_scheduled', 'invalid_status_transition', 'flight_closed'],
  RecordTurnaroundMilestone: ['turnaround_finished', 'milestone_already_recorded', 'milestone_before_on_block', 'milestone_out_of_order'],
  RecordShipmentStatus: ['status_after_delivery', 'location_required', 'delivery_before_receipt', 'delivered_exceeds_received'],
  IssueBagTag: ['tag_already_issued'],
  ScanBag: ['tag_not_issued', 'bag_already_claimed', 'flight_not_on_itinerary', 'loaded_before_acceptance'],
  ReportBagMishandled: ['tag_not_issued'],
  LoadUld: ['uld_unserviceable', 'uld_already_loaded', 'uld_load_empty', 'uld_load_unknown_items'],
  UnloadUld: ['uld_not_loaded', 'uld_loaded_for_other_flight'],
  ChangeUldStatus: ['uld_status_unchanged', 'uld_loaded'],
  AssignEquipment: ['equipment_faulty', 'equipment_already_assigned'],
  ReleaseEquipment: ['equipment_not_assigned', 'equipment_assigned_elsewhere'],
  ReportEquipmentFault: [],
};

const RETRY = 'Retry after `Retry-After` seconds with the same request (the same event ids or Idempotency-Key): nothing is stored twice.';

export const ERRORS: Record<string, ErrorEntry> = {
  // 400
  validation_failed: {
    status: 400,
    meaning: 'the body, a path parameter or the query does not match its schema; `errors` lists every failing field (`path`, `message`)',
    fields: ['errors'],
    action: 'fix the fields named in `errors`',
  },
  malformed_json: { status: 400, meaning: 'the body is not valid JSON' },
  invalid_utf8: { status: 400, meaning: 'the body is not valid UTF-8' },
  incomplete_body: { status: 400, meaning: 'the body could not be read to its end (the client went away or the stream stopped short)' },
  bad_request: { status: 400, meaning: 'the request could not be read (framework-level error)' },
  invalid_stream_id: {
    status: 400,
    meaning: 'the stream id breaks an identifier rule; `rule` names it (entity_type, awb_check_digit, flight_date, …)',
    fields: ['rule'],
  },
  invalid_entity_id: {
    status: 400,
    meaning: "the entity id in a command's path breaks its type's identifier rule; `rule` names it",
    fields: ['rule'],
  },
  invalid_header: {
    status: 400,
    meaning: 'a header has the wrong format: If-Match (`"<n>"` or `*`), If-None-Match (`*` or quoted entity tags), X-Correlation-Id or X-Causation-Id (UUID), Idempotency-Key (1-200 visible ASCII characters)',
  },
  conflicting_expected_version: { status: 400, meaning: 'If-Match and `expectedVersion` are both given and disagree' },
  conflicting_idempotency_key: { status: 400, meaning: 'the Idempotency-Key header and `commandId` are both given and disagree' },
  invalid_cursor: { status: 400, meaning: 'the cursor is not one this API returned' },
  invalid_range: { status: 400, meaning: '`from` is not before `to`, or the range has more than 1,000 buckets' },
  // 401, 403
  unauthorized: {
    status: 401,
    meaning: 'no bearer token, or one that does not verify (signature, issuer, audience, expiry, tenant claim, carriers claim)',
    headers: ['WWW-Authenticate'],
    action: 'get a new token from the issuer',
  },
  insufficient_scope: { status: 403, meaning: 'the token lacks the scope the route needs', headers: ['WWW-Authenticate'] },
  partner_read_only: { status: 403, meaning: 'a partner token (with a carriers claim) tried to write, or to reach an admin route' },
  // 404, 405
  not_found: {
    status: 404,
    meaning: 'no such entity, read model row, dead letter or route; to a partner token also anything not tied to its carriers (never a 403)',
  },
  stream_not_found: { status: 404, meaning: 'the stream has no events (or, to a partner token, is not tied to its carriers)' },
  method_not_allowed: { status: 405, meaning: 'the path exists under other methods; `Allow` lists them', headers: ['Allow'] },
  // 410
  stream_archived: {
    status: 410,
    meaning: "the stream passed its tenant's retention and its events were moved to the archive at `archivedAt`: it is neither read nor written any more (an append or command would leave a gap in its history)",
    fields: ['archivedAt'],
    action: 'do not retry; an operator can restore the events from the archive if they are needed again',
  },
  // 409
  wrong_expected_version: {
    status: 409,
    meaning: 'the stream is not at the expected version (`expectedVersion`, or If-Match on appends and commands); `currentVersion` says where it is',
    fields: ['currentVersion'],
    action: 'read the stream from `currentVersion`, decide again, and append with the new expected version',
  },
  event_id_conflict: {
    status: 409,
    meaning:
      'an event id is already stored with other content or on another stream (`eventIds` lists them), or only some ids of the request are stored',
    fields: ['currentVersion', 'eventIds'],
    action: 'send the stored events exactly as they were, or only the new ones, or use new ids for new facts',
  },
  concurrent_change: { status: 409, meaning: 'a command found the stream changing under it three times in a row', action: 'retry the command' },
  rebuild_in_progress: { status: 409, meaning: 'a rebuild of this read model is already running; follow it at `GET /v1/admin/projections/{name}`' },
  unknown_projection: { status: 409, meaning: 'the read model is not registered (names are validated first, so a 400 comes before this)' },
  ...Object.fromEntries(
    Object.entries(RULES).map(([code, meaning]) => [
      code,
      { status: 409, meaning: `rule: ${meaning}`, fields: code === 'uld_load_unknown_items' ? ['rule', 'missing'] : ['rule'] },
    ]),
  ),
  // 413, 415, 426, 429
  upgrade_required: { status: 426, meaning: 'a WebSocket route was called without `Upgrade: websocket` (use /v1/subscriptions/sse for plain HTTP)', headers: ['Upgrade'] },
  too_many_subscriptions: {
    status: 429,
    meaning: 'the token subject has as many open live subscriptions as it may (10 per subject and tenant)',
    headers: ['Retry-After'],
    action: 'close a subscription you no longer need (one subscription with several filters, or none, often does)',
  },
  rate_limited: {
    status: 429,
    meaning: 'the token subject (`scope`: `token`) or its whole tenant (`scope`: `tenant`) sent more requests than its limit allows in the current window; nothing was done',
    fields: ['scope'],
    headers: ['Retry-After'],
    action: 'wait `Retry-After` seconds, then send the same request again (same event ids or Idempotency-Key); spread bursts out, e.g. upload a site buffer with one batch instead of many appends',
  },
  payload_too_large: { status: 413, meaning: 'the body is larger than the route takes: 1 MiB for an append, 5 MiB for a batch, 64 KiB for a command' },
  too_many_events: { status: 413, meaning: 'a batch carries more than 500 events in all' },
  unsupported_media_type: { status: 415, meaning: 'the body is not sent as `application/json`', headers: ['Accept'] },
  unsupported_charset: { status: 415, meaning: 'the body is declared in a charset other than UTF-8', headers: ['Accept'] },
  // 422
  unknown_event_type: { status: 422, meaning: 'the event type is not in the catalog', fields: ['errors'] },
  event_not_allowed_for_stream: { status: 422, meaning: "the event type belongs to another entity type's streams (a BagScanned on a shipment stream)", fields: ['errors'] },
  unknown_schema_version: { status: 422, meaning: 'the event type has no such schema version', fields: ['errors'] },
  invalid_event_data: { status: 422, meaning: "`data` does not match the schema of its type and version; `errors` names the fields", fields: ['errors'] },
  invalid_value: { status: 422, meaning: 'a value passed validation but Postgres cannot store it' },
  forbidden_key: { status: 422, meaning: 'a key of the body names object internals (`__proto__`, `constructor`, `prototype`)', fields: ['errors'] },
  idempotency_key_reused: {
    status: 422,
    meaning: 'the idempotency key (Idempotency-Key or `commandId`) was first used with another command or body; a key answers only the request it was first used with',
    action: 'use a new key for a new command',
  },
  // 500, 503
  internal_error: { status: 500, meaning: 'something went wrong on our side; quote the `requestId`', action: RETRY },
  database_unavailable: { status: 503, meaning: 'Postgres is unreachable, restarting or full', headers: ['Retry-After'], action: RETRY },
  stream_unavailable: { status: 503, meaning: "the stream's object could not be reached or is overloaded", headers: ['Retry-After'], action: RETRY },
  subscriptions_full: { status: 503, meaning: "the tenant's subscription hub has as many open subscriptions as it serves (5,000)", headers: ['Retry-After'], action: RETRY },
  auth_unavailable: { status: 503, meaning: "the issuer's keys could not be fetched to check the token", headers: ['Retry-After'], action: RETRY },
};

export const ERROR_CODES = Object.keys(ERRORS);

/** Codes answered with a given status. */
export const codesWithStatus = (status: number) => ERROR_CODES.filter((c) => ERRORS[c]!.status === status);
