import { CreatePassBody } from '@passgate/shared';
import {
  asAdminErrors,
  assertTenant,
  type CommandGroup,
  checked,
  numberFlag,
  required,
} from './command';

export type PassCommand =
  | { command: 'pass create'; tenantId: string; body: CreatePassBody }
  | {
      command: 'pass revoke' | 'pass activate';
      tenantId: string;
      passId: string;
    };

/**
 * Passes from the command line: the body of `POST /passes` and the same passes service as the
 * API and a CSV import (the plan's limit, the client by name, the events).
 */
export const passCommands: CommandGroup<PassCommand> = {
  noun: 'pass',
  usage: [
    'pass create --tenant ID [--type single|multi] [--name NAME] [--client-name NAME] [--max-usages N] [--valid-from ISO] [--valid-until ISO]',
    'pass revoke --tenant ID --pass-id ID',
    'pass activate --tenant ID --pass-id ID',
  ],

  parse(command, flags, usage) {
    switch (command) {
      case 'pass create': {
        const tenantId = required(flags, 'tenant', usage);
        const body = checked(CreatePassBody, {
          type: flags.type ?? 'single',
          name: flags.name,
          clientName: flags['client-name'],
          maxUsages: numberFlag(flags['max-usages']),
          validFrom: flags['valid-from'],
          validUntil: flags['valid-until'],
        });
        return { command, tenantId, body };
      }
      case 'pass revoke':
      case 'pass activate':
        return {
          command,
          tenantId: required(flags, 'tenant', usage),
          passId: required(flags, 'pass-id', usage),
        };
      default:
        return undefined;
    }
  },

  async run({ db, publicUrl }, parsed) {
    const passes = await import('../routes/passes/service');
    const { presentCreatedPass, presentPassStatus } = await import('../domain/passes/present');
    const tenant = await assertTenant(db, parsed.tenantId);
    const now = new Date();
    return asAdminErrors(() =>
      db.transaction().execute(async (trx) => {
        if (parsed.command === 'pass create') {
          const [pass] = await passes.createPasses(trx, tenant, [parsed.body], { now, publicUrl });
          if (!pass) throw new Error('A pass was created but not returned');
          return presentCreatedPass(pass, publicUrl, now);
        }
        const status = parsed.command === 'pass revoke' ? 'revoked' : 'active';
        const after = await passes.setPassStatus(trx, tenant.id, parsed.passId, status, {
          now,
          publicUrl,
        });
        return presentPassStatus(after, now);
      }),
    );
  },
};
