import { CreateUserBody } from '@passgate/shared';
import { AdminError, assertTenant, type CommandGroup, checked, required } from './command';

export type UserCommand = {
  command: 'user create';
  tenantId: string;
  email: string;
  name: string | undefined;
  role: 'admin' | 'staff';
};

/** An invited user: the same body, queries and answer as `POST /api/v1/users`. */
export const userCommands: CommandGroup<UserCommand> = {
  noun: 'user',
  usage: ['user create --tenant ID --email EMAIL [--name NAME] [--role admin|staff]'],

  parse(command, flags, usage) {
    if (command !== 'user create') return undefined;
    const tenantId = required(flags, 'tenant', usage);
    required(flags, 'email', usage);
    // The operator makes the tenant's first users: admins, unless said.
    const body = checked(CreateUserBody, {
      email: flags.email,
      name: flags.name,
      role: flags.role ?? 'admin',
    });
    return { command, tenantId, email: body.email, name: body.name || undefined, role: body.role };
  },

  async run({ db, publicUrl }, parsed) {
    const users = await import('../routes/users/queries');
    const { presentInvite } = await import('../routes/users/present');
    await assertTenant(db, parsed.tenantId);
    return db.transaction().execute(async (trx) => {
      const user = await users.insertUser(trx, parsed.tenantId, parsed);
      if (!user) throw new AdminError(`A user with the email ${parsed.email} exists already`);
      return presentInvite(publicUrl, user, await users.startInvite(trx, user.id));
    });
  },
};
