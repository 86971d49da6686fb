import { Alert, Anchor, Button, Stack, TextInput } from '@mantine/core'
import { useState, type SubmitEvent } from 'react'
import { Link } from 'react-router'
import { ApiError, errorMessage } from '../platform/api.ts'
import { AuthFrame } from '../modules/session/components/AuthFrame.tsx'
import { useRequestPasswordReset } from '../modules/session/hooks/useSession.ts'

export function ForgotPasswordPage() {
  const [email, setEmail] = useState('')
  const request = useRequestPasswordReset()
  const error = request.error instanceof ApiError ? request.error : null
  const submit = (event: SubmitEvent): void => {
    event.preventDefault()
    request.mutate(email)
  }
  return (
    <AuthFrame intro="Choose a new password: we email you a link.">
      {request.data ? (
        <Alert color="green" role="status">
          {request.data.message}
        </Alert>
      ) : (
        <form onSubmit={submit} aria-label="Forgot password" noValidate>
          <Stack>
            {request.error && !error?.fieldError('email') && (
              <Alert color="red" role="alert">
                {errorMessage(request.error)}
              </Alert>
            )}
            <TextInput
              label="Email"
              type="email"
              autoComplete="username"
              required
              value={email}
              onChange={(event) => setEmail(event.currentTarget.value)}
              error={error?.fieldError('email')}
            />
            <Button type="submit" loading={request.isPending}>
              Email me a link
            </Button>
          </Stack>
        </form>
      )}
      <Anchor component={Link} to="/sign-in" size="sm">
        Back to sign in
      </Anchor>
    </AuthFrame>
  )
}
