import { createHash, randomUUID } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { errorEnvelope, idParams, page, pageQuery } from '../../contracts/common.ts'
import {
  dryRunResult,
  importListQuery,
  importPreview,
  importRecord,
  lineOutcomes,
  mappingBody,
  plannedLine,
  readOptions,
  rejectedCells as rejectedCellsSchema,
  rejectedLine,
  retryBody,
  startBody,
  templateName,
  unknownValue,
} from '../../contracts/imports.ts'
import type { Db } from '../../platform/db/client.ts'
import { AppError } from '../../platform/errors.ts'
import { errorResponses } from '../../platform/http/responses.ts'
import type { Queue } from '../../platform/queue/queue.ts'
import { idempotentUpload } from '../../platform/http/idempotency.ts'
import { scopeOf } from '../../platform/http/auth.ts'
import { filePieces } from './file-store.ts'
import { assertFileKept } from './personal-data.ts'
import {
  findImport,
  importRecordOf,
  listImports,
  plannedLines,
  rejectedLines,
  toImportRecord,
  unknownValues,
  type RejectedLine,
} from './imports.queries.ts'
import {
  cancelImport,
  createImport,
  discardImport,
  previewImport,
  setMapping,
  setReadOptions,
  startImport,
  type Preview,
  type Upload,
} from './imports.service.ts'
import type { ImportRow } from './apply/run.ts'
import { rejectedCells, rejectedLinesCsv } from './rejected-file.ts'
import { retryImport } from './retry.ts'
import { undoImport } from './undo.ts'
import { templateFile } from './templates/templates.ts'

const tags = ['Imports']

export interface ImportRouteOptions {
  db: Db
  queue: Queue
  importMaxBytes: number
}

const withPreview = (row: ImportRow, preview: Preview) => ({
  ...toImportRecord(row),
  sheets: preview.inspection.sheets,
  sample: preview.inspection.sample,
  suggestedMapping: preview.suggestedMapping,
  requiredFields: preview.requiredFields,
})

const size = (bytes: number): string =>
  bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MB` : `${Math.ceil(bytes / 1024)} KB`

/** A cursor over lines is the last line number seen. */
function lineCursor(cursor: string | undefined): number {
  const after = cursor ? Number(cursor) : 0
  if (!Number.isInteger(after) || after < 0) {
    throw new AppError('bad_request', 'This cursor is not valid; start again from the first page.')
  }
  return after
}

const attachment = (name: string): string =>
  `attachment; filename="${name.replace(/[^\w.\- ]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`

export const importRoutes: FastifyPluginAsyncZod<ImportRouteOptions> = async (app, options) => {
  const { db, queue, importMaxBytes } = options
  await app.register(import('@fastify/multipart'), {
    limits: { fileSize: importMaxBytes, files: 1, fields: 10 },
  })

  const tooLarge = (): AppError =>
    new AppError(
      'payload_too_large',
      `The file is larger than the ${size(importMaxBytes)} limit; split it into smaller files.`,
    )

  /** Streams the request's file to a temporary file, hashing it on the way. */
  async function receive(request: Parameters<typeof scopeOf>[0]): Promise<Upload> {
    if (!request.isMultipart()) {
      throw new AppError(
        'unsupported_media_type',
        'Send the file as multipart/form-data, in a field named "file".',
      )
    }
    const file = await request.file()
    if (!file)
      throw new AppError('bad_request', 'No file was sent: add it in a field named "file".')
    const path = join(tmpdir(), `roster-upload-${randomUUID()}`)
    const hash = createHash('sha256')
    let size = 0
    try {
      await pipeline(
        file.file,
        new Transform({
          transform(chunk: Buffer, _encoding, done) {
            hash.update(chunk)
            size += chunk.length
            done(null, chunk)
          },
        }),
        createWriteStream(path, { mode: 0o600 }),
      )
      if (file.file.truncated) throw tooLarge()
    } catch (error) {
      await rm(path, { force: true })
      const code = (error as { code?: unknown }).code
      throw code === 'FST_REQ_FILE_TOO_LARGE' ? tooLarge() : error
    }
    const fileName = basename(file.filename || 'import.csv').slice(0, 255)
    return { path, fileName, size, sha256: hash.digest('hex') }
  }

  app.post(
    '/imports',
    {
      schema: {
        tags,
        summary: 'Upload a CSV or xlsx file to import',
        description:
          'Send the file as multipart/form-data in a field named `file`. Answers with what was detected (format, encoding, separator, sheet, header row), the columns, the first lines and the suggested mapping. Query parameters override the detection.',
        consumes: ['multipart/form-data'],
        querystring: readOptions,
        response: { 201: importPreview, ...errorResponses },
      },
      config: { idempotentUpload: true },
    },
    async (request, reply) => {
      const scope = scopeOf(request)
      const upload = await receive(request)
      try {
        // A retry of an upload sent with an Idempotency-Key gets the first answer.
        if (await idempotentUpload(request, `${upload.fileName}\n${upload.sha256}`))
          return await reply
        const { row, preview, stored } = await createImport(db, scope, upload, request.query)
        // Answered at once; the uploaded file is removed once it is stored.
        void reply.code(201).send(withPreview(row, preview))
        await stored.catch((error: unknown) => {
          request.log.error({ err: error, importId: row.id }, 'the uploaded file was not stored')
        })
        return await reply
      } finally {
        await rm(upload.path, { force: true })
      }
    },
  )

  app.get(
    '/imports',
    {
      schema: {
        tags,
        summary: 'The import history, newest first',
        description:
          '`status` keeps the imports in that status, or in any of several separated by commas (`uploaded,mapped` are the uploads never submitted).',
        querystring: importListQuery,
        response: { 200: page(importRecord), ...errorResponses },
      },
    },
    async (request) => listImports(db, scopeOf(request).organizationId, request.query),
  )

  app.get(
    '/imports/:id',
    {
      schema: {
        tags,
        summary: 'An import: status, progress and counts',
        params: idParams,
        response: { 200: importRecord, ...errorResponses },
      },
    },
    async (request) =>
      importRecordOf(db, await findImport(db, scopeOf(request).organizationId, request.params.id)),
  )

  app.get(
    '/imports/:id/preview',
    {
      schema: {
        tags,
        summary: 'The columns, first lines and suggested mapping of an uploaded file',
        params: idParams,
        response: { 200: importPreview, ...errorResponses },
      },
    },
    async (request) => {
      const { organizationId } = scopeOf(request)
      const preview = await previewImport(db, organizationId, request.params.id)
      return withPreview(await findImport(db, organizationId, request.params.id), preview)
    },
  )

  app.put(
    '/imports/:id/options',
    {
      schema: {
        tags,
        summary: 'Read the file again with another separator, encoding, sheet or header row',
        params: idParams,
        body: readOptions,
        response: { 200: importPreview, ...errorResponses },
      },
    },
    async (request) => {
      const { organizationId } = scopeOf(request)
      const { row, preview } = await setReadOptions(
        db,
        organizationId,
        request.params.id,
        request.body,
      )
      return withPreview(row, preview)
    },
  )

  app.put(
    '/imports/:id/mapping',
    {
      schema: {
        tags,
        summary: 'Set the column mapping; answers with the dry run',
        description:
          '`mapping` gives, for each column of the file in order, the field it fills or null to ignore it. `valueMap` says what values of the file mean where Roster does not know them: `{"contact.role": {"Compta": "ACCOUNTING", "Autre": null}}` (null leaves the role empty); left out, the one given before is kept, and the values earlier imports mapped apply too. Nothing is written: the answer says how many lines will create, update, leave unchanged or be rejected, with the first rejected lines and every problem of each, and the distinct values still unknown (`unknownValues`).',
        params: idParams,
        body: mappingBody,
        response: { 200: dryRunResult, ...errorResponses },
      },
    },
    async (request) => {
      const { organizationId } = scopeOf(request)
      const { row } = await setMapping(
        db,
        organizationId,
        request.params.id,
        request.body.mapping,
        request.body.valueMap,
      )
      const rejected = await rejectedLines(db, organizationId, row.id, 0, 100)
      const unknown = await unknownValues(db, organizationId, row.id)
      return { ...toImportRecord(row), rejected, unknownValues: unknown }
    },
  )

  app.post(
    '/imports/:id/start',
    {
      schema: {
        tags,
        summary: 'Submit a mapped import; it runs in the background',
        description:
          'A `valueMap` given here is added to the import’s (see the mapping); the lines are then checked again with it before they apply.',
        params: idParams,
        body: startBody,
        response: { 202: importRecord, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { organizationId } = scopeOf(request)
      const row = await startImport(
        db,
        queue,
        organizationId,
        request.params.id,
        request.body?.valueMap,
      )
      return reply.code(202).send(toImportRecord(row))
    },
  )

  app.post(
    '/imports/:id/cancel',
    {
      schema: {
        tags,
        summary: 'Cancel an import',
        description:
          'An import not yet running stops at once. A running import stops after the chunk of customers in progress; what was applied stays applied.',
        params: idParams,
        response: { 200: importRecord, ...errorResponses },
      },
    },
    async (request) =>
      toImportRecord(await cancelImport(db, scopeOf(request).organizationId, request.params.id)),
  )

  app.post(
    '/imports/:id/retry',
    {
      schema: {
        tags,
        summary: 'Import some rejected lines again, fixed',
        description:
          "Each line is a line the import rejected, by its number, with the cells to change by column name (the file's own columns); the other cells stay as in the file. Answers with the new import, which runs in the background with the first one's mapping and is linked to it (`retryOf`, `retries`).",
        params: idParams,
        body: retryBody,
        response: { 202: importRecord, ...errorResponses, 422: errorEnvelope },
      },
    },
    async (request, reply) => {
      const row = await retryImport(db, queue, scopeOf(request), request.params.id, request.body)
      return reply.code(202).send(toImportRecord(row))
    },
  )

  app.post(
    '/imports/:id/undo',
    {
      schema: {
        tags,
        summary: 'Undo a whole import',
        description:
          'Removes the customers and contacts the import created and puts back the values, account managers, workflows and main contacts it changed, in one transaction. A record changed by someone else since the import is left as it is and listed in `undo.kept`. An import is undone once, and only once it has finished.',
        params: idParams,
        response: { 200: importRecord, ...errorResponses },
      },
    },
    async (request) =>
      importRecordOf(db, await undoImport(db, scopeOf(request), request.params.id)),
  )

  const discard = {
    schema: {
      tags,
      summary: 'Discard an import never submitted',
      description:
        'An upload never submitted (uploaded, mapped, or cancelled before it started) leaves the history with its file. A submitted import stays (409). Uploads never submitted are also discarded by themselves after a day.',
      params: idParams,
      response: { 204: z.null(), ...errorResponses },
    },
  }
  app.delete('/imports/:id', discard, async (request, reply) => {
    await discardImport(db, scopeOf(request).organizationId, request.params.id)
    return reply.code(204).send(null)
  })
  app.post('/imports/:id/discard', discard, async (request, reply) => {
    await discardImport(db, scopeOf(request).organizationId, request.params.id)
    return reply.code(204).send(null)
  })

  app.get(
    '/imports/:id/unknown-values',
    {
      schema: {
        tags,
        summary: 'The values of the file no role is known by, after the dry run',
        description:
          'Each distinct value (spellings differing only by case or accents together) with its column and how many lines hold it: map each in `valueMap` when setting the mapping.',
        params: idParams,
        response: { 200: z.object({ data: z.array(unknownValue) }), ...errorResponses },
      },
    },
    async (request) => {
      const { organizationId } = scopeOf(request)
      const row = await findImport(db, organizationId, request.params.id)
      return { data: await unknownValues(db, organizationId, row.id) }
    },
  )

  app.get(
    '/imports/:id/file',
    {
      schema: {
        tags,
        summary: 'The uploaded file, byte for byte',
        params: idParams,
        response: { 200: z.any(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { organizationId } = scopeOf(request)
      const row = await findImport(db, organizationId, request.params.id)
      assertFileKept(row)
      return reply
        .header('content-type', 'application/octet-stream')
        .header('content-disposition', attachment(row.fileName))
        .header('content-length', row.fileSize)
        .send(Readable.from(filePieces(db, organizationId, row.id)))
    },
  )

  app.get(
    '/imports/:id/rejected-lines',
    {
      schema: {
        tags,
        summary: 'The rejected lines: JSON, or with `Accept: text/csv` a file to fix and upload',
        description:
          'JSON pages by line number (`cursor` is the last line seen). The CSV has the columns of the file plus an `Error` column.',
        params: idParams,
        querystring: z.strictObject(pageQuery),
        response: { 200: z.union([page(rejectedLine), z.string()]), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { organizationId } = scopeOf(request)
      const row = await findImport(db, organizationId, request.params.id)
      if (request.headers.accept?.includes('text/csv')) {
        assertFileKept(row)
        const name = row.fileName.replace(/\.[^.]+$/, '')
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', attachment(`${name} - rejected lines.csv`))
          .send(Readable.from(rejectedLinesCsv(db, row)) as unknown as string)
      }
      const lines: RejectedLine[] = await rejectedLines(
        db,
        organizationId,
        row.id,
        lineCursor(request.query.cursor),
        request.query.limit + 1,
      )
      const more = lines.length > request.query.limit
      const data = lines.slice(0, request.query.limit)
      return { data, nextCursor: more ? String(data[data.length - 1]?.line) : null }
    },
  )

  app.get(
    '/imports/:id/rejected-cells',
    {
      schema: {
        tags,
        summary: 'The rejected lines as the file has them, to fix them',
        description:
          "Pages by line number (`cursor` is the last line seen); `cells` follow the file's columns. Fixed, they go to `/retry`.",
        params: idParams,
        querystring: z.strictObject(pageQuery),
        response: { 200: page(rejectedCellsSchema), ...errorResponses },
      },
    },
    async (request) => {
      const { organizationId } = scopeOf(request)
      const row = await findImport(db, organizationId, request.params.id)
      const { limit } = request.query
      const lines = await rejectedCells(db, row, lineCursor(request.query.cursor), limit + 1)
      const data = lines.slice(0, limit)
      return { data, nextCursor: lines.length > limit ? String(data[data.length - 1]?.line) : null }
    },
  )

  app.get(
    '/imports/:id/lines',
    {
      schema: {
        tags,
        summary: 'What each line of the dry run will do: create, update or leave unchanged',
        description:
          'Kept from the dry run until the import runs; `outcome` filters, `cursor` is the last line seen. Rejected lines are at `/rejected-lines`.',
        params: idParams,
        querystring: z.strictObject({ ...pageQuery, outcome: z.enum(lineOutcomes).optional() }),
        response: { 200: page(plannedLine), ...errorResponses },
      },
    },
    async (request) => {
      const { organizationId } = scopeOf(request)
      const row = await findImport(db, organizationId, request.params.id)
      const { limit, outcome } = request.query
      const lines = await plannedLines(db, organizationId, row.id, {
        afterLine: lineCursor(request.query.cursor),
        limit: limit + 1,
        outcome,
      })
      const data = lines.slice(0, limit)
      return { data, nextCursor: lines.length > limit ? String(data[data.length - 1]?.line) : null }
    },
  )

  app.get(
    '/import-templates/:name',
    {
      schema: {
        tags,
        summary: 'A template to fill in, with demo lines',
        params: z.strictObject({ name: templateName }),
        response: { 200: z.string(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const file = templateFile(request.params.name)
      return reply
        .header('content-type', file.contentType)
        .header('content-disposition', attachment(file.fileName))
        .send(file.body)
    },
  )
}
