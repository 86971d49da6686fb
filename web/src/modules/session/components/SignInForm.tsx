import { Alert, Button, PasswordInput, Select, Stack, TextInput } from '@mantine/core'
import { useState, type SubmitEvent } from 'react'
import { ApiError, errorMessage } from '../../../platform/api.ts'
import { useSignIn } from '../hooks/useSession.ts'

/** Email and password; when the email belongs to several organisations, which one. */
export function SignInForm({ onSignedIn }: { onSignedIn: () => void }) {
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [organization, setOrganization] = useState<string | null>(null)
  const signIn = useSignIn()
  const error = signIn.error
  const organizations =
    error instanceof ApiError
      ? error.details.filter((d) => d.path === 'organization').map((d) => d.message)
      : []
  const choosing = organizations.length > 0 || organization !== null

  const submit = (event: SubmitEvent): void => {
    event.preventDefault()
    signIn.mutate(
      { email, password, organization: organization ?? undefined },
      { onSuccess: onSignedIn },
    )
  }

  return (
    <form onSubmit={submit} aria-label="Sign in">
      <Stack>
        {error && !choosing && (
          <Alert color="red" role="alert" title="Could not sign in">
            {errorMessage(error)}
          </Alert>
        )}
        <TextInput
          label="Email"
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(event) => setEmail(event.currentTarget.value)}
        />
        <PasswordInput
          label="Password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(event) => setPassword(event.currentTarget.value)}
        />
        {choosing && (
          <Select
            label="Organisation"
            description="This email belongs to several organisations: choose one."
            data={organizations.length > 0 ? organizations : organization ? [organization] : []}
            value={organization}
            onChange={setOrganization}
            required
          />
        )}
        <Button type="submit" loading={signIn.isPending}>
          Sign in
        </Button>
      </Stack>
    </form>
  )
}
