import { useState } from 'react';
import type { Output } from '../../../shared/contract';
import { Button } from '../../components/Button';

export type Handoff = Output<'sso.handoff'>;
export type Intent = 'sso' | 'domain_verification';
export interface LinkRequest {
  orgId: string;
  name: string;
  intent: Intent;
}
/** Links generated in this view: shown once, kept only in this component's memory. */
export type ShownLinks = Record<string, string>;
export const linkKey = (orgId: string, intent: Intent) => `${orgId}\u0000${intent}`;

// A generated link, selectable and copyable; it lives only as long as the SSO view shows it.
export function LinkBox({ link, label }: { link: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <span className="link-box">
      <input
        readOnly
        value={link}
        aria-label={label}
        data-testid="portal-link"
        onFocus={(e) => e.target.select()}
      />
      <Button
        onClick={() =>
          void navigator.clipboard
            ?.writeText(link)
            .then(() => setCopied(true))
            .catch(() => setCopied(false))
        }
      >
        {copied ? 'Copied' : 'Copy'}
      </Button>
    </span>
  );
}
