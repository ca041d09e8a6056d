/** This machine's first IPv4 address on a network (not loopback), if it has one. */
export function lanAddress(
  interfaces?: NodeJS.Dict<import('node:os').NetworkInterfaceInfo[]>,
): string | undefined;

/** Sets TLS_CERT_FILE, TLS_KEY_FILE and PUBLIC_URL for serving on the local network. */
export function serveOnLan(env?: NodeJS.ProcessEnv): Promise<string>;

/** What `pnpm start --lan` tells the person at the laptop. */
export function lanInstructions(publicUrl: string): string;
