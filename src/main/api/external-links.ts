// The only places the app will open in the admin's browser: the two vendors' dashboards and documentation.
const allowedHosts = new Set([
  'manage.auth0.com',
  'auth0.com',
  'support.auth0.com',
  'community.auth0.com',
  'dashboard.workos.com',
  'workos.com',
]);

export function isAllowedExternalUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' || url.username || url.password || url.port) return false;
  return allowedHosts.has(url.hostname);
}
