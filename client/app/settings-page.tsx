import { createSignal, type JSX } from 'solid-js';
import { PasskeySettings, TwoFactorSettings } from '../auth';
import { ChangeEmailForm } from './change-email-form';
import { ChangePasswordForm } from './change-password-form';
import { DeleteAccount } from './delete-account';
import { ConnectedAccounts } from './connected-accounts';
import { usePageTitle } from './page-title';
import { ProfileForm } from './profile-form';
import { SecurityActivity } from './security-activity';
import { SessionsList } from './sessions-list';
import { ThemeSetting } from './theme-setting';
import { useVisit } from './use-visit';

/** `/settings` (signed-in users only): profile, theme, sessions, password, two-factor, email, account deletion. */
export function SettingsPage(): JSX.Element {
  const [version, setVersion] = createSignal(0);
  usePageTitle('Settings');
  useVisit();
  return (
    <section class="page" aria-labelledby="settings-title">
      <header class="page-header">
        <h1 id="settings-title">Settings</h1>
        <p class="lead">Your name, your theme, your password, your address and where you are signed in.</p>
      </header>
      <div class="settings-grid">
        <div class="settings-column">
          <ProfileForm />
          <ThemeSetting />
          <SessionsList version={version()} />
          <SecurityActivity version={version()} />
          <ConnectedAccounts />
        </div>
        <div class="settings-column">
          <ChangePasswordForm onChanged={() => setVersion((v) => v + 1)} />
          <TwoFactorSettings class="card" />
          <PasskeySettings />
          <ChangeEmailForm />
          <DeleteAccount />
        </div>
      </div>
    </section>
  );
}
