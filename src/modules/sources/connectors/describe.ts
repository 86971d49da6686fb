import { z } from 'zod'
import type { ConnectorField } from '../../../contracts/sources.ts'

/** How a person sees one key of a connector's settings or secrets. */
export interface FieldText {
  label: string
  help: string
  /** Hide what is typed (API keys, passwords). */
  masked?: boolean
  placeholder?: string
  /** Obtained by the consent flow, not typed before it (a refresh token, a tenant). */
  fromConsent?: boolean
}

/**
 * The fields of a connector's settings or secrets, read from its zod schema: every key of the
 * schema must be described (the type-check says which one is missing), and a key is required
 * when the schema refuses it absent.
 */
export function describeFields<Shape extends z.ZodRawShape>(
  schema: z.ZodObject<Shape>,
  text: { [Key in keyof Shape & string]: FieldText },
): ConnectorField[] {
  return Object.entries(text).map(([key, { label, help, masked, placeholder, fromConsent }]) => ({
    key,
    label,
    help,
    required: !z.safeParse(schema.shape[key] ?? z.never(), undefined).success,
    masked: masked ?? false,
    ...(placeholder === undefined ? {} : { placeholder }),
    ...(fromConsent ? { fromConsent } : {}),
  }))
}
