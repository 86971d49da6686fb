import { Alert, Anchor, Button, PasswordInput, Stack } from '@mantine/core'
import { useState, type SubmitEvent } from 'react'
import { Link, useLocation, useNavigate } from 'react-router'
import { ApiError, errorMessage } from '../platform/api.ts'
import { AuthFrame, tokenFromHash } from '../modules/session/components/AuthFrame.tsx'
import { useCompletePasswordReset } from '../modules/session/hooks/useSession.ts'

export function ResetPasswordPage() {
  const location = useLocation()
  const navigate = useNavigate()
  const token = tokenFromHash(location.hash)
  const [password, setPassword] = useState('')
  const reset = useCompletePasswordReset()
  const error = reset.error instanceof ApiError ? reset.error : null
  const submit = (event: SubmitEvent): void => {
    event.preventDefault()
    reset.mutate(
      { token, password },
      { onSuccess: () => void navigate('/customers', { replace: true }) },
    )
  }
  return (
    <AuthFrame intro="Choose a new password. You are then signed out everywhere else.">
      <form onSubmit={submit} aria-label="Choose a new password" noValidate>
        <Stack>
          {reset.error && !error?.fieldError('password') && (
            <Alert color="red" role="alert">
              {errorMessage(reset.error)}
            </Alert>
          )}
          <PasswordInput
            label="New password"
            description="At least 8 characters."
            autoComplete="new-password"
            required
            value={password}
            onChange={(event) => setPassword(event.currentTarget.value)}
            error={error?.fieldError('password')}
          />
          <Button type="submit" loading={reset.isPending}>
            Save and sign in
          </Button>
        </Stack>
      </form>
      <Anchor component={Link} to="/forgot-password" size="sm">
        Ask for a new link
      </Anchor>
    </AuthFrame>
  )
}
