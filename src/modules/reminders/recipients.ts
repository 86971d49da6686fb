import type { ContactRole } from '../../contracts/fields.ts'
import type { RecipientReason, ResolvedRecipient } from '../../contracts/reminders.ts'
import type { StepRecipient } from '../../contracts/workflows.ts'

/** What the resolution needs of a contact. */
export interface CandidateContact {
  id: string
  email: string
  firstName: string | null
  lastName: string | null
  role: ContactRole | null
  isMain: boolean
  bouncedAt: Date | null
  doNotRemind: boolean
}

export interface Resolution {
  to: ResolvedRecipient[]
  cc: ResolvedRecipient[]
  warnings: string[]
  /** False when nobody can receive the reminder. */
  reachable: boolean
}

const roleNames: Record<ContactRole, string> = {
  ACCOUNTING: 'Accounting',
  SALES: 'Sales',
  PURCHASER: 'Purchaser',
  PAYER: 'Payer',
}

export const reachableContact = (contact: CandidateContact): boolean =>
  !contact.bouncedAt && !contact.doNotRemind

export function nameOf(contact: Pick<CandidateContact, 'firstName' | 'lastName'>): string | null {
  const name = [contact.firstName, contact.lastName].filter(Boolean).join(' ')
  return name === '' ? null : name
}

export function recipientOf(
  contact: CandidateContact,
  reason: RecipientReason,
  why: string,
): ResolvedRecipient {
  return {
    contactId: contact.id,
    email: contact.email,
    name: nameOf(contact),
    role: contact.role,
    isMain: contact.isMain,
    reason,
    why,
  }
}

/** Why a contact that could have been chosen was not. */
function unreachableWhy(contact: CandidateContact): string {
  return contact.bouncedAt ? `${contact.email} bounced` : `${contact.email} receives no reminders`
}

/**
 * The recipients of a step for a customer: each role gives its reachable contacts, and a role with
 * none falls back to the main contact, which is said; a contact who bounced or opted out is never
 * chosen; an email is never both in To and Cc (To wins), nor twice in one list. The one place that
 * decides who receives a reminder.
 */
export function resolveRecipients(
  contacts: CandidateContact[],
  step: { to: StepRecipient[]; cc: StepRecipient[] },
): Resolution {
  const warnings: string[] = []
  const main = contacts.find((contact) => contact.isMain)
  const mainReachable = main && reachableContact(main) ? main : undefined

  const pick = (wanted: StepRecipient): ResolvedRecipient[] => {
    if (wanted === 'main') {
      if (mainReachable) return [recipientOf(mainReachable, 'main', 'Main contact')]
      warnings.push(
        main
          ? `The main contact cannot receive it: ${unreachableWhy(main)}.`
          : 'This customer has no main contact.',
      )
      return []
    }
    const name = roleNames[wanted]
    const ofRole = contacts.filter((contact) => contact.role === wanted)
    const reachable = ofRole.filter(reachableContact)
    if (reachable.length > 0) {
      return reachable.map((contact) => recipientOf(contact, 'role', `${name} contact`))
    }
    const missing =
      ofRole.length === 0
        ? `no ${name} contact`
        : `no reachable ${name} contact (${ofRole.map(unreachableWhy).join(', ')})`
    if (mainReachable) {
      warnings.push(`${capitalise(missing)}: sent to the main contact.`)
      return [recipientOf(mainReachable, 'fallback_main', `${capitalise(missing)}: main contact`)]
    }
    warnings.push(`${capitalise(missing)}, and no reachable main contact to fall back to.`)
    return []
  }

  const to = dedupe(step.to.flatMap(pick), new Set())
  const cc = dedupe(step.cc.flatMap(pick), new Set(to.map((r) => r.email.toLowerCase())))
  return finish(to, cc, warnings)
}

/** Keeps the first of each email, leaving out those already `taken`. */
export function dedupe(list: ResolvedRecipient[], taken: Set<string>): ResolvedRecipient[] {
  const out: ResolvedRecipient[] = []
  for (const recipient of list) {
    const key = recipient.email.toLowerCase()
    if (taken.has(key)) continue
    taken.add(key)
    out.push(recipient)
  }
  return out
}

/** A reminder goes to someone in To: Cc recipients move up when To is empty. */
export function finish(
  to: ResolvedRecipient[],
  cc: ResolvedRecipient[],
  warnings: string[],
): Resolution {
  if (to.length === 0 && cc.length > 0) {
    warnings.push('Nobody could be put in To: the Cc recipients receive it in To instead.')
    return { to: cc, cc: [], warnings, reachable: true }
  }
  if (to.length === 0) {
    warnings.push('Nobody can receive this reminder: add a contact or correct a bounced email.')
    return { to, cc, warnings, reachable: false }
  }
  return { to, cc, warnings, reachable: true }
}

const capitalise = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1)
