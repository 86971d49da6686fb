import type { ColumnMapping } from '@contracts/imports.ts'
import { Alert, Button, Center, Group, Loader, Stack, Text } from '@mantine/core'
import { useQueryClient } from '@tanstack/react-query'
import { useState, type ReactNode } from 'react'
import { useSearchParams } from 'react-router'
import { errorMessage } from '../../../platform/api.ts'
import type { ImportPreview, ImportRecord, ValueMap } from '../api/imports.ts'
import {
  importKeys,
  useCancelImport,
  useImport,
  usePreview,
  useStartImport,
} from '../hooks/useImports.ts'
import { useMappingCheck } from '../hooks/useMappingCheck.ts'
import { formatSize, isActive, isSubmitted, plural } from '../format.ts'
import { FileDrop } from './FileDrop.tsx'
import { FileSample } from './FileSample.tsx'
import { FinishedLinks } from './FinishedLinks.tsx'
import { ImportOutcome } from './ImportOutcome.tsx'
import { ImportProgress } from './ImportProgress.tsx'
import { MappingStep } from './MappingStep.tsx'
import { ReadOptionsForm } from './ReadOptionsForm.tsx'
import { ReviewStep } from './ReviewStep.tsx'
import { ValueMappingStep } from './ValueMappingStep.tsx'
import { stepCount, WizardSteps } from './WizardSteps.tsx'

/**
 * Files up to this size are checked as the member maps (a dry run of the whole file each time:
 * about 3 s for 5,000 lines on the embedded store); a larger file is checked once, on the way to
 * the review, so that mapping stays quick.
 */
const liveCheckMaxBytes = 512 * 1024

/** Import or Assign customers: upload, map, review the dry run, submit and follow the run. */
export function ImportWizard() {
  const [params, setParams] = useSearchParams()
  const queryClient = useQueryClient()
  const importId = params.get('import')
  if (importId) return <WizardFor key={importId} importId={importId} />
  const uploaded = (preview: ImportPreview) => {
    queryClient.setQueryData(importKeys.preview(preview.id), preview)
    queryClient.setQueryData(importKeys.record(preview.id), preview)
    setParams({ import: preview.id })
  }
  return (
    <WizardSteps active={0}>
      <FileDrop onUploaded={uploaded} />
    </WizardSteps>
  )
}

/** The wizard's steps, in order (see WizardSteps). */
const steps = { upload: 0, map: 1, values: 2, review: 3, submit: 4 } as const

function firstStep(record: ImportRecord): number {
  if (isSubmitted(record.status)) return steps.submit
  if (record.status === 'mapped' && record.dryRun) return steps.review
  return steps.upload
}

/** The wizard once the file is uploaded; the address names the import, so a reload resumes it. */
function WizardFor({ importId }: { importId: string }) {
  const [, setParams] = useSearchParams()
  const record = useImport(importId)
  const submitted = !!record.data && isSubmitted(record.data.status)
  const preview = usePreview(importId, !!record.data && !submitted)
  const [step, setStep] = useState<number | null>(null)
  if (step === null && record.data) setStep(firstStep(record.data))

  // The mapping being edited; it starts again from the suggestion when the file is read again.
  const scope = preview.data ? JSON.stringify([preview.data.read, preview.data.columns]) : ''
  const [mapping, setMapping] = useState<ColumnMapping | null>(null)
  const [valueMap, setValueMap] = useState<ValueMap>({})
  const [mappingScope, setMappingScope] = useState('')
  if (preview.data && record.data && scope !== mappingScope) {
    const saved = record.data.mapping
    setMappingScope(scope)
    setMapping(
      saved?.length === preview.data.columns.length ? saved : preview.data.suggestedMapping,
    )
    setValueMap(record.data.valueMap ?? {})
  }
  const live = !!preview.data && preview.data.fileSize <= liveCheckMaxBytes && step === steps.map
  const check = useMappingCheck(importId, scope, mapping, live, valueMap)
  const [reviewing, setReviewing] = useState(false)
  const start = useStartImport(importId)
  const discard = useCancelImport(importId)

  const error = record.error ?? preview.error
  if (error) {
    return (
      <Alert color="red" role="alert" title="This import cannot be opened">
        {errorMessage(error)}
      </Alert>
    )
  }
  if (!record.data || step === null || (!submitted && (!preview.data || !mapping))) {
    return (
      <Center p="xl">
        <Loader aria-label="Loading the import" />
      </Center>
    )
  }
  const current = record.data
  const finished = submitted && !isActive(current.status)

  // From the mapping, the values step comes only when the file has values to map.
  const review = (from: number) => {
    setReviewing(true)
    void check.ensure().then((result) => {
      setReviewing(false)
      if (!result.result) return
      const toMap = from === steps.map && result.result.unknownValues.length > 0
      setStep(toMap ? steps.values : steps.review)
    })
  }
  const startOver = () => discard.mutate(undefined, { onSuccess: () => setParams({}) })

  let body: ReactNode
  let actions: ReactNode
  if (step === steps.submit || submitted) {
    body = (
      <Stack gap="lg">
        <ImportProgress record={current} />
        <ImportOutcome record={current} />
      </Stack>
    )
    actions = <FinishedLinks record={current} />
  } else if (step === steps.upload && preview.data) {
    body = (
      <Stack gap="md">
        <Text>
          <Text span fw={600}>
            {current.fileName}
          </Text>{' '}
          ({formatSize(current.fileSize)})
        </Text>
        <ReadOptionsForm preview={preview.data} busy={check.checking} />
        <FileSample preview={preview.data} />
      </Stack>
    )
    actions = (
      <>
        <Button
          variant="default"
          onClick={startOver}
          loading={discard.isPending}
          disabled={check.checking}
        >
          Choose another file
        </Button>
        <Button onClick={() => setStep(steps.map)}>Next: map the columns</Button>
      </>
    )
  } else if (step === steps.map && preview.data && mapping) {
    body = (
      <MappingStep
        preview={preview.data}
        mapping={mapping}
        onChange={setMapping}
        check={check.current}
        checking={check.checking}
        auto={live}
      />
    )
    actions = (
      <>
        <Button variant="default" onClick={() => setStep(steps.upload)}>
          Back
        </Button>
        <Button onClick={() => review(steps.map)} loading={reviewing}>
          Next: review
        </Button>
      </>
    )
  } else if (step === steps.values) {
    body = (
      <Stack gap="md">
        <ValueMappingStep importId={importId} valueMap={valueMap} onChange={setValueMap} />
        {check.current?.error && (
          <Alert color="red" role="alert" title="The values could not be checked">
            {errorMessage(check.current.error)}
          </Alert>
        )}
      </Stack>
    )
    actions = (
      <>
        <Button variant="default" onClick={() => setStep(steps.map)}>
          Back
        </Button>
        <Button onClick={() => review(steps.values)} loading={reviewing}>
          Next: review
        </Button>
      </>
    )
  } else {
    const importable = (current.dryRun?.lines.total ?? 0) - (current.dryRun?.lines.rejected ?? 0)
    body = <ReviewStep record={current} />
    actions = (
      <>
        <Button variant="default" onClick={() => setStep(steps.values)}>
          Back
        </Button>
        <Button
          onClick={() => start.mutate(undefined, { onSuccess: () => setStep(steps.submit) })}
          loading={start.isPending}
          disabled={importable === 0}
        >
          Submit: import {plural(importable, 'line')}
        </Button>
      </>
    )
  }

  return (
    <WizardSteps
      active={finished ? stepCount : submitted ? steps.submit : step}
      onBack={submitted ? undefined : setStep}
    >
      <Stack gap="lg">
        {body}
        <Group justify="flex-end" gap="sm">
          {actions}
        </Group>
      </Stack>
    </WizardSteps>
  )
}
