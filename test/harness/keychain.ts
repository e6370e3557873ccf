import { osKeychain } from '../../src/main/secrets/keychain';

/** A keychain service name no real install uses, so a test run never touches the admin's own entries. */
export function testKeychainService(label = 'test'): string {
  return `com.auth0-to-workos.${label}.${process.pid}.${Date.now().toString(36)}`;
}

/** Deletes every account a test run left under its own service name; returns how many were removed. */
export async function clearKeychainService(service: string): Promise<number> {
  const keychain = osKeychain(service);
  const names = await keychain.list();
  for (const name of names) await keychain.delete(name);
  return names.length;
}
