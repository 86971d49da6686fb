import { Stepper, Text } from '@mantine/core'
import { useMediaQuery } from '@mantine/hooks'
import type { ReactNode } from 'react'

const steps = [
  { label: 'Upload', description: 'Choose the file' },
  { label: 'Map', description: 'Match the columns' },
  { label: 'Values', description: 'Match the values' },
  { label: 'Review', description: 'Check before saving' },
  { label: 'Submit', description: 'Import the lines' },
]

/** The wizard's steps; going back to an earlier step is allowed with `onBack`. */
export function WizardSteps({
  active,
  onBack,
  children,
}: {
  active: number
  onBack?: ((step: number) => void) | undefined
  children: ReactNode
}) {
  // A phone has room for the step numbers only; the current step is named above its content.
  const phone = useMediaQuery('(max-width: 36em)')
  const named = phone && active < steps.length ? steps[active] : undefined
  const content = (
    <>
      {named && (
        <Text fw={600} mb="sm">
          Step {active + 1} of {steps.length}: {named.label}
        </Text>
      )}
      {children}
    </>
  )
  return (
    <Stepper
      active={active}
      onStepClick={onBack}
      allowNextStepsSelect={false}
      size="sm"
      aria-label="Steps of the import"
    >
      {steps.map(({ label, description }, index) => (
        <Stepper.Step
          key={label}
          label={phone ? undefined : label}
          description={phone ? undefined : description}
          aria-label={phone ? `Step ${index + 1}: ${label}` : undefined}
          allowStepSelect={!!onBack && index < active}
          aria-current={index === active ? 'step' : undefined}
        >
          {content}
        </Stepper.Step>
      ))}
      <Stepper.Completed>{content}</Stepper.Completed>
    </Stepper>
  )
}

export const stepCount = steps.length
