/**
 * The HTTP API v1 contract: zod schemas for every request and answer, and their inferred types.
 * The server validates requests with them, the client parses answers with them, and the
 * OpenAPI document is generated from them. Objects are loose on answers, and push requests
 * drop the keys they do not know: a newer peer may add keys to either (DESIGN §5: "more keys
 * are welcome, none of these may change meaning"). Query strings stay strict: a misspelt
 * parameter is a mistake worth reporting. Values are checked per field against the tracker.
 */
import { z } from 'zod';
import { DEFAULT_DIGEST_LIMIT, DIGEST_FIELD_PATTERN, MAX_DIGEST_LIMIT } from '../digest.js';
import { FIELD_TYPES, STATUSES } from '../model/fields.js';
import { SHA256_PATTERN } from '../model/files.js';
import { MAX_SELECTOR_LENGTH } from '../model/selector.js';
import { CONTINUOUS_TIMEOUT_MS, FEED_KINDS, HEARTBEAT_MS, LONGPOLL_TIMEOUT_MS } from './live.js';

export const API_PREFIX = '/api/v1';
export const DEFAULT_PAGE_LIMIT = 1000;
export const MAX_PAGE_LIMIT = 10_000;
export const MAX_PUSH_CHANGES = 10_000;
export const NDJSON = 'application/x-ndjson';
export const JSON_MEDIA = 'application/json';
/** Raw bytes: attachment contents (DESIGN §14). */
export const OCTETS = 'application/octet-stream';
/** The largest change token: tokens are integers that JSON numbers hold exactly (2^53 - 1). */
export const MAX_TOKEN = Number.MAX_SAFE_INTEGER;

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: 'Error' });
export type ErrorBody = z.infer<typeof ErrorBody>;

/** An attachment of a files field (DESIGN §14): its content is the blob of that sha256 (GET …/blobs/{sha256}). */
export const FileRef = z
  .object({
    name: z.string(),
    size: z.number().int().min(0),
    type: z.string().meta({ description: 'a media type, e.g. image/png' }),
    sha256: z.string().regex(SHA256_PATTERN, '64 lowercase hex digits'),
  })
  .loose()
  .meta({ id: 'FileRef' });

export const FieldValue = z
  .union([z.string(), z.number(), z.boolean(), z.array(z.string()), z.array(FileRef), z.null()])
  .meta({ id: 'FieldValue' });
/** Values as sent: validated per field against the tracker's schema, not here. */
export const ValuesInput = z.record(z.string(), z.unknown()).meta({ id: 'Values' });
export const Status = z.enum(STATUSES).meta({ id: 'Status' });

export const Health = z.object({ status: z.literal('ok'), version: z.string() }).loose().meta({ id: 'Health' });
export type Health = z.infer<typeof Health>;

export const TrackerSummary = z
  .object({ id: z.number().int(), name: z.string(), description: z.string(), schemaHash: z.string() })
  .loose()
  .meta({ id: 'TrackerSummary' });
export type TrackerSummary = z.infer<typeof TrackerSummary>;

export const TrackerList = z.object({ trackers: z.array(TrackerSummary) }).loose().meta({ id: 'TrackerList' });
export type TrackerList = z.infer<typeof TrackerList>;

export const FieldDefSchema = z
  .object({
    name: z.string(),
    label: z.string(),
    type: z.enum(FIELD_TYPES),
    options: z.array(z.string()).optional(),
    required: z.boolean(),
    linkedTracker: z.number().int().optional(),
    key: z.boolean().optional().meta({ description: 'a key field: unique among live items; a pushed create holding a live item\'s key values is answered matched' }),
  })
  .loose()
  .meta({ id: 'Field' });

export const TrackerSchemaBody = z
  .object({
    id: z.number().int(),
    name: z.string(),
    description: z.string(),
    fields: z.array(FieldDefSchema),
    statuses: z.array(z.string()),
    schemaHash: z.string(),
  })
  .loose()
  .meta({ id: 'Tracker' });
export type TrackerSchemaBody = z.infer<typeof TrackerSchemaBody>;

export const ItemBody = z
  .object({
    id: z.number().int(),
    status: Status,
    version: z.number().int(),
    values: z.record(z.string(), FieldValue),
    updatedAt: z.string().optional(),
    updatedBy: z.string().nullable().optional(),
  })
  .loose()
  .meta({ id: 'Item' });
export type ItemBody = z.infer<typeof ItemBody>;

/** An item or tombstone in the change feed; `seq` is a valid resume token. */
export const Change = ItemBody.extend({ seq: z.number().int(), deleted: z.literal(true).optional() })
  .loose()
  .meta({ id: 'Change' });
export type Change = z.infer<typeof Change>;

/**
 * In a feed filtered by `where` (DESIGN §12): a change of an item that does not match the
 * selector. A clone drops its copy (never pushing a delete) or, holding unpushed edits, keeps it
 * as a conflict of kind `left`; a clone that never had the item ignores it.
 */
export const LeftMarker = z
  .object({ id: z.number().int(), seq: z.number().int(), left: z.literal(true) })
  .loose()
  .meta({ id: 'LeftMarker' });
export type LeftMarker = z.infer<typeof LeftMarker>;

/** One entry of the change feed: a change (an item or a tombstone), or the marker of an item that left a filtered feed. */
export const FeedEntry = z.union([LeftMarker, Change]).meta({ id: 'FeedEntry' });
export type FeedEntry = LeftMarker | Change;

export function isLeftMarker(entry: FeedEntry): entry is LeftMarker {
  return (entry as { left?: unknown }).left === true;
}

/** The path of a tracker's routes: `:id` is the tracker's id or its name. */
export const TrackerParams = z.object({ id: z.string().meta({ description: 'tracker id or name' }) });

export const ItemParams = TrackerParams.extend({
  itemId: z
    .string()
    .regex(/^(?!0+$)\d{1,15}$/, 'a positive integer of at most 15 digits')
    .transform(Number)
    .meta({ type: 'integer', minimum: 1, maximum: 10 ** 15 - 1, description: 'the item id' }),
});

/** A selector as a query parameter: checked against the tracker by the handler (shared/model/selector.ts). */
const Where = z
  .string()
  .max(MAX_SELECTOR_LENGTH, `at most ${MAX_SELECTOR_LENGTH} characters`)
  .meta({
    description:
      'a selector (JSON, the CouchDB/Mango subset $eq $ne $in $nin $gt $gte $lt $lte $exists $and $or on field names and status): ' +
      'only matching items; a change of any other item after the token comes as {"id","seq","left":true} (from token 0, not at all)',
    example: '{"status":"open","priority":{"$gte":3}}',
  });
/** A duration in the query: a non-negative integer of ms (clamped by shared/api/live.ts, so any size is accepted). */
const Milliseconds = z.string().regex(/^\d{1,15}$/, 'a duration in ms: a non-negative integer');

// Query values are strings on the wire; the document shows them as the integers they stand for.
export const ChangesQuery = z
  .object({
    since: z
      .string()
      .regex(/^\d+$/, { message: 'a change token: a non-negative integer', abort: true })
      // Beyond 2^53 - 1 a number is rounded by every JSON reader: refused, never rounded.
      .refine((v) => v.length <= 16 && Number(v) <= MAX_TOKEN, `a change token: at most ${MAX_TOKEN} (2^53 - 1)`)
      .optional()
      .meta({ type: 'integer', minimum: 0, maximum: MAX_TOKEN, description: 'a change token: the changes after it (0, the default, is the start of the feed)' }),
    limit: z
      .string()
      .regex(/^\d{1,6}$/, 'a positive integer')
      .refine((v) => Number(v) >= 1 && Number(v) <= MAX_PAGE_LIMIT, `between 1 and ${MAX_PAGE_LIMIT}`)
      .optional()
      .meta({ type: 'integer', minimum: 1, maximum: MAX_PAGE_LIMIT, description: `changes per page (default ${DEFAULT_PAGE_LIMIT}); a stream ignores it` }),
    where: Where.optional(),
    feed: z
      .enum(FEED_KINDS)
      .optional()
      .meta({ description: 'normal (the default) answers at once; longpoll waits for the first change after the token; continuous streams NDJSON: the backlog, then each change as it commits' }),
    timeout: Milliseconds.optional().meta({
      type: 'integer',
      minimum: 0,
      description: `ms: how long a longpoll waits (default ${LONGPOLL_TIMEOUT_MS.default}, at most ${LONGPOLL_TIMEOUT_MS.max}), or how long a continuous feed may stay without a change before it ends (default: no end; at most ${CONTINUOUS_TIMEOUT_MS.max}); larger values are clamped`,
    }),
    heartbeat: Milliseconds.optional().meta({
      type: 'integer',
      minimum: 0,
      description: `ms between the bare newlines of an idle continuous feed (default ${HEARTBEAT_MS.default}; clamped to ${HEARTBEAT_MS.min}–${HEARTBEAT_MS.max})`,
    }),
  })
  .strict();

export const ChangesPage = z
  .object({ changes: z.array(FeedEntry), next: z.number().int(), more: z.boolean() })
  .loose()
  .meta({ id: 'ChangesPage' });
export type ChangesPage = z.infer<typeof ChangesPage>;

export const DigestQuery = z
  .object({
    after: z
      .string()
      .regex(/^\d{1,15}$/, 'an item id: a non-negative integer')
      .optional()
      .meta({ type: 'integer', minimum: 0, description: 'the items with a greater id (0, the default, is the first page)' }),
    limit: z
      .string()
      .regex(/^\d{1,6}$/, 'a positive integer')
      .refine((v) => Number(v) >= 1 && Number(v) <= MAX_DIGEST_LIMIT, `between 1 and ${MAX_DIGEST_LIMIT}`)
      .optional()
      .meta({ type: 'integer', minimum: 1, maximum: MAX_DIGEST_LIMIT, description: `items per page (default ${DEFAULT_DIGEST_LIMIT}); fewer means the last page` }),
    where: Where.optional(),
    fields: z
      .string()
      .max(8192)
      .refine((v) => v === '' || v.split(',').every((name) => DIGEST_FIELD_PATTERN.test(name)), 'field names separated by commas')
      .optional()
      .meta({ description: 'the fields hashed with the status, in this order (default: every field of the tracker, in schema order)', example: 'title,priority' }),
  })
  .strict();

/** One item of a digest: its id, version and the hash of its status and the chosen fields (shared/digest.ts). */
export const DigestEntry = z.object({ id: z.number().int(), version: z.number().int(), hash: z.string() }).loose().meta({ id: 'DigestEntry' });
export type DigestEntry = z.infer<typeof DigestEntry>;
export const DigestPage = z.array(DigestEntry).meta({ id: 'DigestPage' });

/** The last line of an NDJSON change stream. */
export const StreamEnd = z.object({ next: z.number().int(), more: z.boolean() }).loose();

const IdempotencyKey = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');
const ItemId = z.number().int().positive();

export const CreateChange = z
  .object({
    op: z.literal('create'),
    idempotencyKey: IdempotencyKey,
    status: Status.optional(),
    values: ValuesInput,
  })
  .meta({ id: 'CreateChange' });

export const FieldChange = z.object({ base: z.unknown(), value: z.unknown() });

export const UpdateChange = z
  .object({
    op: z.literal('update'),
    id: ItemId,
    baseVersion: z.number().int().min(0),
    fields: z.record(z.string(), FieldChange),
    overwrite: z.boolean().optional(),
  })
  .meta({ id: 'UpdateChange' });

export const DeleteChange = z
  .object({
    op: z.literal('delete'),
    id: ItemId,
    baseVersion: z.number().int().min(0),
    overwrite: z.boolean().optional(),
  })
  .meta({ id: 'DeleteChange' });

export const PushChange = z.discriminatedUnion('op', [CreateChange, UpdateChange, DeleteChange]);
export type PushChange = z.infer<typeof PushChange>;
export type CreateChange = z.infer<typeof CreateChange>;
export type UpdateChange = z.infer<typeof UpdateChange>;
export type DeleteChange = z.infer<typeof DeleteChange>;

export const PushRequest = z
  .object({ changes: z.array(PushChange).max(MAX_PUSH_CHANGES) })
  .meta({ id: 'PushRequest' });
export type PushRequest = z.infer<typeof PushRequest>;

/** `matched`: a create whose key values are those of a live item (`id`, `item`); nothing was written (DESIGN §13). */
export const PUSH_RESULT_STATUSES = ['created', 'matched', 'updated', 'deleted', 'conflict', 'rejected'] as const;
export const PushResult = z
  .object({
    status: z.enum(PUSH_RESULT_STATUSES),
    id: z.number().int().optional(),
    version: z.number().int().optional(),
    /** The item as it now is on the remote (after a write, or the current one on a conflict); deleted items come as a tombstone. */
    item: Change.partial({ seq: true }).optional(),
    conflicts: z.array(z.string()).optional(),
    error: z.string().optional(),
  })
  .loose()
  .meta({ id: 'PushResult' });
export type PushResult = z.infer<typeof PushResult>;

export const PushResponse = z.object({ results: z.array(PushResult) }).loose().meta({ id: 'PushResponse' });
export type PushResponse = z.infer<typeof PushResponse>;

export const UserList = z.object({ users: z.array(z.string()) }).loose().meta({ id: 'UserList' });
export type UserList = z.infer<typeof UserList>;

/** The answer of GET /openapi.json: a document generated from shared/api/routes.ts. */
export const ApiDocument = z.object({ openapi: z.string(), info: z.object({ title: z.string(), version: z.string() }).loose(), paths: z.record(z.string(), z.unknown()) }).loose();
