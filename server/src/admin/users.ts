import { CreateUserBody } from '@passgate/shared';
import { AdminError, assertTenant, type CommandGroup, checked, required } from './command';

export type UserCommand =
  | {
      command: 'user create';
      tenantId: string;
      email: string;
      name: string | undefined;
      role: 'admin' | 'staff';
    }
  | { command: 'user invite'; email: string };

/**
 * An invited user, and a new sign-in link for one who cannot get in: the same body, queries
 * and answers as `POST /api/v1/users` and `POST /api/v1/users/{id}/invite`.
 */
export const userCommands: CommandGroup<UserCommand> = {
  noun: 'user',
  usage: [
    'user create --tenant ID --email EMAIL [--name NAME] [--role admin|staff]',
    'user invite --email EMAIL',
  ],

  parse(command, flags, usage) {
    switch (command) {
      case 'user create': {
        const tenantId = required(flags, 'tenant', usage);
        required(flags, 'email', usage);
        // The operator makes the tenant's first users: admins, unless said.
        const body = checked(CreateUserBody, {
          email: flags.email,
          name: flags.name,
          role: flags.role ?? 'admin',
        });
        return {
          command,
          tenantId,
          email: body.email,
          name: body.name || undefined,
          role: body.role,
        };
      }
      case 'user invite':
        return { command, email: required(flags, 'email', usage) };
      default:
        return undefined;
    }
  },

  async run({ db, publicUrl }, parsed) {
    const users = await import('../routes/users/queries');
    const { presentInvite } = await import('../routes/users/present');
    const { findUserByEmail } = await import('../routes/session/queries');
    switch (parsed.command) {
      case 'user create': {
        await assertTenant(db, parsed.tenantId);
        return db.transaction().execute(async (trx) => {
          const user = await users.insertUser(trx, parsed.tenantId, parsed);
          if (!user) {
            throw new AdminError(
              `A user with the email ${parsed.email} exists already: \`user invite --email ${parsed.email}\` gives them a new link`,
            );
          }
          return presentInvite(publicUrl, user, await users.startInvite(trx, user.id));
        });
      }
      case 'user invite':
        // A new link for someone locked out (a forgotten password, a lost invitation): the
        // link before it stops working.
        return db.transaction().execute(async (trx) => {
          const user = await findUserByEmail(trx, parsed.email.trim());
          if (!user) throw new AdminError(`No user has the email ${parsed.email}`);
          if (user.disabled_at) {
            throw new AdminError(`The user ${parsed.email} is disabled: enable them first`);
          }
          return presentInvite(publicUrl, user, await users.startInvite(trx, user.id));
        });
    }
  },
};
