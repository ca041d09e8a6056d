import type { MiddlewareHandler } from 'hono';
import { type DevicePresence, deviceTimeOf } from '../services/device-presence';
import type { ApiEnv } from './env';

/**
 * Notes when a door device was last seen, and how far its clock is off (from the
 * `X-Device-Time` header the scanner sends), for the device list.
 */
export function noteDeviceSeen(options: { presence: DevicePresence }): MiddlewareHandler<ApiEnv> {
  const { presence } = options;
  return async function noteDeviceSeenMiddleware(c, next) {
    const device = c.get('caller').key?.device;
    if (device) await presence.seen(device.id, deviceTimeOf(c.req.header('x-device-time')));
    await next();
  };
}
