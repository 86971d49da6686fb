import { Alert, Anchor, Button, PasswordInput, Stack, TextInput } from '@mantine/core'
import { useState, type SubmitEvent } from 'react'
import { Link, Navigate, useNavigate } from 'react-router'
import { ApiError, errorMessage } from '../platform/api.ts'
import { AuthFrame } from '../modules/session/components/AuthFrame.tsx'
import { useSignUp, useSignupSettings } from '../modules/session/hooks/useSession.ts'

const blank = { organization: '', name: '', email: '', password: '' }

export function SignUpPage() {
  const navigate = useNavigate()
  const settings = useSignupSettings()
  const [values, setValues] = useState(blank)
  const signUp = useSignUp()
  const error = signUp.error instanceof ApiError ? signUp.error : null
  if (settings.data && !settings.data.open) return <Navigate to="/sign-in" replace />
  const field = (key: keyof typeof blank) => ({
    value: values[key],
    onChange: (event: { currentTarget: { value: string } }) =>
      setValues({ ...values, [key]: event.currentTarget.value }),
    error: error?.fieldError(key),
    required: true,
  })
  const submit = (event: SubmitEvent): void => {
    event.preventDefault()
    signUp.mutate(values, { onSuccess: () => void navigate('/customers', { replace: true }) })
  }
  return (
    <AuthFrame intro="Create an organisation: you will be its admin.">
      <form onSubmit={submit} aria-label="Create an organisation" noValidate>
        <Stack>
          {signUp.error && error?.details.length === 0 && (
            <Alert color="red" role="alert">
              {errorMessage(signUp.error)}
            </Alert>
          )}
          <TextInput label="Organisation" autoComplete="organization" {...field('organization')} />
          <TextInput label="Your name" autoComplete="name" {...field('name')} />
          <TextInput label="Email" type="email" autoComplete="username" {...field('email')} />
          <PasswordInput
            label="Password"
            description="At least 8 characters."
            autoComplete="new-password"
            {...field('password')}
          />
          <Button type="submit" loading={signUp.isPending}>
            Create and sign in
          </Button>
        </Stack>
      </form>
      <Anchor component={Link} to="/sign-in" size="sm">
        I already have an account
      </Anchor>
    </AuthFrame>
  )
}
