import { Anchor, Group } from '@mantine/core'
import { Link, Navigate, useLocation, useNavigate } from 'react-router'
import { AuthFrame } from '../modules/session/components/AuthFrame.tsx'
import { SignInForm } from '../modules/session/components/SignInForm.tsx'
import { useSession, useSignupSettings } from '../modules/session/hooks/useSession.ts'

export function SignInPage() {
  const navigate = useNavigate()
  const location = useLocation()
  const { data: session } = useSession()
  const signup = useSignupSettings()
  const from = (location.state as { from?: string } | null)?.from ?? '/customers'
  if (session) return <Navigate to={from} replace />
  return (
    <AuthFrame intro="Sign in to your organisation.">
      <SignInForm onSignedIn={() => void navigate(from, { replace: true })} />
      <Group justify="space-between">
        <Anchor component={Link} to="/forgot-password" size="sm">
          Forgot your password?
        </Anchor>
        {signup.data?.open && (
          <Anchor component={Link} to="/sign-up" size="sm">
            Create an organisation
          </Anchor>
        )}
      </Group>
    </AuthFrame>
  )
}
