import { useState } from 'react';
import { api, must } from '../api';
import { ErrorMessage, Field, useSubmit } from '../ui';
import type { FieldWords } from '../words';

/** The API's fields as this form names them, for its errors. */
const WORDS: FieldWords = { name: 'Your name', password: 'Password' };

const MIN_LENGTH = 12;

/** An invitation link: the person sets a password (and their name) and is signed in. */
export function InvitePage(props: { token: string; onSignedIn: () => Promise<void> }) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const { onSubmit, busy, failure, fieldError } = useSubmit(async () => {
    if (password !== again) throw new Error('The two passwords differ: type the same one twice');
    await must(
      api.POST('/invites/accept', {
        body: { token: props.token, password, ...(name.trim() ? { name: name.trim() } : {}) },
      }),
    );
    await props.onSignedIn();
  }, WORDS);
  return (
    <main id="main" className="narrow">
      <h1>Welcome to Passgate</h1>
      <p>Choose a password to finish setting up your account.</p>
      <form onSubmit={onSubmit}>
        <ErrorMessage error={failure} />
        <Field id="name" label="Your name (optional)" error={fieldError('name')}>
          {(aria) => (
            <input
              {...aria}
              autoComplete="name"
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
          )}
        </Field>
        <Field
          id="new-password"
          label="Password"
          hint={`At least ${MIN_LENGTH} characters`}
          error={fieldError('password')}
        >
          {(aria) => (
            <input
              {...aria}
              type="password"
              autoComplete="new-password"
              required
              minLength={MIN_LENGTH}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          )}
        </Field>
        <Field id="password-again" label="The same password again">
          {(aria) => (
            <input
              {...aria}
              type="password"
              autoComplete="new-password"
              required
              value={again}
              onChange={(e) => setAgain(e.target.value)}
            />
          )}
        </Field>
        <button type="submit" disabled={busy}>
          {busy ? 'Setting up…' : 'Set password and sign in'}
        </button>
      </form>
    </main>
  );
}
