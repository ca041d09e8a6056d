import { useState } from 'react';
import { api, must } from '../api';
import { ErrorMessage, Field, useSubmit } from '../ui';
import type { FieldWords } from '../words';

/** The API's fields as this form names them, for its errors. */
const WORDS: FieldWords = { email: 'Email', password: 'Password' };

/** An email address, as a browser fills in a sign-in's. */
function EmailInput(props: {
  aria: { id: string };
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <input
      {...props.aria}
      type="email"
      autoComplete="username"
      required
      value={props.value}
      onChange={(e) => props.onChange(e.target.value)}
    />
  );
}

/** Asks the server to mail a link to choose a new password, where it mails at all. */
function PasswordLinkForm(props: { email: string }) {
  const [email, setEmail] = useState(props.email);
  const [asked, setAsked] = useState(false);
  const { onSubmit, busy, failure } = useSubmit(async () => {
    setAsked(false);
    await must(api.POST('/session/password-link', { body: { email } }));
    setAsked(true);
  }, WORDS);
  return (
    <form onSubmit={onSubmit} className="inline-form">
      <ErrorMessage error={failure} />
      <Field id="link-email" label="Your address, to mail you a link">
        {(aria) => <EmailInput aria={aria} value={email} onChange={setEmail} />}
      </Field>
      <button type="submit" disabled={busy}>
        Mail me a link
      </button>
      {asked && (
        <p role="status">
          If an account has this email, a link to choose a new password is on its way.
        </p>
      )}
    </form>
  );
}

export function SignInPage({ onSignedIn }: { onSignedIn: () => Promise<void> }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { onSubmit, busy, failure, fieldError } = useSubmit(async () => {
    await must(api.POST('/session', { body: { email, password } }));
    await onSignedIn();
  }, WORDS);
  return (
    <main id="main" className="narrow">
      <h1>Sign in to Passgate</h1>
      <form onSubmit={onSubmit}>
        <ErrorMessage error={failure} />
        <Field id="email" label="Email" error={fieldError('email')}>
          {(aria) => <EmailInput aria={aria} value={email} onChange={setEmail} />}
        </Field>
        <Field id="password" label="Password" error={fieldError('password')}>
          {(aria) => (
            <input
              {...aria}
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          )}
        </Field>
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <details className="forgot">
        <summary>Forgot your password?</summary>
        <PasswordLinkForm email={email} />
        <p>
          Or ask an admin of your organisation for a new sign-in link: on the Users page, the button
          "New link for" your name makes one, which they send you. Opening it lets you choose a new
          password; the link before it stops working.
        </p>
        <p>
          No admin can sign in? Whoever runs Passgate makes one with{' '}
          <code>pnpm admin user invite --email you@example.com</code>.
        </p>
      </details>
      <p className="hint">
        No account? An admin of your organisation adds you on the Users page and sends you the
        invitation link it shows.
      </p>
    </main>
  );
}
