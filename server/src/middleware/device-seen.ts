import type { MiddlewareHandler } from 'hono';
import { type DevicePresence, deviceQueueOf, deviceTimeOf } from '../services/device-presence';
import { type ApiEnv, isOpenRoute } from './env';

/**
 * Notes when a door device was last seen, how far its clock is off and how many scans wait on it
 * (from the `X-Device-Time` and `X-Device-Queue` headers the scanner sends), for the door list.
 */
export function noteDeviceSeen(options: { presence: DevicePresence }): MiddlewareHandler<ApiEnv> {
  const { presence } = options;
  return async function noteDeviceSeenMiddleware(c, next) {
    const device = isOpenRoute(c) ? undefined : c.get('caller').key?.device;
    if (device) {
      await presence.seen(device.id, {
        time: deviceTimeOf(c.req.header('x-device-time')),
        queue: deviceQueueOf(c.req.header('x-device-queue')),
      });
    }
    await next();
  };
}
