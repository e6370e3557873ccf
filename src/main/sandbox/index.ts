import { AUTH0_PAID_PLAN_LIMITS, AUTH0_SANDBOX_SCOPES, startAuth0Sandbox } from './auth0/server';
import { generateTenant } from './generator';
import { writeSupportFiles, type SupportFiles } from './support-files';
import { loadTenant, type Tenant } from './tenant';
import { NO_RATE_LIMITS, PUBLISHED_RATE_LIMITS, startWorkosSandbox } from './workos';

// Both sandboxes together, as rehearsal mode, the `sandbox` command and the demo run them.

export interface SandboxCredentials {
  auth0ClientId: string;
  auth0ClientSecret: string;
  workosApiKey: string;
  workosClientId: string;
}

export interface SandboxesOptions {
  /** A tenant file, or a generated tenant. */
  tenantFile?: string;
  generate?: { users: number; orgs: number; seed: string };
  auth0Port?: number;
  workosPort?: number;
  /** Reuse credentials from an earlier run so that those stored in the keychain stay valid. */
  credentials?: SandboxCredentials;
  /** 'published': Auth0 paid-plan and WorkOS published rate limits; 'none': lifted. */
  limits?: 'published' | 'none';
  /** Where to write the support files (hash file plain and PGP, key, passphrase, MFA secrets). */
  supportFilesDir?: string;
  rsaBits?: 2048 | 3072 | 4096;
}

export interface SandboxesDescription {
  auth0: { domain: string; baseUrl: string; clientId: string; clientSecret: string };
  workos: { baseUrl: string; apiKey: string; clientId: string };
  tenant: { name: string; users: number; organizations: number; seed?: string };
  files?: SupportFiles;
}

export interface RunningSandboxes extends SandboxesDescription {
  tenantData: Tenant;
  close(): Promise<void>;
}

export async function startSandboxes(opts: SandboxesOptions): Promise<RunningSandboxes> {
  const tenant = opts.tenantFile
    ? loadTenant(opts.tenantFile)
    : generateTenant({
        users: opts.generate?.users ?? 1000,
        orgs: opts.generate?.orgs ?? 20,
        seed: opts.generate?.seed ?? 'rehearsal',
      });
  const published = (opts.limits ?? 'published') === 'published';
  const auth0 = await startAuth0Sandbox({
    tenant,
    port: opts.auth0Port ?? 0,
    ...(published ? { rateLimits: AUTH0_PAID_PLAN_LIMITS } : {}),
    ...(opts.credentials
      ? {
          clients: [
            {
              clientId: opts.credentials.auth0ClientId,
              clientSecret: opts.credentials.auth0ClientSecret,
              scopes: [...AUTH0_SANDBOX_SCOPES],
            },
          ],
        }
      : {}),
  });
  let workos;
  try {
    workos = await startWorkosSandbox({
      port: opts.workosPort ?? 0,
      rateLimits: published ? PUBLISHED_RATE_LIMITS : NO_RATE_LIMITS,
      ...(opts.credentials
        ? { apiKey: opts.credentials.workosApiKey, clientId: opts.credentials.workosClientId }
        : {}),
    });
  } catch (err) {
    await auth0.close();
    throw err;
  }
  const close = async () => {
    await Promise.allSettled([auth0.close(), workos.close()]);
  };
  let files: SupportFiles | undefined;
  try {
    if (opts.supportFilesDir)
      files = await writeSupportFiles(tenant, opts.supportFilesDir, { rsaBits: opts.rsaBits ?? 4096 });
  } catch (err) {
    await close();
    throw err;
  }
  return {
    auth0: {
      domain: auth0.domain,
      baseUrl: auth0.baseUrl,
      clientId: auth0.clientId,
      clientSecret: auth0.clientSecret,
    },
    workos: { baseUrl: workos.baseUrl, apiKey: workos.apiKey, clientId: workos.clientId },
    tenant: {
      name: tenant.tenant.name,
      users: tenant.users.length,
      organizations: tenant.organizations.length,
      ...(opts.generate ? { seed: opts.generate.seed } : {}),
    },
    ...(files ? { files } : {}),
    tenantData: tenant,
    close,
  };
}
