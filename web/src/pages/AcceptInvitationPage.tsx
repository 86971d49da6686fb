import { Alert, Anchor, Button, Loader, PasswordInput, Stack, Text, TextInput } from '@mantine/core'
import { useState, type SubmitEvent } from 'react'
import { Link, useLocation, useNavigate } from 'react-router'
import { ApiError, errorMessage } from '../platform/api.ts'
import { AuthFrame, tokenFromHash } from '../modules/session/components/AuthFrame.tsx'
import { useAcceptInvitation, useInvitationPreview } from '../modules/session/hooks/useSession.ts'

export function AcceptInvitationPage() {
  const location = useLocation()
  const navigate = useNavigate()
  const token = tokenFromHash(location.hash)
  const preview = useInvitationPreview(token)
  const [values, setValues] = useState({ name: '', password: '' })
  const accept = useAcceptInvitation()
  const error = accept.error instanceof ApiError ? accept.error : null
  const submit = (event: SubmitEvent): void => {
    event.preventDefault()
    accept.mutate(
      { token, ...values },
      { onSuccess: () => void navigate('/customers', { replace: true }) },
    )
  }
  if (preview.isPending) {
    return (
      <AuthFrame intro="Your invitation">
        <Loader aria-label="Loading the invitation" />
      </AuthFrame>
    )
  }
  if (!preview.data) {
    return (
      <AuthFrame intro="Your invitation">
        <Alert color="red" role="alert">
          {errorMessage(preview.error)}
        </Alert>
        <Anchor component={Link} to="/sign-in" size="sm">
          Go to sign in
        </Anchor>
      </AuthFrame>
    )
  }
  return (
    <AuthFrame intro={`Join ${preview.data.organization.name} on Roster.`}>
      <Text size="sm">
        You are invited as <strong>{preview.data.email}</strong>. Choose your name and password to
        sign in.
      </Text>
      <form onSubmit={submit} aria-label="Accept the invitation" noValidate>
        <Stack>
          {accept.error && !error?.fieldError('password') && !error?.fieldError('name') && (
            <Alert color="red" role="alert">
              {errorMessage(accept.error)}
            </Alert>
          )}
          <TextInput
            label="Your name"
            autoComplete="name"
            required
            value={values.name}
            onChange={(event) => setValues({ ...values, name: event.currentTarget.value })}
            error={error?.fieldError('name')}
          />
          <PasswordInput
            label="Password"
            description="At least 8 characters."
            autoComplete="new-password"
            required
            value={values.password}
            onChange={(event) => setValues({ ...values, password: event.currentTarget.value })}
            error={error?.fieldError('password')}
          />
          <Button type="submit" loading={accept.isPending}>
            Join and sign in
          </Button>
        </Stack>
      </form>
    </AuthFrame>
  )
}
