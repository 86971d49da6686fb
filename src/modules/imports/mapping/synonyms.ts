import { importFieldDecls, type ImportDecl, type ImportField } from '../../../contracts/fields.ts'

export type Synonyms = Pick<ImportDecl, 'headers' | 'weak'>

/**
 * How finance teams' files name each field, in English and French: hand-made Excel sheets and
 * exports of Sage, Pennylane, QuickBooks, Salesforce and Stripe, declared with each field in the
 * catalogue. The field's label is implied. A normalised header belongs to one field only (a test
 * holds to it).
 */
export const synonyms = Object.fromEntries(
  Object.entries(importFieldDecls).map(([field, { import: decl }]) => [
    field,
    { headers: decl.headers, ...(decl.weak ? { weak: decl.weak } : {}) },
  ]),
) as Record<ImportField, Synonyms>
