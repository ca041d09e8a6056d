import { useState } from 'react';
import { $api, api, must, type Schemas } from '../api';
import { useSession } from '../session';
import { ErrorMessage, Field, ShownOnce, TableWrap, useAction, useSubmit, when } from '../ui';
import type { FieldWords } from '../words';

/** The API's fields as this form names them, for its errors. */
const WORDS: FieldWords = { email: 'Email', name: 'Name', role: 'Role' };

export function UsersPage() {
  const { me } = useSession();
  const users = $api.useQuery('get', '/users', { params: { query: { limit: 100 } } });
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<'admin' | 'staff'>('staff');
  const [invite, setInvite] = useState<Schemas['UserInvite']>();
  const { act, error: actionError } = useAction();
  const add = useSubmit(async () => {
    setInvite(await must(api.POST('/users', { body: { email, role, ...(name ? { name } : {}) } })));
    setEmail('');
    setName('');
  }, WORDS);
  const patch = (userId: string, body: Schemas['UpdateUser']) =>
    act(() => must(api.PATCH('/users/{userId}', { params: { path: { userId } }, body })));
  const newLink = (userId: string) =>
    act(async () =>
      setInvite(await must(api.POST('/users/{userId}/invite', { params: { path: { userId } } }))),
    );
  return (
    <>
      <h1>Users</h1>
      <form onSubmit={add.onSubmit} className="inline-form">
        <ErrorMessage error={add.failure} />
        <Field id="user-email" label="Email" error={add.fieldError('email')}>
          {(aria) => (
            <input
              {...aria}
              type="email"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          )}
        </Field>
        <Field id="user-name" label="Name (optional)" error={add.fieldError('name')}>
          {(aria) => <input {...aria} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field id="user-role" label="Role">
          {(aria) => (
            <select {...aria} value={role} onChange={(e) => setRole(e.target.value as typeof role)}>
              <option value="staff">staff: passes, clients, scans, doors</option>
              <option value="admin">admin: everything</option>
            </select>
          )}
        </Field>
        <button type="submit" disabled={add.busy}>
          Invite
        </button>
      </form>
      {invite && (
        <ShownOnce label={`Invitation link for ${invite.user.email}`} value={invite.inviteUrl}>
          <p className="hint">
            {invite.mailed
              ? `Mailed to ${invite.user.email} as well. `
              : 'Send it to them (this server mails nothing). '}
            It works once, until {when(invite.expiresAt)}.
          </p>
        </ShownOnce>
      )}
      <ErrorMessage error={users.error ?? actionError} />
      <TableWrap label="Users">
        <table>
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Role</th>
              <th scope="col">Last sign-in</th>
              <th scope="col">State</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {users.data?.map((user) => {
              const self = user.id === me?.user?.id;
              const label = user.name ?? user.email;
              return (
                <tr key={user.id}>
                  <th scope="row">
                    {user.name && <>{user.name} · </>}
                    {user.email}
                  </th>
                  <td>
                    <select
                      aria-label={`Role of ${label}`}
                      value={user.role}
                      disabled={self}
                      onChange={(e) =>
                        void patch(user.id, { role: e.target.value as 'admin' | 'staff' })
                      }
                    >
                      <option value="staff">staff</option>
                      <option value="admin">admin</option>
                    </select>
                  </td>
                  <td>{when(user.lastSignInAt)}</td>
                  <td>
                    {user.disabledAt ? 'disabled' : user.invitePending ? 'invited' : 'active'}
                  </td>
                  <td className="row-actions">
                    {!self &&
                      (user.disabledAt ? (
                        <button
                          type="button"
                          onClick={() => void patch(user.id, { disabled: false })}
                        >
                          Enable {label}
                        </button>
                      ) : (
                        <button
                          type="button"
                          className="danger"
                          onClick={() => void patch(user.id, { disabled: true })}
                        >
                          Disable {label}
                        </button>
                      ))}
                    {!user.disabledAt && (
                      <button type="button" onClick={() => void newLink(user.id)}>
                        New link for {label}
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </TableWrap>
    </>
  );
}
