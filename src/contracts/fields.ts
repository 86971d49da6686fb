import { z } from 'zod'
import { countryField, currencyField, emailField, optionalText } from './common.ts'

/**
 * The field catalogue: every field of a customer and of a contact, declared once. The API
 * contracts, the import (mapping, synonyms, required rules, templates, staging, plan and merge),
 * the sync's copied columns, the audit trail's snapshots and the web's labels all derive from
 * it. Adding a plain text field to customers is one entry here, plus its column (schema and
 * migration) and a test: see CONTRIBUTING, "Add a field".
 */

export const fieldGroups = ['customer', 'group', 'assignment', 'contact'] as const
export type FieldGroup = (typeof fieldGroups)[number]

/** How the import offers a field: its key, its group, what the mapping step shows, the headers. */
export interface ImportDecl {
  readonly key: string
  readonly group: FieldGroup
  /** English label: the mapping step's name and the templates' column header. */
  readonly label: string
  readonly description: string
  /** Headers that name the field without doubt, English and French (compared once normalised). */
  readonly headers: readonly string[]
  /** Bare words that usually mean the field but yield to a more precise header in the file. */
  readonly weak?: readonly string[]
}

/** Where an import line keeps the field's value, and how the value is typed in SQL. */
export interface StagedDecl {
  /** Column of `import_lines`. */
  readonly column: string
  readonly type: 'text' | 'uuid' | 'bool'
  /** The cell is staged as read (trimmed, blank = unchanged): no code of its own. */
  readonly plain?: true
  /** Filled by the plan when it resolves the lines, not read from a cell. */
  readonly resolved?: true
}

/**
 * How the audit trail records the field, in values a person can read: the value itself, the
 * group's name, the workflow's name, the account managers' emails, or the source's system.
 */
export type AuditKind = 'value' | 'groupName' | 'workflowName' | 'memberEmails' | 'source'

export interface FieldDecl {
  /** Its column in the entity's table, snake_case; null when it is not a column. */
  readonly column: string | null
  /** Label in the customer page and its history (English). */
  readonly label: string
  /** The API's write type, under `writeKey` when the API names it differently. */
  readonly write?: z.ZodType
  readonly writeKey?: string
  /** The API's read type. */
  readonly read?: z.ZodType
  readonly import?: ImportDecl
  readonly staged?: StagedDecl
  /** A synced customer's field belongs to its source (read-only in Roster), else to Roster. */
  readonly owner: 'source' | 'roster'
  /** The sync copies it from the source's record (same key in the record). */
  readonly synced?: true
  /** The column's SQL type when it is not text. */
  readonly sqlType?: string
  readonly audit?: AuditKind
  /**
   * It is a person's data (GDPR): erasing a contact (contacts/erasure.service.ts) clears it from
   * the contact, from the trail's snapshots and from import lines.
   */
  readonly personal?: true
}

const text = z.string().nullable()

export const customerCatalogue = {
  name: {
    column: 'name',
    label: 'Name',
    write: z.string().trim().min(1, 'Customer name is required.').max(300),
    read: z.string(),
    import: {
      key: 'customer.name',
      group: 'customer',
      label: 'Customer name',
      description: 'Identifies the customer in Roster: lists, customer page, reminders.',
      headers: [
        'Customer name',
        'Customer full name',
        'Customer display name',
        'Display name',
        'Client name',
        'Nom du client',
        'Nom client',
        'Nom de client',
        'Raison sociale',
        'Dénomination',
        'Dénomination sociale',
        'Company name',
        'Nom de la société',
        'Nom société',
        'Nom de l’entreprise',
        'Nom entreprise',
        'Entreprise',
        'Account name',
        'Organization',
        'Organization name',
        'Organisation',
        'Business name',
        'Legal name',
        'Intitulé',
        'Intitulé du compte',
        'Nom du tiers',
        'Débiteur',
        'Debtor',
        'Debtor name',
      ],
      weak: ['Customer', 'Client', 'Company', 'Société', 'Tiers', 'Nom', 'Name'],
    },
    staged: { column: 'customer_name', type: 'text', plain: true },
    owner: 'source',
    synced: true,
    audit: 'value',
  },
  externalId: {
    column: 'external_id',
    label: 'Customer ID',
    write: optionalText(200),
    read: text,
    import: {
      key: 'customer.externalId',
      group: 'customer',
      label: 'Customer ID',
      description:
        'Unique ID of the customer, handy when several customers share a name; it should match the reference on your invoices. When assigning account managers and workflows it is the customer’s ID in your source system (also read from an “External ID” column).',
      headers: [
        'External ID',
        'Customer ID',
        'Customer external ID',
        'Client ID',
        'ID client',
        'Identifiant client',
        'Identifiant externe',
        'ID externe',
        'Code client',
        'Référence client',
        'Réf client',
        'Référence externe',
        'External reference',
        'Customer number',
        'Customer no',
        'Customer code',
        'Customer reference',
        'Customer ref',
        'N° client',
        'No client',
        'Num client',
        'Numéro client',
        'Numéro de client',
        'Code tiers',
        'N° tiers',
        'Numéro de tiers',
        'Account ID',
        'Account number',
        'Account no',
        'Debtor number',
        'Source ID',
        'Stripe customer ID',
      ],
      weak: ['ID', 'Identifiant', 'Référence', 'Ref', 'Code', 'Numéro'],
    },
    staged: { column: 'customer_external_id', type: 'text', plain: true },
    owner: 'source',
    audit: 'value',
  },
  accountingCode: {
    column: 'accounting_code',
    label: 'Accounting code',
    write: optionalText(200),
    read: text,
    import: {
      key: 'customer.accountingCode',
      group: 'customer',
      label: 'Accounting code',
      description: 'The customer’s account in your accounting, like 411DUPONT.',
      headers: [
        'Accounting code',
        'Accounting ID',
        'Accounting account',
        'Account code',
        'Ledger account',
        'Ledger code',
        'Sub-ledger account',
        'Customer account',
        'Auxiliary account',
        'GL account',
        'GL code',
        'Code comptable',
        'Compte comptable',
        'Compte auxiliaire',
        'Code auxiliaire',
        'Compte client',
        'Compte tiers',
        'Compte de tiers',
        'N° compte comptable',
        'Numéro de compte comptable',
      ],
    },
    staged: { column: 'accounting_code', type: 'text', plain: true },
    owner: 'source',
    synced: true,
    audit: 'value',
  },
  vatNumber: {
    column: 'vat_number',
    label: 'VAT number',
    write: optionalText(100),
    read: text,
    import: {
      key: 'customer.vatNumber',
      group: 'customer',
      label: 'VAT number',
      description: 'Intra-community VAT number, like FR40123456789.',
      headers: [
        'VAT number',
        'VAT no',
        'VAT ID',
        'VAT registration number',
        'EU VAT number',
        'Intra-community VAT number',
        'Tax ID',
        'Tax IDs',
        'Tax number',
        'Tax identification number',
        'N° TVA',
        'No TVA',
        'Num TVA',
        'Numéro TVA',
        'Numéro de TVA',
        'TVA intracommunautaire',
        'TVA intracom',
        'N° TVA intracommunautaire',
        'Numéro de TVA intracommunautaire',
        'N° TVA intracom',
        'Numéro TVA intracom',
        'Identifiant TVA',
        'Numéro d’identification TVA',
        'USt-IdNr',
      ],
      weak: ['VAT', 'TVA'],
    },
    staged: { column: 'vat_number', type: 'text', plain: true },
    owner: 'source',
    synced: true,
    audit: 'value',
  },
  address: {
    column: 'address',
    label: 'Address',
    write: optionalText(1000),
    read: text,
    import: {
      key: 'customer.address',
      group: 'customer',
      label: 'Address',
      description: 'Street and number.',
      headers: [
        'Street',
        'Street address',
        'Address line 1',
        'Address 1',
        'Billing address',
        'Billing street',
        'Adresse',
        'Adresse 1',
        'Adresse ligne 1',
        'Adresse postale',
        'Adresse de facturation',
        'Rue',
      ],
    },
    staged: { column: 'address', type: 'text', plain: true },
    owner: 'source',
    synced: true,
    audit: 'value',
  },
  postalCode: {
    column: 'postal_code',
    label: 'Postal code',
    write: optionalText(50),
    read: text,
    import: {
      key: 'customer.postalCode',
      group: 'customer',
      label: 'Postal code',
      description: 'Postal code.',
      headers: [
        'Postcode',
        'Post code',
        'ZIP',
        'ZIP code',
        'ZIP/Postal code',
        'Billing ZIP/Postal code',
        'Billing postal code',
        'Billing ZIP',
        'Address postal code',
        'Code postal',
        'CP',
      ],
    },
    staged: { column: 'postal_code', type: 'text', plain: true },
    owner: 'source',
    synced: true,
    audit: 'value',
  },
  city: {
    column: 'city',
    label: 'City',
    write: optionalText(200),
    read: text,
    import: {
      key: 'customer.city',
      group: 'customer',
      label: 'City',
      description: 'City.',
      headers: [
        'Town',
        'Billing city',
        'Address city',
        'Ville',
        'Ville de facturation',
        'Localité',
      ],
      weak: ['Commune'],
    },
    staged: { column: 'city', type: 'text', plain: true },
    owner: 'source',
    synced: true,
    audit: 'value',
  },
  country: {
    column: 'country',
    label: 'Country',
    write: countryField.nullable().optional(),
    read: text,
    import: {
      key: 'customer.country',
      group: 'customer',
      label: 'Country',
      description: 'Country name in English or French, or its ISO code (France, FR…).',
      headers: [
        'Country code',
        'Billing country',
        'Address country',
        'Pays',
        'Code pays',
        'Pays de facturation',
      ],
    },
    staged: { column: 'country', type: 'text' },
    owner: 'source',
    synced: true,
    audit: 'value',
  },
  currency: {
    column: 'currency',
    label: 'Currency',
    write: currencyField.nullable().optional(),
    read: text,
    owner: 'source',
    synced: true,
    audit: 'value',
  },
  group: {
    column: 'group_id',
    label: 'Group',
    write: z.uuid().nullable().optional(),
    writeKey: 'groupId',
    read: z
      .object({ id: z.uuid(), name: z.string(), externalId: z.string().nullable() })
      .nullable(),
    // Filled from the lines' Group name and Group ID (import-only fields below), resolved by the plan.
    staged: { column: 'group_id', type: 'uuid', resolved: true },
    owner: 'source',
    audit: 'groupName',
  },
  accountManagers: {
    column: null,
    label: 'Account managers',
    write: z.array(emailField).max(50).optional(),
    read: z.array(z.string()),
    import: {
      key: 'assignment.accountManagers',
      group: 'assignment',
      label: 'Account manager',
      description:
        'Email of a member with the Account manager role; separate several emails with a comma. The list replaces the customer’s account managers.',
      headers: [
        'Account managers',
        'Account manager(s)',
        'Account manager email',
        'Account manager emails',
        'Account owner',
        'Account owner email',
        'Customer owner',
        'Owner email',
        'Customer success manager',
        'CSM',
        'Sales rep',
        'Sales representative',
        'Salesperson',
        'Collector',
        'Chargé de compte',
        'Chargée de compte',
        'Chargé d’affaires',
        'Chargé de recouvrement',
        'Responsable de compte',
        'Responsable du compte',
        'Responsable commercial',
        'Gestionnaire de compte',
        'Email du commercial',
        'Commercial responsable',
      ],
      weak: ['Owner', 'Commercial', 'Représentant', 'Gestionnaire'],
    },
    staged: { column: 'account_manager_ids', type: 'text' },
    owner: 'roster',
    audit: 'memberEmails',
  },
  workflow: {
    column: 'workflow_id',
    label: 'Workflow',
    write: z.string().trim().min(1).max(200).nullable().optional(),
    read: text,
    import: {
      key: 'assignment.workflow',
      group: 'assignment',
      label: 'Workflow',
      description: 'Name of the workflow as shown in Roster.',
      headers: [
        'Workflow name',
        'Nom du workflow',
        'Dunning workflow',
        'Dunning plan',
        'Reminder plan',
        'Reminder workflow',
        'Collection workflow',
        'Collection plan',
        'Scénario de relance',
        'Scénario',
        'Plan de relance',
        'Processus de relance',
        'Séquence de relance',
      ],
      weak: ['Relance', 'Dunning'],
    },
    staged: { column: 'workflow_id', type: 'uuid' },
    owner: 'roster',
    audit: 'workflowName',
  },
  source: {
    column: 'source_connection_id',
    label: 'Source',
    read: z.string(),
    owner: 'source',
    audit: 'source',
  },
} as const satisfies Record<string, FieldDecl>

/** Import fields that are not a column of their own: the group a subsidiary's line names. */
export const groupImportCatalogue = {
  groupName: {
    column: null,
    label: 'Group name',
    import: {
      key: 'group.name',
      group: 'group',
      label: 'Group name',
      description: 'On a subsidiary’s line: the name of its group (the parent customer).',
      headers: [
        'Group',
        'Groupe',
        'Nom du groupe',
        'Nom groupe',
        'Parent company',
        'Parent account',
        'Parent customer',
        'Parent name',
        'Maison mère',
        'Société mère',
        'Client parent',
        'Compte parent',
        'Holding',
      ],
      weak: ['Parent'],
    },
    staged: { column: 'group_name', type: 'text', plain: true },
    owner: 'source',
  },
  groupExternalId: {
    column: null,
    label: 'Group ID',
    import: {
      key: 'group.externalId',
      group: 'group',
      label: 'Group ID',
      description: 'On a subsidiary’s line: the Customer ID of its group.',
      headers: [
        'Group external ID',
        'Group code',
        'Group reference',
        'ID groupe',
        'Identifiant groupe',
        'Identifiant du groupe',
        'Code groupe',
        'Référence groupe',
        'Parent ID',
        'Parent account ID',
        'Parent company ID',
        'Parent customer ID',
        'ID maison mère',
        'ID client parent',
      ],
    },
    staged: { column: 'group_external_id', type: 'text', plain: true },
    owner: 'source',
  },
} as const satisfies Record<string, FieldDecl>

export const contactRoles = ['ACCOUNTING', 'SALES', 'PURCHASER', 'PAYER'] as const
export type ContactRole = (typeof contactRoles)[number]

/**
 * How files name each role, in English and French, compared folded (`foldValue`): a value
 * listed here maps on its own; one that is not gets a value mapping from the member.
 */
export const roleValues: Record<ContactRole, readonly string[]> = {
  ACCOUNTING: [
    'Accounting',
    'Accountant',
    'Accounts',
    'Comptabilité',
    'Compta',
    'Comptable',
    'Service comptable',
  ],
  SALES: ['Sales', 'Sale', 'Ventes', 'Vente', 'Commercial', 'Commerciale', 'Vendeur'],
  PURCHASER: [
    'Purchaser',
    'Purchasing',
    'Purchase',
    'Buyer',
    'Achats',
    'Achat',
    'Acheteur',
    'Acheteuse',
  ],
  PAYER: ['Payer', 'Payment', 'Payments', 'Payeur', 'Payeuse', 'Paiement', 'Paiements'],
}

/** A cell's value reduced to what identifies it: trimmed, lower case, without accents. */
export const foldValue = (text: string): string =>
  text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .trim()
    .replace(/\s+/g, ' ')
    .toLowerCase()

/** The role a cell names in English or French (`roleValues`, compared folded), if any. */
export function knownRole(text: string): ContactRole | undefined {
  return knownRoles.get(foldValue(text))
}

const knownRoles = new Map<string, ContactRole>(
  Object.entries(roleValues).flatMap(([role, names]) =>
    names.map((name): [string, ContactRole] => [foldValue(name), role as ContactRole]),
  ),
)

export const roleField = z
  .string()
  .trim()
  .transform((value) => value.toUpperCase())
  .pipe(
    z.enum(contactRoles, { error: 'Role must be one of Accounting, Sales, Purchaser or Payer.' }),
  )

export const contactCatalogue = {
  customerId: {
    column: 'customer_id',
    label: 'Customer',
    read: z.uuid(),
    owner: 'source',
    audit: 'value',
  },
  email: {
    column: 'email',
    personal: true,
    label: 'Email',
    write: emailField,
    // Null for a contact its source holds without an email: kept, never a recipient.
    read: z.string().nullable(),
    import: {
      key: 'contact.email',
      group: 'contact',
      label: 'Contact email',
      description: 'Identifies the contact within its customer.',
      headers: [
        'Contact e-mail',
        'Contact email address',
        'Email address',
        'E-mail address',
        'Emails',
        'Billing email',
        'Invoice email',
        'Invoicing email',
        'Adresse e-mail',
        'Adresse email',
        'Adresse mail',
        'Adresse électronique',
        'Courriel',
        'Email du contact',
        'E-mail du contact',
        'Mail du contact',
        'Email de facturation',
        'Email facturation',
      ],
      weak: ['Email', 'E-mail', 'Mail'],
    },
    staged: { column: 'contact_email', type: 'text' },
    owner: 'source',
    synced: true,
    audit: 'value',
  },
  firstName: {
    column: 'first_name',
    personal: true,
    label: 'First name',
    write: optionalText(200),
    read: text,
    import: {
      key: 'contact.firstName',
      group: 'contact',
      label: 'First name',
      description: 'First name.',
      headers: [
        'Firstname',
        'Given name',
        'Forename',
        'Contact first name',
        'Prénom',
        'Prénom du contact',
        'Prénom contact',
      ],
    },
    staged: { column: 'contact_first_name', type: 'text', plain: true },
    owner: 'source',
    synced: true,
    audit: 'value',
  },
  lastName: {
    column: 'last_name',
    personal: true,
    label: 'Family name',
    write: optionalText(200),
    read: text,
    import: {
      key: 'contact.lastName',
      group: 'contact',
      label: 'Family name',
      description: 'Family name.',
      headers: [
        'Last name',
        'Lastname',
        'Surname',
        'Contact last name',
        'Nom de famille',
        'Nom du contact',
        'Nom contact',
      ],
    },
    staged: { column: 'contact_last_name', type: 'text', plain: true },
    owner: 'source',
    synced: true,
    audit: 'value',
  },
  phone: {
    column: 'phone',
    personal: true,
    label: 'Phone number',
    write: optionalText(50),
    read: text,
    import: {
      key: 'contact.phone',
      group: 'contact',
      label: 'Phone number',
      description: 'Phone number.',
      headers: [
        'Phone',
        'Phone numbers',
        'Contact phone',
        'Telephone',
        'Telephone number',
        'Work phone',
        'Business phone',
        'Office phone',
        'Téléphone',
        'Numéro de téléphone',
        'N° de téléphone',
        'N° téléphone',
        'Tél',
        'Tel',
        'Téléphone fixe',
        'Ligne directe',
      ],
      weak: ['Mobile', 'Mobile phone', 'Cell', 'Portable', 'Téléphone portable', 'GSM'],
    },
    staged: { column: 'contact_phone', type: 'text' },
    owner: 'source',
    synced: true,
    audit: 'value',
  },
  externalId: {
    column: 'external_id',
    personal: true,
    label: 'Contact ID',
    write: optionalText(200),
    read: text,
    import: {
      key: 'contact.externalId',
      group: 'contact',
      label: 'Contact ID',
      description:
        'The contact’s ID in your source system; import it if the contact will be synced later.',
      headers: [
        'Contact external ID',
        'Contact reference',
        'Contact number',
        'ID contact',
        'ID du contact',
        'Identifiant contact',
        'Identifiant du contact',
        'Référence contact',
        'Code contact',
        'N° contact',
      ],
    },
    staged: { column: 'contact_external_id', type: 'text', plain: true },
    owner: 'source',
    synced: true,
    audit: 'value',
  },
  role: {
    column: 'role',
    label: 'Role',
    write: roleField.nullable().optional(),
    read: z.enum(contactRoles).nullable(),
    import: {
      key: 'contact.role',
      group: 'contact',
      label: 'Role',
      description:
        'Accounting, Sales, Purchaser or Payer; reminders choose their recipients by role.',
      headers: [
        'Contact role',
        'Rôle',
        'Rôle du contact',
        'Type de contact',
        'Contact type',
        'Fonction',
        'Occupation',
      ],
    },
    staged: { column: 'contact_role', type: 'text' },
    owner: 'source',
    synced: true,
    sqlType: 'contact_role',
    audit: 'value',
  },
  jobTitle: {
    column: 'job_title',
    personal: true,
    label: 'Job title',
    write: optionalText(200),
    read: text,
    owner: 'source',
    synced: true,
    audit: 'value',
  },
  emailOptedOut: {
    column: 'email_opted_out',
    label: 'Opted out of email',
    read: z.boolean(),
    owner: 'source',
    synced: true,
    sqlType: 'boolean',
    audit: 'value',
  },
  isMain: {
    column: 'is_main',
    label: 'Main contact',
    write: z.boolean().optional(),
    read: z.boolean(),
    import: {
      key: 'contact.isMain',
      group: 'contact',
      label: 'Main contact',
      description: 'Put 1 on the main contact’s line; one per customer, the last line wins.',
      headers: [
        'Contact principal',
        'Primary contact',
        'Is main contact',
        'Is main',
        'Is primary',
        'Default contact',
        'Contact par défaut',
      ],
      weak: ['Main', 'Principal', 'Primary'],
    },
    staged: { column: 'contact_is_main', type: 'bool' },
    owner: 'source',
    audit: 'value',
  },
  source: {
    column: 'source_connection_id',
    label: 'Source',
    read: z.string(),
    owner: 'source',
    audit: 'source',
  },
} as const satisfies Record<string, FieldDecl>

// What derives from the catalogue.

type Catalogue = Record<string, FieldDecl>
type AnyField =
  | (typeof customerCatalogue)[keyof typeof customerCatalogue]
  | (typeof groupImportCatalogue)[keyof typeof groupImportCatalogue]
  | (typeof contactCatalogue)[keyof typeof contactCatalogue]

/** `vat_number` → `vatNumber`, the key a staged column has in TypeScript. */
export type Camel<S extends string> = S extends `${infer H}_${infer T}`
  ? `${H}${Capitalize<Camel<T>>}`
  : S
export const camel = <S extends string>(name: S): Camel<S> =>
  name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase()) as Camel<S>

type WriteKey<K, D> = D extends { writeKey: infer W extends string } ? W : K
export type Writes<T> = {
  [K in keyof T as T[K] extends { write: z.ZodType } ? WriteKey<K, T[K]> : never]: T[K] extends {
    write: infer S
  }
    ? S
    : never
}
export type Reads<T> = {
  [K in keyof T as T[K] extends { read: z.ZodType } ? K : never]: T[K] extends { read: infer S }
    ? S
    : never
}

/** The write fields of an entity's contract, in catalogue order. */
export const writes = <T extends Catalogue>(catalogue: T): Writes<T> =>
  Object.fromEntries(
    Object.entries(catalogue).flatMap(([key, f]) =>
      f.write ? [[f.writeKey ?? key, f.write]] : [],
    ),
  ) as Writes<T>

/** The read fields of an entity's contract, in catalogue order. */
export const reads = <T extends Catalogue>(catalogue: T): Reads<T> =>
  Object.fromEntries(
    Object.entries(catalogue).flatMap(([key, f]) => (f.read ? [[key, f.read]] : [])),
  ) as Reads<T>

const allFields: FieldDecl[] = [
  ...Object.values(customerCatalogue),
  ...Object.values(groupImportCatalogue),
  ...Object.values(contactCatalogue),
]

/** The Roster fields a column of an imported file can fill, by group, in catalogue order. */
export type ImportField = AnyField extends infer D
  ? D extends { import: { key: infer K extends string } }
    ? K
    : never
  : never
export type ImportFieldDecl = FieldDecl & { import: ImportDecl }
const importable = fieldGroups.flatMap((group) =>
  allFields.filter((f): f is ImportFieldDecl => f.import?.group === group),
)
export const importFields = importable.map((f) => f.import.key) as ImportField[]
export const importFieldDecls = Object.fromEntries(
  importable.map((f) => [f.import.key, f]),
) as Record<ImportField, ImportFieldDecl>

export interface FieldInfo {
  group: FieldGroup
  label: string
  description: string
}
/** What the mapping step shows for each field; labels are the column names of the templates. */
export const fieldInfo = Object.fromEntries(
  importable.map(({ import: { key, group, label, description } }) => [
    key,
    { group, label, description },
  ]),
) as Record<ImportField, FieldInfo>

/** The staged key of each plain text field: its cell is staged as read. */
export type PlainStagedKey = AnyField extends infer D
  ? D extends { staged: { column: infer C extends string; plain: true } }
    ? Camel<C>
    : never
  : never
export const plainImportFields = importable.flatMap((f) =>
  f.staged?.plain
    ? [
        {
          field: f.import.key as ImportField,
          key: camel(f.staged.column) as PlainStagedKey,
          column: f.staged.column,
          label: f.import.label,
          /** The API's own rule for the field: the import checks a cell with it too. */
          write: f.write,
        },
      ]
    : [],
)

/** Columns staged from the lines' cells, in catalogue order. */
export const stagedDecls: StagedDecl[] = allFields.flatMap((f) =>
  f.staged && !f.staged.resolved ? [f.staged] : [],
)

const labels = (catalogue: Record<string, FieldDecl>): Record<string, string> =>
  Object.fromEntries(Object.entries(catalogue).map(([key, f]) => [key, f.label]))
/** Labels of the audit trail's fields, for customers and for contacts. */
export const auditLabels = {
  customer: labels(customerCatalogue),
  contact: labels(contactCatalogue),
}

/** The columns the sync copies from a source's records (`key` in the record), in catalogue order. */
export const syncedColumns = (
  catalogue: Record<string, FieldDecl>,
): { key: string; column: string; sqlType: string }[] =>
  Object.entries(catalogue).flatMap(([key, f]) =>
    f.synced && f.column ? [{ key, column: f.column, sqlType: f.sqlType ?? 'text' }] : [],
  )

/**
 * The API keys of the fields stored as the API writes them, one column each (the group as its
 * id); the others (account managers, workflow) have code of their own.
 */
export const writtenAsIs = (catalogue: Record<string, FieldDecl>): string[] =>
  Object.entries(catalogue).flatMap(([key, f]) =>
    f.write && f.column && (f.audit === 'value' || f.audit === 'groupName')
      ? [f.writeKey ?? key]
      : [],
  )

/** The API keys of the fields read as their column holds them. */
export const readAsIs = (catalogue: Record<string, FieldDecl>): string[] =>
  Object.entries(catalogue).flatMap(([key, f]) =>
    f.read && f.column && f.audit === 'value' ? [key] : [],
  )

/** The API keys of the fields Roster keeps even on a synced customer. */
export const rosterOwned = (catalogue: Record<string, FieldDecl>): string[] =>
  Object.entries(catalogue).flatMap(([key, f]) => (f.owner === 'roster' ? [f.writeKey ?? key] : []))

/**
 * A customer or contact as the audit trail keeps it, from its API shape: the catalogue's audited
 * fields, in values a person can read (the group's name rather than its id). The set-based
 * writers build the same shape in SQL (modules/audit/audit.sql.ts).
 */
export function auditSnapshot(
  catalogue: Record<string, FieldDecl>,
  record: { id: string } & Record<string, unknown>,
): Record<string, unknown> {
  const snapshot: Record<string, unknown> = { id: record.id }
  for (const [key, f] of Object.entries(catalogue)) {
    if (!f.audit) continue
    const value = record[key] ?? null
    snapshot[key] =
      f.audit === 'groupName' && value !== null ? (value as { name: string }).name : value
  }
  return snapshot
}

/** A customer's own fields, as the customer page shows and edits them, with their labels. */
export const customerDetailFields: { key: string; label: string }[] = readAsIs(
  customerCatalogue,
).map((key) => ({
  key,
  label: (customerCatalogue as Record<string, FieldDecl>)[key]?.label ?? key,
}))

/** A catalogue's personal fields (`personal: true`): what erasing a person clears. */
export const personalFieldsOf = (
  catalogue: Record<string, FieldDecl>,
): { key: string; column: string }[] =>
  Object.entries(catalogue).flatMap(([key, f]) =>
    f.personal && f.column ? [{ key, column: f.column }] : [],
  )
