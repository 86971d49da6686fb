import type { RouteObject } from 'react-router'
import { Navigate } from 'react-router'
import { AppLayout } from '../modules/layout/components/AppLayout.tsx'
import { RequireSession } from '../modules/session/components/RequireSession.tsx'
import { CustomerPage } from '../pages/CustomerPage.tsx'
import { CustomersPage } from '../pages/CustomersPage.tsx'
import { ImportsPage } from '../pages/ImportsPage.tsx'
import { NotFoundPage } from '../pages/NotFoundPage.tsx'
import { ProfilePage } from '../pages/ProfilePage.tsx'
import { SettingsPage } from '../pages/SettingsPage.tsx'
import { SignInPage } from '../pages/SignInPage.tsx'
import { AcceptInvitationPage } from '../pages/AcceptInvitationPage.tsx'
import { ForgotPasswordPage } from '../pages/ForgotPasswordPage.tsx'
import { ResetPasswordPage } from '../pages/ResetPasswordPage.tsx'
import { SignUpPage } from '../pages/SignUpPage.tsx'

/** The screens of a signed-in member, inside the header and menu; add a screen here. */
const screens: RouteObject[] = [
  { index: true, element: <Navigate to="/customers" replace /> },
  { path: 'customers', element: <CustomersPage /> },
  { path: 'customers/:id', element: <CustomerPage /> },
  { path: 'imports/*', element: <ImportsPage /> },
  { path: 'settings/*', element: <SettingsPage /> },
  { path: 'profile', element: <ProfilePage /> },
  { path: '*', element: <NotFoundPage /> },
]

export const routes: RouteObject[] = [
  { path: '/sign-in', element: <SignInPage /> },
  { path: '/forgot-password', element: <ForgotPasswordPage /> },
  { path: '/reset-password', element: <ResetPasswordPage /> },
  { path: '/invitation', element: <AcceptInvitationPage /> },
  { path: '/sign-up', element: <SignUpPage /> },
  {
    path: '/',
    element: (
      <RequireSession>
        <AppLayout />
      </RequireSession>
    ),
    children: screens,
  },
]
