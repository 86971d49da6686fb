import { importDelimiters, importEncodings } from '@contracts/imports.ts'
import { Alert, NumberInput, Select, SimpleGrid, Stack, Text } from '@mantine/core'
import { useState } from 'react'
import { errorMessage } from '../../../platform/api.ts'
import type { ImportPreview, ReadChoice } from '../api/imports.ts'
import { useReadAgain } from '../hooks/useImports.ts'
import { delimiterLabels, encodingLabels } from '../format.ts'

type Encoding = (typeof importEncodings)[number]
type Delimiter = (typeof importDelimiters)[number]

const isEncoding = (value: string | null): value is Encoding =>
  (importEncodings as readonly (string | null)[]).includes(value)
const isDelimiter = (value: string | null): value is Delimiter =>
  (importDelimiters as readonly (string | null)[]).includes(value)

/**
 * What was detected — separator, encoding, sheet, header row — each changeable: the file is then
 * read again. The header row is detected again whenever something else changes.
 */
export function ReadOptionsForm({ preview, busy }: { preview: ImportPreview; busy: boolean }) {
  const { read } = preview
  const readAgain = useReadAgain(preview.id)
  const [headerRow, setHeaderRow] = useState<string | number>(read.headerRow)
  const [shownRow, setShownRow] = useState(read.headerRow)
  if (shownRow !== read.headerRow) {
    setShownRow(read.headerRow)
    setHeaderRow(read.headerRow)
  }

  const current: ReadChoice = {
    ...(isEncoding(read.encoding) ? { encoding: read.encoding } : {}),
    ...(isDelimiter(read.delimiter) ? { delimiter: read.delimiter } : {}),
    ...(read.sheet ? { sheet: read.sheet } : {}),
  }
  const change = (choice: ReadChoice) => readAgain.mutate({ ...current, ...choice })
  const applyHeaderRow = () => {
    const row = Number(headerRow)
    if (Number.isInteger(row) && row >= 1 && row !== read.headerRow) change({ headerRow: row })
    else setHeaderRow(read.headerRow)
  }

  return (
    <Stack gap="sm">
      <Text size="sm" c="dimmed">
        Read as {read.format === 'xlsx' ? 'an Excel workbook' : 'a CSV file'}. Roster detected how
        to read it; change a setting if the columns below look wrong.
      </Text>
      {readAgain.error && (
        <Alert color="red" role="alert" title="The file could not be read this way">
          {errorMessage(readAgain.error)}
        </Alert>
      )}
      <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }}>
        {read.format === 'csv' && (
          <>
            <Select
              label="Separator"
              data={importDelimiters.map((value) => ({
                value,
                label: delimiterLabels[value] ?? value,
              }))}
              value={read.delimiter}
              onChange={(value) => isDelimiter(value) && change({ delimiter: value })}
              allowDeselect={false}
              disabled={busy || readAgain.isPending}
            />
            <Select
              label="Encoding"
              data={importEncodings.map((value) => ({
                value,
                label: encodingLabels[value] ?? value,
              }))}
              value={read.encoding}
              onChange={(value) => isEncoding(value) && change({ encoding: value })}
              allowDeselect={false}
              disabled={busy || readAgain.isPending}
            />
          </>
        )}
        {read.format === 'xlsx' && (
          <Select
            label="Sheet"
            data={preview.sheets}
            value={read.sheet}
            onChange={(value) => value && change({ sheet: value })}
            allowDeselect={false}
            disabled={busy || readAgain.isPending}
          />
        )}
        <NumberInput
          label="Header row"
          min={1}
          max={1000}
          allowDecimal={false}
          value={headerRow}
          onChange={setHeaderRow}
          onBlur={applyHeaderRow}
          onKeyDown={(event) => event.key === 'Enter' && applyHeaderRow()}
          disabled={busy || readAgain.isPending}
        />
      </SimpleGrid>
    </Stack>
  )
}
