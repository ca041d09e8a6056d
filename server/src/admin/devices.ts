import { CreateDeviceBody } from '@passgate/shared';
import {
  AdminError,
  assertTenant,
  type CommandGroup,
  checked,
  numberFlag,
  required,
} from './command';

export type DeviceCommand =
  | { command: 'device create'; tenantId: string; name: string; rateLimit: number | undefined }
  | { command: 'device list'; tenantId: string }
  | { command: 'device revoke'; deviceId: string };

/** The door-device commands: the same body, queries and answers as `/api/v1/devices`. */
export const deviceCommands: CommandGroup<DeviceCommand> = {
  noun: 'device',
  usage: [
    'device create --tenant ID --name NAME [--rate-limit N] [--qr]',
    'device list --tenant ID',
    'device revoke --device-id ID',
  ],

  parse(command, flags, usage) {
    switch (command) {
      case 'device create': {
        const tenantId = required(flags, 'tenant', usage);
        required(flags, 'name', usage);
        const body = checked(CreateDeviceBody, {
          name: flags.name,
          rateLimit: numberFlag(flags['rate-limit']),
        });
        return { command, tenantId, name: body.name, rateLimit: body.rateLimit };
      }
      case 'device list':
        return { command, tenantId: required(flags, 'tenant', usage) };
      case 'device revoke':
        return { command, deviceId: required(flags, 'device-id', usage) };
      default:
        return undefined;
    }
  },

  async run({ db, publicUrl }, parsed) {
    const devices = await import('../routes/devices/queries');
    const { presentDevice, presentPairing } = await import('../routes/devices/present');
    switch (parsed.command) {
      case 'device create': {
        await assertTenant(db, parsed.tenantId);
        return db.transaction().execute(async (trx) => {
          const device = await devices.insertDevice(trx, parsed.tenantId, parsed);
          return presentPairing(publicUrl, device, await devices.startPairing(trx, device.id));
        });
      }
      case 'device list': {
        await assertTenant(db, parsed.tenantId);
        const { rows } = await devices.listDevices(db, parsed.tenantId, {
          page: 1,
          limit: 1_000_000,
        });
        return rows.map(presentDevice);
      }
      case 'device revoke': {
        const device = await db
          .selectFrom('devices')
          .select(['tenant_id'])
          .where('id', '=', parsed.deviceId)
          .executeTakeFirst();
        const revoked =
          device &&
          (await db
            .transaction()
            .execute((trx) => devices.revokeDevice(trx, device.tenant_id, parsed.deviceId)));
        if (!revoked) throw new AdminError(`No active device with id ${parsed.deviceId}`);
        return presentDevice(revoked);
      }
    }
  },
};
