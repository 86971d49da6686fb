import {
  boolean,
  char,
  customType,
  foreignKey,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uuid,
  type PgTextBuilderInitial,
} from 'drizzle-orm/pg-core'
import { plainImportFields, type PlainStagedKey } from '../../../contracts/fields.ts'
import {
  importStatuses,
  type ColumnMapping,
  type ImportSummary,
  type ImportUndo,
  type ResolvedRead,
  type ValueMap,
} from '../../../contracts/imports.ts'
import { actorKind } from './audit.ts'
import { contactRole } from './contacts.ts'
import { organizations } from './organizations.ts'

/** The staging columns of the catalogue's plain text fields (src/contracts/fields.ts). */
const stagedText = Object.fromEntries(
  plainImportFields.map(({ key, column }) => [key, text(column)]),
) as Record<PlainStagedKey, PgTextBuilderInitial<'', [string, ...string[]]>>

const bytea = customType<{ data: Buffer }>({ dataType: () => 'bytea' })

/** uploaded → mapped → queued → running → completed | failed | cancelled (see imports/lifecycle.ts). */
export const importStatus = pgEnum('import_status', importStatuses)

export const imports = pgTable(
  'imports',
  {
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    id: uuid().notNull().defaultRandom(),
    actorKind: actorKind('actor_kind').notNull(),
    actorId: uuid('actor_id'),
    actorLabel: text('actor_label').notNull(),
    fileName: text('file_name').notNull(),
    fileSize: integer('file_size').notNull(),
    fileSha256: text('file_sha256').notNull(),
    // How the file is read (format, encoding, separator, sheet, header row) and what it holds.
    read: jsonb().$type<ResolvedRead>().notNull(),
    columns: jsonb().$type<string[]>().notNull(),
    mapping: jsonb().$type<ColumnMapping>(),
    // What the file's values mean where no list knows them (its roles), remembered by later imports.
    valueMap: jsonb('value_map').$type<ValueMap>(),
    status: importStatus().notNull().default('uploaded'),
    linesRead: integer('lines_read').notNull().default(0),
    linesTotal: integer('lines_total'),
    linesDone: integer('lines_done').notNull().default(0),
    // Resumable apply: lines are staged once per run, then merged chunk by chunk; a chunk's
    // merge and this counter commit together, so a restarted job carries on after the last one.
    stagedAt: timestamp('staged_at', { withTimezone: true }),
    // The organisation's data version (imports/apply/data-version.ts) the dry run's staged lines
    // were planned against: a run finding it unchanged reuses them instead of staging again.
    plannedVersion: text('planned_version'),
    chunkCount: integer('chunk_count'),
    chunksApplied: integer('chunks_applied').notNull().default(0),
    summary: jsonb().$type<ImportSummary>(),
    dryRun: jsonb('dry_run').$type<ImportSummary>(),
    error: text(),
    // A follow-up import of some of this one's rejected lines, fixed (imports/retry.ts).
    retryOf: uuid('retry_of'),
    // When and by whom the import was undone, with its counts (imports/undo.ts); null until then.
    undo: jsonb().$type<ImportUndo>(),
    cancelRequestedAt: timestamp('cancel_requested_at', { withTimezone: true }),
    // The uploaded file was deleted because it held a person who was erased (GDPR).
    fileErasedAt: timestamp('file_erased_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.id] }),
    index('imports_history_idx').on(t.organizationId, t.createdAt),
    index('imports_retry_of_idx').on(t.organizationId, t.retryOf),
  ],
)

/** The uploaded file, byte for byte, in 1 MiB pieces so any process can read it back. */
export const importFiles = pgTable(
  'import_files',
  {
    organizationId: uuid('organization_id').notNull(),
    importId: uuid('import_id').notNull(),
    seq: integer().notNull(),
    data: bytea().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.importId, t.seq] }),
    foreignKey({
      columns: [t.organizationId, t.importId],
      foreignColumns: [imports.organizationId, imports.id],
    }).onDelete('cascade'),
  ],
)

/** Why a line was not applied: one row per problem of a rejected line, in the order found. */
export const importRejections = pgTable(
  'import_rejections',
  {
    organizationId: uuid('organization_id').notNull(),
    importId: uuid('import_id').notNull(),
    line: integer().notNull(),
    seq: smallint().notNull().default(0),
    // The import field at fault (`contact.role`), where one is: the value mapping step lists
    // the unknown values of a field from it.
    field: text(),
    column: text(),
    value: text(),
    reason: text().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.importId, t.line, t.seq] }),
    foreignKey({
      columns: [t.organizationId, t.importId],
      foreignColumns: [imports.organizationId, imports.id],
    }).onDelete('cascade'),
  ],
)

/**
 * The lines of the run in progress, validated and normalised (null = blank cell), then resolved
 * against the organisation's customers and contacts by set-based SQL (imports/apply/plan.sql.ts).
 */
export const importLines = pgTable(
  'import_lines',
  {
    organizationId: uuid('organization_id').notNull(),
    importId: uuid('import_id').notNull(),
    line: integer().notNull(),
    // The plain text fields, one text column each, declared in the catalogue.
    ...stagedText,
    country: char({ length: 2 }),
    accountManagerIds: uuid('account_manager_ids').array(),
    workflowId: uuid('workflow_id'),
    contactEmail: text('contact_email'),
    contactPhone: text('contact_phone'),
    contactRole: contactRole('contact_role'),
    contactIsMain: boolean('contact_is_main'),
    // Resolution.
    // Resolution: the customer, group and contact each line is about. Records the run creates get
    // their id here, before they exist, so every line of one new customer points at the same id.
    customerKey: text('customer_key'),
    customerId: uuid('customer_id'),
    customerIsNew: boolean('customer_is_new').notNull().default(false),
    groupKey: text('group_key'),
    groupId: uuid('group_id'),
    contactKey: text('contact_key'),
    contactId: uuid('contact_id'),
    contactIsNew: boolean('contact_is_new').notNull().default(false),
    rejected: boolean().notNull().default(false),
    // create | update | unchanged, for the customer part and the contact part of the line.
    customerOutcome: text('customer_outcome'),
    contactOutcome: text('contact_outcome'),
    chunk: integer(),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.importId, t.line] }),
    // No foreign key to the import: staging would check it for every line (a run's lines are
    // written by its import's code, and deleted when it ends).
    index('import_lines_chunk_idx').on(t.organizationId, t.importId, t.chunk),
  ],
)
